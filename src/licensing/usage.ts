/**
 * What a license server records about the CALs it issued, as data: the tables of a
 * Win32_TSLicenseReport (per-user, per-device, summary, failed per-user issuances) and the
 * outcome of Win32_TSIssuedLicense.Revoke. Names, versions, counts and dates only: never a number
 * a pack was installed with.
 */
import type { LicenseStatus, LicenseType, ProductVersion } from "./codes";

/** A per-user CAL in use (FetchReportEntries), or a user counted beyond the installed per-user CALs. */
export interface PerUserEntry {
    licenseServer: string;
    /** The simulator's license id; 0 from a real server (Win32_TSLicenseReportEntry carries none). */
    licenseId: number;
    user: string;
    /** "over-allocated": no pack backs it (per-user CALs are not enforced). */
    status: "active" | "over-allocated";
    /** The pack it came from (active CALs). */
    keyPackId?: number;
    productVersion?: ProductVersion;
    /** The session host that asked for it (empty when the server's report does not say). */
    host: string;
    /** Empty when the server's report does not say (Win32_TSLicenseReportEntry carries no issue date). */
    issueDate: string;
    /** Win32_TSLicenseReportEntry.ExpirationDate, when the server gives it. */
    expirationDate?: string;
}

/** A per-device license (FetchReportPerDeviceEntries, Win32_TSIssuedLicense). */
export interface PerDeviceEntry {
    licenseServer: string;
    licenseId: number;
    device: string;
    hardwareId?: string;
    status: "temporary" | "active" | "revoked";
    /** Win32_TSIssuedLicense.LicenseStatus of `status`: 1 temporary, 2 active, 4 revoked. */
    licenseStatus: LicenseStatus;
    keyPackId?: number;
    productVersion?: ProductVersion;
    host: string;
    issueDate: string;
    expirationDate?: string;
}

/** Installed and issued CALs of one version and type on one server (FetchReportSummaryEntries). */
export interface SummaryEntry {
    licenseServer: string;
    productVersion: ProductVersion;
    licenseType: LicenseType;
    installed: number;
    /** Issued from packs. */
    issued: number;
    available: number;
    /** Per-user: users counted beyond what the packs hold. */
    overAllocated: number;
}

/** A per-user CAL the server could not issue (FetchReportFailedPerUserEntries). */
export interface FailedPerUserEntry {
    licenseServer: string;
    user: string;
    /** The user's domain (`DOMAIN\user` or `user@domain`), empty when the name carries none. */
    domain: string;
    host: string;
    date: string;
    reason: string;
}

/** Failed issuances per domain (FetchReportFailedPerUserSummaryEntries: DomainName, FailedIssuanceCount). */
export interface FailedPerUserSummaryEntry {
    licenseServer: string;
    domain: string;
    failedIssuanceCount: number;
}

/** One server's report: generated, every table fetched to the end, deleted, in one execution. */
export interface ServerUsageReport {
    licenseServer: string;
    /** GenerateReportEx's FileName (the report is deleted on the server afterwards). */
    fileName: string;
    generatedAt: string;
    perUser: PerUserEntry[];
    perDevice: PerDeviceEntry[];
    summary: SummaryEntry[];
    failedPerUser: FailedPerUserEntry[];
    failedPerUserSummary: FailedPerUserSummaryEntry[];
    /**
     * What went wrong around an otherwise complete report, e.g. DeleteReport failed and the report
     * is still on the server. Absent when there is nothing to say.
     */
    warnings?: string[];
}

/** Why a revocation was refused. */
export const RevokeRefusal = {
    /** Per-user CALs cannot be revoked. */
    PerUser: "per-user",
    /** The version's revocation limit is reached: see nextRevokeAllowedOn. */
    Limit: "limit",
    /** No per-device CAL is issued to that device (temporary licenses cannot be revoked). */
    NotFound: "not-found",
} as const;
export type RevokeRefusal = (typeof RevokeRefusal)[keyof typeof RevokeRefusal];

/** What revoking a device's CAL did, or would do (dry run). */
export interface RevokeOutcome {
    licenseServer: string;
    /** The device (or, refused, the user) named. */
    target: string;
    dryRun: boolean;
    revoked: boolean;
    refusal?: RevokeRefusal;
    message: string;
    licenseId?: number;
    keyPackId?: number;
    productVersion?: ProductVersion;
    /** The version's limit: 20 % of its installed per-device CALs, at least 1. */
    limit?: number;
    /** RevokableCals: how many more of that version may be revoked now (after this one, when revoked). */
    revokableCals?: number;
    /** NextRevokeAllowedOn: when the limit frees up (the earliest expiry of a revoked CAL of that version). */
    nextRevokeAllowedOn?: string;
}

/** The report and revocation operations, run as one remote execution per server and call. */
export type UsageOperation =
    | {
          op: "usage-report";
          /**
           * Entries per Fetch call; 0 asks for all from StartIndex in one call.
           * @default 0
           */
          pageSize?: number;
      }
    | { op: "revoke-cal"; device?: string; user?: string; dryRun?: boolean };

export interface UsageOperationValues {
    "usage-report": ServerUsageReport;
    "revoke-cal": RevokeOutcome;
}
