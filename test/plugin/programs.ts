/**
 * One licensing program two ways: as Pulumi YAML through the provider plugin, and as JavaScript
 * through the library's dynamic resources (fixtures/dynamic-program.js, the same resources, names and
 * values), whose server is made beforehand with the simulator's CLI; and a small farm as Pulumi YAML
 * (farmYaml), which makes its server, deployment and host with the plugin's simulated resources. The
 * agreement number is the secret config value `eaNumber`.
 */
import * as path from "path";

export const PROJECT = "rds-licensing-yaml";
export const CONTACT = { firstName: "Ada", lastName: "Lovelace", company: "Contoso", countryRegion: "GB" };

/** The YAML program: the server's activation and one Enterprise Agreement pack of `count` CALs. */
export function licensingYaml(server: string, count: number): string {
    return licensingYamlOf({ server, count });
}

/** Where the licensing YAML takes its server from: a name (a server made outside), or a resource's outputs. */
interface LicensingYamlOptions {
    /** The server's name, or a YAML expression for it. */
    server: string;
    /** `serverInstance` of the activation and the pack, when the server is a resource. */
    serverInstance?: string;
    count: number;
    /** More resources (YAML text, indented two spaces) and outputs. */
    resources?: string;
    outputs?: string;
}

/** A small farm, all made by the plugin: a simulated license server, a deployment of one host, its licensing. */
export const FARM = { server: "RDLS-YAML01", broker: "RDCB-YAML01", host: "RDSH-YAML01" };

/**
 * The farm as Pulumi YAML: a SimulatedLicenseServer, its activation and pack of `count` CALs, a
 * SimulatedDeployment of one session host and its DeploymentLicensing pointed at the server.
 */
export function farmYaml(count: number): string {
    const connection = "{ kind: simulator, home: .rdls-sim }";
    return licensingYamlOf({
        server: "${server.serverName}",
        serverInstance: "${server.instanceId}",
        count,
        resources: `  server:
    type: rds-licensing:index:SimulatedLicenseServer
    properties:
      serverName: ${FARM.server}
      windowsServerVersion: "2022"
  farm:
    type: rds-licensing:index:SimulatedDeployment
    properties:
      broker: ${FARM.broker}
      sessionHosts:
        - { name: ${FARM.host}, windowsServerVersion: "2022" }
  farm-licensing:
    type: rds-licensing:index:DeploymentLicensing
    properties:
      connection: ${connection}
      broker: \${farm.broker}
      deploymentInstance: \${farm.instanceId}
      mode: PerUser
      licenseServers: ["\${server.serverName}"]
    options:
      dependsOn: ["\${activation}"]
`,
        outputs: `  farmHosts: \${farm-licensing.hosts}
  farmMode: \${farm-licensing.mode}
`,
    });
}

function licensingYamlOf({ server, serverInstance, count, resources = "", outputs = "" }: LicensingYamlOptions): string {
    const connection = "{ kind: simulator, home: .rdls-sim }";
    const instance = serverInstance ? `\n      serverInstance: ${serverInstance}` : "";
    const contact = `{ ${Object.entries(CONTACT).map(([k, v]) => `${k}: ${v}`).join(", ")} }`;
    return `name: ${PROJECT}
runtime: yaml
config:
  eaNumber:
    type: string
    secret: true
resources:
${resources}  request-key:
    type: rds-licensing:index:RequestKeySecret
  activation:
    type: rds-licensing:index:LicenseServerActivation
    properties:
      connection: ${connection}
      server: ${server}${instance}
      contact: ${contact}
  ea-users:
    type: rds-licensing:index:CalKeyPack
    properties:
      connection: ${connection}
      server: ${server}${instance}
      program: enterprise-agreement
      agreementNumber: \${eaNumber}
      productVersion: "2022"
      licenseType: per-user
      count: ${count}
      requestKeySecret: \${request-key.value}
    options:
      dependsOn: ["\${activation}"]
outputs:
  keyPackIds: \${ea-users.keyPackIds}
  totalLicenses: \${ea-users.totalLicenses}
  activationStatus: \${activation.activationStatus}
${outputs}`;
}

/** The JavaScript twin (config: `server`, `count`, secret `eaNumber`). */
export const DYNAMIC_PROGRAM = path.join(__dirname, "fixtures", "dynamic-program.js");
