/**
 * On the real engine, a tiny program of its own: a SimulatedLicenseServer, its activation, a
 * SimulatedDeployment (two session hosts, Windows Server 2019 and 2022) and its DeploymentLicensing
 * pointing at the server: up → empty preview → refresh with no changes → the mode changed by hand is
 * drift in `preview --refresh` → `up` repairs it → destroy leaves nothing of it in the store.
 */
import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, TestProject } from "../support/engine";

interface SimHost {
    name: string;
    windowsServerVersion: string;
    deployment?: string;
    mode: string;
    licenseServers: string[];
}

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
`;
}

let project: TestProject;
const hosts = () => project.simJson<SimHost[]>(["hosts"]);
const farmFiles = (dir: string) => {
    const full = path.join(project.simHome, dir);
    return fs.existsSync(full) ? fs.readdirSync(full) : [];
};

/** Remote executions on the broker so far (its farm execution log). */
const brokerExecutions = () => {
    const log = path.join(project.simHome, "executions", "farm", "rdcb-farm01.jsonl");
    return fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").filter((l) => l.trim()).length : 0;
};

beforeAll(async () => {
    project = await TestProject.create("deployment-licensing");
    fs.writeFileSync(path.join(project.dir, "index.js"), programSource());
});
afterAll(() => project?.remove());

describe("a simulated deployment's licensing on the real engine", () => {
    it("up creates the deployment and points it at the server", async () => {
        const up = await project.pulumiOk(["up", "--yes", "--skip-preview"]);
        expect(up.stdout).toContain("5 created");
        const outputs = await project.outputs();
        expect(outputs).toMatchObject({ mode: "PerUser", licenseServers: ["RDLS-FARM01"], sessionHosts: ["RDSH-FARM01", "RDSH-FARM02"] });
        expect((await hosts()).map((h) => [h.name, h.windowsServerVersion, h.deployment, h.mode, h.licenseServers])).toEqual([
            ["RDSH-FARM01", "2019", "RDCB-FARM01", "PerUser", ["RDLS-FARM01"]],
            ["RDSH-FARM02", "2022", "RDCB-FARM01", "PerUser", ["RDLS-FARM01"]],
        ]);
    });

    it("previews no changes without an execution, and refreshes with none in one execution on the broker", async () => {
        const before = brokerExecutions();
        await project.pulumiOk(["preview", "--expect-no-changes"]);
        expect(brokerExecutions()).toBe(before);
        await project.pulumiOk(["refresh", "--yes", "--expect-no-changes", "--skip-preview"]);
        expect(brokerExecutions()).toBe(before + 1);
        await project.pulumiOk(["preview", "--expect-no-changes"]);
    });

    it("shows a mode changed by hand as drift, and up repairs it", async () => {
        const hand = await project.sim(["set-mode", "RDCB-FARM01", "PerDevice"]);
        expect(hand.code, hand.stderr).toBe(0);
        expect((await hosts()).map((h) => h.mode)).toEqual(["PerDevice", "PerDevice"]);

        const drift = await project.pulumi(["preview", "--refresh", "--expect-no-changes"]);
        expect(drift.code).not.toBe(0);
        const plan = JSON.parse((await project.pulumiOk(["preview", "--refresh", "--json"])).stdout) as {
            steps?: { op: string; urn: string; oldState?: { inputs: Record<string, unknown> }; newState?: { inputs: Record<string, unknown> } }[];
        };
        const changes = (plan.steps ?? []).filter((s) => s.op !== "same" && s.op !== "refresh");
        expect(changes.map((s) => [s.op, s.urn.split("::").pop()])).toEqual([["update", "farm-licensing"]]);
        expect([changes[0]?.oldState?.inputs.mode, changes[0]?.newState?.inputs.mode]).toEqual(["PerDevice", "PerUser"]);

        await project.pulumiOk(["up", "--yes", "--refresh", "--skip-preview"]);
        expect((await hosts()).map((h) => [h.mode, h.licenseServers])).toEqual([
            ["PerUser", ["RDLS-FARM01"]],
            ["PerUser", ["RDLS-FARM01"]],
        ]);
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
