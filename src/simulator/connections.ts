/**
 * A user connects to a session host, and the host gets a license the way RD Session Host does, as
 * pure rules over the host and the license servers it lists (drafts the caller writes back):
 * - only listed servers it can reach as valid (activated, not older than the host), in list order;
 * - only CALs of the host's mode and of its Windows Server version or newer, the oldest such version
 *   first (lowest key pack id among equals);
 * - per device: a temporary license (90 days) at a device's first connection, a permanent CAL from a
 *   pack at a later one (the pack's issued count +1), renewed at each connection to a random 52-89
 *   days; a permanent CAL that expires unused goes back to its pack;
 * - per user: a CAL from a pack (issued +1), kept for good; with none available the connection
 *   still succeeds and is recorded as over-allocated (per-user CALs are not enforced);
 * - NotConfigured, or no license to be had: the 120-day grace period lets it in, after it the
 *   connection is refused with the text the client shows.
 */
import { createHash } from "node:crypto";
import { CONNECTABLE, HostLicensingMode } from "../licensing/farm";
import type { LicenseType, ProductVersion } from "../licensing/codes";
import { calServesHost } from "../licensing/health";
import { LicensingError } from "../licensing/errors";
import { DAY_MS } from "./clock";
import type { StoredHost, StoredIssuedLicense } from "./farm-state";
import { connectivity, graceDaysLeft, inGracePeriod, licenseServerKey } from "./rules-farm";
import type { StoredPack, StoredServer } from "./state";

/** What the Remote Desktop client shows when no license server can license the connection. */
export const NO_LICENSE_SERVERS_TEXT =
    "The remote session was disconnected because there are no Remote Desktop License Servers available to provide a license. Please contact the server administrator.";
/** What it shows when a device's temporary license has expired and no per-device CAL can be had. */
export const NO_DEVICE_CALS_TEXT =
    "The remote session was disconnected because there are no Remote Desktop client access licenses available for this computer. Please contact the server administrator.";

export const TEMPORARY_LICENSE_DAYS = 90;
/** A permanent per-device CAL is assigned for a random 52 to 89 days, renewed when the device connects. */
export const DEVICE_CAL_MIN_DAYS = 52;
export const DEVICE_CAL_MAX_DAYS = 89;

export interface ConnectRequest {
    user: string;
    device?: string;
}

export type LicenseKind = "per-user-cal" | "per-device-cal" | "temporary" | "over-allocated" | "grace";

export interface ConnectResult {
    host: string;
    user: string;
    device?: string;
    mode: HostLicensingMode;
    connected: boolean;
    /** How the connection was licensed (connected only). */
    license?: LicenseKind;
    /** The server that issued (or holds) the license. */
    licenseServer?: string;
    keyPackId?: number;
    licenseId?: number;
    /** Simulated time the license stops being valid (per-device licenses). */
    expirationDate?: string;
    graceDaysLeft: number;
    /** The text the client shows when refused; a sentence saying what happened otherwise. */
    message: string;
}

export interface ConnectEnv {
    now: Date;
    /** In [0, 1): picks a permanent device CAL's assignment period. */
    random(): number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@\\ -]{0,127}$/;

export function checkConnectRequest(r: ConnectRequest, mode: HostLicensingMode): void {
    if (typeof r?.user !== "string" || !NAME.test(r.user)) {
        throw new LicensingError({ kind: "invalid-parameter", message: "the user is 1 to 128 letters, digits and . _ @ \\ - or spaces, starting with a letter or digit" });
    }
    if (r.device !== undefined && (typeof r.device !== "string" || !NAME.test(r.device))) {
        throw new LicensingError({ kind: "invalid-parameter", message: "the device is 1 to 128 letters, digits and . _ @ \\ - or spaces, starting with a letter or digit" });
    }
    if (mode === HostLicensingMode.PerDevice && r.device === undefined) {
        throw new LicensingError({ kind: "invalid-parameter", message: "the host is in per-device mode: name the client device (--device)" });
    }
}

const same = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
const plusDays = (now: Date, days: number) => new Date(now.getTime() + days * DAY_MS).toISOString();

/**
 * Keep a server's records in line with its packs and the clock: a CAL of a pack that is gone, or
 * beyond the pack's issued count (revoked by hand), is dropped; a permanent device CAL past its
 * expiry goes back to its pack. True when anything changed.
 */
export function reconcileLicenses(s: StoredServer, now: Date): boolean {
    if (!s.licenses || s.licenses.length === 0) return false;
    const before = JSON.stringify(s);
    const kept: StoredIssuedLicense[] = [];
    const held = new Map<number, number>();
    for (const lic of s.licenses) {
        if (lic.status !== "active") {
            kept.push(lic);
            continue;
        }
        const pack = s.packs.find((p) => p.keyPackId === lic.keyPackId);
        if (!pack) continue;
        if (lic.expirationDate !== undefined && Date.parse(lic.expirationDate) <= now.getTime()) {
            if (pack.issuedLicenses > 0) {
                pack.issuedLicenses -= 1;
                pack.availableLicenses += 1;
            }
            continue;
        }
        kept.push(lic);
        held.set(pack.keyPackId, (held.get(pack.keyPackId) ?? 0) + 1);
    }
    // More records than the pack counts as issued: the newest are the ones it still knows.
    for (const [id, count] of held) {
        const pack = s.packs.find((p) => p.keyPackId === id)!;
        let extra = count - pack.issuedLicenses;
        for (let i = 0; extra > 0 && i < kept.length; i++) {
            if (kept[i]!.status === "active" && kept[i]!.keyPackId === id) {
                kept.splice(i--, 1);
                extra--;
            }
        }
    }
    s.licenses = kept;
    return JSON.stringify(s) !== before;
}

/** The pack a CAL comes from on this server: right type, the host's version or newer, oldest version first. */
export function eligiblePack(s: StoredServer, type: LicenseType, hostVersion: ProductVersion): StoredPack | undefined {
    return s.packs
        .filter((p) => p.licenseType === type && calServesHost(p.productVersion, hostVersion) && p.availableLicenses > 0)
        .sort((a, b) => Number(a.productVersion) - Number(b.productVersion) || a.keyPackId - b.keyPackId)[0];
}

function record(s: StoredServer, lic: Omit<StoredIssuedLicense, "licenseId">): StoredIssuedLicense {
    s.licenses ??= [];
    s.nextLicenseId ??= 1;
    const full: StoredIssuedLicense = { licenseId: s.nextLicenseId++, ...lic };
    s.licenses.push(full);
    return full;
}

/** sHardwareId of a simulated device: stable per device name (case-insensitive), shaped like the real one. */
export function hardwareIdOf(device: string): string {
    const hex = createHash("sha256").update(device.toLowerCase()).digest("hex");
    return [0, 8, 16, 24, 32].map((at) => `0x${hex.slice(at, at + 8)}`).join("-");
}

/** The most failed issuances a server file keeps (the oldest go first). */
export const MAX_FAILED_ISSUANCES = 1000;

/** A per-user CAL the server could not issue from a pack: the report's failed per-user entries. */
function recordFailure(s: StoredServer, user: string, host: string, now: Date, reason: string): void {
    s.failedIssuances = [...(s.failedIssuances ?? []), { user, host, date: now.toISOString(), reason }].slice(-MAX_FAILED_ISSUANCES);
}

function take(pack: StoredPack): void {
    pack.issuedLicenses += 1;
    pack.availableLicenses -= 1;
}

/**
 * Connect `request` to `host`. `servers` holds drafts of the servers the host lists (by file key);
 * the keys of the ones changed are returned, for the caller to write.
 */
export function connect(host: StoredHost, request: ConnectRequest, servers: Map<string, StoredServer>, env: ConnectEnv): { result: ConnectResult; changed: Set<string> } {
    const { now } = env;
    checkConnectRequest(request, host.mode);
    const changed = new Set<string>();
    const lookup = (key: string) => servers.get(key);
    // The servers that can license it, in the host's order.
    const valid: { key: string; server: StoredServer }[] = [];
    for (const entry of host.licenseServers) {
        const key = licenseServerKey(entry);
        if (!key || valid.some((v) => v.key === key) || !CONNECTABLE.has(connectivity(host, entry, lookup))) continue;
        valid.push({ key, server: servers.get(key)! });
    }
    for (const { key, server } of valid) if (reconcileLicenses(server, now)) changed.add(key);

    const base = { host: host.name, user: request.user, mode: host.mode, graceDaysLeft: graceDaysLeft(host, now) } as const;
    const withDevice = request.device === undefined ? base : { ...base, device: request.device };
    const ok = (license: LicenseKind, message: string, extra: Partial<ConnectResult> = {}): ConnectResult => ({ ...withDevice, connected: true, license, message, ...extra });
    const orGrace = (refusal: string, why: string): ConnectResult =>
        inGracePeriod(host, now)
            ? ok("grace", `connected without a license: ${why}; the grace period lets it in (${base.graceDaysLeft} day(s) left)`)
            : { ...withDevice, connected: false, message: refusal };
    const done = (result: ConnectResult) => ({ result, changed });

    if (host.mode === HostLicensingMode.NotConfigured) return done(orGrace(NO_LICENSE_SERVERS_TEXT, "the licensing mode is not configured"));
    if (valid.length === 0) {
        const why = host.licenseServers.length === 0 ? "no license server is specified" : "no listed license server can issue licenses (see its connectivity)";
        return done(orGrace(NO_LICENSE_SERVERS_TEXT, why));
    }

    if (host.mode === HostLicensingMode.PerUser) {
        for (const { server } of valid) {
            const held = server.licenses?.find((l) => l.status === "active" && same(l.issuedToUser, request.user));
            if (held) return done(ok("per-user-cal", `${request.user} holds a per-user CAL from ${server.name}`, { licenseServer: server.name, keyPackId: held.keyPackId, licenseId: held.licenseId }));
        }
        for (const { key, server } of valid) {
            const pack = eligiblePack(server, "per-user", host.windowsServerVersion);
            if (!pack) continue;
            take(pack);
            // A user counted as over-allocated before now holds a real CAL instead.
            server.licenses = (server.licenses ?? []).filter((l) => !(l.status === "over-allocated" && same(l.issuedToUser, request.user)));
            const lic = record(server, { status: "active", keyPackId: pack.keyPackId, issuedToUser: request.user, host: host.name, issueDate: now.toISOString() });
            changed.add(key);
            return done(ok("per-user-cal", `issued a per-user CAL of key pack ${pack.keyPackId} on ${server.name} to ${request.user}`, { licenseServer: server.name, keyPackId: pack.keyPackId, licenseId: lic.licenseId }));
        }
        const noCal = `no per-user CAL of Windows Server ${host.windowsServerVersion} or newer is available`;
        for (const { key, server } of valid) {
            const over = server.licenses?.find((l) => l.status === "over-allocated" && same(l.issuedToUser, request.user));
            if (!over) continue;
            recordFailure(server, request.user, host.name, now, noCal);
            changed.add(key);
            return done(ok("over-allocated", `${request.user} is still counted beyond the per-user CALs of ${server.name}`, { licenseServer: server.name, licenseId: over.licenseId }));
        }
        const first = valid[0]!;
        const lic = record(first.server, { status: "over-allocated", issuedToUser: request.user, host: host.name, issueDate: now.toISOString() });
        recordFailure(first.server, request.user, host.name, now, noCal);
        changed.add(first.key);
        return done(ok("over-allocated", `no per-user CAL of Windows Server ${host.windowsServerVersion} or newer is available: ${request.user} is counted beyond what ${first.server.name} holds (over-allocation)`, { licenseServer: first.server.name, licenseId: lic.licenseId }));
    }

    // Per device.
    const device = request.device!;
    for (const { key, server } of valid) {
        const held = server.licenses?.find((l) => l.status === "active" && same(l.issuedToComputer, device));
        if (!held) continue;
        held.expirationDate = deviceCalExpiry(now, env.random);
        changed.add(key);
        return done(ok("per-device-cal", `${device} holds a per-device CAL from ${server.name}, renewed`, { licenseServer: server.name, keyPackId: held.keyPackId, licenseId: held.licenseId, expirationDate: held.expirationDate }));
    }
    const temporary = valid.flatMap(({ key, server }) => (server.licenses ?? []).filter((l) => l.status === "temporary" && same(l.issuedToComputer, device)).map((l) => ({ key, server, l })))[0];
    if (!temporary) {
        const first = valid[0]!;
        const lic = record(first.server, { status: "temporary", issuedToComputer: device, hardwareId: hardwareIdOf(device), host: host.name, issueDate: now.toISOString(), expirationDate: plusDays(now, TEMPORARY_LICENSE_DAYS) });
        changed.add(first.key);
        return done(ok("temporary", `first connection of ${device}: ${first.server.name} issued a temporary license for ${TEMPORARY_LICENSE_DAYS} days`, { licenseServer: first.server.name, licenseId: lic.licenseId, expirationDate: lic.expirationDate }));
    }
    for (const { key, server } of valid) {
        const pack = eligiblePack(server, "per-device", host.windowsServerVersion);
        if (!pack) continue;
        take(pack);
        const lic = record(server, { status: "active", keyPackId: pack.keyPackId, issuedToComputer: device, hardwareId: hardwareIdOf(device), host: host.name, issueDate: now.toISOString(), expirationDate: deviceCalExpiry(now, env.random) });
        changed.add(key);
        // The temporary license is replaced by the permanent one.
        temporary.server.licenses = temporary.server.licenses!.filter((l) => l !== temporary.l);
        changed.add(temporary.key);
        return done(ok("per-device-cal", `issued a per-device CAL of key pack ${pack.keyPackId} on ${server.name} to ${device}`, { licenseServer: server.name, keyPackId: pack.keyPackId, licenseId: lic.licenseId, expirationDate: lic.expirationDate }));
    }
    if (temporary.l.expirationDate !== undefined && Date.parse(temporary.l.expirationDate) > now.getTime()) {
        return done(ok("temporary", `no per-device CAL of Windows Server ${host.windowsServerVersion} or newer is available: ${device} still has its temporary license`, { licenseServer: temporary.server.name, licenseId: temporary.l.licenseId, expirationDate: temporary.l.expirationDate }));
    }
    return done(orGrace(NO_DEVICE_CALS_TEXT, `the temporary license of ${device} has expired and no per-device CAL is available`));
}

export function deviceCalExpiry(now: Date, random: () => number): string {
    const span = DEVICE_CAL_MAX_DAYS - DEVICE_CAL_MIN_DAYS + 1;
    const days = DEVICE_CAL_MIN_DAYS + Math.min(span - 1, Math.floor(random() * span));
    return plusDays(now, days);
}
