/**
 * A writer is SIGKILLed at random moments, again and again. After every kill the store must load and
 * be valid, every operation the writer reported as completed must be there, and the next writer must
 * get past the dead writer's locks.
 *
 * The kill delays come from a seeded generator; the test prints its seed, and
 * RDS_LICENSING_CRASH_SEED=<seed> replays the same delays (the writer's own pace still varies from
 * run to run, so a delay lands on about, not exactly, the same step).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createSimulatorExecutor } from "../../src/drivers/simulator";
import { openSimulator } from "../../src/simulator";
import { NODE, childEnv, compileSimulator } from "./helpers/compile";
import { mulberry32, seededRandom } from "../support/seeded-random";
import { CONTACT, agreement, ok, tempHome } from "./helpers/sim";

const WRITER = `
const fs = require("fs");
const [root, home, round] = process.argv.slice(2);
const { createSimulatorExecutor } = require(root + "/dist/src/drivers/simulator.js");
const { openSimulator } = require(root + "/dist/src/simulator/index.js");
const spec = { program: "select", agreementNumber: "1234567", productVersion: "2022", licenseType: "per-device", count: 5 };
const say = (line) => fs.writeSync(1, line + "\\n"); // synchronous: printed means reported
(async () => {
    const exec = createSimulatorExecutor({ home });
    const sim = openSimulator({ home });
    say("ready");
    for (let i = 0; ; i++) {
        const [installed] = await exec.execute("rdls01", [{ op: "install", spec, requestKey: round + "-" + i }]);
        if (!installed.ok) throw new Error(JSON.stringify(installed));
        const id = installed.value.keyPackId;
        say("I " + id);
        const [removed] = await exec.execute("rdls01", [{ op: "remove-licenses", keyPackId: id, count: 1 }]);
        if (!removed.ok) throw new Error(JSON.stringify(removed));
        say("R " + id);
        await sim.issue(id, 1);
        say("S " + id);
    }
})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
`;

let root: string;

beforeAll(() => {
    root = compileSimulator();
    fs.writeFileSync(path.join(root, "writer.js"), WRITER);
});

/** The longest wait before a kill, in ms after the writer said it is ready. */
const MAX_KILL_DELAY_MS = 600;

/** Run a writer and SIGKILL it `killAfterMs` after it started working; returns what it reported. */
function runAndKill(home: string, round: number, killAfterMs: number): Promise<{ lines: string[]; stderr: string }> {
    return new Promise((resolve) => {
        const child = spawn(NODE, [path.join(root, "writer.js"), root, home, String(round)], { env: childEnv() });
        let stdout = "";
        let stderr = "";
        let armed = false;
        child.stdout.on("data", (d) => {
            stdout += d;
            if (!armed) {
                armed = true;
                setTimeout(() => child.kill("SIGKILL"), killAfterMs);
            }
        });
        child.stderr.on("data", (d) => (stderr += d));
        child.on("close", () => resolve({ lines: stdout.split("\n").filter(Boolean), stderr }));
    });
}

describe("crash safety", () => {
    it("survives SIGKILL at random moments: the store loads and every reported operation is present", async () => {
        const home = tempHome();
        const sim = openSimulator({ home });
        await sim.createServer({ name: "rdls01", windowsServerVersion: "2022" });
        await sim.activate(CONTACT);
        const reported = { installed: new Set<number>(), removed: new Set<number>(), issued: new Set<number>() };
        const random = seededRandom("RDS_LICENSING_CRASH_SEED");

        for (let round = 0; round < 20; round++) {
            const killAfterMs = Math.floor(random.next() * MAX_KILL_DELAY_MS);
            const where = `round ${round}, killed ${killAfterMs} ms in (RDS_LICENSING_CRASH_SEED=${random.seed})`;
            const { lines, stderr } = await runAndKill(home, round, killAfterMs);
            expect(stderr, where).toBe("");
            for (const line of lines) {
                const [what, id] = line.split(" ");
                if (what === "I") reported.installed.add(Number(id));
                if (what === "R") reported.removed.add(Number(id));
                if (what === "S") reported.issued.add(Number(id));
            }
            // The store loads, is valid, and holds everything that was reported done.
            await expect(sim.verify(), where).resolves.toBeDefined();
            const packs = new Map((await sim.packs()).map((p) => [p.keyPackId, p]));
            for (const id of reported.installed) expect(packs.has(id), `${where}: pack ${id} installed`).toBe(true);
            for (const id of reported.removed) expect(packs.get(id)!.totalLicenses, `${where}: pack ${id} shrunk`).toBe(4);
            for (const id of reported.issued) expect(packs.get(id)!.issuedLicenses, `${where}: pack ${id} issued`).toBe(1);
        }
        expect(reported.installed.size, `RDS_LICENSING_CRASH_SEED=${random.seed}`).toBeGreaterThan(0);

        // The dead writers' locks do not block anyone.
        const exec = createSimulatorExecutor({ home });
        ok((await exec.execute("rdls01", [{ op: "install", spec: agreement(), requestKey: "after" }]))[0]);
        await sim.issue((await sim.packs()).at(-1)!.keyPackId, 1);
        const stats = await sim.executionStats("rdls01");
        expect(stats.count).toBeGreaterThanOrEqual(reported.installed.size + reported.removed.size + 1);
    });
});

describe("the kill delays' seed", () => {
    it("replays: the same seed gives the same delays; the seed is printed; a bad seed is refused", () => {
        const printed: string[] = [];
        const a = seededRandom("RDS_LICENSING_CRASH_SEED", { RDS_LICENSING_CRASH_SEED: "42" }, (line) => printed.push(line));
        const b = mulberry32(42);
        const delays = Array.from({ length: 20 }, () => a.next());
        expect(delays).toEqual(Array.from({ length: 20 }, () => b()));
        expect(new Set(delays).size).toBe(20);
        for (const d of delays) expect(d >= 0 && d < 1).toBe(true);
        expect(printed).toEqual(["random seed 42 (from RDS_LICENSING_CRASH_SEED); replay with RDS_LICENSING_CRASH_SEED=42"]);
        expect(() => seededRandom("RDS_LICENSING_CRASH_SEED", { RDS_LICENSING_CRASH_SEED: "-1" }, () => {})).toThrow(/RDS_LICENSING_CRASH_SEED must be a whole number/);
    });
});
