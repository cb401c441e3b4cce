/**
 * Per-server execution scheduling. A remote execution is expensive (an Azure Run Command takes tens of
 * seconds and only one runs at a time per VM), so operations on one server are:
 *  - serialized: at most one execution in flight per server;
 *  - coalesced: everything queued while an execution runs goes into the next one, and identical
 *    reads in one batch share a single operation (a refresh of N packs costs one listing);
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
import { backoffDelay, type RetryPolicy } from "./retry";

export interface SchedulerOptions {
    coalesce: boolean;
    /**
     * How long an idle scheduler waits for more operations before starting an execution. The engine
     * sends a refresh's reads (or an update's creates) over a few milliseconds; a short wait lets them
     * share one execution, which on Azure costs tens of seconds.
     * @default 0
     */
    gatherMs?: number;
    retry: RetryPolicy;
    /** Called when an operation is retried (for progress messages). */
    onRetry?: (op: Operation, error: LicensingError, attempt: number, delayMs: number) => void;
}

interface Waiter {
    op: Operation;
    attempt: number;
    resolve: (value: unknown) => void;
    reject: (error: LicensingError) => void;
}

/** Reads that are safe to share between callers of one batch. */
const SHAREABLE: ReadonlySet<OperationName> = new Set(["status", "list-packs"]);

export class ServerScheduler {
    private queue: Waiter[] = [];
    private running = false;
    private drainScheduled = false;
    /** Remote executions this scheduler started (for tests and progress). */
    executions = 0;

    constructor(
        private readonly executor: OperationExecutor,
        readonly server: string,
        private readonly options: SchedulerOptions,
    ) {}

    run<N extends OperationName>(op: Extract<Operation, { op: N }>): Promise<OperationValues[N]> {
        return new Promise<OperationValues[N]>((resolve, reject) => {
            this.enqueue({ op, attempt: 1, resolve: resolve as (v: unknown) => void, reject });
        });
    }

    private enqueue(waiter: Waiter): void {
        this.queue.push(waiter);
        this.scheduleDrain();
    }

    private scheduleDrain(): void {
        if (this.running || this.drainScheduled || this.queue.length === 0) return;
        this.drainScheduled = true;
        const start = () => {
            this.drainScheduled = false;
            void this.drain();
        };
        // In naive mode nothing is gained by waiting; otherwise let a burst of callers join.
        if (this.options.coalesce && (this.options.gatherMs ?? 0) > 0) setTimeout(start, this.options.gatherMs);
        else setImmediate(start);
    }

    private async drain(): Promise<void> {
        if (this.running || this.queue.length === 0) return;
        this.running = true;
        const batch = this.options.coalesce ? this.queue.splice(0) : this.queue.splice(0, 1);
        try {
            await this.execute(batch);
        } finally {
            this.running = false;
            this.scheduleDrain();
        }
    }

    private async execute(batch: Waiter[]): Promise<void> {
        const { operations, slotOf } = planBatch(batch);
        let results: OperationResult[];
        try {
            this.executions++;
            results = await this.executor.execute(this.server, operations);
        } catch (err) {
            const error = asLicensingError(err);
            for (const waiter of batch) this.settleFailure(waiter, error);
            return;
        }
        batch.forEach((waiter, i) => {
            const result = results[slotOf[i]];
            if (!result) {
                this.settleFailure(waiter, new LicensingError({ kind: LicensingErrorKind.Failed, message: "the server returned no result for this operation" }));
            } else if (result.ok) {
                waiter.resolve(result.value);
            } else {
                this.settleFailure(waiter, new LicensingError(result.error));
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

/** Map each waiter to a slot in the operation list, sharing slots between identical reads. */
export function planBatch(batch: ReadonlyArray<{ op: Operation }>): { operations: Operation[]; slotOf: number[] } {
    const operations: Operation[] = [];
    const shared = new Map<OperationName, number>();
    const slotOf = batch.map(({ op }) => {
        const existing = SHAREABLE.has(op.op) ? shared.get(op.op) : undefined;
        if (existing !== undefined) return existing;
        operations.push(op);
        if (SHAREABLE.has(op.op)) shared.set(op.op, operations.length - 1);
        return operations.length - 1;
    });
    return { operations, slotOf };
}

function asLicensingError(err: unknown): LicensingError {
    if (err instanceof LicensingError) return err;
    // Errors crossing module copies lose their class; keep their kind when they carry one.
    const e = err as { kind?: string; message?: string; retryAfterMs?: number };
    const kind = (Object.values(LicensingErrorKind) as string[]).includes(e?.kind ?? "") ? (e.kind as LicensingErrorKind) : LicensingErrorKind.Failed;
    return new LicensingError({ kind, message: e?.message ?? String(err), retryAfterMs: e?.retryAfterMs });
}
