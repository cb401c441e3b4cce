import { WbemCode, wbemName } from "./codes";
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
