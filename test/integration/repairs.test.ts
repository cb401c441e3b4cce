/**
 * Repairs that converge, on the real engine: a retail pack uninstalled by hand comes back through
 * ReinstallRetailPurchaseLicenseKeyPack; a retail pack whose licenses were removed by hand gets a
 * clear error with the two ways forward while the rest of the stack still updates; a rebuilt license
 * server gets every pack back, nothing refused, nothing installed twice.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NUMBER_PATHS, validConfig } from "../support/config-fixtures";
import { TestProject } from "../support/engine";
import { expectNoSecrets } from "../support/secrets";

let project: TestProject;
let config: ReturnType<typeof validConfig> & Record<string, any>;
const packs = () => project.packs();
const totalOf = async (program: string) => (await project.totals())[program] ?? 0;
const retailPack = async () => (await packs()).find((p) => p.program === "retail")!;
const simOk = async (args: string[]) => expect((await project.sim(args)).code, `rdls-sim ${args.join(" ")}`).toBe(0);
const upRefresh = () => project.pulumi(["up", "--yes", "--skip-preview", "--refresh"]);

beforeAll(async () => {
    project = await TestProject.create("repairs");
    config = validConfig() as any;
    await project.setConfig(config, NUMBER_PATHS);
    await project.pulumiOk(["up", "--yes", "--skip-preview"]);
});
afterAll(() => project?.remove());

describe("repairs that always converge", { timeout: 300_000 }, () => {
    it("reinstalls a retail pack uninstalled by hand: same code, same count, then nothing to do", async () => {
        const before = await retailPack();
        await simOk(["uninstall", String(before.keyPackId)]);
        const up = await upRefresh();
        expect(up.code, up.stdout + up.stderr).toBe(0);
        expect(up.stdout + up.stderr).toMatch(/reinstalled key pack \d+ \(5 licenses\)/);
        const after = await retailPack();
        expect(after.totalLicenses).toBe(5);
        expect(after.keyPackId).not.toBe(before.keyPackId);
        expect((await project.outputs()).packs["retail-users"].keyPackId).toBe(String(after.keyPackId));
        await project.pulumiOk(["preview", "--refresh", "--expect-no-changes"]);
    });

    it("refuses to grow a retail pack shrunk by hand, names both fixes, and still updates the rest", async () => {
        await simOk(["remove-licenses", String((await retailPack()).keyPackId), "2"]);
        config.calPacks[0].count = 25;
        await project.setConfig(config, NUMBER_PATHS);
        const up = await upRefresh();
        const output = up.stdout + up.stderr;
        expect(up.code).not.toBe(0);
        expect(output).toMatch(/2 licenses of this retail pack were removed on the server/);
        expect(output).toContain("set count: 3 for this pack");
        expect(output).toMatch(/uninstall key pack \d+ on the server/);
        expect(output).not.toMatch(/instead of raising count/);
        expectNoSecrets(output, "the refused up");
        // The Enterprise Agreement pack took its new count in the same up.
        expect(await totalOf("enterprise-agreement")).toBe(25);
    });

    it("fix 2: uninstall the shrunk pack by hand, and up --refresh reinstalls it whole", async () => {
        await simOk(["uninstall", String((await retailPack()).keyPackId)]);
        const up = await upRefresh();
        expect(up.code, up.stdout + up.stderr).toBe(0);
        expect(await totalOf("retail")).toBe(5);
        await project.pulumiOk(["preview", "--refresh", "--expect-no-changes"]);
    });

    it("fix 1: accept the live count in the program", async () => {
        await simOk(["remove-licenses", String((await retailPack()).keyPackId), "1"]);
        expect((await upRefresh()).code).not.toBe(0);
        config.calPacks[2].count = 4;
        await project.setConfig(config, NUMBER_PATHS);
        const up = await upRefresh();
        expect(up.code, up.stdout + up.stderr).toBe(0);
        expect(await totalOf("retail")).toBe(4);
        await project.pulumiOk(["preview", "--refresh", "--expect-no-changes"]);
    });

    it("a rebuilt license server gets every pack back: exact totals, nothing refused, nothing twice", async () => {
        const state = JSON.parse(await project.stackExport());
        const server = (state.deployment.resources as Array<{ type: string; urn: string; outputs?: Record<string, unknown> }>).find((r) =>
            r.type.endsWith(":SimulatedLicenseServer"),
        )!;
        const instance = server.outputs?.instanceId;
        const up = await project.pulumi(["up", "--yes", "--skip-preview", "--replace", server.urn]);
        const output = up.stdout + up.stderr;
        expect(up.code, output).toBe(0);
        expect(output, output).toMatch(/the license server was rebuilt/);
        expectNoSecrets(output, "the rebuild");
        const live = await packs();
        // One key pack per declared pack (nothing installed twice), with the program's counts.
        expect(live.map((p) => [p.program, p.totalLicenses]).sort()).toEqual([
            ["enterprise-agreement", 25],
            ["open-license", 10],
            ["retail", 4],
        ]);
        const outputs = await project.outputs();
        expect(outputs.activationStatus).toBe("activated");
        const rebuilt = JSON.parse(await project.stackExport()).deployment.resources.find((r: { urn: string }) => r.urn === server.urn);
        expect(rebuilt.outputs.instanceId).not.toBe(instance);
        await project.pulumiOk(["up", "--yes", "--skip-preview", "--expect-no-changes"]);
        await project.pulumiOk(["preview", "--refresh", "--expect-no-changes"]);
    });
});
