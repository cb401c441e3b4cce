/**
 * Bring the key packs of one CalKeyPack to a desired license count. A real server adds a new key pack
 * for every install, so a pack that grew owns several key packs: the first is the resource's ID.
 */
import { createHmac } from "crypto";
import { LicensingError, LicensingErrorKind, type KeyPack, type LicenseServer } from "../../licensing";
import { progress } from "../progress";
import { SECRET_FIELDS, installSpec, type CalKeyPackInputs } from "./inputs";

/**
 * Idempotency key of the first install. Keyed by the pack's numbers so a replacement with other
 * numbers never matches an older install; the numbers themselves never leave this hash.
 */
export function createRequestKey(inputs: CalKeyPackInputs): string {
    const secret = SECRET_FIELDS.map((f) => inputs[f] ?? "").join("|");
    const shape = inputs.program === "retail" ? "retail" : `${inputs.program}|${inputs.productVersion}|${inputs.licenseType}`;
    return createHmac("sha256", secret).update(`${inputs.packKey}|${shape}`).digest("hex").slice(0, 32);
}

const label = (inputs: CalKeyPackInputs) => `${inputs.server}: pack ${inputs.packKey.split("/").pop()}`;

/** Install `count` licenses as the pack's first key pack (or get the one a previous attempt installed). */
export async function installFirst(server: LicenseServer, inputs: CalKeyPackInputs): Promise<KeyPack> {
    progress(`${label(inputs)}: installing ${inputs.count} ${inputs.licenseType} CALs for Windows Server ${inputs.productVersion} (${inputs.program})`);
    const pack = await server.install(installSpec(inputs, inputs.count), createRequestKey(inputs));
    if (pack.productVersion !== inputs.productVersion || pack.licenseType !== inputs.licenseType) {
        throw new LicensingError({
            kind: LicensingErrorKind.EntitlementRefused,
            message:
                `${label(inputs)}: the license code installed key pack ${pack.keyPackId} with ${pack.licenseType} CALs for ` +
                `${pack.productVersion}, but the stack declares ${inputs.licenseType} for ${inputs.productVersion}; ` +
                `correct productVersion/licenseType of this pack in the stack config`,
        });
    }
    progress(`${label(inputs)}: installed key pack ${pack.keyPackId} (${pack.totalLicenses} licenses)`);
    return pack;
}

/** Grow or shrink `packs` (oldest first) to `desired` licenses; returns the packs that remain. */
export async function reconcileCount(
    server: LicenseServer,
    inputs: CalKeyPackInputs,
    packs: KeyPack[],
    desired: number,
): Promise<KeyPack[]> {
    const total = packs.reduce((n, p) => n + p.totalLicenses, 0);
    if (total < desired) return grow(server, inputs, packs, desired - total, desired);
    if (total > desired) return shrink(server, inputs, packs, total - desired);
    return packs;
}

async function grow(server: LicenseServer, inputs: CalKeyPackInputs, packs: KeyPack[], missing: number, desired: number) {
    if (inputs.program === "retail") {
        throw new LicensingError({
            kind: LicensingErrorKind.InvalidParameter,
            message:
                `${label(inputs)}: a retail license code installs a fixed pack of ${packs[0]?.totalLicenses ?? "?"} licenses and cannot grow; ` +
                `add another retail pack with a new license code instead of raising count`,
        });
    }
    progress(`${label(inputs)}: adding ${missing} licenses (to ${desired})`);
    const key = `${createRequestKey(inputs)}:grow:${desired}:${packs[0]?.keyPackId ?? 0}`;
    const added = await server.install(installSpec(inputs, missing), key);
    return [...packs, added];
}

async function shrink(server: LicenseServer, inputs: CalKeyPackInputs, packs: KeyPack[], excess: number) {
    const available = packs.reduce((n, p) => n + p.availableLicenses, 0);
    if (available < excess) {
        const issued = packs.reduce((n, p) => n + p.issuedLicenses, 0);
        throw new LicensingError({
            kind: LicensingErrorKind.NotEnoughAvailable,
            message:
                `${label(inputs)}: cannot remove ${excess} licenses: only ${available} are available (${issued} are issued to users or devices); ` +
                `lower count by at most ${available}, or free issued licenses first`,
        });
    }
    progress(`${label(inputs)}: removing ${excess} available licenses`);
    const result = [...packs];
    // Newest key packs first, so the resource's first key pack (its ID) is kept as long as possible.
    for (let i = result.length - 1; i >= 0 && excess > 0; i--) {
        const pack = result[i];
        const take = Math.min(excess, pack.availableLicenses);
        if (take === 0) continue;
        excess -= take;
        if (i > 0 && take === pack.totalLicenses) {
            await server.uninstall(pack.keyPackId, true);
            result.splice(i, 1);
        } else {
            result[i] = await server.removeLicenses(pack.keyPackId, take, pack.totalLicenses);
        }
    }
    return result;
}
