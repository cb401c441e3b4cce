/**
 * The farm's executor lookup, one per connection per provider process (the farm's counterpart of
 * ./registry.ts): one FarmExecutor per machine reached, and one execution at a time per target
 * (broker or standalone host) from this process, so resources on one deployment never overlap their
 * scripts. Transient failures (nothing ran) are retried with the license servers' backoff policy.
 */
import { createHash } from "node:crypto";
import * as path from "path";
import { LicensingError, type LicensingErrorData } from "../licensing";
import type { FarmExecutor, FarmOperation, FarmOperationName, FarmOperationResult, FarmOperationValues } from "../licensing/farm";
import { backoffDelay, retryPolicyFromEnv } from "../scheduling/retry";
import { executorKey, type Connection } from "./connection";
import { progress } from "./progress";
import type { AzureRunAs } from "./run-as";
import { loadOnFirstUse } from "./load-on-first-use";

const executors = new Map<string, FarmExecutor>();
/** The tail of each target's queue of executions. */
const queues = new Map<string, Promise<unknown>>();

/**
 * Drivers load on first use (see ./registry.ts): a simulator run never loads the PowerShell driver.
 * `runAs` (Azure only, checked by the resources) is the domain identity the scripts run as.
 */
export function createFarmExecutor(connection: Connection, runAs?: AzureRunAs): FarmExecutor {
    switch (connection.kind) {
        case "simulator": {
            // Resolved now: a later chdir of the provider process must not move the store.
            const home = path.resolve(connection.home);
            return loadOnFirstUse(async () => (await import("../drivers/simulator-farm.js")).createSimulatorFarmExecutor({ home }));
        }
        case "azure-run-command": {
            const onCleanupError = (error: Error) => progress(`${connection.vmName}: a finished run command could not be deleted (it holds no secret): ${error.message}`);
            return loadOnFirstUse(async () => (await import("../drivers/connect-farm.js")).createAzureFarmExecutor({ ...connection, onCleanupError, runAs }));
        }
        case "ssh":
            return loadOnFirstUse(async () => (await import("../drivers/connect-farm.js")).createSshFarmExecutor(connection));
    }
}


/**
 * One executor per machine and identity. The key holds a digest of the password, never the
 * password (it only lives in this process's memory, but a key is the kind of thing that gets logged).
 */
function identityKey(runAs: AzureRunAs | undefined): string {
    if (!runAs) return "";
    const digest = createHash("sha256").update(`${runAs.user}\0${runAs.password}`).digest("hex").slice(0, 16);
    return `#as:${runAs.user.toLowerCase()}:${digest}`;
}

function executorFor(connection: Connection, runAs: AzureRunAs | undefined): FarmExecutor {
    const key = executorKey(connection) + identityKey(runAs);
    const executor = executors.get(key) ?? createFarmExecutor(connection, runAs);
    executors.set(key, executor);
    return executor;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const isTransient = (err: unknown) => err instanceof LicensingError && err.transient;

/**
 * `work` on `target` once this process's earlier executions on it are done (the farm's resources and
 * the deployment scripts share one queue per machine), retried with backoff while it fails transient.
 * `what` names the execution in the retry's progress line.
 */
export function onTarget<T>(connection: Connection, target: string, what: string, work: () => Promise<T>): Promise<T> {
    const key = `${executorKey(connection)}#${target.toLowerCase()}`;
    const policy = retryPolicyFromEnv();
    const attempt = async (): Promise<T> => {
        for (let n = 1; ; n++) {
            try {
                return await work();
            } catch (err) {
                if (!isTransient(err) || n >= policy.attempts) throw err;
                const delay = backoffDelay(policy, n);
                progress(`${target}: ${what} failed (${(err as LicensingError).kind}); retry ${n} in ${Math.round(delay / 100) / 10} s`);
                await sleep(delay);
            }
        }
    };
    const previous = queues.get(key) ?? Promise.resolve();
    const run = previous.then(attempt, attempt);
    const tail = run.catch(() => undefined);
    queues.set(key, tail);
    void tail.then(() => {
        if (queues.get(key) === tail) queues.delete(key);
    });
    return run;
}

/**
 * Run `operations` on `target` in one remote execution (queued behind this process's other
 * executions on it), retrying a transient failure of the whole execution or of its results.
 */
export function executeFarm(
    connection: Connection,
    target: string,
    operations: readonly FarmOperation[],
    runAs?: AzureRunAs,
): Promise<FarmOperationResult[]> {
    let attempts = 0;
    const allowed = retryPolicyFromEnv().attempts;
    return onTarget(connection, target, "farm execution", async () => {
        attempts += 1;
        const results = await executorFor(connection, runAs).execute(target, operations);
        const failed = results.find((r): r is { ok: false; error: LicensingErrorData } => !r.ok);
        // A transient result is retried like a transient execution, but the last attempt returns it.
        if (failed && attempts < allowed && new LicensingError(failed.error).transient) throw new LicensingError(failed.error);
        return results;
    });
}

/** What a batch of operations returns, operation by operation. */
export type FarmOperationsValues<Ops extends readonly FarmOperation[]> = { -readonly [K in keyof Ops]: FarmOperationValues[Ops[K]["op"]] };

/**
 * A batch of operations in one execution: their values in order, or the first failure thrown as a
 * LicensingError (every operation of the batch ran; a failed one changed nothing).
 */
export async function runFarmOperations<const Ops extends readonly FarmOperation[]>(
    connection: Connection,
    target: string,
    operations: Ops,
    runAs?: AzureRunAs,
): Promise<FarmOperationsValues<Ops>> {
    const results = await executeFarm(connection, target, operations, runAs);
    return operations.map((operation, i) => {
        const result = results[i];
        if (!result) throw new LicensingError({ kind: "failed", message: `${target}: the farm execution returned no result for ${operation.op}` });
        if (!result.ok) throw new LicensingError(result.error);
        return result.value;
    }) as FarmOperationsValues<Ops>;
}

/** One operation in its own execution: its value, or its failure thrown as a LicensingError. */
export async function runFarmOperation<N extends FarmOperationName>(
    connection: Connection,
    target: string,
    operation: Extract<FarmOperation, { op: N }>,
): Promise<FarmOperationValues[N]> {
    const [value] = await runFarmOperations(connection, target, [operation] as const);
    return value as FarmOperationValues[N];
}

/** Forget every executor and queue, as a new provider process starts with none (tests). */
export function forgetFarmExecutors(): void {
    executors.clear();
    queues.clear();
}
