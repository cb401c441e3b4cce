/**
 * The per-server scheduler on a fake clock: `setTimeout` and `Date` are vitest's fake timers, so
 * every window (gather, max gather, backoff, an execution's duration) is asserted to the millisecond
 * and nothing depends on how fast the machine runs the test.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LicensingError, type Operation, type OperationExecutor, type OperationResult } from "../../src/licensing";
import { ServerScheduler, backoffDelay, planBatch, type RetryPolicy } from "../../src/scheduling";

/** Milliseconds since the test started, on the fake clock. */
let t0 = 0;
const now = () => Date.now() - t0;

/**
 * An executor that records batches and when each started, answers each op, and takes `durationMs`
 * (on the fake clock) per execution; 0: it answers at once (in the same tick of the clock).
 */
class RecordingExecutor implements OperationExecutor {
    batches: Operation[][] = [];
    starts: number[] = [];
    inFlight = 0;
    maxInFlight = 0;
    failNext: Array<LicensingError | ((op: Operation) => OperationResult | undefined)> = [];

    constructor(private readonly durationMs = 5) {}

    async execute(_server: string, operations: readonly Operation[]): Promise<OperationResult[]> {
        this.batches.push([...operations]);
        this.starts.push(now());
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        try {
            if (this.durationMs > 0) await new Promise((r) => setTimeout(r, this.durationMs));
            const next = this.failNext.shift();
            if (next instanceof LicensingError) throw next;
            return operations.map((op) => next?.(op) ?? { ok: true, value: { echo: op.op } as never });
        } finally {
            this.inFlight--;
        }
    }
}

/**
 * A zero-delay timer's wait: the scheduler's `setTimeout(fire, 0)` after an execution or a retry's
 * delay waits 1 ms in Node, and so on the fake clock while it runs timers. (One set by the test
 * itself, between ticks, fires at the same millisecond.)
 */
const HOP = 1;

/** Let the fake clock run (a minute: far past any window here), then take the promise's outcome. */
async function settled<T>(promise: Promise<T>): Promise<T> {
    // Handled from the start: a rejection while the clock runs is the outcome, not an unhandled error.
    const outcome = promise.then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
    );
    await vi.advanceTimersByTimeAsync(60_000);
    const result = await outcome;
    if (!result.ok) throw result.error;
    return result.value;
}

/**
 * `count` uninstalls (key packs 1, 2, …), one every `everyMs` on the fake clock from t=0; returns
 * their promises once the last is queued (at t = (count − 1) × everyMs).
 */
async function burst(scheduler: ServerScheduler, count: number, everyMs: number): Promise<Array<Promise<unknown>>> {
    const pending: Array<Promise<unknown>> = [];
    for (let i = 0; i < count; i++) {
        if (i > 0) await vi.advanceTimersByTimeAsync(everyMs);
        pending.push(scheduler.run({ op: "uninstall", keyPackId: i + 1 }));
    }
    return pending;
}

const keyPackIds = (batch: Operation[]) => batch.map((op) => (op.op === "uninstall" ? op.keyPackId : op.op));

const policy: RetryPolicy = { attempts: 3, baseDelayMs: 100, maxDelayMs: 150 };
const transient = (retryAfterMs?: number) => new LicensingError({ kind: "transient", message: "blip", retryAfterMs });
const unreachable = () => ({ ok: false as const, error: { kind: "clearinghouse-unreachable" as const, message: "no route" } });

beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    t0 = Date.now();
});

afterEach(() => {
    expect(vi.getTimerCount(), "a timer left behind").toBe(0);
    vi.useRealTimers();
});

describe("ServerScheduler: serialization and coalescing", () => {
    it("never overlaps executions and batches what queues meanwhile into the next one", async () => {
        const executor = new RecordingExecutor(10);
        const scheduler = new ServerScheduler(executor, "s1", { coalesce: true, retry: policy });
        const first = scheduler.run({ op: "status" });
        await vi.advanceTimersByTimeAsync(2);
        expect(executor.inFlight).toBe(1);
        const rest = Array.from({ length: 20 }, (_, i) => scheduler.run({ op: "uninstall", keyPackId: i + 1 }));
        // The first execution runs until t=10: nothing else starts before.
        await vi.advanceTimersByTimeAsync(8);
        expect(executor.batches).toHaveLength(1);
        // It ends: what queued meanwhile has waited long enough and starts at once, as one batch.
        await vi.advanceTimersByTimeAsync(HOP);
        expect(executor.starts).toEqual([0, 10 + HOP]);
        await settled(Promise.all([first, ...rest]));
        expect(executor.maxInFlight).toBe(1);
        expect(executor.batches).toHaveLength(2);
        expect(executor.batches[1]).toEqual(Array.from({ length: 20 }, (_, i) => ({ op: "uninstall", keyPackId: i + 1 })));
    });

    it("shares one snapshot between concurrent readers", async () => {
        const executor = new RecordingExecutor();
        const scheduler = new ServerScheduler(executor, "s1", { coalesce: true, retry: policy });
        const results = await settled(Promise.all(Array.from({ length: 50 }, () => scheduler.run({ op: "list-packs" }))));
        expect(results).toHaveLength(50);
        expect(executor.batches).toEqual([[{ op: "list-packs" }, { op: "status" }]]);
    });

    it("serves later reads from the snapshot, without scheduling anything, until a write", async () => {
        const executor = new RecordingExecutor();
        const scheduler = new ServerScheduler(executor, "s1", { coalesce: true, retry: policy });
        await settled(scheduler.run({ op: "list-packs" }));
        const cached = [scheduler.run({ op: "status" }), scheduler.run({ op: "list-packs" })];
        expect(vi.getTimerCount()).toBe(0);
        await Promise.all(cached);
        expect(executor.batches).toHaveLength(1);
        await settled(scheduler.run({ op: "uninstall", keyPackId: 4 }));
        await settled(scheduler.run({ op: "list-packs" }));
        expect(executor.batches).toHaveLength(3);
    });

    it("runs one operation per execution in naive mode, one after the other", async () => {
        const executor = new RecordingExecutor(1);
        const scheduler = new ServerScheduler(executor, "s1", { coalesce: false, retry: policy });
        await settled(Promise.all(Array.from({ length: 5 }, () => scheduler.run({ op: "list-packs" }))));
        expect(executor.batches).toEqual(Array.from({ length: 5 }, () => [{ op: "list-packs" }]));
        expect(executor.starts).toEqual([0, 1 + HOP, 2 + 2 * HOP, 3 + 3 * HOP, 4 + 4 * HOP]);
        expect(executor.maxInFlight).toBe(1);
    });
});

describe("ServerScheduler: the gather window", () => {
    it("waits for a burst to end: gatherMs of quiet after the last operation", async () => {
        const executor = new RecordingExecutor(1);
        const scheduler = new ServerScheduler(executor, "s1", { coalesce: true, retry: policy, gatherMs: 20, maxGatherMs: 1000 });
        // Operations at t = 0, 5, 10, 15, 20: each restarts the quiet period.
        const pending = await burst(scheduler, 5, 5);
        await vi.advanceTimersByTimeAsync(19);
        expect(executor.batches).toHaveLength(0);
        await vi.advanceTimersByTimeAsync(1);
        expect(executor.starts).toEqual([40]);
        await settled(Promise.all(pending));
        expect(executor.batches.map(keyPackIds)).toEqual([[1, 2, 3, 4, 5]]);
    });

    it("never waits longer than maxGatherMs, however long the burst goes on", async () => {
        const executor = new RecordingExecutor(0);
        const scheduler = new ServerScheduler(executor, "s1", { coalesce: true, retry: policy, gatherMs: 20, maxGatherMs: 50 });
        // An operation every 10 ms (never 20 ms of quiet) from t=0 to t=90.
        await settled(Promise.all(await burst(scheduler, 10, 10)));
        // The first window opened at t=0 closes at 50 (ops 0–40); the next opens at 50 and closes at 100.
        expect(executor.starts).toEqual([50, 100]);
        expect(executor.batches.map(keyPackIds)).toEqual([
            [1, 2, 3, 4, 5],
            [6, 7, 8, 9, 10],
        ]);
    });

    it("defaults maxGatherMs to ten times gatherMs", async () => {
        const executor = new RecordingExecutor(0);
        const scheduler = new ServerScheduler(executor, "s1", { coalesce: true, retry: policy, gatherMs: 10 });
        // Ops every 5 ms from 0 to 145: windows close at 100 (ops 0–95) and at 145 + 10 (the burst's end).
        await settled(Promise.all(await burst(scheduler, 30, 5)));
        expect(executor.starts).toEqual([100, 155]);
        expect(executor.batches.map((b) => b.length)).toEqual([20, 10]);
    });
});

describe("ServerScheduler: retries with backoff", () => {
    it("retries a failed execution after the base delay, and then succeeds", async () => {
        const executor = new RecordingExecutor(5);
        executor.failNext.push(transient());
        const retries: Array<[number, number]> = [];
        const scheduler = new ServerScheduler(executor, "s1", { coalesce: true, retry: policy, onRetry: (_o, _e, attempt, delay) => retries.push([attempt, delay]) });
        const result = scheduler.run({ op: "status" });
        // The first execution fails at t=5; the retry waits 100 ms.
        await vi.advanceTimersByTimeAsync(5 + 100);
        expect(executor.batches).toHaveLength(1);
        expect(retries).toEqual([[1, 100]]);
        await vi.advanceTimersByTimeAsync(HOP);
        expect(executor.starts).toEqual([0, 5 + 100 + HOP]);
        await expect(settled(result)).resolves.toEqual({ echo: "status" });
        expect(executor.batches).toHaveLength(2);
    });

    it("doubles the delay up to maxDelayMs, then gives up after the last attempt with the server's error", async () => {
        const executor = new RecordingExecutor(5);
        executor.failNext.push(unreachable, unreachable, unreachable, unreachable);
        const delays: number[] = [];
        const scheduler = new ServerScheduler(executor, "s1", { coalesce: true, retry: { ...policy, attempts: 4 }, onRetry: (_o, _e, _a, delay) => delays.push(delay) });
        await expect(settled(scheduler.run({ op: "deactivate" }))).rejects.toMatchObject({ kind: "clearinghouse-unreachable" });
        // 100, then 200 capped at 150, then 150; each execution takes 5 ms.
        expect(delays).toEqual([100, 150, 150]);
        const second = 5 + 100 + HOP;
        const third = second + 5 + 150 + HOP;
        expect(executor.starts).toEqual([0, second, third, third + 5 + 150 + HOP]);
        expect(executor.batches).toHaveLength(4);
    });

    it("waits what the server's Retry-After asks when it is longer than the backoff", async () => {
        const executor = new RecordingExecutor(5);
        executor.failNext.push(transient(1000));
        const scheduler = new ServerScheduler(executor, "s1", { coalesce: true, retry: policy });
        const result = scheduler.run({ op: "list-packs" });
        await vi.advanceTimersByTimeAsync(5 + 1000);
        expect(executor.batches).toHaveLength(1);
        await vi.advanceTimersByTimeAsync(HOP);
        expect(executor.starts).toEqual([0, 5 + 1000 + HOP]);
        await settled(result);
    });

    it("does not retry a refusal", async () => {
        const executor = new RecordingExecutor(1);
        executor.failNext.push(() => ({ ok: false, error: { kind: "not-activated", message: "activate first" } }));
        const scheduler = new ServerScheduler(executor, "s1", { coalesce: true, retry: policy });
        await expect(settled(scheduler.run({ op: "uninstall", keyPackId: 3 }))).rejects.toMatchObject({ kind: "not-activated" });
        expect(executor.batches).toHaveLength(1);
    });

    it("gives each operation of a batch its own error, and retries only the transient one", async () => {
        const executor = new RecordingExecutor(1);
        executor.failNext.push((op) => (op.op === "uninstall" ? { ok: false, error: { kind: "not-found", message: "gone" } } : undefined));
        const scheduler = new ServerScheduler(executor, "s1", { coalesce: true, retry: policy });
        const both = Promise.allSettled([scheduler.run({ op: "uninstall", keyPackId: 9 }), scheduler.run({ op: "status" })]);
        const [a, b] = await settled(both);
        expect(a).toMatchObject({ status: "rejected", reason: { kind: "not-found" } });
        expect(b).toEqual({ status: "fulfilled", value: { echo: "status" } });
        expect(executor.batches).toHaveLength(1);

        executor.failNext.push((op) => (op.op === "activate" ? unreachable() : undefined));
        const again = Promise.allSettled([
            scheduler.run({ op: "activate", contact: { firstName: "A", lastName: "B", company: "C", countryRegion: "NL" } }),
            scheduler.run({ op: "uninstall", keyPackId: 10 }),
        ]);
        const [activated, uninstalled] = await settled(again);
        expect(activated.status).toBe("fulfilled");
        expect(uninstalled.status).toBe("fulfilled");
        // The uninstall is answered by the first execution; only the activation runs again, 100 ms later.
        expect(executor.batches.slice(1).map((batch) => batch.map((op) => op.op))).toEqual([["activate", "uninstall"], ["activate"]]);
        const [, resent] = executor.starts.slice(1);
        expect(resent).toBe(executor.starts[1]! + 1 + 100 + HOP);
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
