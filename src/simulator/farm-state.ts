/**
 * The farm's licensing side as stored: session hosts (hosts/<name>.json), RDS deployments
 * (deployments/<broker>.json), the simulated clock (clock.json) and the licenses a server has issued
 * to users and devices (an optional `licenses` list in the server's own file, so a CAL and the pack
 * count it moves are written in one atomic step). Never anything secret: names, versions, dates.
 */
import { PRODUCT_VERSIONS, type ProductVersion } from "../licensing/codes";
import { invalid, isCount, obj, type Obj } from "./file-checks";
import { HostLicensingMode, type PolicySources } from "../licensing/farm";

export const FARM_FORMAT_VERSION = 1;

/** hosts/<name>.json: one session host (Win32_TerminalServiceSetting and what RCM keeps). */
export interface StoredHost {
    formatVersion: number;
    name: string;
    windowsServerVersion: ProductVersion;
    /** Simulated time of creation (the RD Session Host role installed): the grace period starts here. */
    createdAt: string;
    /** Simulated time the 120-day grace period started. */
    graceStartedAt: string;
    mode: HostLicensingMode;
    /** GetSpecifiedLicenseServerList, in preference order, as configured. */
    licenseServers: string[];
    policy: PolicySources;
    /** Remote executions run with this host as the target (admin actions and connections are not counted). */
    executions: number;
}

/** deployments/<broker>.json: the deployment's licensing (Get-RDLicenseConfiguration) and its hosts. */
export interface StoredDeployment {
    formatVersion: number;
    /** The Connection Broker's name. */
    broker: string;
    createdAt: string;
    mode: HostLicensingMode;
    licenseServers: string[];
    /** Its session hosts (the truth of membership: a host belongs to at most one deployment). */
    sessionHosts: string[];
    /** Remote executions run on the broker. */
    executions: number;
}

/** clock.json: simulated time = real time + offsetMs. Absent = real time. */
export interface StoredClock {
    formatVersion: number;
    offsetMs: number;
}

/**
 * One license a server issued (Win32_TSIssuedLicense): a temporary per-device license, a permanent
 * CAL from a pack, or a per-user CAL counted beyond what the packs hold (over-allocation).
 */
export interface StoredIssuedLicense {
    licenseId: number;
    /**
     * temporary: LicenseStatus 1; active: 2; revoked: 4 (a per-device CAL given back by Revoke, kept
     * until its expiration date, which is when it stops counting against the revocation limit);
     * over-allocated: a per-user CAL no pack backs.
     */
    status: "temporary" | "active" | "revoked" | "over-allocated";
    /** The pack it was issued from (active CALs only). */
    keyPackId?: number;
    /** Per-user CALs: the user (as given, compared case-insensitively). */
    issuedToUser?: string;
    /** Per-device licenses: the client device. */
    issuedToComputer?: string;
    /** Per-device licenses: sHardwareId, derived from the device (absent in files written before it). */
    hardwareId?: string;
    /** The session host that asked for it. */
    host: string;
    /** Simulated time. */
    issueDate: string;
    /** Simulated time; absent for per-user CALs (they do not expire). */
    expirationDate?: string;
}

/** A per-user CAL the server could not issue (Win32_TSLicenseReportFailedPerUserEntry): kept as history. */
export interface StoredFailedIssuance {
    user: string;
    /** The session host that asked. */
    host: string;
    /** Simulated time. */
    date: string;
    reason: string;
}

/** A report GenerateReportEx made (Win32_TSLicenseReport): its tables frozen at generation, until DeleteReport. */
export interface StoredReport {
    fileName: string;
    generatedAt: string;
    /** The tables, by REPORT_TABLES key (see report.ts). */
    tables: Record<string, unknown[]>;
}

/** What a server file gains for the farm (optional: files written before it stay valid). */
export interface IssuedLicensesRecord {
    licenses?: StoredIssuedLicense[];
    nextLicenseId?: number;
    failedIssuances?: StoredFailedIssuance[];
    reports?: StoredReport[];
    nextReportId?: number;
}

export const NO_POLICY: PolicySources = { modeByGroupPolicy: false, licenseServersByGroupPolicy: false };

const isDate = (v: unknown) => typeof v === "string" && !Number.isNaN(Date.parse(v));
const MODES: readonly unknown[] = Object.values(HostLicensingMode);

function checkSettings(s: Obj, file: string): void {
    if (!MODES.includes(s.mode)) invalid(file, `mode must be one of ${MODES.join(", ")}`);
    if (!Array.isArray(s.licenseServers) || !s.licenseServers.every((n) => typeof n === "string")) invalid(file, "licenseServers must be a list of names");
    if (!isCount(s.executions)) invalid(file, "executions must be a count");
}

export function parseHost(raw: unknown, file: string): StoredHost {
    const h = obj(raw, file, "session host");
    if (typeof h.name !== "string" || !h.name) invalid(file, "name is missing");
    if (!PRODUCT_VERSIONS.includes(h.windowsServerVersion as never)) invalid(file, "windowsServerVersion is unknown");
    if (!isDate(h.createdAt) || !isDate(h.graceStartedAt)) invalid(file, "createdAt and graceStartedAt must be dates");
    checkSettings(h, file);
    const p = obj(h.policy, file, "policy");
    if (typeof p.modeByGroupPolicy !== "boolean" || typeof p.licenseServersByGroupPolicy !== "boolean") invalid(file, "policy flags must be booleans");
    return h as unknown as StoredHost;
}

export function parseDeployment(raw: unknown, file: string): StoredDeployment {
    const d = obj(raw, file, "deployment");
    if (typeof d.broker !== "string" || !d.broker) invalid(file, "broker is missing");
    if (!isDate(d.createdAt)) invalid(file, "createdAt must be a date");
    checkSettings(d, file);
    if (!Array.isArray(d.sessionHosts) || !d.sessionHosts.every((n) => typeof n === "string")) invalid(file, "sessionHosts must be a list of names");
    return d as unknown as StoredDeployment;
}

export function parseClock(raw: unknown, file: string): StoredClock {
    if (raw === undefined) return { formatVersion: FARM_FORMAT_VERSION, offsetMs: 0 };
    const c = obj(raw, file, "clock");
    if (typeof c.offsetMs !== "number" || !Number.isSafeInteger(c.offsetMs) || c.offsetMs < 0) invalid(file, "offsetMs must be a whole number >= 0");
    return c as unknown as StoredClock;
}

/** The farm's part of a server file, checked when present. */
export function checkIssuedLicenses(s: Obj, file: string): void {
    if (s.licenses === undefined) return;
    if (!Array.isArray(s.licenses)) invalid(file, "licenses must be a list");
    if (!isCount(s.nextLicenseId)) invalid(file, "nextLicenseId must be a count when licenses exist");
    for (const l of s.licenses as unknown[]) {
        const lic = obj(l, file, "an issued license");
        if (!isCount(lic.licenseId) || (lic.licenseId as number) >= (s.nextLicenseId as number)) invalid(file, "an issued license has a bad licenseId");
        if (!LICENSE_STATES.includes(lic.status)) invalid(file, `issued license ${String(lic.licenseId)} has an unknown status`);
        if ((lic.status === "active" || lic.status === "revoked") && !isCount(lic.keyPackId)) invalid(file, `issued license ${String(lic.licenseId)} has no keyPackId`);
        if (!isDate(lic.issueDate) || typeof lic.host !== "string") invalid(file, `issued license ${String(lic.licenseId)} is malformed`);
    }
    if (s.failedIssuances !== undefined && !(Array.isArray(s.failedIssuances) && s.failedIssuances.every((f) => isDate((f as Obj)?.date) && typeof (f as Obj)?.user === "string"))) {
        invalid(file, "failedIssuances must be a list of { user, host, date, reason }");
    }
    if (s.reports !== undefined && !(Array.isArray(s.reports) && s.reports.every((r) => typeof (r as Obj)?.fileName === "string" && typeof (r as Obj)?.tables === "object"))) {
        invalid(file, "reports must be a list of { fileName, generatedAt, tables }");
    }
}

const LICENSE_STATES: readonly unknown[] = ["temporary", "active", "revoked", "over-allocated"];
