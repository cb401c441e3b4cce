/**
 * The whole life of a licensing stack on the real Pulumi engine against rdls-sim, like Pulumi's own
 * integration tests: preview → up → empty preview → export checks → empty refresh → edits → drift →
 * secrets scan → destroy.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NUMBER_PATHS, SECRETS, validConfig } from "../support/config-fixtures";
import { REPO_ROOT, TestProject, readTree, run } from "../support/engine";
import { expectNoSecrets } from "../support/secrets";

let project: TestProject;
let config: ReturnType<typeof validConfig> & Record<string, any>;

const packs = () => project.packs();
const executions = async () => (await project.simJson<{ count: number }>(["executions"])).count;
/** Licenses of a program summed over its key packs (a pack that grew owns several key packs). */
const totalOf = async (program: string) => (await project.totals())[program] ?? 0;
const byProgram = async () => Object.fromEntries((await packs()).map((p) => [p.program, p]));

beforeAll(async () => {
    project = await TestProject.create("lifecycle");
    config = validConfig() as any;
    await project.setConfig(config, NUMBER_PATHS);
});

afterAll(() => project?.remove());

describe("licensing stack lifecycle", () => {
    it("previews the creation without touching a server", async () => {
        const changes = await project.plannedChanges();
        expect(changes.filter((c) => c.op === "create")).toHaveLength(8);
        expect((await project.sim(["servers", "--json"])).stdout.trim()).toBe("[]");
    });

    it("creates the server, activates it and installs every pack", async () => {
        const up = await project.pulumiOk(["up", "--yes", "--skip-preview"]);
        expect(up.stdout).toContain("8 created");
        const outputs = await project.outputs();
        expect(outputs.activationStatus).toBe("activated");
        expect(outputs.licenseServerId).toMatch(/^[0-9A-F-]{36}$/);
        const live = await byProgram();
        expect(live["enterprise-agreement"]).toMatchObject({ totalLicenses: 20, productVersion: "2022", licenseType: "per-user" });
        expect(live["open-license"]).toMatchObject({ totalLicenses: 10, productVersion: "2019", licenseType: "per-device" });
        expect(live.retail).toMatchObject({ totalLicenses: 5 });
        expect(outputs.packs["ea-users"]).toEqual({
            licenseServer: "RDLS-TEST01",
            licenseType: "per-user",
            productVersion: "2022",
            keyPackId: String(live["enterprise-agreement"].keyPackId),
            totalLicenses: 20,
            issuedLicenses: 0,
            availableLicenses: 20,
        });
    });

    it("previews no changes, and makes no remote execution doing so", async () => {
        const before = await executions();
        await project.pulumiOk(["preview", "--expect-no-changes"]);
        await project.pulumiOk(["up", "--yes", "--expect-no-changes", "--skip-preview"]);
        expect(await executions()).toBe(before);
    });

    it("exports state with the numbers encrypted and the pack IDs as resource IDs", async () => {
        const exported = await project.stackExport();
        expectNoSecrets(exported, "stack export");
        const state = JSON.parse(exported);
        const resources = state.deployment.resources as Array<{ type: string; id?: string; outputs?: Record<string, any> }>;
        const ea = resources.find((r) => r.type === "pulumi-nodejs:dynamic/licensing:CalKeyPack" && r.outputs?.program === "enterprise-agreement");
        expect(ea?.id).toBe(String((await byProgram())["enterprise-agreement"].keyPackId));
        expect(ea?.outputs?.agreementNumber).toHaveProperty("ciphertext");
        expect(resources.some((r) => r.type === "rds-licensing:index:RdsLicensing")).toBe(true);
    });

    it("refreshes with no changes, in one remote execution", async () => {
        const before = await executions();
        await project.pulumiOk(["refresh", "--yes", "--expect-no-changes", "--skip-preview"]);
        expect(await executions()).toBe(before + 1);
    });

    it("applies count up, count down, a new pack and a removed pack in place", async () => {
        const eaId = (await byProgram())["enterprise-agreement"].keyPackId;
        config.calPacks[0].count = 30;
        config.calPacks[1].count = 6;
        config.calPacks.splice(2, 1);
        config.calPacks.push({ name: "select-devices", program: "select", agreementNumber: "9990003", productVersion: "2016", licenseType: "per-device", count: 3 });
        await project.setConfig(config, [...NUMBER_PATHS.slice(0, 3), "calPacks[2].agreementNumber"]);
        const changes = await project.plannedChanges();
        expect(changes.map((c) => c.op).sort()).toEqual(["create", "delete", "update", "update"]);
        await project.pulumiOk(["up", "--yes", "--skip-preview"]);
        const live = await packs();
        expect(await totalOf("enterprise-agreement")).toBe(30);
        expect(live.find((p) => p.program === "enterprise-agreement")?.keyPackId).toBe(eaId);
        expect(live.find((p) => p.program === "open-license")?.totalLicenses).toBe(6);
        expect(live.find((p) => p.program === "select")?.totalLicenses).toBe(3);
        expect(live.some((p) => p.program === "retail")).toBe(false);
        expect((await project.outputs()).packs["ea-users"].totalLicenses).toBe(30);
        await project.pulumiOk(["preview", "--expect-no-changes"]);
    });

    it("replaces a pack whose program changes", async () => {
        config.calPacks[0].program = "campus";
        await project.setConfig(config, [...NUMBER_PATHS.slice(0, 3), "calPacks[2].agreementNumber"]);
        const changes = await project.plannedChanges();
        expect(changes.map((c) => c.op)).toEqual(["replace"]);
        await project.pulumiOk(["up", "--yes", "--skip-preview"]);
        const live = await packs();
        expect(live.some((p) => p.program === "enterprise-agreement")).toBe(false);
        expect(await totalOf("campus")).toBe(30);
    });

    it("shows licenses removed by hand as drift, and up restores them", async () => {
        const open = (await byProgram())["open-license"];
        expect((await project.sim(["remove-licenses", String(open.keyPackId), "4"])).code).toBe(0);
        const drift = await project.plannedChanges(["--refresh"]);
        expect(drift).toHaveLength(1);
        expect(drift[0].op).toBe("update");
        expect(drift[0].urn).toContain("rds-open-devices");
        expect([drift[0].oldState?.inputs.count, drift[0].newState?.inputs.count]).toEqual([2, 6]);
        await project.pulumiOk(["up", "--yes", "--refresh", "--skip-preview"]);
        expect(await totalOf("open-license")).toBe(6);
        await project.pulumiOk(["preview", "--refresh", "--expect-no-changes"]);
    });

    it("drops an uninstalled pack on refresh, and up reinstalls it", async () => {
        const select = (await byProgram()).select;
        expect((await project.sim(["uninstall", String(select.keyPackId)])).code).toBe(0);
        await project.pulumiOk(["refresh", "--yes", "--skip-preview"]);
        const changes = await project.plannedChanges();
        expect(changes).toEqual([expect.objectContaining({ op: "create" })]);
        await project.pulumiOk(["up", "--yes", "--skip-preview"]);
        const again = (await byProgram()).select;
        expect(again.totalLicenses).toBe(3);
        expect(again.keyPackId).not.toBe(select.keyPackId);
    });

    it("reports a deactivated server on refresh, and up reactivates it", async () => {
        expect((await project.sim(["deactivate"])).code).toBe(0);
        const drift = await project.plannedChanges(["--refresh"]);
        expect(drift.map((s) => s.op)).toEqual(["update"]);
        expect([drift[0].oldState?.inputs.activated, drift[0].newState?.inputs.activated]).toEqual([false, true]);
        await project.pulumiOk(["up", "--yes", "--refresh", "--skip-preview"]);
        expect(JSON.parse((await project.sim(["status", "--json"])).stdout).activation).toBe("activated");
    });

    it("keeps every secret out of the engine's debug output and the simulator's store", async () => {
        const debug = await project.pulumiOk(["preview", "--refresh", "--debug"]);
        expectNoSecrets(debug.stdout + debug.stderr, "pulumi preview --debug");
        expectNoSecrets(project.backendBytes(), "the state backend");
        expectNoSecrets(readTree(project.simHome), "the simulator store");
        expect(Object.values(SECRETS).length).toBe(4);
    });

    it("refuses to uninstall a pack whose licenses are issued, until allowed", async () => {
        const select = (await byProgram()).select;
        expect((await project.sim(["issue", String(select.keyPackId), "2"])).code).toBe(0);
        const withoutSelect = { ...config, calPacks: config.calPacks.slice(0, 2) };
        await project.setConfig(withoutSelect, NUMBER_PATHS.slice(0, 3));
        const refused = await project.pulumi(["up", "--yes", "--skip-preview"]);
        expect(refused.code).not.toBe(0);
        expect(refused.stdout + refused.stderr).toContain("allowDeleteWithIssuedLicenses");
        expect((await byProgram()).select?.issuedLicenses).toBe(2);

        config.calPacks[2].allowDeleteWithIssuedLicenses = true;
        await project.setConfig(config, [...NUMBER_PATHS.slice(0, 3), "calPacks[2].agreementNumber"]);
        await project.pulumiOk(["up", "--yes", "--skip-preview"]);
        await project.setConfig(withoutSelect, NUMBER_PATHS.slice(0, 3));
        await project.pulumiOk(["up", "--yes", "--skip-preview"]);
        expect((await byProgram()).select).toBeUndefined();
        config.calPacks.splice(2, 1);
    });

    it("adopts a pack installed by hand instead of installing another", async () => {
        const script = [
            `const { openSimulator } = require(${JSON.stringify(`${REPO_ROOT}/dist/src/simulator`)});`,
            `openSimulator({ home: ${JSON.stringify(project.simHome)} })`,
            `  .install({ program: "school", agreementNumber: "9990010", productVersion: "2019", licenseType: "per-user", count: 8 })`,
            `  .then((p) => console.log(p.keyPackId));`,
        ].join("\n");
        const installed = await run("node", ["-e", script], { cwd: project.dir, env: project.env });
        const keyPackId = Number(installed.stdout.trim());
        expect(keyPackId).toBeGreaterThan(0);
        const countBefore = (await packs()).length;
        config.calPacks.push({ name: "school-adopted", program: "school", agreementNumber: "9990010", productVersion: "2019", licenseType: "per-user", count: 8, adoptKeyPackId: keyPackId });
        await project.setConfig(config, [...NUMBER_PATHS.slice(0, 3), "calPacks[2].agreementNumber"]);
        await project.pulumiOk(["up", "--yes", "--skip-preview"]);
        expect(await packs()).toHaveLength(countBefore);
        expect((await project.outputs()).packs["school-adopted"].keyPackId).toBe(String(keyPackId));
        await project.pulumiOk(["preview", "--expect-no-changes"]);
    });

    it("removes every pack, then destroy deletes the server", async () => {
        config.calPacks = [];
        await project.setConfig(config, []);
        await project.pulumiOk(["up", "--yes", "--skip-preview"]);
        expect(await packs()).toEqual([]);
        const all = await project.packs(["--all"]);
        expect(all.map((p) => p.program)).toEqual(["built-in"]);
        await project.pulumiOk(["destroy", "--yes", "--skip-preview"]);
        expect((await project.sim(["servers", "--json"])).stdout.trim()).toBe("[]");
        const exported = JSON.parse(await project.stackExport());
        expect(exported.deployment.resources ?? []).toEqual([]);
    });
});
