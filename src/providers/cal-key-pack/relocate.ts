/**
 * Moving a pack to another license server, and converting its license type, as in-place updates.
 *
 * Why not a replace: a replace installs the pack afresh on the new server and then uninstalls the
 * old one, so the Clearinghouse sees a second purchase (an agreement counted twice, a retail code
 * refused because the old server consumed it). The documented paths are the program's Import* method
 * on the target, with the source server's name and product ID, then removal from the source; and
 * ConvertLicenses on the pack itself (catalog.ts: MIGRATION_ARGUMENTS, CONVERT_METHOD).
 *
 * Crash safety rests on two facts: the engine keeps the old state (old server, old key pack ids)
 * until an update completes, so every retry starts from the same olds; and every step that creates a
 * key pack runs under a request key (request-keys.ts) that the server (the script's journal, rdls-sim's
 * request table) answers with the pack the first attempt made. Those are the keys a fresh create of
 * the pack would use, so even a refresh that dropped the pack after a crash (its old key packs gone)
 * is followed by a create that gets the moved or converted packs back rather than installing again.
 * - Move: (1) read the source's license server ID and its key packs; (2) Import* on the target under
 *   the create key; (3) uninstall the source's key packs (already gone = done). A crash after (2)
 *   repeats (2), which returns its pack, and does (3); a crash after (3) finds the source empty and
 *   (2) still returns its pack. Only when the source holds nothing *and* the target never imported
 *   (the packs were uninstalled by hand) is the pack installed afresh, as any update does for a pack
 *   gone from its server.
 * - Convert: the key packs in state that are still of the old type are converted one by one under
 *   the create key, then the grow key of the packs converted so far. A converted pack is emptied and
 *   removed from the server; a retry walks the same chain of keys, which returns the conversions made
 *   before the crash, and converts the rest (see convertPack).
 * The count is reconciled afterwards as in any update (a count changed in the same update included).
 */
import { LicensingError, LicensingErrorKind, installMethodOf, numberFieldsOf, type KeyPack, type ServerStatus } from "../../licensing";
import { connectionKey } from "../connection";
import { progress } from "../progress";
import { licenseServer } from "../registry";
import type { Raw } from "../resource-schema";
import { installSpec, normalizedNumber, type CalKeyPackInputs } from "./inputs";
import { createRequestKey, growRequestKey } from "./request-keys";

/** How a change of server or license type is applied; undefined: neither changed (or the pack's identity did). */
export type Relocation = { kind: "move" } | { kind: "convert" } | { kind: "replace"; reason: string };

const label = (inputs: CalKeyPackInputs) => `${inputs.server}: pack ${inputs.packKey.split("/").pop()}`;
const totalOf = (packs: readonly KeyPack[]) => packs.reduce((n, p) => n + p.totalLicenses, 0);
const issuedOf = (packs: readonly KeyPack[]) => packs.reduce((n, p) => n + p.issuedLicenses, 0);
export const isGone = (err: unknown) => err instanceof LicensingError && err.kind === LicensingErrorKind.NotFound;

/** The same pack (program, version, numbers): only then is a move or a conversion the same licenses. */
function samePack(before: CalKeyPackInputs, after: CalKeyPackInputs): boolean {
    if (before.program !== after.program || before.productVersion !== after.productVersion) return false;
    if (before.adoptKeyPackId !== after.adoptKeyPackId) return false;
    return numberFieldsOf(after.program).every((f) => normalizedNumber(before, f.name) === normalizedNumber(after, f.name));
}

/**
 * Decide, from state and program alone (no server is asked: diff runs in previews), whether a change
 * of `server`/`connection` is a migration and a change of `licenseType` a conversion.
 * - A move is a new `server` name. It migrates when the old server is reachable the way the new one is: the same simulator store
 *   (one Clearinghouse model sees both servers), or two real servers (Azure / SSH; the old one through
 *   the connection in state). A store of its own on either side stays a replace.
 * - ConvertLicenses exists on Windows Server 2012 and later, which every license server this product
 *   manages runs (2016+); it converts available licenses only, so a pack whose state shows issued
 *   licenses stays a replace, and so does a retail pack (its code fixes the type). Moving and
 *   converting at once stays a replace too (one step at a time).
 */
export function relocationOf(before: CalKeyPackInputs, after: CalKeyPackInputs, olds: Raw): Relocation | undefined {
    // Another machine under the same name (a rebuilt VM, another store) is not a move: the replace rules stay.
    const moved = before.server.toLowerCase() !== after.server.toLowerCase();
    const converted = before.licenseType !== after.licenseType;
    if ((!moved && !converted) || !samePack(before, after)) return undefined;
    if (moved && converted) {
        return { kind: "replace", reason: `${label(after)}: the server and the license type change at once, which replaces the pack; change one at a time to move it (Import*) or convert it (ConvertLicenses) in place` };
    }
    if (moved) {
        const simulated = [before.connection.kind, after.connection.kind].filter((k) => k === "simulator").length;
        if (simulated === 0 || (simulated === 2 && connectionKey(before.connection) === connectionKey(after.connection))) return { kind: "move" };
        return {
            kind: "replace",
            reason: `${label(after)}: ${before.server} and ${after.server} are not in one simulator store (or one of them is simulated and the other not), so the licenses cannot migrate; the pack is replaced (installed anew on ${after.server})`,
        };
    }
    if (installMethodOf(after.program).packFromNumbers) {
        // Its request keys do not name the license type (the code does), so a conversion's could not be told from the create's.
        return { kind: "replace", reason: `${label(after)}: a retail code's pack keeps the license type the code was sold with; the pack is replaced, not converted` };
    }
    const issued = typeof olds.issuedLicenses === "number" ? olds.issuedLicenses : 0;
    if (issued > 0) {
        return {
            kind: "replace",
            reason: `${label(after)}: ${issued} licenses of the pack are issued and ConvertLicenses converts available licenses only; the pack is replaced (a new ${after.licenseType} pack, then the old one uninstalled)`,
        };
    }
    return { kind: "convert" };
}

function issuedError(inputs: CalKeyPackInputs, what: string, packs: readonly KeyPack[], fix: string): LicensingError {
    return new LicensingError({
        kind: LicensingErrorKind.LicensesIssued,
        message:
            `${label(inputs)}: key pack ${packs.map((p) => p.keyPackId).join(", ")} has ${issuedOf(packs)} licenses issued to users or devices, ` +
            `so the pack was not ${what} (nothing was changed); ${fix}`,
    });
}

/**
 * The live key packs among `ids` on `inputs.server`, in the resource's order. A key pack of another
 * version or type with one of these ids (a rebuilt server numbering its packs anew) is not this pack's.
 */
export async function livePacks(inputs: CalKeyPackInputs, ids: readonly number[]): Promise<KeyPack[]> {
    const all = await licenseServer(inputs.connection, inputs.server).listKeyPacks();
    const ours = (p: KeyPack) => p.productVersion === inputs.productVersion && p.licenseType === inputs.licenseType;
    return [...new Set(ids)].map((id) => all.find((p) => p.keyPackId === id && ours(p))).filter((p): p is KeyPack => p !== undefined);
}

/** The target's pack must be the version and type declared (a retail code's pack is the code's). */
function checkShape(inputs: CalKeyPackInputs, pack: KeyPack, how: string): KeyPack {
    if (pack.productVersion === inputs.productVersion && pack.licenseType === inputs.licenseType) return pack;
    throw new LicensingError({
        kind: LicensingErrorKind.EntitlementRefused,
        message:
            `${label(inputs)}: ${how} made key pack ${pack.keyPackId} with ${pack.licenseType} CALs for ${pack.productVersion}, ` +
            `but the stack declares ${inputs.licenseType} for ${inputs.productVersion}; correct productVersion/licenseType of this pack in the stack config`,
    });
}

/**
 * Move the pack from `before.server` to `inputs.server` (see the file comment); returns the target's
 * key packs, empty when there was nothing to migrate and the caller installs afresh.
 */
export async function movePack(before: CalKeyPackInputs, inputs: CalKeyPackInputs, sourceIds: readonly number[], fallbackCount: number): Promise<KeyPack[]> {
    const source = licenseServer(before.connection, before.server);
    const target = licenseServer(inputs.connection, inputs.server);
    let status: ServerStatus | undefined;
    let held: KeyPack[] = [];
    try {
        [status, held] = await Promise.all([source.status(), livePacks(before, sourceIds)]);
    } catch (err) {
        // The old server is gone: nothing to remove; a migration made before it went is still found by its key.
        if (!isGone(err)) throw err;
    }
    if (issuedOf(held) > 0 && !inputs.allowDeleteWithIssuedLicenses) {
        throw issuedError(
            inputs,
            `moved from ${before.server}`,
            held.filter((p) => p.issuedLicenses > 0),
            `free them first (per-device CALs can be revoked), set allowDeleteWithIssuedLicenses: true to move the pack anyway, or keep it on ${before.server}`,
        );
    }
    const count = totalOf(held) || fallbackCount;
    // The create key on the target: a create after a refresh dropped the pack finds this import.
    const key = createRequestKey(inputs);
    let moved: KeyPack;
    try {
        progress(`${label(inputs)}: migrating ${count} licenses from ${before.server} (Import*, then removal from ${before.server})`);
        moved = await target.importKeyPack(installSpec(inputs, count), key, { server: before.server, licenseServerId: status?.licenseServerId ?? "" });
    } catch (err) {
        const refused = err instanceof LicensingError && (err.kind === LicensingErrorKind.EntitlementRefused || err.kind === LicensingErrorKind.InvalidParameter);
        if (held.length > 0 || !refused) throw err;
        // Nothing on the source and never imported here: the pack went by hand, so it is installed again.
        progress(`${label(inputs)}: ${before.server} holds none of the pack's key packs (${sourceIds.join(", ")}); installing the pack on ${inputs.server} instead`);
        return [];
    }
    checkShape(inputs, moved, `the migration from ${before.server}`);
    for (const pack of [...held].reverse()) {
        try {
            await source.uninstall(pack.keyPackId, !inputs.allowDeleteWithIssuedLicenses);
        } catch (err) {
            if (!isGone(err)) throw err;
        }
    }
    progress(`${label(inputs)}: key pack ${moved.keyPackId} holds the ${moved.totalLicenses} licenses moved from ${before.server}`);
    return [moved];
}

/**
 * Convert the pack's key packs to `inputs.licenseType` in place (see the file comment). The chain of
 * keys is walked from its start on every attempt: a key an earlier attempt used answers with its
 * converted pack (whichever old key pack the call names), so conversions a crash hid from state
 * (a refresh after it keeps only the old packs still there) are found again, in order, before any
 * further key pack converts. Once a conversion is new, no earlier one can be pending.
 */
export async function convertPack(before: CalKeyPackInputs, inputs: CalKeyPackInputs, ids: readonly number[]): Promise<KeyPack[]> {
    const server = licenseServer(inputs.connection, inputs.server);
    const listed = await server.listKeyPacks();
    const existed = new Set(listed.map((p) => p.keyPackId));
    const ours = (p: KeyPack) => p.productVersion === before.productVersion && p.licenseType === before.licenseType;
    const pending = [...new Set(ids)].map((id) => listed.find((p) => p.keyPackId === id && ours(p))).filter((p): p is KeyPack => p !== undefined);
    if (issuedOf(pending) > 0) {
        throw issuedError(
            inputs,
            `converted to ${inputs.licenseType}`,
            pending.filter((p) => p.issuedLicenses > 0),
            "ConvertLicenses converts available licenses only: free them first (per-device CALs can be revoked), then run `pulumi up` again",
        );
    }
    progress(`${label(inputs)}: converting key pack ${ids.join(", ")} from ${before.licenseType} to ${inputs.licenseType} (ConvertLicenses)`);
    const gone = ids.find((id) => !pending.some((p) => p.keyPackId === id));
    const converted: KeyPack[] = [];
    let fresh = false;
    for (;;) {
        const source = pending[0];
        // Nothing left to convert: earlier conversions are found through a key pack that is gone.
        if (!source && (fresh || gone === undefined)) break;
        const keyPackId = source?.keyPackId ?? gone!;
        // The keys a create would install the converted packs under (request-keys.ts).
        const key = converted.length === 0 ? createRequestKey(inputs) : growRequestKey(inputs, converted);
        let result: KeyPack;
        try {
            result = await server.convertLicenses(keyPackId, installSpec(inputs, source?.availableLicenses ?? 1), key);
        } catch (err) {
            // A gone key pack and an unknown key: no earlier conversion is left to find.
            if (!source && isGone(err)) break;
            throw err;
        }
        checkShape(inputs, result, `converting key pack ${keyPackId}`);
        if (converted.some((p) => p.keyPackId === result.keyPackId)) break;
        converted.push(result);
        if (!existed.has(result.keyPackId)) {
            fresh = true;
            // A conversion takes every available license: the old key pack is emptied and gone.
            if (source) pending.shift();
        }
    }
    return converted;
}
