/**
 * One remote execution against a simulated license server, in the shared execution frame
 * (execution-frame.ts: faults, the per-server execution lock, latency, one transaction), with a
 * durable counter and a log of when it ran.
 */
import { LicensingError } from "../licensing/errors";
import type { Operation, OperationResult } from "../licensing/operations";
import { prepareInstall, type PreparedInstall } from "./clearinghouse";
import { applyOperations, unknownServer } from "./engine";
import { executionLogEntry, runInExecutionFrame, type ExecuteOptions } from "./execution-frame";
import { serverKey } from "./paths";
import { installEnv, saveRetailLedger } from "./install-env";
import type { StoredServer } from "./state";
import { Store } from "./store";

export type { ExecuteOptions } from "./execution-frame";

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

    return runInExecutionFrame({ store, key, name: serverName, config, options }, async (start) => {
        const server = await store.readServer(key);
        if (!server) return operations.map((op) => unknownServer(String(serverName), op));
        const installs = operations.filter((op) => op?.op === "install");
        const env = await installEnv(store, key, installs.length > 0, { retail: installs.some((op) => op.spec?.program === "retail") });
        // An Import* names its source: the Clearinghouse checks what that server holds (rules-install.ts).
        env.migrationSource = await migrationSources(store, key, installs);
        const applied = applyOperations(server, operations, prepared, env);
        applied.server.executions = server.executions + 1;
        // State first: the counter and the packs are the truth; the log may miss a killed execution.
        // The retail ledger before the server file (see saveRetailLedger).
        await saveRetailLedger(store, env);
        await store.writeServer(key, applied.server);
        await store.appendExecution(key, executionLogEntry(applied.server.executions, start, operations));
        return applied.results;
    });
}

/** The servers the batch's Import* operations name as their source, read inside its transaction. */
async function migrationSources(store: Store, key: string, installs: readonly Operation[]): Promise<(name: string) => StoredServer | undefined> {
    const servers = new Map<string, StoredServer>();
    for (const op of installs) {
        if (op.op !== "install" || op.origin?.kind !== "migration") continue;
        const source = serverKey(op.origin.sourceServer);
        if (!source || source === key || servers.has(source)) continue;
        const server = await store.readServer(source);
        if (server) servers.set(source, server);
    }
    return (name) => servers.get(serverKey(name) ?? "");
}
