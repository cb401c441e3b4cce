/**
 * The policy pack through the real CLI (`pulumi preview --policy-pack policy`, run by our Node.js
 * language host's RunPlugin): the dev stack's config passes, crafted programs fail each rule. One
 * project, its program swapped between tests; previews only, so no state is written.
 */
import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SECRETS } from "../support/config-fixtures";
import { REPO_ROOT, TestProject, type RunResult } from "../support/engine";
import { expectNoSecrets } from "../support/secrets";

const POLICY_PACK = path.join(REPO_ROOT, "policy");
const DEMO_PASSPHRASE = "rds-licensing-demo";

let project: TestProject;
let devProgram: string;
let testConfig: string;
const configFile = () => path.join(project.dir, `Pulumi.${project.stack}.yaml`);

const setProgram = (source: string) => fs.writeFileSync(path.join(project.dir, "index.js"), source);
const preview = (env: NodeJS.ProcessEnv = {}) => project.pulumi(["preview", "--policy-pack", POLICY_PACK], env);

/**
 * A program over the compiled components: `pulumi`, the components named, a simulated license server
 * `server` (Windows Server 2022) and its `connection`, then `body`.
 */
function simulatorProgram(components: string[], serverName: string, body: string): string {
    const from = JSON.stringify(path.join(REPO_ROOT, "dist", "components"));
    return `
const pulumi = require("@pulumi/pulumi");
const { ${["SimulatedLicenseServer", ...components].join(", ")} } = require(${from});
const server = new SimulatedLicenseServer("server", { serverName: ${JSON.stringify(serverName)}, windowsServerVersion: "2022" });
const connection = server.home.apply((home) => ({ kind: "simulator", home }));
${body}`;
}

/** The `[mandatory]  <policy>  (<type>: <name>)` lines of the CLI's policy summary. */
function violations(result: RunResult): string[] {
    return [...(result.stdout + result.stderr).matchAll(/\[mandatory\]\s+([a-z-]+)\s+\(([^)]*)\)/g)].map((m) => `${m[1]} ${m[2]}`).sort();
}

beforeAll(async () => {
    project = await TestProject.create("policy");
    devProgram = fs.readFileSync(path.join(project.dir, "index.js"), "utf8");
    testConfig = fs.readFileSync(configFile(), "utf8");
});

afterAll(() => project?.remove());

describe("policy pack on the real engine", { timeout: 240_000 }, () => {
    it("passes the dev stack's config (Pulumi.dev.yaml, its passphrase-encrypted CAL numbers)", async () => {
        fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), configFile());
        setProgram(devProgram);
        const result = await preview({ PULUMI_CONFIG_PASSPHRASE: DEMO_PASSPHRASE });
        fs.writeFileSync(configFile(), testConfig);
        expect(result.code, result.stdout + result.stderr).toBe(0);
        expect(result.stdout).toMatch(/rds-licensing@v0\.1\.0 \(local: .*policy\)/);
        expect(violations(result)).toEqual([]);
        // Nor advisories: its farm's license servers are all managed, and no policy failed to run in preview.
        expect(result.stdout).not.toContain("[advisory]");
    });

    it("fails CALs newer than the server and a missing licensing mode; a plain number given to CalKeyPack is made secret by the component", async () => {
        setProgram(
            simulatorProgram(
                ["CalKeyPack"],
                "RDLS-V1",
                `
// Plain text number and 2025 CALs on a 2022 server; no licensingMode export.
new CalKeyPack("plain-2025", { connection, server: server.serverName, program: "enterprise-agreement",
    agreementNumber: ${JSON.stringify(SECRETS.agreementNumber)}, productVersion: "2025", licenseType: "per-user", count: 5 });
// Compliant: a secret number and a version the server accepts.
new CalKeyPack("secret-2019", { connection, server: server.serverName, program: "retail",
    licenseCode: pulumi.secret(${JSON.stringify(SECRETS.licenseCode)}), productVersion: "2019", licenseType: "per-user", count: 5 });
`,
            ),
        );
        const result = await preview();
        expect(result.code).not.toBe(0);
        // cal-numbers-are-secrets stays quiet: CalKeyPack marks every number secret itself (its
        // violation path is tested in rules.test.ts, on resources registered without the component).
        expect(violations(result)).toEqual([
            "licensing-mode-set pulumi:pulumi:Stack: rds-licensing-test",
            "server-version-covers-cals pulumi-nodejs:dynamic/licensing:CalKeyPack: plain-2025",
        ]);
        expect(result.stdout).not.toContain("agreementNumber is plain text");
        expectNoSecrets(result.stdout + result.stderr, "the policy report");
    });

    it("fails the farm's checks: a CAL type its deployment never asks for, a session host newer than its license server", async () => {
        setProgram(
            simulatorProgram(
                ["CalKeyPack", "DeploymentLicensing", "SimulatedDeployment"],
                "RDLS-F1",
                `
// Per-device CALs for a per-user deployment; a 2025 host on a 2022 license server.
new CalKeyPack("devices-2022", { connection, server: server.serverName, program: "retail",
    licenseCode: pulumi.secret(${JSON.stringify(SECRETS.licenseCode)}), productVersion: "2022", licenseType: "per-device", count: 5 });
const deployment = new SimulatedDeployment("farm", { broker: "RDCB-F1", sessionHosts: [{ name: "RDSH-F1", windowsServerVersion: "2025" }] });
new DeploymentLicensing("farm-licensing", { connection, broker: deployment.broker, deploymentInstance: deployment.instanceId,
    mode: "PerUser", licenseServers: [server.serverName] });
exports.licensingMode = "PerUser";
`,
            ),
        );
        const result = await preview();
        expect(result.code).not.toBe(0);
        expect(violations(result)).toEqual([
            "farm-cal-types-match-modes pulumi-nodejs:dynamic/licensing:CalKeyPack: devices-2022",
            "farm-hosts-get-cals pulumi-nodejs:dynamic/simulator:SimulatedDeployment: farm",
        ]);
        expect(result.stdout).toContain("session host RDSH-F1 runs Windows Server 2025, newer than every license server of deployment RDCB-F1");
        expectNoSecrets(result.stdout + result.stderr, "the policy report");
    });

    it("fails RDP open to the internet on the license server's NSG (azure-native, previewed through a stand-in provider)", async () => {
        // The azure-native plugin cannot be built offline; a stand-in that accepts inputs in preview
        // (fake-azure-native.cjs) is enough for the engine to hand the NSG to the policy pack.
        const bin = path.join(project.dir, "fake-bin");
        fs.mkdirSync(bin, { recursive: true });
        const plugin = path.join(bin, "pulumi-resource-azure-native");
        fs.writeFileSync(plugin, `#!/bin/sh\nexec node ${JSON.stringify(path.join(__dirname, "fake-azure-native.cjs"))} "$@"\n`, { mode: 0o755 });
        setProgram(`
const network = require("@pulumi/azure-native/network");
const rule = (name, priority, source, ports) => ({ name, priority, direction: "Inbound", access: "Allow", protocol: "Tcp",
    sourceAddressPrefix: source, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: ports });
new network.NetworkSecurityGroup("rdls-nsg", { resourceGroupName: "rg-rds", securityRules: [
    rule("https-in", 100, "*", "443"), rule("rdp-from-anywhere", 110, "Internet", "3389") ] });
new network.NetworkSecurityGroup("admin-nsg", { resourceGroupName: "rg-rds", securityRules: [ rule("rdp-admins", 100, "10.20.0.0/16", "3389") ] });
new network.SecurityRule("wide-range", { resourceGroupName: "rg-rds", networkSecurityGroupName: "rdls-nsg", priority: 120,
    direction: "Inbound", access: "Allow", protocol: "*", sourceAddressPrefixes: ["10.0.0.0/8", "0.0.0.0/0"], sourcePortRange: "*",
    destinationAddressPrefix: "*", destinationPortRanges: ["3000-3999"] });
`);
        const result = await preview({ PATH: `${bin}${path.delimiter}${project.env.PATH}` });
        expect(result.code).not.toBe(0);
        expect(violations(result)).toEqual([
            "no-internet-rdp azure-native:network:NetworkSecurityGroup: rdls-nsg",
            "no-internet-rdp azure-native:network:SecurityRule: wide-range",
        ]);
        expect(result.stdout).toContain("rule 'rdp-from-anywhere' allows RDP (3389) from the internet");
    });
});
