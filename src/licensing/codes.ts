/**
 * The numeric code tables of the WMI licensing surface (Win32_TSLicenseKeyPack, Win32_TSLicenseServer),
 * kept in one place so the simulator, the PowerShell driver and the provider agree on every number.
 * Source: Microsoft Learn pages for those classes; see docs/licensing-facts in the README.
 */

// The programs (ids, labels, AgreementType codes, methods) are in catalog.ts; these type names are
// kept here for the modules that import them from this file.
export type { AgreementProgram, LicenseProgram } from "./programs";

/** Win32_TSLicenseKeyPack.KeyPackType. */
export const KeyPackType = {
    Unknown: 0,
    Retail: 1,
    Volume: 2,
    Concurrent: 3,
    Temporary: 4,
    OpenLicense: 5,
    NotSupported: 6,
} as const;
export type KeyPackType = (typeof KeyPackType)[keyof typeof KeyPackType];

/** Per-user or per-device CALs, as the stack config names them. */
export const LicenseType = { PerUser: "per-user", PerDevice: "per-device" } as const;
export type LicenseType = (typeof LicenseType)[keyof typeof LicenseType];
export const LICENSE_TYPES = [LicenseType.PerUser, LicenseType.PerDevice] as const satisfies readonly LicenseType[];

/** Win32_TSLicenseKeyPack.ProductType (3 = built-in appears in newer docs only). */
export const PRODUCT_TYPE = { "per-device": 0, "per-user": 1 } as const satisfies Record<LicenseType, number>;
export const PRODUCT_TYPE_BUILT_IN = 3;

export function licenseTypeFromProductType(code: number): LicenseType | undefined {
    if (code === PRODUCT_TYPE["per-device"]) return "per-device";
    if (code === PRODUCT_TYPE["per-user"]) return "per-user";
    return undefined;
}

/** Windows Server / CAL versions the product manages. */
export const PRODUCT_VERSIONS = ["2016", "2019", "2022", "2025"] as const;
export type ProductVersion = (typeof PRODUCT_VERSIONS)[number];

/**
 * ProductVersionID codes. 2025 has no documented code: 8 is the expected next value, and it can be
 * overridden (`productVersionIds` option of the drivers) once a real server shows otherwise.
 */
export const DEFAULT_PRODUCT_VERSION_IDS: Readonly<Record<ProductVersion, number>> = {
    "2016": 5,
    "2019": 6,
    "2022": 7,
    "2025": 8,
};

export function productVersionFromId(
    id: number,
    ids: Readonly<Record<ProductVersion, number>> = DEFAULT_PRODUCT_VERSION_IDS,
): ProductVersion | undefined {
    return PRODUCT_VERSIONS.find((v) => ids[v] === id);
}

/** A license server holds CALs of its own Windows Server version or older. */
export function serverAcceptsCalVersion(serverVersion: ProductVersion, calVersion: ProductVersion): boolean {
    return Number(calVersion) <= Number(serverVersion);
}

/** Win32_TSLicenseServer.GetActivationStatus. */
export const ActivationStatus = { Activated: 0, NotActivated: 1, Unknown: 2 } as const;
export type ActivationStatus = (typeof ActivationStatus)[keyof typeof ActivationStatus];

/**
 * What each ActivationStatus means, as the documentation of GetActivationStatus and of the
 * ActivationStatus out-value of ActivateServerAutomatic / DeactivateServerAutomatic gives it.
 */
export const ACTIVATION_STATUS_MEANING: Readonly<Record<ActivationStatus, string>> = {
    0: "the license server is activated",
    1: "the license server is not activated",
    2: "an unknown error occurred: it is not known whether the license server is activated",
};

/** Win32_TSLicenseServer.ReactivateServerAutomatic Reason. */
export const REACTIVATION_REASONS = [0, 1, 2, 3, 4] as const;

/** The description every server's built-in pack carries; readers filter it out. */
export const BUILT_IN_PACK_DESCRIPTION = "Built-in TS Per Device Cal";

/** WMI return codes (WBEM_E_*) that the provider reports for licensing methods. */
export const WbemCode = {
    Success: 0,
    Failed: 0x80041001,
    NotFound: 0x80041002,
    AccessDenied: 0x80041003,
    InvalidParameter: 0x80041008,
    NotAvailable: 0x80041009,
    InvalidOperation: 0x80041016,
    ValueOutOfRange: 0x8004102b,
    /** Method parameters not valid (e.g. a license count out of range on an install). */
    InvalidMethodParameters: 0x8004102f,
} as const;
export type WbemCode = (typeof WbemCode)[keyof typeof WbemCode];

export function wbemName(code: number): string {
    const entry = Object.entries(WbemCode).find(([, v]) => v === code);
    return entry ? `WBEM_E_${entry[0].replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase()}` : `0x${(code >>> 0).toString(16)}`;
}

/** What each WBEM code means, in the words of the WMI error constants' documentation (WBEM_E_*). */
export const WBEM_MEANING: Readonly<Record<number, string>> = {
    [WbemCode.Failed]: "the call failed",
    [WbemCode.NotFound]: "the object cannot be found",
    [WbemCode.AccessDenied]: "the current user does not have permission to perform the action",
    [WbemCode.InvalidParameter]: "one of the parameters to the call is not correct",
    [WbemCode.NotAvailable]: "the resource, typically a remote server, is not currently available",
    [WbemCode.InvalidOperation]: "the requested operation is not valid",
    [WbemCode.ValueOutOfRange]: "a value is out of range",
    [WbemCode.InvalidMethodParameters]: "the parameters provided for the method are not valid",
};

/** `WBEM_E_NAME: meaning` for a known code, else its hexadecimal form. */
export function wbemDescription(code: number): string {
    const meaning = WBEM_MEANING[code >>> 0];
    return meaning ? `${wbemName(code >>> 0)}: ${meaning}` : wbemName(code >>> 0);
}

/** Win32_TSIssuedLicense.LicenseStatus. */
export const LicenseStatus = {
    Unknown: 0,
    Temporary: 1,
    Active: 2,
    Upgrade: 3,
    Revoked: 4,
    Pending: 5,
    Concurrent: 6,
} as const;
export type LicenseStatus = (typeof LicenseStatus)[keyof typeof LicenseStatus];

/** LSERVER_I_NO_MORE_DATA: what a Fetch*Entries method of Win32_TSLicenseReport returns past the last entry. */
export const LSERVER_I_NO_MORE_DATA = 0x4001;

/**
 * The tables of a Win32_TSLicenseReport (GenerateReportEx, Windows Server 2012 or later): the method
 * that pages through each with (StartIndex, Count), Count 0 meaning "all from StartIndex", and the
 * name of its [out] array.
 */
export const REPORT_TABLES = {
    perUser: { method: "FetchReportEntries", out: "ReportEntries" },
    perDevice: { method: "FetchReportPerDeviceEntries", out: "ReportPerDeviceEntries" },
    summary: { method: "FetchReportSummaryEntries", out: "ReportSummaryEntries" },
    failedPerUser: { method: "FetchReportFailedPerUserEntries", out: "ReportFailedPerUserEntries" },
    failedPerUserSummary: { method: "FetchReportFailedPerUserSummaryEntries", out: "ReportFailedPerUserSummaryEntries" },
} as const;
export type ReportTable = keyof typeof REPORT_TABLES;
export const REPORT_TABLE_NAMES = Object.keys(REPORT_TABLES) as ReportTable[];

/**
 * Win32_TSIssuedLicense.Revoke: per-device CALs only; at any time at most 20 % of one version's
 * installed per-device CALs (or one CAL, whichever is more) may be in the revoked state. A revoked
 * CAL leaves that state at its expiration date, which is when the next revocation is allowed.
 */
export const REVOKE_LIMIT_SHARE = 0.2;

/** How many per-device CALs of one version may be in the revoked state, out of `installed`. */
export function revocationLimit(installed: number): number {
    return Math.max(1, Math.floor(installed * REVOKE_LIMIT_SHARE));
}
