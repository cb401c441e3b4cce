/**
 * The frame every simulated remote execution runs in, shaped like an Azure Run Command: a transport
 * fault first (nothing runs, nothing is counted), then at most one execution at a time per machine
 * across processes (a per-name execution lock held for the whole execution, latency included), a
 * fixed cost per execution, and the body inside one store transaction. What the body does, which
 * counter it bumps and which log it writes belong to each executor (license server, usage, farm).
 */
import { LicensingError } from "../licensing/errors";
import { consumeSlowExecution, consumeTransientFailure, effectiveLatencyMs } from "./faults";
import { acquireLock } from "./lock";
import { executionLockFile } from "./paths";
import type { ExecutionLogEntry, StoreConfig } from "./state";
import type { Store } from "./store";

/** How long an execution waits for the machine's previous one before failing as transient. */
const EXECUTION_LOCK_TIMEOUT_MS = 30 * 60_000;

export interface ExecuteOptions {
    /** Environment read for the latency override. @default process.env */
    env?: NodeJS.ProcessEnv;
    /** How the execution waits out its latency (tests pass a fake). @default setTimeout */
    sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Where one execution runs: the store, the machine's key and name as the caller gave it. */
export interface ExecutionTarget {
    store: Store;
    key: string;
    /** The name as the caller spelt it, for messages. */
    name: string;
    /** The config read when the target was found; the frame re-reads it for a fresh latency. */
    config: StoreConfig;
    options: ExecuteOptions;
}

/**
 * Run `body` as one execution on `target`. `body` gets the epoch milliseconds the execution lock
 * was taken (the log's `start`) and runs inside a store transaction.
 */
export async function runInExecutionFrame<T>(target: ExecutionTarget, body: (start: number) => Promise<T>): Promise<T> {
    const { store, key, name, config, options } = target;
    if (await consumeTransientFailure(store)) {
        throw new LicensingError({ kind: "transient", message: `simulated transport failure reaching ${name} (fault injection); nothing ran` });
    }
    const lock = await acquireLock(executionLockFile(store.paths, key), { timeoutMs: EXECUTION_LOCK_TIMEOUT_MS, maxPollMs: 50, purpose: `execution on ${name}` });
    try {
        const start = Date.now();
        const latency = effectiveLatencyMs((await store.readConfig()) ?? config, options.env) + (await consumeSlowExecution(store));
        if (latency > 0) await (options.sleep ?? defaultSleep)(latency);
        return await store.transaction(() => body(start));
    } finally {
        await lock.release();
    }
}

/** The log line of an execution that ends now, `seq` being the counter after it. */
export function executionLogEntry(seq: number, start: number, operations: readonly { op?: unknown }[]): ExecutionLogEntry {
    return { seq, pid: process.pid, start, end: Date.now(), operations: operations.map((op) => String(op?.op)) };
}
