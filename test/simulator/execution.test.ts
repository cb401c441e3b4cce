import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { createSimulatorExecutor } from "../../src/drivers/simulator";
import { LicensingError } from "../../src/licensing/errors";
import type { KeyPack, Operation } from "../../src/licensing/operations";
import { executeOnSimulator, openSimulator, resolveHome } from "../../src/simulator";
import { NUMBERS, agreement, fixture, ok, refused, tempHome } from "./helpers/sim";

describe("one execute() call is one execution", () => {
    it("applies operations in order; a refused one changes nothing and does not stop the next", async () => {
        const f = await fixture();
        const results = await f.exec.execute("rdls01", [
            { op: "install", spec: agreement({ count: 10 }), requestKey: "a" },
            { op: "remove-licenses", keyPackId: 3, count: 11 },
            { op: "remove-licenses", keyPackId: 3, count: 4 },
            { op: "install", spec: agreement({ count: 0 }), requestKey: "b" },
            { op: "list-packs" },
        ]);
        expect(results.map((r) => r.ok)).toEqual([true, false, true, false, true]);
        expect(ok<KeyPack[]>(results[4])).toEqual([expect.objectContaining({ keyPackId: 3, totalLicenses: 6 })]);
        const stats = await f.sim.executionStats("rdls01");
        expect(stats.count).toBe(1);
        expect(stats.log).toHaveLength(1);
        expect(stats.log[0]).toMatchObject({ seq: 1, pid: process.pid, operations: ["install", "remove-licenses", "remove-licenses", "install", "list-packs"] });
        expect(stats.log[0]!.end).toBeGreaterThanOrEqual(stats.log[0]!.start);
    });

    it("counts every call, reads included, and logs no arguments", async () => {
        const f = await fixture();
        await f.exec.execute("rdls01", [{ op: "status" }]);
        await f.exec.execute("RDLS01", [{ op: "install", spec: agreement(), requestKey: "secret-request-key" }]);
        await f.exec.execute("rdls01", []);
        const stats = await f.sim.executionStats("rdls01");
        expect(stats.count).toBe(3);
        expect(stats.log.map((e) => e.seq)).toEqual([1, 2, 3]);
        const log = fs.readFileSync(path.join(f.home, "executions", "rdls01.jsonl"), "utf8");
        expect(log).not.toContain(NUMBERS.agreement);
        expect(log).not.toContain("secret-request-key");
        expect(fs.readFileSync(path.join(f.home, "servers", "rdls01.json"), "utf8")).not.toContain("secret-request-key");
    });

    it("an unknown server fails every operation with not-found naming the server, and counts nothing", async () => {
        const f = await fixture();
        const ops: Operation[] = [{ op: "status" }, { op: "install", spec: agreement(), requestKey: "a" }, { op: "uninstall", keyPackId: 3 }];
        for (const name of ["rdls99", "not a name"]) {
            const results = await f.exec.execute(name, ops);
            expect(results).toHaveLength(3);
            for (const r of results) expect(refused(r, "not-found").message).toContain(name);
        }
        // A store that does not exist at all behaves the same.
        const empty = createSimulatorExecutor({ home: path.join(tempHome(), "nothing-here") });
        refused((await empty.execute("rdls01", [{ op: "status" }]))[0], "not-found");
        expect((await f.sim.executionStats("rdls01")).count).toBe(0);
    });

    it("refuses an unknown operation as invalid-parameter", async () => {
        const f = await fixture();
        refused((await f.exec.execute("rdls01", [{ op: "format-disk" } as never]))[0], "invalid-parameter");
    });
});

describe("fault injection", () => {
    it("transient: the next N executions reject before running anything, counting down durably", async () => {
        const f = await fixture();
        await f.sim.setFaults({ transientFailures: 2 });
        for (let i = 0; i < 2; i++) {
            const err = await f.exec.execute("rdls01", [{ op: "install", spec: agreement(), requestKey: `t${i}` }]).then(
                () => undefined,
                (e: unknown) => e,
            );
            expect(err).toBeInstanceOf(LicensingError);
            expect((err as LicensingError).kind).toBe("transient");
            expect((err as LicensingError).transient).toBe(true);
            // Durable: another process (a fresh handle) sees the decremented counter.
            expect((await openSimulator({ home: f.home }).getFaults()).transientFailures).toBe(1 - i);
        }
        expect(await f.sim.packs()).toEqual([]);
        expect((await f.sim.executionStats("rdls01")).count).toBe(0);
        ok((await f.exec.execute("rdls01", [{ op: "install", spec: agreement(), requestKey: "t9" }]))[0]);
    });

    it("slow: extra latency for the next N executions, or for every execution", async () => {
        const f = await fixture();
        const slept: number[] = [];
        const sleep = async (ms: number) => void slept.push(ms);
        const run = () => executeOnSimulator(f.home, "rdls01", [{ op: "status" }], { sleep, env: {} });
        await f.sim.setConfig({ latencyMs: 7 }, {});
        await f.sim.setFaults({ slow: { extraMs: 100, remaining: 2 } });
        await run();
        expect((await f.sim.getFaults()).slow).toEqual({ extraMs: 100, remaining: 1 });
        await run();
        await run();
        expect(slept).toEqual([107, 107, 7]);
        expect((await f.sim.getFaults()).slow).toBeUndefined();
        await f.sim.setFaults({ slow: { extraMs: 50 } });
        await run();
        await run();
        expect(slept.slice(3)).toEqual([57, 57]);
        await f.sim.setFaults({ slow: null });
        expect((await f.sim.getFaults()).slow).toBeUndefined();
    });

    it("refuses bad fault settings and leaves the faults unchanged", async () => {
        const f = await fixture();
        await expect(f.sim.setFaults({ transientFailures: -1 })).rejects.toMatchObject({ kind: "invalid-parameter" });
        await expect(f.sim.setFaults({ slow: { extraMs: 5, remaining: 0 } })).rejects.toMatchObject({ kind: "invalid-parameter" });
        expect(await f.sim.getFaults()).toEqual({ clearinghouseUnreachable: false, transientFailures: 0 });
    });
});

describe("latency", () => {
    it("defaults to 0 ms, is set in the store's config, and $RDLS_SIM_LATENCY_MS wins", async () => {
        const f = await fixture();
        const slept: number[] = [];
        const sleep = async (ms: number) => void slept.push(ms);
        await executeOnSimulator(f.home, "rdls01", [{ op: "status" }], { sleep, env: {} });
        expect(slept).toEqual([]);
        expect(await f.sim.setConfig({ latencyMs: 20 }, {})).toEqual({ latencyMs: 20, effectiveLatencyMs: 20 });
        await executeOnSimulator(f.home, "rdls01", [{ op: "status" }], { sleep, env: {} });
        await executeOnSimulator(f.home, "rdls01", [{ op: "status" }, { op: "list-packs" }], { sleep, env: { RDLS_SIM_LATENCY_MS: "3" } });
        // Once per execution, whatever the number of operations.
        expect(slept).toEqual([20, 3]);
        expect(await f.sim.getConfig({ RDLS_SIM_LATENCY_MS: "3" })).toEqual({ latencyMs: 20, effectiveLatencyMs: 3 });
        await expect(executeOnSimulator(f.home, "rdls01", [{ op: "status" }], { sleep, env: { RDLS_SIM_LATENCY_MS: "fast" } })).rejects.toMatchObject({ kind: "failed" });
        await expect(f.sim.setConfig({ latencyMs: -5 })).rejects.toMatchObject({ kind: "invalid-parameter" });
    });
});

describe("store location", () => {
    it("is --home, else $RDLS_SIM_HOME, else .rdls-sim in the working directory", () => {
        expect(resolveHome(undefined, {}, "/work/x")).toBe("/work/x/.rdls-sim");
        expect(resolveHome(undefined, { RDLS_SIM_HOME: "state" }, "/work/x")).toBe("/work/x/state");
        expect(resolveHome("/abs", { RDLS_SIM_HOME: "state" }, "/work/x")).toBe("/abs");
    });
});
