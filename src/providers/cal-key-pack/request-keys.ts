/**
 * Idempotency keys of installs. A server (or rdls-sim) remembers which key pack each request key
 * installed, so a retry after a crash or a lost reply returns that pack instead of installing again.
 *
 * Two properties matter, and both broke before:
 * - **Unique per situation.** A grow's key is derived from the key packs it starts from (ids and
 *   totals), not from the count it grows to: the same repair attempted twice from the same live
 *   packs (a retry) shares a key, while a second repair after another hand change never matches the
 *   first repair's pack.
 * - **Found again after a crash.** A migration to a server (relocate.ts) runs under the create key,
 *   and a conversion's key packs under the create key and then the grow keys of the packs converted
 *   before them: the keys a fresh create on that server would use. So when a refresh after a crash
 *   has dropped the pack from state (its old key packs are gone) and the next `up` creates it again,
 *   the create gets the migrated or converted packs back instead of installing a second time. Keys
 *   stay unique per stay on a server: an uninstall forgets the keys of its key pack.
 * - **Unrecoverable.** Keys are HMACs under the stack's RequestKeySecret (random, in state only as
 *   ciphertext), so brute-forcing a 7-digit agreement number from a stored key needs that secret.
 */
import { createHmac } from "crypto";
import { LicensingError, LicensingErrorKind, installMethodOf, type KeyPack } from "../../licensing";
import { normalizedNumbers, type CalKeyPackInputs } from "./inputs";

function hmac(inputs: CalKeyPackInputs, parts: string[]): string {
    const secret = inputs.requestKeySecret;
    if (!secret) {
        throw new LicensingError({
            kind: LicensingErrorKind.InvalidParameter,
            message: `${inputs.packKey}: the pack has no requestKeySecret, so its installs could not be retried safely; pass a RequestKeySecret's value (RdsLicensing does this itself)`,
        });
    }
    // What makes a pack this pack: its identity in the stack, its program and shape, its numbers
    // (a retail code's numbers are its shape). Stored on servers: keep every key's spelling.
    const shape = installMethodOf(inputs.program).packFromNumbers ? inputs.program : `${inputs.program}|${inputs.productVersion}|${inputs.licenseType}`;
    const message = [inputs.packKey, shape, ...normalizedNumbers(inputs), ...parts].join("\n");
    return `k2:${createHmac("sha256", secret).update(message).digest("hex").slice(0, 40)}`;
}

/** The key of the pack's first install: the same for every attempt to create this pack. */
export function createRequestKey(inputs: CalKeyPackInputs): string {
    return hmac(inputs, ["create"]);
}

/** The key of an install that grows `packs`: the same only for a retry from the same live packs. */
export function growRequestKey(inputs: CalKeyPackInputs, packs: readonly KeyPack[]): string {
    const base = [...packs].sort((a, b) => a.keyPackId - b.keyPackId).map((p) => `${p.keyPackId}:${p.totalLicenses}`);
    return hmac(inputs, ["grow", ...base]);
}

