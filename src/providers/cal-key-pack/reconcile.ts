/**
 * Bring the key packs of one CalKeyPack to a desired license count. A real server adds a new key pack
 * for every install, so a pack that grew owns several key packs: the first is the resource's ID.
 */
import { LicensingError, LicensingErrorKind, installMethodOf, type KeyPack, type LicenseServer } from "../../licensing";
import { progress } from "../progress";
import { installSpec, type CalKeyPackInputs } from "./inputs";
import { createRequestKey, growRequestKey } from "./request-keys";

const label = (inputs: CalKeyPackInputs) => `${inputs.server}: pack ${inputs.packKey.split("/").pop()}`;
const totalOf = (packs: readonly KeyPack[]) => packs.reduce((n, p) => n + p.totalLicenses, 0);
/** The numbers alone fix the pack (a retail code): consumed at the first install, and it cannot grow. */
const fixedPack = (inputs: CalKeyPackInputs) => installMethodOf(inputs.program).packFromNumbers;

/**
 * Install `count` licenses as the pack's first key pack (or get the one a previous attempt
 * installed). A retail code the server consumed before (the pack was uninstalled by hand, or the
 * server was rebuilt) comes back through ReinstallRetailPurchaseLicenseKeyPack.
 */
export async function installFirst(server: LicenseServer, inputs: CalKeyPackInputs): Promise<KeyPack> {
    progress(`${label(inputs)}: installing ${inputs.count} ${inputs.licenseType} CALs for Windows Server ${inputs.productVersion} (${inputs.program})`);
    const pack = await server.install(installSpec(inputs, inputs.count), createRequestKey(inputs), { allowReinstall: fixedPack(inputs) });
    if (pack.productVersion !== inputs.productVersion || pack.licenseType !== inputs.licenseType) {
        throw new LicensingError({
            kind: LicensingErrorKind.EntitlementRefused,
            message:
                `${label(inputs)}: the license code installed key pack ${pack.keyPackId} with ${pack.licenseType} CALs for ` +
                `${pack.productVersion}, but the stack declares ${inputs.licenseType} for ${inputs.productVersion}; ` +
                `correct productVersion/licenseType of this pack in the stack config`,
        });
    }
    const how = pack.reinstalled ? "reinstalled" : "installed";
    progress(`${label(inputs)}: ${how} key pack ${pack.keyPackId} (${pack.totalLicenses} licenses)`);
    return pack;
}

/** Why the pack is below its count, for the retail pack that cannot grow. */
export interface ReconcileContext {
    /** The total the provider last brought the pack to (outputs' appliedCount). */
    appliedCount?: number;
}

/**
 * Grow or shrink `packs` (oldest first) to `desired` licenses; returns the packs that remain. Each
 * round starts from what the last one left; a retried grow may return a pack an earlier attempt
 * installed (with another count), so a second round evens that out.
 */
export async function reconcileCount(
    server: LicenseServer,
    inputs: CalKeyPackInputs,
    start: KeyPack[],
    desired: number,
    context: ReconcileContext = {},
): Promise<KeyPack[]> {
    let packs = start;
    for (let round = 0; round < 3; round++) {
        const total = totalOf(packs);
        if (total === desired) return packs;
        packs = total < desired ? await grow(server, inputs, packs, desired, context) : await shrink(server, inputs, packs, total - desired);
    }
    if (totalOf(packs) === desired) return packs;
    throw new LicensingError({
        kind: LicensingErrorKind.Failed,
        message: `${label(inputs)}: the key packs hold ${totalOf(packs)} licenses after three rounds, not ${desired}; run \`pulumi refresh\` and \`pulumi up\` again`,
    });
}

function retailCannotGrow(inputs: CalKeyPackInputs, packs: KeyPack[], desired: number, context: ReconcileContext): LicensingError {
    const total = totalOf(packs);
    const ids = packs.map((p) => p.keyPackId).join(", ");
    if (context.appliedCount !== undefined && total < context.appliedCount) {
        const removed = context.appliedCount - total;
        return new LicensingError({
            kind: LicensingErrorKind.NotEnoughAvailable,
            message:
                `${label(inputs)}: ${removed} licenses of this retail pack were removed on the server (key pack ${ids} holds ${total} of ${context.appliedCount}); ` +
                `a retail code cannot install more. Either accept the live count (set count: ${total} for this pack), ` +
                `or reinstall the code: uninstall key pack ${ids} on the server (RD Licensing Manager, or \`rdls-sim uninstall ${ids}\`), ` +
                `then \`pulumi up --refresh\` reinstalls it with all its licenses`,
        });
    }
    return new LicensingError({
        kind: LicensingErrorKind.InvalidParameter,
        message:
            `${label(inputs)}: a retail license code installs a fixed pack of ${total} licenses and cannot grow to ${desired}; ` +
            `set count: ${total}, and add another retail pack with a new license code for more licenses`,
    });
}

async function grow(server: LicenseServer, inputs: CalKeyPackInputs, packs: KeyPack[], desired: number, context: ReconcileContext) {
    if (packs.length === 0) return [await installFirst(server, { ...inputs, count: desired })];
    if (fixedPack(inputs)) throw retailCannotGrow(inputs, packs, desired, context);
    const missing = desired - totalOf(packs);
    progress(`${label(inputs)}: adding ${missing} licenses (to ${desired})`);
    const added = await server.install(installSpec(inputs, missing), growRequestKey(inputs, packs));
    if (packs.some((p) => p.keyPackId === added.keyPackId)) {
        // Cannot happen with keys unique per situation; counting it twice would be worse than stopping.
        throw new LicensingError({
            kind: LicensingErrorKind.Failed,
            message: `${label(inputs)}: the server answered the install of ${missing} licenses with key pack ${added.keyPackId}, which the pack already holds; nothing was counted twice: run \`pulumi refresh\`, then \`pulumi up\``,
        });
    }
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
