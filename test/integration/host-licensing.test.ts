/**
 * On the real engine, a tiny program of its own: a SimulatedLicenseServer and its activation, a
 * standalone SimulatedSessionHost (Windows Server 2019) and its HostLicensing (per device, the
 * server first, a backup server second): up → empty preview → refresh with no changes (after days
 * have passed too: grace days are outputs, never drift) → the mode changed and a server removed by
 * hand are drift in `preview --refresh` → `up` repairs them → a setting Group Policy makes fails `up`
 * with the host's reason and changes nothing → the host rebuilt with another version is licensed again
 * in the same `up` → destroy leaves nothing of it in the store. Every read of the host is one remote
 * execution on it; nothing else runs there.
 */
import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, TestProject } from "../support/engine";
import { farmExecutions, storeFiles, type SimHost } from "../support/farm";

const HOST = "RDSH-SOLO01";
const SERVER = "RDLS-SOLO01";
const BACKUP = "rdls-backup.contoso.com";

function programSource(hostVersion = "2019"): string {
    const components = path.join(REPO_ROOT, "dist", "components");
    return `const { SimulatedLicenseServer, LicenseServerActivation, SimulatedSessionHost, HostLicensing } = require(${JSON.stringify(components)});
const server = new SimulatedLicenseServer("server", { serverName: ${JSON.stringify(SERVER)}, windowsServerVersion: "2022" });
const activation = new LicenseServerActivation("activation", {
    connection: server.home.apply((home) => ({ kind: "simulator", home })), server: server.serverName, serverInstance: server.instanceId,
    contact: { firstName: "Test", lastName: "Admin", company: "Contoso (fictitious)", countryRegion: "NL" },
});
const host = new SimulatedSessionHost("host", { name: ${JSON.stringify(HOST)}, windowsServerVersion: ${JSON.stringify(hostVersion)} });
const licensing = new HostLicensing("host-licensing", {
    connection: host.home.apply((home) => ({ kind: "simulator", home })),
    host: host.name,
    hostInstance: host.instanceId,
    mode: "PerDevice",
    licenseServers: [server.serverName, ${JSON.stringify(BACKUP)}],
}, { dependsOn: [activation] });
exports.mode = licensing.mode;
exports.licenseServers = licensing.licenseServers;
exports.hosts = licensing.hosts;
`;
}

/** The host as `sim hosts --json` and the `hosts` output show it. */
const hostRow = (over: Partial<SimHost> = {}): SimHost => ({
    name: HOST,
    windowsServerVersion: "2019",
    mode: "PerDevice",
    licenseServers: [SERVER, BACKUP],
    graceDaysLeft: 120,
    // The activated 2022 server is valid for a 2019 host (11); the backup is not in the store (6, not connectable).
    connectivity: [
        { licenseServer: SERVER, status: 11 },
        { licenseServer: BACKUP, status: 6 },
    ],
    policy: { modeByGroupPolicy: false, licenseServersByGroupPolicy: false },
    ...over,
});

let project: TestProject;
const hosts = () => project.simJson<SimHost[]>(["hosts"]);
const farmFiles = (dir: string) => storeFiles(project.simHome, dir);
/** Remote executions on the host so far, with their operations. */
const hostLog = () => farmExecutions(project.simHome, HOST);

/** A resource's outputs as the stack's state holds them (refresh writes them; stack outputs wait for the next up). */
async function stateOutputs(name: string): Promise<Record<string, unknown>> {
    const state = JSON.parse(await project.stackExport()) as { deployment: { resources?: { urn: string; outputs?: Record<string, unknown> }[] } };
    const resource = (state.deployment.resources ?? []).find((r) => r.urn.endsWith(`::${name}`));
    if (!resource) throw new Error(`no resource ${name} in the stack's state`);
    return resource.outputs ?? {};
}

async function simOk(args: string[]): Promise<void> {
    const result = await project.sim(args);
    expect(result.code, `sim ${args.join(" ")}: ${result.stderr}`).toBe(0);
}

beforeAll(async () => {
    project = await TestProject.create("host-licensing");
    fs.writeFileSync(path.join(project.dir, "index.js"), programSource());
});
afterAll(() => project?.remove());

describe("a standalone simulated session host's licensing on the real engine", () => {
    it("up creates the host and points it at the servers, in one execution on the host", async () => {
        const up = await project.pulumiOk(["up", "--yes", "--skip-preview"]);
        expect(up.stdout).toContain("5 created");
        expect(await project.outputs()).toEqual({ mode: "PerDevice", licenseServers: [SERVER, BACKUP], hosts: [hostRow()] });
        expect(await hosts()).toEqual([hostRow()]);
        expect(hostLog()).toEqual([["set-host-licensing"]]);
    });

    it("previews no changes without an execution, and refreshes with none in one execution on the host", async () => {
        await project.pulumiOk(["preview", "--expect-no-changes"]);
        expect(hostLog()).toHaveLength(1);
        await project.pulumiOk(["refresh", "--yes", "--expect-no-changes", "--skip-preview"]);
        expect(hostLog()).toEqual([["set-host-licensing"], ["get-host-licensing"]]);

        // Days pass: the grace days the host reports change, and that is no drift.
        await simOk(["clock", "advance", "2d"]);
        await project.pulumiOk(["preview", "--refresh", "--expect-no-changes"]);
        await project.pulumiOk(["refresh", "--yes", "--expect-no-changes", "--skip-preview"]);
        expect((await stateOutputs("host-licensing")).hosts).toEqual([hostRow({ graceDaysLeft: 118 })]);
        await project.pulumiOk(["preview", "--expect-no-changes"]);
        expect(hostLog()).toHaveLength(4);
        expect(await hosts()).toEqual([hostRow({ graceDaysLeft: 118 })]);
    });

    it("shows a mode changed and a server removed by hand as drift, and up repairs them", async () => {
        await simOk(["set-mode", HOST, "PerUser"]);
        await simOk(["set-license-servers", HOST, SERVER]);
        const byHand = hostRow({ mode: "PerUser", licenseServers: [SERVER], connectivity: [{ licenseServer: SERVER, status: 11 }], graceDaysLeft: 118 });
        expect(await hosts()).toEqual([byHand]);

        const drift = await project.pulumi(["preview", "--refresh", "--expect-no-changes"]);
        expect(drift.code).not.toBe(0);
        const changes = await project.plannedChanges(["--refresh"]);
        expect(changes.map((s) => [s.op, s.urn.split("::").pop()])).toEqual([["update", "host-licensing"]]);
        expect([changes[0]?.oldState?.inputs.mode, changes[0]?.newState?.inputs.mode]).toEqual(["PerUser", "PerDevice"]);
        expect([changes[0]?.oldState?.inputs.licenseServers, changes[0]?.newState?.inputs.licenseServers]).toEqual([[SERVER], [SERVER, BACKUP]]);
        expect(await hosts()).toEqual([byHand]); // previews change nothing
        expect(hostLog()).toHaveLength(6);

        await project.pulumiOk(["up", "--yes", "--refresh", "--skip-preview"]);
        expect(await hosts()).toEqual([hostRow({ graceDaysLeft: 118 })]);
        expect((await project.outputs()).hosts).toEqual([hostRow({ graceDaysLeft: 118 })]);
        expect(hostLog().slice(6)).toEqual([["get-host-licensing"], ["set-host-licensing"]]);
        await project.pulumiOk(["preview", "--refresh", "--expect-no-changes"]);
        expect(hostLog()).toHaveLength(9);
    });

    it("fails up with the host's reason when Group Policy sets the mode, and changes nothing", async () => {
        await simOk(["set-mode", HOST, "PerUser"]);
        await simOk(["lock-policy", HOST, "--mode"]);
        const locked = hostRow({ mode: "PerUser", graceDaysLeft: 118, policy: { modeByGroupPolicy: true, licenseServersByGroupPolicy: false } });
        expect(await hosts()).toEqual([locked]);

        const up = await project.pulumi(["up", "--yes", "--refresh", "--skip-preview"]);
        expect(up.code).not.toBe(0);
        expect(`${up.stdout}\n${up.stderr}`).toContain(`the licensing mode of ${HOST} is set by Group Policy (PolicySourceLicensingType 1); change the policy instead`);
        expect(await hosts()).toEqual([locked]);
        // The refresh read it, the update tried once: nothing else ran on the host.
        expect(hostLog().slice(9)).toEqual([["get-host-licensing"], ["set-host-licensing"]]);
    });

    it("licenses the host again in the same up when another version rebuilds it", async () => {
        const before = await stateOutputs("host");
        fs.writeFileSync(path.join(project.dir, "index.js"), programSource("2022"));
        const up = await project.pulumiOk(["up", "--yes", "--skip-preview"]);
        expect(up.stdout).toContain("2 updated");
        const after = await stateOutputs("host");
        expect(after).toMatchObject({ windowsServerVersion: "2022", created: true });
        expect(after.instanceId).not.toBe(before.instanceId);
        // A new machine: a new grace period, no Group Policy lock; licensing set by HostLicensing.
        expect(await hosts()).toEqual([hostRow({ windowsServerVersion: "2022" })]);
        expect((await project.outputs()).hosts).toEqual([hostRow({ windowsServerVersion: "2022" })]);
        expect(hostLog().slice(11)).toEqual([["set-host-licensing"]]);
        await project.pulumiOk(["preview", "--refresh", "--expect-no-changes"]);
    });

    it("destroy leaves nothing of it in the store", async () => {
        await project.pulumiOk(["destroy", "--yes", "--skip-preview"]);
        expect(await hosts()).toEqual([]);
        expect(farmFiles("hosts")).toEqual([]);
        expect(farmFiles(path.join("executions", "farm"))).toEqual([]);
        expect((await project.sim(["servers", "--json"])).stdout.trim()).toBe("[]");
    });
});
