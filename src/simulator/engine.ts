/**
 * Applies operations to a server's state. Each operation runs on a copy that is kept only if the
 * operation succeeds, so a refused operation changes nothing and the next one still runs.
 */
import { DEFAULT_PRODUCT_VERSION_IDS } from "../licensing/codes";
import { installMethodOf } from "../licensing/programs";
import { LicensingError, installMismatchError, installMismatches, type LicensingErrorData } from "../licensing/errors";
import type { InstalledKeyPack, Operation, OperationResult } from "../licensing/operations";
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
            return install(draft, op.spec, op.requestKey, prepared, env, { allowReinstall: op.allowReinstall === true, ...(op.origin ? { origin: op.origin } : {}) });
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
        const mismatch = applied.ok && op.op === "install" ? verifyInstall(op, applied.value as InstalledKeyPack) : undefined;
        if (mismatch) results.push({ ok: false, error: mismatch });
        else results.push(applied.ok ? ({ ok: true, value: applied.value } as OperationResult) : { ok: false, error: applied.error });
    });
    return { server: current, results };
}

/**
 * What the PowerShell driver's script does after every install that sent the pack's shape (not a
 * retail code, whose numbers fix the pack): read the pack back and fail, naming it, unless it is the
 * version and type asked. The pack stays (recorded for the request key), as on a real server.
 */
function verifyInstall(op: Extract<Operation, { op: "install" }>, pack: InstalledKeyPack): LicensingErrorData | undefined {
    const spec = op.spec;
    if (installMethodOf(spec.program).packFromNumbers) return undefined;
    const asked = { productVersion: spec.productVersion, productVersionId: DEFAULT_PRODUCT_VERSION_IDS[spec.productVersion], licenseType: spec.licenseType, count: spec.count };
    const got = { keyPackId: pack.keyPackId, productVersionId: pack.productVersionId, productVersionText: pack.description, licenseType: pack.licenseType, totalLicenses: pack.totalLicenses };
    // Version and type only: a known request key returns its pack as later removals left it.
    const problems = installMismatches(asked, got).filter((p) => !p.startsWith("count:"));
    if (problems.length === 0) return undefined;
    return installMismatchError(`install ${spec.program} ${spec.productVersion} ${spec.licenseType} x${spec.count}`, asked, got, problems);
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
