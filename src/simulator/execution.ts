/**
 * One remote execution against a simulated server, shaped like an Azure Run Command: at most one at
 * a time per server across processes (a per-server execution lock held for the whole execution,
 * latency included), a fixed cost per execution, a durable counter and a log of when it ran.
 */
import { LicensingError } from "../licensing/errors";
import type { Operation, OperationResult } from "../licensing/operations";
import { prepareInstall, type PreparedInstall } from "./clearinghouse";
import { applyOperations, unknownServer } from "./engine";
import { consumeSlowExecution, consumeTransientFailure, effectiveLatencyMs } from "./faults";
import { acquireLock } from "./lock";
import { executionLockFile, serverKey } from "./paths";
import { installEnv, saveRetailLedger } from "./install-env";
import { Store } from "./store";

/** How long an execution waits for the server's previous one before failing as transient. */
const EXECUTION_LOCK_TIMEOUT_MS = 30 * 60_000;

export interface ExecuteOptions {
    env?: NodeJS.ProcessEnv;
    sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function executeOnSimulator(
    home: string,
    serverName: string,
    operations: readonly Operation[],
    options: ExecuteOptions = {},
): Promise<OperationResult[]> {
    if (!Array.isArray(operations)) throw new LicensingError({ kind: "invalid-parameter", message: "operations must be an array" });
    const store = new Store(home);
    const key = serverKey(serverName);
    const config = await store.readConfig();
    if (!config || !key || !(await store.readServer(key))) return operations.map((op) => unknownServer(String(serverName), op));

    // Hash numbers before taking any lock: scrypt is deliberately slow.
    const hashes = new Map<string, Promise<string>>();
    const prepared: (PreparedInstall | undefined)[] = await Promise.all(
        operations.map((op) => (op?.op === "install" ? prepareInstall(op.spec, op.requestKey, config.salt, hashes) : undefined)),
    );

    // A transport failure never reaches the server: nothing runs, nothing is counted.
    if (await consumeTransientFailure(store)) {
        throw new LicensingError({
            kind: "transient",
            message: `simulated transport failure reaching ${serverName} (fault injection); nothing ran`,
        });
    }

    const lock = await acquireLock(executionLockFile(store.paths, key), {
        timeoutMs: EXECUTION_LOCK_TIMEOUT_MS,
        maxPollMs: 50,
        purpose: `execution on ${serverName}`,
    });
    try {
        const start = Date.now();
        const latency = effectiveLatencyMs((await store.readConfig()) ?? config, options.env) + (await consumeSlowExecution(store));
        if (latency > 0) await (options.sleep ?? defaultSleep)(latency);
        return await store.transaction(async () => {
            const server = await store.readServer(key);
            if (!server) return operations.map((op) => unknownServer(String(serverName), op));
            const installs = operations.filter((op) => op?.op === "install");
            const env = await installEnv(store, key, installs.length > 0, { retail: installs.some((op) => op.spec?.program === "retail") });
            const applied = applyOperations(server, operations, prepared, env);
            applied.server.executions = server.executions + 1;
            // State first: the counter and the packs are the truth; the log may miss a killed execution.
            // The retail ledger before the server file (see saveRetailLedger).
            await saveRetailLedger(store, env);
            await store.writeServer(key, applied.server);
            const ops = operations.map((op) => String(op?.op));
            await store.appendExecution(key, { seq: applied.server.executions, pid: process.pid, start, end: Date.now(), operations: ops });
            return applied.results;
        });
    } finally {
        await lock.release();
    }
}
