/**
 * An RDS farm on Azure: an existing VNet and domain; RDCB01, the RD Connection Broker that is also
 * the first RD License Server; RDLS02, a second license server; a pool of two RD Session Hosts; one
 * session collection; the deployment pointed at both license servers, RDCB01 first.
 *
 * In your own project, import from "rds-licensing" as below; test/azure/farm-example.test.ts
 * type-checks this file against the repository's sources.
 */
import * as pulumi from "@pulumi/pulumi";
import {
    AzureLicenseServer,
    AzureSessionHostPool,
    AzureWindowsServerVersion,
    CalKeyPack,
    DeploymentLicensing,
    DeploymentLicensingMode,
    LicenseProgram,
    LicenseServerActivation,
    LicenseType,
    SessionDeployment,
    type ActivationContact,
    type AzureDomainJoinArgs,
} from "rds-licensing";

const cfg = new pulumi.Config("farm");
const location = cfg.require("location");
const resourceGroupName = cfg.require("resourceGroupName");
const subnetId = cfg.require("subnetId");
const dnsServers = cfg.getObject<string[]>("dnsServers") ?? [];
const allowRdpFrom = cfg.getObject<string[]>("allowRdpFrom") ?? [];
const domain: AzureDomainJoinArgs = { ...cfg.requireObject<{ name: string; ouPath?: string; joinUser: string }>("domain"), joinPassword: cfg.requireSecret("joinPassword") };
const contact = cfg.requireObject<ActivationContact>("contact");

// Both license servers: existing group and subnet, no public IP, domain-joined.
const common = { location, resourceGroupName, createResourceGroup: false, network: { subnetId }, dnsServers, allowRdpFrom, domain, windowsServerVersion: AzureWindowsServerVersion.WS2022 };
const broker = new AzureLicenseServer("rdcb01", { ...common, serverName: "RDCB01", connectionBroker: true });
const secondary = new AzureLicenseServer("rdls02", { ...common, serverName: "RDLS02" });

// Activation, then the CALs (on the first server; add packs on RDLS02 the same way). Depending on a
// server component waits for all of it: VM, domain join, roles.
const activations = [broker, secondary].map(
    (server) =>
        new LicenseServerActivation(`${server.computerName.toLowerCase()}-activation`, { connection: server.connection, server: server.computerName, serverInstance: server.vmId, contact }, { dependsOn: [server] }),
);
const pack = new CalKeyPack(
    "rdcb01-ea-users",
    {
        connection: broker.connection,
        server: broker.computerName,
        serverInstance: broker.vmId,
        program: LicenseProgram.EnterpriseAgreement,
        agreementNumber: cfg.requireSecret("agreementNumber"),
        productVersion: "2022",
        licenseType: LicenseType.PerUser,
        count: 50,
    },
    { dependsOn: [activations[0]!] },
);

// The session hosts, in the same subnet: RDSH-1, RDSH-2, ... (round-robin over two zones).
const hosts = new AzureSessionHostPool("rdsh", {
    count: cfg.getNumber("sessionHostCount") ?? 2,
    namePrefix: "RDSH",
    location,
    resourceGroupName,
    subnetId,
    dnsServers,
    allowRdpFrom,
    zones: ["1", "2"],
    domain,
});

// The session deployment on the broker, once every host's role is installed and its restart done:
// the hosts, both license servers added to it, the collection. The RemoteDesktop cmdlets need a
// domain identity (Run Command runs as SYSTEM otherwise); its password is a secret.
const runAs = pulumi.output({ user: cfg.require("runAsUser"), password: cfg.requireSecret("runAsPassword") });
const deployment = new SessionDeployment(
    "farm",
    {
        connection: broker.connection,
        connectionBroker: broker.licenseServerFqdn,
        sessionHosts: hosts.fqdns,
        licenseServers: [broker.licenseServerFqdn, secondary.licenseServerFqdn],
        collection: { name: cfg.require("collectionName") },
        runAs,
    },
    { dependsOn: [broker, ...hosts.rolesSteps] },
);

// The deployment's licensing: per user, RDCB01 first, RDLS02 second, after activation and the pack.
const licensing = new DeploymentLicensing(
    "farm-licensing",
    {
        connection: broker.connection,
        broker: broker.computerName,
        mode: DeploymentLicensingMode.PerUser,
        licenseServers: deployment.licenseServers,
        // Get/Set-RDLicenseConfiguration need the domain identity too.
        runAs,
    },
    { dependsOn: [deployment, ...activations, pack] },
);

export const licenseServers = [broker.licenseServerFqdn, secondary.licenseServerFqdn];
export const sessionHosts = hosts.fqdns;
export const collection = deployment.collection.apply((c) => c.name);
export const licensingMode = licensing.mode;
export const adminPasswords = pulumi.secret({ rdcb01: broker.adminPassword, rdls02: secondary.adminPassword, sessionHosts: hosts.adminPassword });
