/**
 * Several OS processes hammer one store at once, through the executor, the admin API and the CLI.
 * Totals must be exact, the store valid, and executions on one server must never overlap in time.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openSimulator, type ExecutionLogEntry } from "../../src/simulator";
import { ALIAS_NOTICE } from "../../src/simulator/cli";
import { NODE, childEnv, compileSimulator } from "./helpers/compile";
import { CONTACT, NUMBERS, tempHome } from "./helpers/sim";

let root: string;
let worker: string;

const WORKER = `
const [root, home, id, rounds, mode] = process.argv.slice(2);
const { createSimulatorExecutor } = require(root + "/dist/src/drivers/simulator.js");
const { openSimulator } = require(root + "/dist/src/simulator/index.js");
const spec = { program: "enterprise-agreement", agreementNumber: process.env.AGREEMENT, productVersion: "2022", licenseType: "per-user", count: 10 };
(async () => {
    const exec = createSimulatorExecutor({ home });
    const sim = openSimulator({ home });
    const outcomes = [];
    for (let i = 0; i < Number(rounds); i++) {
        const server = (Number(id) + i) % 2 ? "rdls01" : "rdls02";
        const [installed] = await exec.execute(server, [{ op: "install", spec, requestKey: id + "-" + i }]);
        outcomes.push(installed.ok ? "installed" : installed.error.kind);
        if (mode !== "churn") continue;
        if (!installed.ok) throw new Error(JSON.stringify(installed));
        const id2 = installed.value.keyPackId;
        const [removed, listed] = await exec.execute(server, [{ op: "remove-licenses", keyPackId: id2, count: 3 }, { op: "list-packs" }]);
        if (!removed.ok || !listed.ok) throw new Error(JSON.stringify([removed, listed]));
        await sim.issue(id2, 2, { server });
    }
    process.stdout.write(JSON.stringify(outcomes));
})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
`;

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        const child = spawn(NODE, args, { env: childEnv({ AGREEMENT: NUMBERS.agreement }) });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
}

async function twoServers(latencyMs: number) {
    const home = tempHome();
    const sim = openSimulator({ home });
    for (const name of ["rdls01", "rdls02"]) {
        await sim.createServer({ name, windowsServerVersion: "2022" });
        await sim.activate(CONTACT, { server: name });
    }
    await sim.setConfig({ latencyMs }, {});
    return { home, sim };
}

function expectNoOverlap(log: ExecutionLogEntry[]): void {
    const sorted = [...log].sort((a, b) => a.start - b.start);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.start).toBeGreaterThanOrEqual(sorted[i - 1]!.end);
}

beforeAll(() => {
    root = compileSimulator();
    worker = path.join(root, "worker.js");
    fs.writeFileSync(worker, WORKER);
});

describe("many processes on one store", () => {
    it("installs, removals and issues from 5 processes (plus CLI readers) end with exact totals", async () => {
        const { home, sim } = await twoServers(2);
        const PROCS = 5;
        const ROUNDS = 6;
        const readers = Array.from({ length: 4 }, () => run([path.join(root, "bin/rdls-sim.js"), "--home", home, "packs", "--server", "rdls01", "--json"]));
        const results = await Promise.all([
            ...Array.from({ length: PROCS }, (_, id) => run([worker, root, home, String(id), String(ROUNDS), "churn"])),
            ...readers,
        ]);
        // The readers run the compiled simulator alone, through its `rdls-sim` alias (which says so on stderr).
        for (const r of results) expect(r.stderr.replace(ALIAS_NOTICE, "")).toBe("");
        for (const r of results) expect(r.code).toBe(0);
        for (const r of (await Promise.all(readers)).map((x) => JSON.parse(x.stdout))) expect(Array.isArray(r)).toBe(true);

        expect(await sim.verify()).toEqual({ servers: 2, packs: PROCS * ROUNDS });
        const packs = [...(await sim.packs({ server: "rdls01" })), ...(await sim.packs({ server: "rdls02" }))];
        for (const p of packs) expect(p).toMatchObject({ totalLicenses: 7, issuedLicenses: 2, availableLicenses: 5 });
        expect(packs.reduce((n, p) => n + p.totalLicenses, 0)).toBe(PROCS * ROUNDS * 7);
        // Key pack ids are unique per server and never skipped.
        for (const server of ["rdls01", "rdls02"]) {
            const ids = (await sim.packs({ server })).map((p) => p.keyPackId);
            expect(ids).toEqual(ids.map((_, i) => 3 + i));
        }

        let executions = 0;
        for (const server of ["rdls01", "rdls02"]) {
            const stats = await sim.executionStats(server);
            expect(stats.log).toHaveLength(stats.count);
            expectNoOverlap(stats.log);
            executions += stats.count;
        }
        // Two executions per round (install; remove + list); admin issues are not counted.
        expect(executions).toBe(PROCS * ROUNDS * 2);
    });

    it("an agreement's entitlement is never exceeded by concurrent installs on several servers", async () => {
        const { home, sim } = await twoServers(0);
        await sim.loadRegistryDocument({
            agreements: [{ agreementNumber: NUMBERS.agreement, productVersion: "2022", licenseType: "per-user", count: 100 }],
        });
        const results = await Promise.all(Array.from({ length: 4 }, (_, id) => run([worker, root, home, String(id), "5", "limited"])));
        for (const r of results) expect(r.code).toBe(0);
        const outcomes = results.flatMap((r) => JSON.parse(r.stdout) as string[]);
        expect(outcomes.filter((o) => o === "installed")).toHaveLength(10);
        expect(outcomes.filter((o) => o === "entitlement-refused")).toHaveLength(10);
        const total = (await sim.listServers()).reduce((n, s) => n + s.totalLicenses, 0);
        expect(total).toBe(100);
        await sim.verify();
    });
});
