/**
 * One scheduler per server per provider process. The Pulumi engine runs every dynamic resource of a
 * deployment in one provider process, so this module-level map is where parallel resource
 * operations on one server meet, get serialized and share executions.
 */
import type { LicenseServer, OperationExecutor } from "../licensing";
import { ScheduledLicenseServer, ServerScheduler, retryPolicyFromEnv } from "../scheduling";
import { connectionKey, type Connection } from "./connection";
import { progress } from "./progress";

const schedulers = new Map<string, ServerScheduler>();
const executors = new Map<string, OperationExecutor>();

/** Drivers are required lazily: a simulator run never loads the Azure SDK, and vice versa. */
function createExecutor(connection: Connection): OperationExecutor {
    switch (connection.kind) {
        case "simulator": {
            const { createSimulatorExecutor } = require("../drivers/simulator") as typeof import("../drivers/simulator");
            return createSimulatorExecutor({ home: connection.home });
        }
    }
}

function executorFor(connection: Connection): OperationExecutor {
    const key = connectionKey(connection);
    const executor = executors.get(key) ?? createExecutor(connection);
    executors.set(key, executor);
    return executor;
}

/** Coalescing is on unless RDS_LICENSING_COALESCE=off (the naive mode, kept for benchmarks). */
export function coalescingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
    return env.RDS_LICENSING_COALESCE !== "off";
}

/** RDS_LICENSING_GATHER_MS overrides the wait for a burst of operations (default 30 ms). */
function gatherMsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
    const value = Number(env.RDS_LICENSING_GATHER_MS ?? 30);
    return Number.isFinite(value) && value >= 0 ? value : 30;
}

export function licenseServer(connection: Connection, server: string): LicenseServer {
    const key = `${connectionKey(connection)}#${server.toLowerCase()}`;
    let scheduler = schedulers.get(key);
    if (!scheduler) {
        scheduler = new ServerScheduler(executorFor(connection), server, {
            coalesce: coalescingEnabled(),
            gatherMs: gatherMsFromEnv(),
            retry: retryPolicyFromEnv(),
            onRetry: (op, error, attempt, delayMs) =>
                progress(`${server}: ${op.op} failed (${error.kind}); retry ${attempt} in ${Math.round(delayMs / 100) / 10} s`),
        });
        schedulers.set(key, scheduler);
    }
    return new ScheduledLicenseServer(scheduler);
}
