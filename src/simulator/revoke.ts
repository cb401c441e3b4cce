/**
 * Win32_TSIssuedLicense.Revoke as the simulator enforces it, as pure rules over a server draft:
 * - per-device CALs only (a per-user CAL, or a device with only a temporary license, is refused);
 * - at any time at most 20 % of one version's installed per-device CALs, and at least one, may be
 *   in the revoked state (the rule of Microsoft's "Manual Revocation of CALs" note: once the share
 *   is revoked, the next revocation waits until a revoked CAL of that version expires);
 * - a revoked CAL goes back to its pack at once (issued -1, available +1) and keeps its expiration
 *   date, which is when it stops counting against the limit: the earliest such date is
 *   NextRevokeAllowedOn.
 */
import { revocationLimit, type ProductVersion } from "../licensing/codes";
import { RevokeRefusal, type RevokeOutcome } from "../licensing/usage";
import type { StoredIssuedLicense } from "./farm-state";
import type { StoredServer } from "./state";

const same = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();

export interface RevocationState {
    limit: number;
    /** Revoked CALs of the version still before their expiration date. */
    inForce: StoredIssuedLicense[];
    revokableCals: number;
    nextRevokeAllowedOn?: string;
}

/** The revocation budget of one version's per-device CALs on a server, now. */
export function revocationState(s: StoredServer, version: ProductVersion, now: Date): RevocationState {
    const packs = s.packs.filter((p) => p.licenseType === "per-device" && p.productVersion === version);
    const ids = new Set(packs.map((p) => p.keyPackId));
    const installed = packs.reduce((n, p) => n + p.totalLicenses, 0);
    const limit = revocationLimit(installed);
    const inForce = (s.licenses ?? []).filter(
        (l) => l.status === "revoked" && ids.has(l.keyPackId!) && (l.expirationDate === undefined || Date.parse(l.expirationDate) > now.getTime()),
    );
    const next = inForce.map((l) => l.expirationDate).filter((d): d is string => d !== undefined).sort()[0];
    return { limit, inForce, revokableCals: Math.max(0, limit - inForce.length), ...(next ? { nextRevokeAllowedOn: next } : {}) };
}

export interface RevokeTarget {
    device?: string;
    user?: string;
}

/**
 * Revoke the per-device CAL issued to `target.device` (dry run: only say what would happen).
 * The draft changes only when a CAL is revoked.
 */
export function revokeCal(s: StoredServer, target: RevokeTarget, now: Date, dryRun: boolean): RevokeOutcome {
    const name = target.device ?? target.user ?? "";
    const base = { licenseServer: s.name, target: name, dryRun, revoked: false } as const;
    if (target.device === undefined) {
        const held = (s.licenses ?? []).find((l) => same(l.issuedToUser, name) && (l.status === "active" || l.status === "over-allocated"));
        return {
            ...base,
            refusal: RevokeRefusal.PerUser,
            ...(held ? { licenseId: held.licenseId, ...(held.keyPackId === undefined ? {} : { keyPackId: held.keyPackId }) } : {}),
            message: `${name} ${held ? "holds a per-user CAL" : "is a user"}: only per-device CALs can be revoked (Win32_TSIssuedLicense.Revoke); a per-user CAL stays issued`,
        };
    }
    const lic = (s.licenses ?? []).find((l) => l.status === "active" && same(l.issuedToComputer, name));
    const pack = lic && s.packs.find((p) => p.keyPackId === lic.keyPackId);
    if (!lic || !pack) {
        const temporary = (s.licenses ?? []).some((l) => l.status === "temporary" && same(l.issuedToComputer, name));
        return {
            ...base,
            refusal: RevokeRefusal.NotFound,
            message: temporary
                ? `${name} has a temporary license only on ${s.name}: only permanent per-device CALs can be revoked`
                : `no per-device CAL is issued to ${name} on ${s.name}`,
        };
    }
    const state = revocationState(s, pack.productVersion, now);
    const found = { licenseId: lic.licenseId, keyPackId: pack.keyPackId, productVersion: pack.productVersion, limit: state.limit } as const;
    if (state.revokableCals === 0) {
        return {
            ...base,
            ...found,
            refusal: RevokeRefusal.Limit,
            revokableCals: 0,
            ...(state.nextRevokeAllowedOn ? { nextRevokeAllowedOn: state.nextRevokeAllowedOn } : {}),
            message: `${state.inForce.length} of at most ${state.limit} Windows Server ${pack.productVersion} per-device CALs on ${s.name} are revoked already (20 % of those installed); the next revocation is allowed on ${state.nextRevokeAllowedOn ?? "the expiry of a revoked CAL"}`,
        };
    }
    const left = state.revokableCals - 1;
    if (dryRun) {
        return { ...base, ...found, revokableCals: state.revokableCals, message: `would revoke the per-device CAL of ${name} (license ${lic.licenseId}, key pack ${pack.keyPackId}); ${left} more of Windows Server ${pack.productVersion} could be revoked after it` };
    }
    lic.status = "revoked";
    pack.issuedLicenses = Math.max(0, pack.issuedLicenses - 1);
    pack.availableLicenses += 1;
    return { ...base, ...found, revoked: true, revokableCals: left, message: `revoked the per-device CAL of ${name} (license ${lic.licenseId}, key pack ${pack.keyPackId}): it is available again; ${left} more of Windows Server ${pack.productVersion} can be revoked now` };
}
