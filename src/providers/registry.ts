/**
 * One scheduler per server per provider process. The Pulumi engine runs every dynamic resource of a
 * deployment in one provider process, so this module-level map is where parallel resource
 * operations on one server meet, get serialized and share executions.
 */
import * as path from "path";
import type { LicenseServer, OperationExecutor } from "../licensing";
import { ScheduledLicenseServer, ServerScheduler, retryPolicyFromEnv } from "../scheduling";
import { executorKey, type Connection } from "./connection";
import { progress } from "./progress";
import { loadOnFirstUse } from "./load-on-first-use";

const schedulers = new Map<string, ServerScheduler>();
const executors = new Map<string, OperationExecutor>();

/**
 * Drivers load on first use, so a simulator run never loads the Azure or SSH driver (nor their
 * SDKs), and vice versa. `import()` of the `.js` name rather than `require`: it resolves both in the
 * CommonJS build and under the test runner, where `require` cannot load TypeScript sources.
 */
function createExecutor(connection: Connection): OperationExecutor {
    switch (connection.kind) {
        case "simulator": {
            // Resolved now: a later chdir of the provider process must not move the store.
            const home = path.resolve(connection.home);
            return loadOnFirstUse(async () => (await import("../drivers/simulator.js")).createSimulatorExecutor({ home }));
        }
        case "azure-run-command": {
            const onCleanupError = (error: Error) => progress(`${connection.vmName}: a finished run command could not be deleted (it holds no secret): ${error.message}`);
            return loadOnFirstUse(async () => (await import("../drivers/connect-azure.js")).createAzureExecutor({ ...connection, onCleanupError }));
        }
        case "ssh":
            return loadOnFirstUse(async () => (await import("../drivers/connect-ssh.js")).createSshExecutor(connection));
    }
}


function executorFor(connection: Connection): OperationExecutor {
    const key = executorKey(connection);
    const executor = executors.get(key) ?? createExecutor(connection);
    executors.set(key, executor);
    return executor;
}

/** Coalescing is on unless RDS_LICENSING_COALESCE=off (the naive mode, kept for benchmarks). */
export function coalescingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
    return env.RDS_LICENSING_COALESCE !== "off";
}

/** RDS_LICENSING_GATHER_MS overrides the quiet period that ends a burst of operations (default 100 ms). */
function gatherMsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
    const value = Number(env.RDS_LICENSING_GATHER_MS ?? 100);
    return Number.isFinite(value) && value >= 0 ? value : 100;
}

export function licenseServer(connection: Connection, server: string): LicenseServer {
    const key = `${executorKey(connection)}#${server.toLowerCase()}`;
    let scheduler = schedulers.get(key);
    if (!scheduler) {
        scheduler = new ServerScheduler(executorFor(connection), server, {
            coalesce: coalescingEnabled(),
            gatherMs: gatherMsFromEnv(),
            maxGatherMs: 1500,
            retry: retryPolicyFromEnv(),
            onRetry: (op, error, attempt, delayMs) =>
                progress(`${server}: ${op.op} failed (${error.kind}); retry ${attempt} in ${Math.round(delayMs / 100) / 10} s`),
        });
        schedulers.set(key, scheduler);
    }
    return new ScheduledLicenseServer(scheduler);
}

/**
 * Forget every scheduler and executor, as a new provider process starts with none. For tests that
 * play several engine runs in one process: each run must read the server afresh, as the engine's
 * provider process does.
 */
export function forgetLicenseServers(): void {
    schedulers.clear();
    executors.clear();
}
