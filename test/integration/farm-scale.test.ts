/**
 * On the real engine, the farm at scale: one SimulatedLicenseServer (activated, one per-user CAL
 * pack) and one SimulatedDeployment of 50 session hosts (Windows Server 2019 and 2022 alternately)
 * whose DeploymentLicensing points it, per user, at the server. After `up`: `pulumi refresh` reads
 * the whole deployment in exactly one remote execution on the broker, whatever the number of hosts;
 * an empty preview and an `up` with no changes make none; the `hosts` output lists each host's
 * licensing, read in those same executions. Executions are counted from the simulator's logs
 * (executions/farm/<broker>.jsonl, executions/<server>.jsonl). No timings.
 */
import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, TestProject } from "../support/engine";
import { farmExecutions, serverExecutionCount, storeFiles, type SimHost } from "../support/farm";

const HOSTS = 50;
const SERVER = "RDLS-SCALE01";
const BROKER = "RDCB-SCALE01";
const sessionHosts = Array.from({ length: HOSTS }, (_, i) => ({
    name: `RDSH-SCALE${String(i + 1).padStart(2, "0")}`,
    windowsServerVersion: i % 2 === 0 ? "2019" : "2022",
}));

function programSource(): string {
    const components = path.join(REPO_ROOT, "dist", "components");
    return `const { SimulatedLicenseServer, LicenseServerActivation, CalKeyPack, SimulatedDeployment, DeploymentLicensing, DeploymentLicensingMode } = require(${JSON.stringify(components)});
const server = new SimulatedLicenseServer("server", { serverName: ${JSON.stringify(SERVER)}, windowsServerVersion: "2022" });
const connection = server.home.apply((home) => ({ kind: "simulator", home }));
const activation = new LicenseServerActivation("activation", {
    connection, server: server.serverName, serverInstance: server.instanceId,
    contact: { firstName: "Test", lastName: "Admin", company: "Contoso (fictitious)", countryRegion: "NL" },
});
new CalKeyPack("users", {
    connection, server: server.serverName, serverInstance: server.instanceId,
    program: "enterprise-agreement", agreementNumber: "9300001", productVersion: "2022", licenseType: "per-user", count: ${HOSTS},
}, { dependsOn: [activation] });
const deployment = new SimulatedDeployment("farm", { broker: ${JSON.stringify(BROKER)}, sessionHosts: ${JSON.stringify(sessionHosts)} });
const licensing = new DeploymentLicensing("farm-licensing", {
    connection: deployment.home.apply((home) => ({ kind: "simulator", home })),
    broker: deployment.broker,
    deploymentInstance: deployment.instanceId,
    mode: DeploymentLicensingMode.PerUser,
    licenseServers: [server.serverName],
}, { dependsOn: [activation] });
exports.mode = licensing.mode;
exports.licenseServers = licensing.licenseServers;
exports.sessionHosts = licensing.sessionHosts;
exports.hosts = licensing.hosts;
`;
}

let project: TestProject;
const hosts = () => project.simJson<SimHost[]>(["hosts"]);

/** Remote executions so far (their logs' lines). */
const brokerExecutions = () => farmExecutions(project.simHome, BROKER).length;
const serverExecutions = () => serverExecutionCount(project.simHome, SERVER);
/** The machines farm executions ran on: the broker only, never a session host of it. */
const farmTargets = () => storeFiles(project.simHome, path.join("executions", "farm")).sort();

/** The stack's outputs: the deployment's 50 hosts, and each one's licensing (`hosts`, read with the deployment's). */
async function expectOutputs(): Promise<void> {
    const outputs = await project.outputs();
    expect(outputs).toMatchObject({ mode: "PerUser", licenseServers: [SERVER], sessionHosts: sessionHosts.map((h) => h.name) });
    expect(outputs.hosts).toHaveLength(HOSTS);
    expect((outputs.hosts as SimHost[]).map((h) => [h.name, h.mode, h.licenseServers])).toEqual(sessionHosts.map((h) => [h.name, "PerUser", [SERVER]]));
}

beforeAll(async () => {
    project = await TestProject.create("farm-scale");
    fs.writeFileSync(path.join(project.dir, "index.js"), programSource());
});
afterAll(() => project?.remove());

describe(`one deployment of ${HOSTS} session hosts on the real engine`, () => {
    it("up creates the farm and licenses every host per user from the server", async () => {
        const up = await project.pulumiOk(["up", "--yes", "--skip-preview"]);
        expect(up.stdout).toContain("7 created");
        const live = await hosts();
        expect(live).toHaveLength(HOSTS);
        expect(live.map((h) => [h.name, h.windowsServerVersion, h.deployment, h.mode, h.licenseServers])).toEqual(
            sessionHosts.map((h) => [h.name, h.windowsServerVersion, BROKER, "PerUser", [SERVER]]),
        );
        // Setting the deployment's licensing was one execution on the broker, none on a host.
        expect(brokerExecutions()).toBe(1);
        expect(farmTargets()).toEqual([`${BROKER.toLowerCase()}.jsonl`]);
    });

    it("refresh reads the whole deployment in exactly one execution on the broker", async () => {
        const broker = brokerExecutions();
        const server = serverExecutions();
        await project.pulumiOk(["refresh", "--yes", "--skip-preview"]);
        expect(brokerExecutions()).toBe(broker + 1);
        // The server's activation and pack are read together, in one execution too.
        expect(serverExecutions()).toBe(server + 1);
        expect(farmTargets()).toEqual([`${BROKER.toLowerCase()}.jsonl`]);
        await expectOutputs();
    });

    it("an empty preview makes no execution", async () => {
        const broker = brokerExecutions();
        const server = serverExecutions();
        await project.pulumiOk(["preview", "--expect-no-changes"]);
        expect(brokerExecutions()).toBe(broker);
        expect(serverExecutions()).toBe(server);
    });

    it("up with no changes makes no execution on the broker", async () => {
        const broker = brokerExecutions();
        const server = serverExecutions();
        await project.pulumiOk(["up", "--yes", "--skip-preview", "--expect-no-changes"]);
        expect(brokerExecutions()).toBe(broker);
        expect(serverExecutions()).toBe(server);
        await expectOutputs();
    });
});
