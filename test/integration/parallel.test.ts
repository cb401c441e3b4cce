/**
 * 50 packs on one server with `--parallel 50` on the real engine: operations never overlap on the
 * server, totals are exact, and coalescing keeps remote executions near one per server per step.
 * Bounds on execution counts, never on time (timings live in `npm run bench`).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestProject } from "../support/engine";

const PACKS = 50;
let project: TestProject;

interface Execution {
    start: number;
    end: number;
    operations: string[];
}
const log = async () => (await project.simJson<{ count: number; log: Execution[] }>(["executions"])).log;

beforeAll(async () => {
    project = await TestProject.create("parallel");
    const calPacks = Array.from({ length: PACKS }, (_, i) => ({
        name: `pack-${i}`,
        program: i % 2 === 0 ? "select" : "school",
        agreementNumber: String(9_100_000 + i),
        productVersion: "2022",
        licenseType: i % 3 === 0 ? "per-device" : "per-user",
        count: i + 1,
    }));
    await project.setConfig(
        {
            licensingMode: "PerUser",
            licenseServer: {
                name: "RDLS-PAR",
                windowsServerVersion: "2022",
                contact: { firstName: "Para", lastName: "Llel", company: "Contoso (fictitious)", countryRegion: "FR" },
            },
            calPacks,
        },
        calPacks.map((_, i) => `calPacks[${i}].agreementNumber`),
    );
});
afterAll(() => project?.remove());

describe(`${PACKS} packs on one server`, () => {
    it("installs every pack with exact totals, never overlapping executions", async () => {
        // A per-execution latency, as on Azure (where it is tens of seconds), so operations queue behind
        // each other the way they do there.
        await project.pulumiOk(["up", "--yes", "--skip-preview", "--parallel", String(PACKS)], { RDLS_SIM_LATENCY_MS: "1500" });
        const packs = await project.packs();
        expect(packs).toHaveLength(PACKS);
        expect(packs.map((p) => p.totalLicenses).sort((a, b) => a - b)).toEqual(Array.from({ length: PACKS }, (_, i) => i + 1));

        const executions = (await log()).sort((a, b) => a.start - b.start);
        for (let i = 1; i < executions.length; i++) expect(executions[i].start).toBeGreaterThanOrEqual(executions[i - 1].end);
        const installs = executions.filter((e) => e.operations.includes("install"));
        expect(installs.flatMap((e) => e.operations.filter((o) => o === "install"))).toHaveLength(PACKS);
        expect(installs.length).toBeLessThanOrEqual(3);
    });

    it("refreshes all of them in one execution", async () => {
        const before = (await log()).length;
        await project.pulumiOk(["refresh", "--yes", "--skip-preview", "--expect-no-changes", "--parallel", String(PACKS)]);
        expect((await log()).length - before).toBe(1);
    });

    it("uninstalls them all in a few executions, then destroy deletes the server", async () => {
        const before = (await log()).length;
        const config = JSON.parse(await project.pulumiOk(["config", "--json", "--show-secrets"]).then((r) => r.stdout));
        await project.setConfig(
            { licensingMode: "PerUser", licenseServer: JSON.parse(config["rds-licensing:licenseServer"].value), calPacks: [] },
            [],
        );
        await project.pulumiOk(["up", "--yes", "--skip-preview", "--parallel", String(PACKS)], { RDLS_SIM_LATENCY_MS: "1500" });
        expect(await project.packs()).toEqual([]);
        const uninstalls = (await log()).slice(before);
        const shape = JSON.stringify(uninstalls.map((e) => [e.operations.length, e.start, e.end]));
        expect(uninstalls.length, shape).toBeLessThanOrEqual(3);
        await project.pulumiOk(["destroy", "--yes", "--skip-preview"]);
        expect((await project.sim(["servers", "--json"])).stdout.trim()).toBe("[]");
    });
});
