/**
 * Rules on installed packs: removal of available licenses, uninstall, and the admin actions that
 * model users and humans (issue, revoke). Only available licenses can ever be removed.
 */
import type { CodeContext } from "../licensing/errors";
import type { InstallSpec, InstalledKeyPack, KeyPack } from "../licensing/operations";
import { isValidLicenseCount, MAX_LICENSE_COUNT } from "../licensing/numbers";
import { refuse, refuseGuard } from "./refusal";
import { publicPack, requireActivated } from "./rules-server";
import type { StoredPack, StoredServer } from "./state";

/** Per-device CALs can be revoked up to this share of a pack. */
export const REVOCABLE_SHARE = 0.2;

export function checkCount(count: unknown, context: CodeContext): asserts count is number {
    if (!isValidLicenseCount(count)) {
        refuse(context, "invalid-parameter", `the license count must be a whole number from 1 to ${MAX_LICENSE_COUNT}`);
    }
}

export function findPack(s: StoredServer, keyPackId: unknown, context: CodeContext): StoredPack {
    const pack = s.packs.find((p) => p.keyPackId === keyPackId);
    if (!pack) refuse(context, "not-found", `license server ${s.name} has no key pack with id ${String(keyPackId)}`);
    return pack;
}

/**
 * RemoveLicensesWithIdCount: shrink a pack by `count` available licenses. With `expectedTotal`, only
 * while the pack's total still is that (a retry after a lost reply must not remove twice).
 */
export function removeLicenses(s: StoredServer, keyPackId: unknown, count: unknown, expectedTotal?: number): KeyPack {
    const context = "remove-licenses";
    requireActivated(s, context);
    checkCount(count, context);
    const pack = findPack(s, keyPackId, context);
    if (expectedTotal !== undefined && pack.totalLicenses !== expectedTotal) {
        refuseGuard("conflict", `key pack ${pack.keyPackId} holds ${pack.totalLicenses} licenses, not the expected ${expectedTotal}; nothing removed`);
    }
    if (count > pack.availableLicenses) {
        refuse(
            context,
            "not-enough-available",
            `key pack ${pack.keyPackId} has ${pack.availableLicenses} available licenses (${pack.issuedLicenses} issued ones cannot be removed); cannot remove ${count}`,
        );
    }
    pack.totalLicenses -= count;
    pack.availableLicenses -= count;
    return publicPack(pack);
}

/**
 * ConvertLicenses on key pack `keyPackId`, our reading (docs/fidelity.md): `spec.count` of its
 * *available* licenses (issued ones stay where they are) leave it for a new key pack of the other
 * license type, same version, program and entitlement; a pack left with no licenses is removed (its id
 * is never reused). `requestHash` records the new pack, so a retry returns it instead of converting again.
 */
export function convertLicenses(s: StoredServer, keyPackId: unknown, spec: InstallSpec, requestHash: string): InstalledKeyPack {
    const context = "install";
    const pack = findPack(s, keyPackId, context);
    if (pack.licenseType === spec.licenseType) {
        refuse(context, "invalid-parameter", `key pack ${pack.keyPackId} already holds ${pack.licenseType} CALs; ConvertLicenses flips the type`);
    }
    if (pack.productVersion !== spec.productVersion) {
        refuse(context, "invalid-parameter", `key pack ${pack.keyPackId} holds Windows Server ${pack.productVersion} CALs, not ${spec.productVersion}`);
    }
    if (spec.count > pack.availableLicenses) {
        refuse(
            context,
            "not-enough-available",
            `key pack ${pack.keyPackId} has ${pack.availableLicenses} available licenses (${pack.issuedLicenses} issued ones cannot be converted); cannot convert ${spec.count}`,
        );
    }
    const converted: StoredPack = {
        ...structuredClone(pack),
        keyPackId: s.nextKeyPackId,
        description: pack.description.replace(/Per (User|Device)/, spec.licenseType === "per-user" ? "Per User" : "Per Device"),
        licenseType: spec.licenseType,
        totalLicenses: spec.count,
        issuedLicenses: 0,
        availableLicenses: spec.count,
        revokedLicenses: 0,
        convertedFrom: pack.keyPackId,
    };
    delete converted.importedFrom;
    s.nextKeyPackId += 1;
    pack.totalLicenses -= spec.count;
    pack.availableLicenses -= spec.count;
    if (pack.totalLicenses === 0) s.packs = s.packs.filter((p) => p !== pack);
    s.packs.push(converted);
    s.requests[requestHash] = converted.keyPackId;
    return publicPack(converted);
}

/** UninstallLicenseKeyPackWithId: the pack goes, issued licenses with it (unless `refuseIfIssued`). */
export function uninstall(s: StoredServer, keyPackId: unknown, refuseIfIssued = false): { keyPackId: number } {
    const context = "uninstall";
    requireActivated(s, context);
    const pack = findPack(s, keyPackId, context);
    if (refuseIfIssued && pack.issuedLicenses > 0) {
        refuseGuard("licenses-issued", `key pack ${pack.keyPackId} has ${pack.issuedLicenses} issued licenses; not uninstalled`);
    }
    s.packs = s.packs.filter((p) => p !== pack);
    for (const [request, id] of Object.entries(s.requests)) if (id === pack.keyPackId) delete s.requests[request];
    return { keyPackId: pack.keyPackId };
}

/** A client takes `count` licenses from the pack (users connecting). */
export function issue(s: StoredServer, keyPackId: unknown, count: unknown): KeyPack {
    // Reported like a removal: asking for more than is available.
    const context = "remove-licenses";
    requireActivated(s, context);
    checkCount(count, context);
    const pack = findPack(s, keyPackId, context);
    if (count > pack.availableLicenses) {
        refuse(context, "not-enough-available", `key pack ${pack.keyPackId} has only ${pack.availableLicenses} available licenses to issue`);
    }
    pack.issuedLicenses += count;
    pack.availableLicenses -= count;
    return publicPack(pack);
}

/**
 * Revoke issued per-device licenses back to available. Per-user CALs cannot be revoked, and at most
 * 20 % of a pack's licenses can be revoked in its lifetime (the real server counts the 20 % within a
 * time window; the simulator never resets it, which is the stricter reading).
 */
export function revoke(s: StoredServer, keyPackId: unknown, count: unknown): KeyPack {
    const context = "read";
    requireActivated(s, "remove-licenses");
    checkCount(count, context);
    const pack = findPack(s, keyPackId, context);
    if (pack.licenseType === "per-user") refuse(context, "failed", `key pack ${pack.keyPackId} holds per-user CALs, which cannot be revoked`);
    if (count > pack.issuedLicenses) {
        refuse(context, "invalid-parameter", `key pack ${pack.keyPackId} has only ${pack.issuedLicenses} issued licenses to revoke`);
    }
    const limit = Math.floor(pack.totalLicenses * REVOCABLE_SHARE);
    if (pack.revokedLicenses + count > limit) {
        refuse(
            context,
            "invalid-parameter",
            `per-device revocation is limited to 20% of the pack (${limit} for key pack ${pack.keyPackId}); ${pack.revokedLicenses} already revoked`,
        );
    }
    pack.issuedLicenses -= count;
    pack.availableLicenses += count;
    pack.revokedLicenses += count;
    return publicPack(pack);
}
