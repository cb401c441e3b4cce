import { describe, expect, it } from "vitest";
import { LicensingError, type Operation, type OperationExecutor, type OperationResult } from "../../src/licensing";
import { ServerScheduler, backoffDelay, planBatch } from "../../src/scheduling";

/** An executor that records batches, answers each op, and can hold executions open. */
class RecordingExecutor implements OperationExecutor {
    batches: Operation[][] = [];
    inFlight = 0;
    maxInFlight = 0;
    failNext: Array<LicensingError | ((op: Operation) => OperationResult | undefined)> = [];

    constructor(private readonly delayMs = 5) {}

    async execute(_server: string, operations: readonly Operation[]): Promise<OperationResult[]> {
        this.batches.push([...operations]);
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        try {
            await new Promise((r) => setTimeout(r, this.delayMs));
            const next = this.failNext.shift();
            if (next instanceof LicensingError) throw next;
            return operations.map((op) => next?.(op) ?? { ok: true, value: { echo: op.op } as never });
        } finally {
            this.inFlight--;
        }
    }
}

const fast = { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 };

describe("ServerScheduler", () => {
    it("never overlaps executions and batches what queues meanwhile", async () => {
        const executor = new RecordingExecutor(10);
        const scheduler = new ServerScheduler(executor, "s1", { coalesce: true, retry: fast });
        const first = scheduler.run({ op: "status" });
        await new Promise((r) => setTimeout(r, 2));
        const rest = Array.from({ length: 20 }, (_, i) => scheduler.run({ op: "uninstall", keyPackId: i + 1 }));
        await Promise.all([first, ...rest]);
        expect(executor.maxInFlight).toBe(1);
        expect(executor.batches.length).toBe(2);
        expect(executor.batches[1]).toHaveLength(20);
    });

    it("shares one snapshot between concurrent readers", async () => {
        const executor = new RecordingExecutor();
        const scheduler = new ServerScheduler(executor, "s1", { coalesce: true, retry: fast });
        const results = await Promise.all(Array.from({ length: 50 }, () => scheduler.run({ op: "list-packs" })));
        expect(results).toHaveLength(50);
        expect(executor.batches).toEqual([[{ op: "list-packs" }, { op: "status" }]]);
    });

    it("serves later reads from the snapshot until a write", async () => {
        const executor = new RecordingExecutor();
        const scheduler = new ServerScheduler(executor, "s1", { coalesce: true, retry: fast });
        await scheduler.run({ op: "list-packs" });
        await scheduler.run({ op: "status" });
        await scheduler.run({ op: "list-packs" });
        expect(executor.batches).toHaveLength(1);
        await scheduler.run({ op: "uninstall", keyPackId: 4 });
        await scheduler.run({ op: "list-packs" });
        expect(executor.batches).toHaveLength(3);
    });

    it("waits for a burst to end before executing", async () => {
        const executor = new RecordingExecutor(1);
        const scheduler = new ServerScheduler(executor, "s1", { coalesce: true, retry: fast, gatherMs: 20, maxGatherMs: 1000 });
        const pending: Promise<unknown>[] = [];
        for (let i = 0; i < 5; i++) {
            pending.push(scheduler.run({ op: "uninstall", keyPackId: i + 1 }));
            await new Promise((r) => setTimeout(r, 5));
        }
        await Promise.all(pending);
        expect(executor.batches).toHaveLength(1);
        expect(executor.batches[0]).toHaveLength(5);
    });

    it("runs one operation per execution in naive mode", async () => {
        const executor = new RecordingExecutor(1);
        const scheduler = new ServerScheduler(executor, "s1", { coalesce: false, retry: fast });
        await Promise.all(Array.from({ length: 5 }, () => scheduler.run({ op: "list-packs" })));
        expect(executor.batches).toHaveLength(5);
        expect(executor.maxInFlight).toBe(1);
    });

    it("retries a failed execution and then succeeds", async () => {
        const executor = new RecordingExecutor(1);
        executor.failNext.push(new LicensingError({ kind: "transient", message: "blip" }));
        const retries: number[] = [];
        const scheduler = new ServerScheduler(executor, "s1", { coalesce: true, retry: fast, onRetry: (_o, _e, attempt) => retries.push(attempt) });
        await expect(scheduler.run({ op: "status" })).resolves.toEqual({ echo: "status" });
        expect(retries).toEqual([1]);
        expect(executor.batches).toHaveLength(2);
    });

    it("gives up after the last attempt with the server's error", async () => {
        const executor = new RecordingExecutor(1);
        const unreachable = () => ({ ok: false as const, error: { kind: "clearinghouse-unreachable" as const, message: "no route" } });
        executor.failNext.push(unreachable, unreachable, unreachable);
        const scheduler = new ServerScheduler(executor, "s1", { coalesce: true, retry: fast });
        await expect(scheduler.run({ op: "deactivate" })).rejects.toMatchObject({ kind: "clearinghouse-unreachable" });
        expect(executor.batches).toHaveLength(3);
    });

    it("does not retry a refusal", async () => {
        const executor = new RecordingExecutor(1);
        executor.failNext.push(() => ({ ok: false, error: { kind: "not-activated", message: "activate first" } }));
        const scheduler = new ServerScheduler(executor, "s1", { coalesce: true, retry: fast });
        await expect(scheduler.run({ op: "uninstall", keyPackId: 3 })).rejects.toMatchObject({ kind: "not-activated" });
        expect(executor.batches).toHaveLength(1);
    });

    it("gives each operation of a batch its own error", async () => {
        const executor = new RecordingExecutor(1);
        executor.failNext.push((op) => (op.op === "uninstall" ? { ok: false, error: { kind: "not-found", message: "gone" } } : undefined));
        const scheduler = new ServerScheduler(executor, "s1", { coalesce: true, retry: fast });
        const [a, b] = await Promise.allSettled([scheduler.run({ op: "uninstall", keyPackId: 9 }), scheduler.run({ op: "status" })]);
        expect(a.status).toBe("rejected");
        expect(b).toEqual({ status: "fulfilled", value: { echo: "status" } });
        expect(executor.batches).toHaveLength(1);
    });
});

describe("planBatch and backoff", () => {
    it("dedupes reads but keeps writes", () => {
        const plan = planBatch([{ op: "status" }, { op: "uninstall", keyPackId: 1 }, { op: "status" }]);
        expect(plan.operations.map((o) => o.op)).toEqual(["status", "uninstall"]);
        expect(plan.slotOf).toEqual([0, 1, 0]);
    });

    it("completes a read batch into a full snapshot when asked", () => {
        const plan = planBatch([{ op: "status" }], { completeSnapshot: true });
        expect(plan.operations.map((o) => o.op)).toEqual(["status", "list-packs"]);
        expect(planBatch([{ op: "uninstall", keyPackId: 1 }], { completeSnapshot: true }).operations).toHaveLength(1);
    });

    it("doubles delays up to the cap and honours Retry-After", () => {
        const policy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 350 };
        expect([1, 2, 3, 4].map((a) => backoffDelay(policy, a))).toEqual([100, 200, 350, 350]);
        expect(backoffDelay(policy, 1, 2000)).toBe(2000);
    });
});
