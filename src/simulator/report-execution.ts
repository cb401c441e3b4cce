/**
 * One remote execution of usage operations (report, revocation) on a simulated license server, in
 * the shared execution frame (execution-frame.ts: faults, the per-server execution lock, latency),
 * with one count in the server's counter and a line in its execution log. Farm rules read the
 * simulated clock (licenses expire by it), so these operations do too.
 */
import { LicensingError } from "../licensing/errors";
import type { UsageOperationResult } from "../licensing/usage-server";
import type { UsageOperation } from "../licensing/usage";
import { simulatedNow } from "./clock";
import { reconcileLicenses } from "./connections";
import { executionLogEntry, runInExecutionFrame, type ExecuteOptions } from "./execution-frame";
import { FarmStore } from "./farm-store";
import { serverKey } from "./paths";
import { usageReport } from "./report";
import { revokeCal } from "./revoke";
import type { StoredServer } from "./state";
import { Store } from "./store";

const refusal = (kind: "not-found" | "invalid-parameter", message: string): UsageOperationResult => ({ ok: false, error: { kind, message } });

function runOne(s: StoredServer, op: UsageOperation, now: Date): UsageOperationResult {
    switch (op?.op) {
        case "usage-report": {
            const pageSize = op.pageSize ?? 0;
            if (!Number.isSafeInteger(pageSize) || pageSize < 0) return refusal("invalid-parameter", `pageSize must be a whole number >= 0 (got ${JSON.stringify(op.pageSize)})`);
            return { ok: true, value: usageReport(s, now, pageSize) };
        }
        case "revoke-cal": {
            const named = [op.device, op.user].filter((v) => v !== undefined);
            if (named.length !== 1 || typeof named[0] !== "string" || named[0].trim() === "") return refusal("invalid-parameter", "revoke-cal names exactly one device or one user");
            return { ok: true, value: revokeCal(s, op.device !== undefined ? { device: op.device } : { user: op.user! }, now, op.dryRun === true) };
        }
        default:
            return refusal("invalid-parameter", `unknown usage operation ${JSON.stringify((op as { op?: unknown })?.op ?? null)}`);
    }
}

export async function executeUsage(home: string, serverName: string, operations: readonly UsageOperation[], options: ExecuteOptions = {}): Promise<UsageOperationResult[]> {
    if (!Array.isArray(operations)) throw new LicensingError({ kind: "invalid-parameter", message: "operations must be an array" });
    const store = new Store(home);
    const key = serverKey(serverName);
    const missing = () => operations.map(() => refusal("not-found", `license server ${String(serverName)} does not exist in the simulator`));
    const config = await store.readConfig();
    if (!config || !key || !(await store.readServer(key))) return missing();
    return runInExecutionFrame({ store, key, name: serverName, config, options }, async (start) => {
        const server = await store.readServer(key);
        if (!server) return missing();
        const now = await simulatedNow(new FarmStore(store));
        reconcileLicenses(server, now);
        const results = operations.map((op) => runOne(server, op, now));
        server.executions += 1;
        await store.writeServer(key, server);
        await store.appendExecution(key, executionLogEntry(server.executions, start, operations));
        return results;
    });
}
