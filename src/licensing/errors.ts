import { WbemCode, wbemName, type LicenseType, type ProductVersion } from "./codes";
import type { OperationName } from "./operations";

/**
 * What went wrong, in the product's words. Every driver maps what its server reports (a WMI return
 * code, an exception, a transport failure) to one of these, so the provider handles them once.
 */
export const LicensingErrorKind = {
    /** The server is not activated with the Clearinghouse; activate it first. */
    NotActivated: "not-activated",
    /** Activation refused: first name, last name, company and country/region are required. */
    ContactIncomplete: "contact-incomplete",
    /** The Clearinghouse could not be reached (the server needs outbound HTTPS). Retry later. */
    ClearinghouseUnreachable: "clearinghouse-unreachable",
    /** The Clearinghouse refused the numbers (unknown code, agreement without that entitlement, ...). */
    EntitlementRefused: "entitlement-refused",
    /** A number has the wrong format (refused before anything is sent). */
    InvalidNumber: "invalid-number",
    /** The CAL version is newer than the license server's Windows Server version. */
    VersionNotSupported: "version-not-supported",
    /** More licenses asked to be removed than the pack has available. */
    NotEnoughAvailable: "not-enough-available",
    /** Licenses of the pack are issued to users or devices, and the operation asked not to touch those. */
    LicensesIssued: "licenses-issued",
    /** The pack changed since it was last read (a guarded operation's expectation did not hold). */
    Conflict: "conflict",
    /** The key pack (or server) does not exist. */
    NotFound: "not-found",
    /** A parameter is outside its range. */
    InvalidParameter: "invalid-parameter",
    /** The transport failed in a way worth retrying (network blip, agent busy, throttled). */
    Transient: "transient",
    /** Anything else the server reported. */
    Failed: "failed",
} as const;
export type LicensingErrorKind = (typeof LicensingErrorKind)[keyof typeof LicensingErrorKind];

/** The plain-data form of an error, as it travels between processes (simulator, scripts). */
export interface LicensingErrorData {
    kind: LicensingErrorKind;
    /** WMI return value (uint32) when the server reported one. */
    returnValue?: number;
    /** A message free of secrets. */
    message: string;
    /** Milliseconds the transport asked to wait before retrying (e.g. Retry-After). */
    retryAfterMs?: number;
}

/** An error from a license server operation. Messages never contain agreement numbers or codes. */
export class LicensingError extends Error {
    readonly kind: LicensingErrorKind;
    readonly returnValue?: number;
    readonly retryAfterMs?: number;
    /** The message without the return-code suffix, as it travels in {@link LicensingErrorData}. */
    readonly detail: string;

    constructor(data: LicensingErrorData) {
        const suffix = data.returnValue ? ` (${wbemName(data.returnValue)})` : "";
        super(`${data.message}${suffix}`);
        this.name = "LicensingError";
        this.kind = data.kind;
        this.detail = data.message;
        this.returnValue = data.returnValue;
        this.retryAfterMs = data.retryAfterMs;
    }

    /** Worth retrying with backoff: the same request may succeed later unchanged. */
    get transient(): boolean {
        return this.kind === LicensingErrorKind.Transient || this.kind === LicensingErrorKind.ClearinghouseUnreachable;
    }

    toData(): LicensingErrorData {
        return { kind: this.kind, returnValue: this.returnValue, message: this.detail, retryAfterMs: this.retryAfterMs };
    }
}

/** The operations a return code can come from; the same code means different things per method. */
export type CodeContext = "activate" | "deactivate" | "install" | "remove-licenses" | "uninstall" | "read" | "configure";

/** The context each operation's return codes are read in (shared by the simulator and the drivers). */
export const CODE_CONTEXT_OF: Readonly<Record<OperationName, CodeContext>> = {
    status: "read",
    "list-packs": "read",
    activate: "activate",
    deactivate: "deactivate",
    install: "install",
    "remove-licenses": "remove-licenses",
    uninstall: "uninstall",
};

/**
 * Map a WMI return value to a kind. The documented codes are the generic WBEM_E_* set; what each
 * means depends on the method that returned it (e.g. NOT_AVAILABLE from an install is the
 * Clearinghouse being out of reach). The simulator returns the same codes for the same refusals.
 */
export function kindFromReturnValue(context: CodeContext, returnValue: number): LicensingErrorKind {
    switch (returnValue >>> 0) {
        case WbemCode.NotFound:
            return LicensingErrorKind.NotFound;
        case WbemCode.NotAvailable:
            return context === "activate" || context === "install"
                ? LicensingErrorKind.ClearinghouseUnreachable
                : LicensingErrorKind.Transient;
        case WbemCode.InvalidOperation:
            if (context === "activate") return LicensingErrorKind.ContactIncomplete;
            // A session host's setter: the setting is made by Group Policy and cannot be changed there.
            if (context === "configure") return LicensingErrorKind.InvalidParameter;
            return LicensingErrorKind.NotActivated;
        case WbemCode.ValueOutOfRange:
            if (context === "remove-licenses") return LicensingErrorKind.NotEnoughAvailable;
            if (context === "install") return LicensingErrorKind.VersionNotSupported;
            return LicensingErrorKind.InvalidParameter;
        case WbemCode.InvalidParameter:
            return context === "install" ? LicensingErrorKind.InvalidNumber : LicensingErrorKind.InvalidParameter;
        case WbemCode.InvalidMethodParameters:
            return LicensingErrorKind.InvalidParameter;
        case WbemCode.AccessDenied:
            return context === "install" ? LicensingErrorKind.EntitlementRefused : LicensingErrorKind.Failed;
        default:
            return LicensingErrorKind.Failed;
    }
}

/** The return value each kind is reported with, so simulator and real server speak alike. */
export const RETURN_VALUE_OF_KIND: Readonly<Record<LicensingErrorKind, number>> = {
    "not-activated": WbemCode.InvalidOperation,
    "contact-incomplete": WbemCode.InvalidOperation,
    "clearinghouse-unreachable": WbemCode.NotAvailable,
    "entitlement-refused": WbemCode.AccessDenied,
    "invalid-number": WbemCode.InvalidParameter,
    "version-not-supported": WbemCode.ValueOutOfRange,
    "not-enough-available": WbemCode.ValueOutOfRange,
    "licenses-issued": WbemCode.InvalidOperation,
    conflict: WbemCode.InvalidOperation,
    "not-found": WbemCode.NotFound,
    "invalid-parameter": WbemCode.InvalidParameter,
    transient: WbemCode.NotAvailable,
    failed: WbemCode.Failed,
};

/**
 * The return value a kind is reported with from a given method. Same as RETURN_VALUE_OF_KIND except
 * where that code means another kind for this method: on an install, INVALID_PARAMETER means a bad
 * number, so a bad parameter (e.g. the count) is reported as INVALID_METHOD_PARAMETERS.
 */
export function returnValueOf(context: CodeContext, kind: LicensingErrorKind): number {
    if (kind === LicensingErrorKind.InvalidParameter && context === "install") return WbemCode.InvalidMethodParameters;
    return RETURN_VALUE_OF_KIND[kind];
}

/** What an install sent: the pack shape, with the ProductVersion code the version was sent as. */
export interface InstallAsked {
    productVersion: ProductVersion;
    productVersionId: number;
    licenseType: LicenseType;
    count: number;
}

/** The key pack an install made, as read back from the server. */
export interface InstallGot {
    keyPackId: number;
    productVersionId: number;
    /** ProductVersion and Description text (e.g. "Windows Server 2022"). */
    productVersionText: string;
    licenseType: LicenseType | undefined;
    totalLicenses: number;
}

/**
 * How the pack an install made differs from what was sent, one phrase per setting (empty when it
 * matches). The version is wrong when the ProductVersionID differs from the code sent, or when the
 * version text names a year that is not the version asked (a code that means another version).
 */
export function installMismatches(asked: InstallAsked, got: InstallGot): string[] {
    const problems: string[] = [];
    const years: string[] = got.productVersionText.match(/\b20\d\d\b/g) ?? [];
    if (got.productVersionId !== asked.productVersionId || (years.length > 0 && !years.includes(asked.productVersion))) {
        const text = got.productVersionText.trim() || "no version text";
        problems.push(`productVersion: ${text} (ProductVersionID ${got.productVersionId}), not ${asked.productVersion} (ProductVersion code ${asked.productVersionId} sent)`);
    }
    if (got.licenseType !== asked.licenseType) problems.push(`licenseType: ${got.licenseType ?? "an unknown ProductType"}, not ${asked.licenseType}`);
    if (got.totalLicenses !== asked.count) problems.push(`count: ${got.totalLicenses} licenses, not ${asked.count}`);
    return problems;
}

/** The environment variable the provider reads the 2025 ProductVersion code from (src/drivers/connect-env.ts). */
export const PRODUCT_VERSION_OVERRIDE_2025 = "RDS_LICENSING_VERSION_ID_2025";

/**
 * The failure of an install whose pack is not the one asked. The pack exists: it is named by ID,
 * so that nothing is unaccounted for, and a retry with the same request key returns (and refuses)
 * it again rather than installing a second one.
 */
export function installMismatchError(label: string, asked: InstallAsked, got: InstallGot, problems: readonly string[]): LicensingErrorData {
    const version = problems.some((p) => p.startsWith("productVersion:"));
    const hint = !version
        ? ""
        : asked.productVersion === "2025"
          ? ` Windows Server 2025's ProductVersion code is not documented (${asked.productVersionId} is assumed): confirm the code your server uses (docs/fidelity.md) and set it with the productVersionIds override (${PRODUCT_VERSION_OVERRIDE_2025}=<code> for the provider).`
          : ` productVersion ${asked.productVersion} was sent as its documented code ${asked.productVersionId}: check productVersion in the stack config, and any productVersionIds override (${PRODUCT_VERSION_OVERRIDE_2025}).`;
    const id = got.keyPackId;
    return {
        kind: LicensingErrorKind.Failed,
        message:
            `${label}: the server installed key pack ${id}, which is not the pack asked: ${problems.join("; ")}.${hint}` +
            ` Key pack ${id} stays installed and recorded for this request (a retry returns it, never a second pack): uninstall it, or declare it as it is with adoptKeyPackId: ${id}.`,
    };
}
