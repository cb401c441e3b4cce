/**
 * Applies operations to a server's state. Each operation runs on a copy that is kept only if the
 * operation succeeds, so a refused operation changes nothing and the next one still runs.
 */
import { LicensingError, type LicensingErrorData } from "../licensing/errors";
import type { Operation, OperationResult } from "../licensing/operations";
import type { PreparedInstall } from "./clearinghouse";
import { CONTEXT_OF, refuse } from "./refusal";
import { install, type InstallEnv } from "./rules-install";
import { removeLicenses, uninstall } from "./rules-packs";
import { activate, deactivate, publicPack, statusOf } from "./rules-server";
import type { StoredServer } from "./state";

export type Applied<T> = { server: StoredServer; ok: true; value: T } | { server: StoredServer; ok: false; error: LicensingErrorData };

/** Run `change` on a copy of the server; on a LicensingError keep the original. */
export function applyChange<T>(server: StoredServer, change: (draft: StoredServer) => T): Applied<T> {
    const draft = structuredClone(server);
    try {
        return { server: draft, ok: true, value: change(draft) };
    } catch (err) {
        if (err instanceof LicensingError) return { server, ok: false, error: err.toData() };
        throw err;
    }
}

function run(draft: StoredServer, op: Operation, prepared: PreparedInstall | undefined, env: InstallEnv): unknown {
    switch (op.op) {
        case "status":
            return statusOf(draft);
        case "list-packs":
            return draft.packs.map(publicPack);
        case "activate":
            return activate(draft, op.contact, env);
        case "deactivate":
            return deactivate(draft);
        case "install":
            if (!prepared) throw new Error("install was not prepared");
            return install(draft, op.spec, op.requestKey, prepared, env, { allowReinstall: op.allowReinstall === true });
        case "remove-licenses":
            return removeLicenses(draft, op.keyPackId, op.count, op.expectedTotal);
        case "uninstall":
            return uninstall(draft, op.keyPackId, op.refuseIfIssued === true);
        default:
            return refuse("read", "invalid-parameter", `unknown operation ${JSON.stringify((op as { op?: unknown })?.op ?? null)}`);
    }
}

/** Apply a batch in order; `prepared[i]` holds the hashed numbers of operation i when it is an install. */
export function applyOperations(
    server: StoredServer,
    operations: readonly Operation[],
    prepared: readonly (PreparedInstall | undefined)[],
    env: InstallEnv,
): { server: StoredServer; results: OperationResult[] } {
    let current = server;
    const results: OperationResult[] = [];
    operations.forEach((op, i) => {
        const applied = applyChange(current, (draft) => run(draft, op, prepared[i], env));
        current = applied.server;
        results.push(applied.ok ? ({ ok: true, value: applied.value } as OperationResult) : { ok: false, error: applied.error });
    });
    return { server: current, results };
}

/** The result every operation gets when the server does not exist. */
export function unknownServer(name: string, op: Operation): OperationResult {
    const context = CONTEXT_OF[op?.op] ?? "read";
    try {
        refuse(context, "not-found", `license server ${name} does not exist in the simulator`);
    } catch (err) {
        return { ok: false, error: (err as LicensingError).toData() };
    }
}
