/**
 * `npm run bench` in quick mode on one small scenario, on the real engine: the shape of the
 * results.json entries and upper bounds on remote executions. Never timings (they are the bench's
 * figures, and this machine's load decides them).
 */
import * as fs from "fs";
import * as path from "path";
import { afterAll, describe, expect, it } from "vitest";
import { PLUGIN_OPERATIONS, runBench } from "../../bench/bench";
import { OPERATIONS, parseArgs } from "../../bench/options";
import { REPO_ROOT, WORK_DIR } from "../../bench/project";
import type { BenchResults } from "../../bench/report";

const SCENARIO = "packs-10";
const PACKS = 10;
const out = path.join(WORK_DIR, `test-results-${process.pid}.json`);
afterAll(() => fs.rmSync(out, { force: true }));

describe("npm run bench --quick", () => {
    it(`measures ${SCENARIO} and writes results.json entries`, { timeout: 900_000 }, async () => {
        const options = parseArgs(["--quick", "--scenarios", SCENARIO, "--out", out], path.join(REPO_ROOT, "bench", "results.json"))!;
        expect(options).toMatchObject({ quick: true, latencyMs: 200, repeat: 1, parallel: 64 });
        await runBench(options, () => undefined);

        const written = JSON.parse(fs.readFileSync(out, "utf8")) as BenchResults;
        expect(written.settings).toMatchObject({ latencyMs: 200, quick: true, scenarios: [SCENARIO] });
        expect(written.results.map((e) => e.operation)).toEqual([...OPERATIONS]);
        for (const entry of written.results) {
            expect(entry.error, entry.error).toBeUndefined();
            expect(entry).toMatchObject({ name: SCENARIO, packs: PACKS, servers: 1 });
            for (const key of ["executions", "naiveExecutions", "wallMs", "naiveWallMs", "floorWallMs", "baselineWallMs"] as const) {
                expect(Number.isInteger(entry[key]), key).toBe(true);
                expect(entry[key], key).toBeGreaterThanOrEqual(0);
            }
            expect(Array.isArray(entry.targets)).toBe(true);
        }
        const at = (op: string) => written.results.find((e) => e.operation === op)!;

        // preview / up-noop are compared with floor samples taken alternately with their own.
        for (const op of ["preview", "up-noop"]) {
            expect(at(op).floorWallSamplesMs, op).toHaveLength(at(op).wallSamplesMs.length);
            expect(at(op).floorWallMs, op).toBe(at(op).floorWallSamplesMs![0]);
        }
        expect(at("up").floorWallSamplesMs).toBeUndefined();

        // The provider plugin variant (the same graph as Pulumi YAML): preview, up-noop and refresh only.
        for (const op of OPERATIONS) {
            const entry = at(op);
            if (!PLUGIN_OPERATIONS.has(op)) {
                expect(entry, op).not.toHaveProperty("pluginWallMs");
                continue;
            }
            expect(Number.isInteger(entry.pluginWallMs), op).toBe(true);
            expect(entry.pluginWallSamplesMs, op).toHaveLength(op === "refresh" ? 1 : options.repeat);
            expect(entry.pluginWallMs, op).toBe(entry.pluginWallSamplesMs![0]);
        }
        // Its empty preview and up-noop make no execution (the preview ran with --expect-no-changes); its refresh coalesces too.
        expect(at("preview").pluginExecutions).toBe(0);
        expect(at("up-noop").pluginExecutions).toBe(0);
        expect(at("refresh").pluginExecutions).toBeLessThanOrEqual(1);

        // Coalescing on: near one execution per server per step.
        expect(at("up").executions).toBeLessThanOrEqual(3);
        expect(at("preview").executions).toBe(0);
        expect(at("up-noop").executions).toBe(0);
        expect(at("refresh").executions).toBeLessThanOrEqual(1);
        expect(at("destroy").executions).toBeLessThanOrEqual(3);

        // Naive: at most one execution per resource operation (activation + packs), none without a change.
        expect(at("up").naiveExecutions).toBeLessThanOrEqual(PACKS + 1);
        expect(at("preview").naiveExecutions).toBe(0);
        expect(at("up-noop").naiveExecutions).toBe(0);
        expect(at("refresh").naiveExecutions).toBeLessThanOrEqual(PACKS + 1);
        expect(at("destroy").naiveExecutions).toBeLessThanOrEqual(PACKS);
    });
});
