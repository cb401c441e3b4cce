/**
 * The JSON the scripts print, with the short keys that keep a result block small. The script side
 * is in script-prelude.ts; keep the two in step.
 */

/** One key pack (a Win32_TSLicenseKeyPack instance). */
export interface WirePack {
    /** KeyPackId */
    i: number;
    /** KeyPackType */
    t: number;
    /** Description */
    d: string;
    /** ProductVersionID */
    v: number;
    /** ProductVersion (text, e.g. "Windows Server 2022") */
    s: string;
    /** ProductType */
    y: number;
    /** TotalLicenses, IssuedLicenses, AvailableLicenses */
    n: number;
    u: number;
    a: number;
    /** ExpirationDate as yyyy-MM-dd, or null */
    x: string | null;
    /** Licensing program recorded in the server's request journal, or null when unknown. */
    g: string | null;
}

/** Win32_TSLicenseServer and the OS, as the status of the server. */
export interface WireStatus {
    /** Computer name */
    n: string;
    /** Win32_OperatingSystem.BuildNumber */
    b: number;
    /** GetActivationStatus */
    a: number;
    /** GetLicenseServerId, when activated */
    id: string | null;
    fn: string;
    ln: string;
    co: string;
    cr: string;
    em: string;
}

export interface WireError {
    /** Message, scrubbed of secrets by the script. */
    m: string;
    /** WMI return value (uint32), when there was one. */
    rv?: number;
    /** CIM native error code name (e.g. "AccessDenied") when the CIM layer failed. */
    c?: string;
    /** HRESULT of any other exception. */
    h?: number;
    /** With k: the key pack the step made, read back (an install whose pack is not the one asked). */
    p?: WirePack;
    /** 1 when the method failed by exception (a CimException with the WBEM code `rv`), not by ReturnValue. */
    x?: 1;
    /** A guard of the contract refused (errors.ts GUARD_KIND): the kind itself, no return value. */
    k?: string;
}

export type WireResult = { i: number; ok: 1; v: unknown } | { i: number; ok: 0; e: WireError };

/** Values per operation. */
export interface WirePackValue {
    p: WirePack | null;
    /** remove-licenses: the pack before, for when it vanished after the removal. */
    b?: WirePack;
    /** install: 1 when an earlier install with the same request key was returned. */
    r?: 1;
    /** install with allowReinstall: 1 when the pack came from the Reinstall* method, else 0. */
    w?: 0 | 1;
}

/** The key of WirePackValue.w, as the install script writes it. */
export const WIRE_REINSTALLED = "w";
export interface WireListValue {
    p: WirePack[];
}
export interface WireUninstallValue {
    i: number;
}

export function isWireResultArray(value: unknown): value is WireResult[] {
    return (
        Array.isArray(value) &&
        value.every(
            (r) =>
                typeof r === "object" &&
                r !== null &&
                typeof (r as { i?: unknown }).i === "number" &&
                ((r as { ok?: unknown }).ok === 1 || ((r as { ok?: unknown }).ok === 0 && typeof (r as { e?: unknown }).e === "object")),
        )
    );
}
