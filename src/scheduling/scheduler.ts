/**
 * Per-server execution scheduling. A remote execution is expensive (an Azure Run Command takes tens of
 * seconds and only one runs at a time per VM), so operations on one server are:
 *  - serialized: at most one execution in flight per server;
 *  - coalesced: an idle scheduler waits for a burst of operations to end (a short quiet period), and
 *    everything queued while an execution runs goes into the next one;
 *  - read once: a read fetches the server's whole snapshot (status and key packs), which serves every
 *    later read of this provider process until a write invalidates it — so a refresh costs one
 *    execution per server however many resources read;
 *  - retried: transient failures back off and try again, each operation on its own.
 * With `coalesce: false` (the "naive" mode kept for benchmarks) each operation is its own execution.
 */
import {
    LicensingError,
    LicensingErrorKind,
    type Operation,
    type OperationExecutor,
    type OperationName,
    type OperationResult,
    type OperationValues,
} from "../licensing";
import { planBatch, READS } from "./batch";
import { backoffDelay, type RetryPolicy } from "./retry";

export interface SchedulerOptions {
    coalesce: boolean;
    retry: RetryPolicy;
    /**
     * Quiet period an idle scheduler waits for more operations before executing (restarted by each
     * new operation). The engine sends a refresh's reads or an update's creates over milliseconds.
     * @default 0
     */
    gatherMs?: number;
    /**
     * Longest wait for a burst to end.
     * @default 10 × gatherMs
     */
    maxGatherMs?: number;
    /** Called when an operation is retried (for progress messages). */
    onRetry?: (op: Operation, error: LicensingError, attempt: number, delayMs: number) => void;
}

interface Waiter {
    op: Operation;
    attempt: number;
    resolve: (value: unknown) => void;
    reject: (error: LicensingError) => void;
}

type Snapshot = { status?: OperationValues["status"]; "list-packs"?: OperationValues["list-packs"] };

export class ServerScheduler {
    private queue: Waiter[] = [];
    private running = false;
    private timer: NodeJS.Timeout | undefined;
    private gatherDeadline = 0;
    private snapshot: Snapshot = {};
    /** Remote executions this scheduler started (for tests and progress). */
    executions = 0;

    constructor(
        private readonly executor: OperationExecutor,
        readonly server: string,
        private readonly options: SchedulerOptions,
    ) {}

    run<N extends OperationName>(op: Extract<Operation, { op: N }>): Promise<OperationValues[N]> {
        return new Promise<OperationValues[N]>((resolve, reject) => {
            const waiter: Waiter = { op, attempt: 1, resolve: resolve as (v: unknown) => void, reject };
            if (!this.answerFromSnapshot(waiter)) this.enqueue(waiter);
        });
    }

    private answerFromSnapshot(waiter: Waiter): boolean {
        const cached = this.options.coalesce ? this.snapshot[waiter.op.op as keyof Snapshot] : undefined;
        if (cached === undefined) return false;
        waiter.resolve(structuredClone(cached));
        return true;
    }

    private enqueue(waiter: Waiter): void {
        this.queue.push(waiter);
        this.scheduleDrain();
    }

    private scheduleDrain(): void {
        if (this.running || this.queue.length === 0) return;
        const gather = this.options.coalesce ? (this.options.gatherMs ?? 0) : 0;
        if (gather === 0) {
            if (!this.timer) this.timer = setTimeout(() => this.fire(), 0);
            return;
        }
        const now = Date.now();
        if (!this.timer) this.gatherDeadline = now + (this.options.maxGatherMs ?? gather * 10);
        else clearTimeout(this.timer);
        this.timer = setTimeout(() => this.fire(), Math.max(0, Math.min(gather, this.gatherDeadline - now)));
    }

    private fire(): void {
        this.timer = undefined;
        void this.drain();
    }

    private async drain(): Promise<void> {
        if (this.running || this.queue.length === 0) return;
        this.running = true;
        const batch = this.options.coalesce ? this.queue.splice(0) : this.queue.splice(0, 1);
        try {
            await this.execute(batch);
        } finally {
            this.running = false;
            // Reads that queued during a read-only execution are answered by the snapshot it brought.
            this.queue = this.queue.filter((waiter) => !this.answerFromSnapshot(waiter));
            // What queued during the execution has waited long enough: run it now.
            if (this.queue.length > 0) this.timer ??= setTimeout(() => this.fire(), 0);
        }
    }

    private async execute(batch: Waiter[]): Promise<void> {
        const { operations, slotOf } = planBatch(batch.map((w) => w.op), { completeSnapshot: this.options.coalesce });
        const writes = operations.some((op) => !READS.has(op.op));
        if (writes) this.snapshot = {};
        let results: OperationResult[];
        try {
            this.executions++;
            results = await this.executor.execute(this.server, operations);
        } catch (err) {
            const error = asLicensingError(err);
            for (const waiter of batch) this.settleFailure(waiter, error);
            return;
        }
        if (this.options.coalesce && !writes) this.remember(operations, results);
        batch.forEach((waiter, i) => {
            const result = results[slotOf[i]];
            if (!result) {
                this.settleFailure(waiter, new LicensingError({ kind: LicensingErrorKind.Failed, message: "the server returned no result for this operation" }));
            } else if (result.ok) {
                waiter.resolve(READS.has(waiter.op.op) ? structuredClone(result.value) : result.value);
            } else {
                this.settleFailure(waiter, new LicensingError(result.error));
            }
        });
    }

    /** Keep a read-only batch's results: they describe the server until the next write. */
    private remember(operations: Operation[], results: OperationResult[]): void {
        operations.forEach((op, i) => {
            const result = results[i];
            if (result?.ok && (op.op === "status" || op.op === "list-packs")) {
                (this.snapshot as Record<string, unknown>)[op.op] = result.value;
            }
        });
    }

    private settleFailure(waiter: Waiter, error: LicensingError): void {
        if (!error.transient || waiter.attempt >= this.options.retry.attempts) {
            waiter.reject(error);
            return;
        }
        const delay = backoffDelay(this.options.retry, waiter.attempt, error.retryAfterMs);
        this.options.onRetry?.(waiter.op, error, waiter.attempt, delay);
        setTimeout(() => this.enqueue({ ...waiter, attempt: waiter.attempt + 1 }), delay);
    }
}

function asLicensingError(err: unknown): LicensingError {
    if (err instanceof LicensingError) return err;
    // Errors crossing module copies lose their class; keep their kind when they carry one.
    const e = err as { kind?: string; message?: string; retryAfterMs?: number };
    const kind = (Object.values(LicensingErrorKind) as string[]).includes(e?.kind ?? "") ? (e.kind as LicensingErrorKind) : LicensingErrorKind.Failed;
    return new LicensingError({ kind, message: e?.message ?? String(err), retryAfterMs: e?.retryAfterMs });
}
