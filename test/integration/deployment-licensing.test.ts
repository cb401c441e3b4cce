/**
 * On the real engine, a tiny program of its own: a SimulatedLicenseServer, its activation, a
 * SimulatedDeployment (two session hosts, Windows Server 2019 and 2022) and its DeploymentLicensing
 * pointing at the server: up → empty preview → refresh with no changes, in one execution on the broker
 * that reads the hosts' licensing too (`hosts`) → the mode changed by hand is drift in
 * `preview --refresh` → `up` repairs it → destroy leaves nothing of it in the store.
 */
import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, TestProject } from "../support/engine";
import { farmExecutions, storeFiles, type SimHost } from "../support/farm";

/** A host of the deployment as `sim hosts --json` and the `hosts` output show it. */
const hostRow = (name: string, windowsServerVersion: string, mode = "PerUser"): SimHost => ({
    name,
    windowsServerVersion,
    deployment: "RDCB-FARM01",
    mode,
    licenseServers: ["RDLS-FARM01"],
    graceDaysLeft: 120,
    connectivity: [{ licenseServer: "RDLS-FARM01", status: 11 }],
    policy: { modeByGroupPolicy: false, licenseServersByGroupPolicy: false },
});

function programSource(): string {
    const components = path.join(REPO_ROOT, "dist", "components");
    return `const { SimulatedLicenseServer, LicenseServerActivation, SimulatedDeployment, DeploymentLicensing, DeploymentLicensingMode } = require(${JSON.stringify(components)});
const server = new SimulatedLicenseServer("server", { serverName: "RDLS-FARM01", windowsServerVersion: "2022" });
const connection = server.home.apply((home) => ({ kind: "simulator", home }));
const activation = new LicenseServerActivation("activation", {
    connection, server: server.serverName, serverInstance: server.instanceId,
    contact: { firstName: "Test", lastName: "Admin", company: "Contoso (fictitious)", countryRegion: "NL" },
});
const deployment = new SimulatedDeployment("farm", {
    broker: "RDCB-FARM01",
    sessionHosts: [{ name: "RDSH-FARM01", windowsServerVersion: "2019" }, { name: "RDSH-FARM02", windowsServerVersion: "2022" }],
});
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
const farmFiles = (dir: string) => storeFiles(project.simHome, dir);
/** Remote executions on a broker or host so far, with their operations. */
const farmLog = (name: string) => farmExecutions(project.simHome, name);
const brokerExecutions = () => farmLog("rdcb-farm01").length;

beforeAll(async () => {
    project = await TestProject.create("deployment-licensing");
    fs.writeFileSync(path.join(project.dir, "index.js"), programSource());
});
afterAll(() => project?.remove());

describe("a simulated deployment's licensing on the real engine", () => {
    it("up creates the deployment and points it at the server", async () => {
        const up = await project.pulumiOk(["up", "--yes", "--skip-preview"]);
        expect(up.stdout).toContain("5 created");
        const rows = [hostRow("RDSH-FARM01", "2019"), hostRow("RDSH-FARM02", "2022")];
        expect(await project.outputs()).toEqual({ mode: "PerUser", licenseServers: ["RDLS-FARM01"], sessionHosts: ["RDSH-FARM01", "RDSH-FARM02"], hosts: rows });
        expect(await hosts()).toEqual(rows);
        // One execution on the broker set the configuration and read the hosts; none ran on a host.
        expect(farmLog("rdcb-farm01")).toEqual([["set-deployment-licensing", "read-host-licensing"]]);
        expect([farmLog("rdsh-farm01"), farmLog("rdsh-farm02")]).toEqual([[], []]);
    });

    it("previews no changes without an execution, and refreshes with none in one execution on the broker", async () => {
        const before = brokerExecutions();
        await project.pulumiOk(["preview", "--expect-no-changes"]);
        expect(brokerExecutions()).toBe(before);
        await project.pulumiOk(["refresh", "--yes", "--expect-no-changes", "--skip-preview"]);
        expect(brokerExecutions()).toBe(before + 1);
        expect(farmLog("rdcb-farm01").at(-1)).toEqual(["get-deployment-licensing", "read-host-licensing"]);
        expect([farmLog("rdsh-farm01"), farmLog("rdsh-farm02")]).toEqual([[], []]);
        expect((await project.outputs()).hosts).toEqual([hostRow("RDSH-FARM01", "2019"), hostRow("RDSH-FARM02", "2022")]);
        await project.pulumiOk(["preview", "--expect-no-changes"]);
    });

    it("shows a mode changed by hand as drift, and up repairs it", async () => {
        const hand = await project.sim(["set-mode", "RDCB-FARM01", "PerDevice"]);
        expect(hand.code, hand.stderr).toBe(0);
        expect(await hosts()).toEqual([hostRow("RDSH-FARM01", "2019", "PerDevice"), hostRow("RDSH-FARM02", "2022", "PerDevice")]);

        const drift = await project.pulumi(["preview", "--refresh", "--expect-no-changes"]);
        expect(drift.code).not.toBe(0);
        const changes = await project.plannedChanges(["--refresh"]);
        expect(changes.map((s) => [s.op, s.urn.split("::").pop()])).toEqual([["update", "farm-licensing"]]);
        expect([changes[0]?.oldState?.inputs.mode, changes[0]?.newState?.inputs.mode]).toEqual(["PerDevice", "PerUser"]);

        await project.pulumiOk(["up", "--yes", "--refresh", "--skip-preview"]);
        const rows = [hostRow("RDSH-FARM01", "2019"), hostRow("RDSH-FARM02", "2022")];
        expect(await hosts()).toEqual(rows);
        expect((await project.outputs()).hosts).toEqual(rows);
        await project.pulumiOk(["preview", "--refresh", "--expect-no-changes"]);
    });

    it("destroy leaves nothing of the farm in the store", async () => {
        await project.pulumiOk(["destroy", "--yes", "--skip-preview"]);
        expect(await hosts()).toEqual([]);
        expect(farmFiles("hosts")).toEqual([]);
        expect(farmFiles("deployments")).toEqual([]);
        expect(farmFiles(path.join("executions", "farm"))).toEqual([]);
        expect((await project.sim(["servers", "--json"])).stdout.trim()).toBe("[]");
    });
});
