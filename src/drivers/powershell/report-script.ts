/**
 * The PowerShell of the usage operations: one script, one execution per license server.
 * - `usage-report`: GenerateReportEx, then every Fetch*Entries table of the report paged with
 *   (StartIndex, Count) until LSERVER_I_NO_MORE_DATA (0x4001), plus every Win32_TSIssuedLicense;
 *   DeleteReport in a `finally`, so a failing fetch does not leave the report on the server.
 * - `revoke-cal`: Win32_TSIssuedLicense.Revoke of the device's active CAL (per-device packs only;
 *   the server's RevokableCals / NextRevokeAllowedOn decide), or, in a dry run, what the documented
 *   limit allows, counted from the server's own records.
 * Framed like the other batch scripts (script-prelude.ts's corePrelude: input parameter, one
 * try/catch per step, results printed once between markers). Device and user names travel in the
 * input parameter only, never in the script text. Entry rows are passed through property by
 * property (CIM names as the server gives them), dates as ISO 8601 UTC.
 */
import {
    BUILT_IN_PACK_DESCRIPTION,
    DEFAULT_PRODUCT_VERSION_IDS,
    LicenseStatus,
    LicensingErrorKind,
    LSERVER_I_NO_MORE_DATA,
    PRODUCT_TYPE,
    PRODUCT_TYPE_BUILT_IN,
    REPORT_TABLE_NAMES,
    REPORT_TABLES,
    REVOKE_LIMIT_SHARE,
    RevokeRefusal,
    WbemCode,
    licenseTypeFromProductType,
    productVersionFromId,
    type FailedPerUserEntry,
    type FailedPerUserSummaryEntry,
    type LicenseType,
    type PerDeviceEntry,
    type PerUserEntry,
    type ProductVersion,
    type RevokeOutcome,
    type ServerUsageReport,
    type SummaryEntry,
    type UsageOperation,
} from "../../licensing";
import { psInt, psName, psString, psUint32 } from "./ps-literal";
import { corePrelude } from "./script-prelude";

export interface UsageScriptOptions {
    /** Lower-case hex, 8-64 digits: marks this execution's output block. */
    nonce: string;
    /** Characters of output before the result is compressed, then spooled. */
    budget: number;
}

/** The input parameter's entries (`o`), one per operation, in order: short keys, no secrets. */
export function usageScriptInput(operations: readonly UsageOperation[]): { o: Record<string, unknown>[] } {
    return {
        o: operations.map((op) => {
            if (op.op === "usage-report") return { p: op.pageSize ?? 0 };
            return { ...(op.device !== undefined ? { d: op.device } : {}), ...(op.user !== undefined ? { u: op.user } : {}), n: op.dryRun === true ? 1 : 0 };
        }),
    };
}

export function renderUsageScript(operations: readonly UsageOperation[], options: UsageScriptOptions): string {
    if (operations.length === 0) throw new TypeError("no usage operation to render");
    const body = operations.map((op, position) => step(position, op.op, op.op === "usage-report" ? reportLines() : revokeLines())).join("\n");
    const prelude = corePrelude({ nonce: options.nonce, budget: options.budget, secretFields: [], what: "RD Licensing usage reports and revocations" });
    return `${prelude}${usageFunctions()}\n${body}\nWrite-RdlsResults\n`;
}

function step(position: number, op: string, lines: string[]): string {
    const indented = lines.map((line) => (line ? `    ${line}` : line)).join("\n");
    return `Invoke-RdlsStep ${psInt(position)} ${psString(op)} {\n    param($I)\n${indented}\n}\n`;
}

function usageFunctions(): string {
    return `
$RdlsNoMoreData = ${psUint32(LSERVER_I_NO_MORE_DATA)}

function ConvertTo-RdlsDate($Value) {
    if ($Value -is [datetime]) { return $Value.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ', [Globalization.CultureInfo]::InvariantCulture) }
    return $null
}

# One CIM object as a hashtable of its properties (names as the server gives them).
function ConvertTo-RdlsEntry($Entry) {
    $row = @{}
    foreach ($property in $Entry.CimInstanceProperties) {
        $value = $property.Value
        if ($value -is [datetime]) { $value = ConvertTo-RdlsDate $value }
        $row[$property.Name] = $value
    }
    return $row
}

# Every entry of one report table: (StartIndex, Count) pages until LSERVER_I_NO_MORE_DATA.
function Read-RdlsReportTable($Report, [string]$Method, [string]$Out, [uint32]$PageSize) {
    $rows = New-Object System.Collections.ArrayList
    $start = [uint32]0
    while ($true) {
        $result = Invoke-RdlsMethod $Method { Invoke-CimMethod -InputObject $Report -MethodName $Method -Arguments @{ StartIndex = $start; Count = $PageSize } }
        if ($null -eq $result) { throw ($Method + ' returned nothing') }
        $code = [uint32]$result.ReturnValue
        if ($code -eq $RdlsNoMoreData) { break }
        if ($code -ne 0) { throw (New-RdlsError $code ($Method + ' returned ' + ('0x{0:X8}' -f $code))) }
        $entries = @($result.$Out)
        # A provider that answers 0 with nothing would loop forever: treat it as the end.
        if ($entries.Count -eq 0) { break }
        foreach ($entry in $entries) { [void]$rows.Add((ConvertTo-RdlsEntry $entry)) }
        $start = [uint32]($start + $entries.Count)
    }
    return ,($rows.ToArray())
}

function Test-RdlsBuiltInPack($Pack) {
    if ([uint32]$Pack.ProductType -eq ${psUint32(PRODUCT_TYPE_BUILT_IN)}) { return $true }
    return ([string]$Pack.Description).StartsWith(${psString(BUILT_IN_PACK_DESCRIPTION)}, [StringComparison]::OrdinalIgnoreCase)
}
`;
}

function reportLines(): string[] {
    const tables = REPORT_TABLE_NAMES.map((name) => {
        const t = REPORT_TABLES[name];
        return `    $tables.${psName(name)} = Read-RdlsReportTable $report ${psString(t.method)} ${psString(t.out)} $pageSize`;
    });
    return [
        "$pageSize = [uint32]$I.p",
        "$generated = Invoke-RdlsMethod 'GenerateReportEx' { Invoke-CimMethod -ClassName Win32_TSLicenseReport -MethodName GenerateReportEx }",
        "Assert-RdlsReturn $generated 'GenerateReportEx'",
        "$name = [string]$generated.FileName",
        "# Matched in PowerShell, not in a WQL filter: the name needs no quoting that way.",
        "$report = Get-CimInstance -ClassName Win32_TSLicenseReport | Where-Object { [string]$_.FileName -eq $name } | Select-Object -First 1",
        `if ($null -eq $report) { throw (New-RdlsError ${psUint32(WbemCode.NotFound)} ('GenerateReportEx made report ' + $name + ', but it cannot be read')) }`,
        "$tables = @{}",
        "$deleted = 0",
        "try {",
        ...tables,
        "    $issued = @(Get-CimInstance -ClassName Win32_TSIssuedLicense | ForEach-Object { ConvertTo-RdlsEntry $_ })",
        "    # The packs' own counts (the built-in pack left out): the summary's installed / issued / available.",
        "    $packs = @(Get-CimInstance -ClassName Win32_TSLicenseKeyPack | Where-Object { -not (Test-RdlsBuiltInPack $_) } | ForEach-Object { @{ KeyPackId = [uint32]$_.KeyPackId; ProductType = [uint32]$_.ProductType; ProductVersionID = [uint32]$_.ProductVersionID; TotalLicenses = [uint32]$_.TotalLicenses; IssuedLicenses = [uint32]$_.IssuedLicenses; AvailableLicenses = [uint32]$_.AvailableLicenses } })",
        "} finally {",
        "    # The report is this execution's own: delete it whatever happened above.",
        "    try {",
        "        $removal = Invoke-CimMethod -InputObject $report -MethodName DeleteReport",
        "        if ($null -ne $removal -and [uint32]$removal.ReturnValue -eq 0) { $deleted = 1 }",
        "    } catch { }",
        "}",
        "return @{ f = $name; g = (ConvertTo-RdlsDate $report.GenerationDateTime); t = $tables; l = $issued; k = $packs; x = $deleted }",
    ];
}

function revokeLines(): string[] {
    const refused = (reason: string, extra = "") => `return @{ r = ${psString(reason)}${extra} }`;
    return [
        "$device = [string]$I.d",
        "$dryRun = ([int]$I.n -eq 1)",
        `if ($device.Length -eq 0) { ${refused(RevokeRefusal.PerUser)} }`,
        `$license = Get-CimInstance -ClassName Win32_TSIssuedLicense | Where-Object { ([string]$_.sIssuedToComputer) -ieq $device -and [uint32]$_.LicenseStatus -eq ${psUint32(LicenseStatus.Active)} } | Select-Object -First 1`,
        `if ($null -eq $license) { ${refused(RevokeRefusal.NotFound)} }`,
        "$pack = Get-CimInstance -ClassName Win32_TSLicenseKeyPack -Filter ('KeyPackId = ' + [uint32]$license.KeyPackId)",
        `if ($null -eq $pack) { throw (New-RdlsRefusal ${psString(LicensingErrorKind.Failed)} ('key pack ' + [uint32]$license.KeyPackId + ' of the license is gone')) }`,
        "$found = @{ id = [uint32]$license.LicenseId; kp = [uint32]$pack.KeyPackId; v = [uint32]$pack.ProductVersionID }",
        `if ([uint32]$pack.ProductType -eq ${psUint32(PRODUCT_TYPE["per-user"])}) { ${refused(RevokeRefusal.PerUser, "; c = $found")} }`,
        "# The documented limit, from the server's own records: the version's installed per-device CALs,",
        "# and its revoked CALs still before their expiration date (each frees its place when it expires).",
        `$packs = @(Get-CimInstance -ClassName Win32_TSLicenseKeyPack | Where-Object { [uint32]$_.ProductType -eq ${psUint32(PRODUCT_TYPE["per-device"])} -and [uint32]$_.ProductVersionID -eq $found.v -and -not (Test-RdlsBuiltInPack $_) })`,
        "$installed = 0",
        "foreach ($p in $packs) { $installed += [int]$p.TotalLicenses }",
        "$ids = @($packs | ForEach-Object { [uint32]$_.KeyPackId })",
        "$now = Get-Date",
        `$held = @(Get-CimInstance -ClassName Win32_TSIssuedLicense | Where-Object { [uint32]$_.LicenseStatus -eq ${psUint32(LicenseStatus.Revoked)} -and ($ids -contains [uint32]$_.KeyPackId) -and $_.ExpirationDate -gt $now })`,
        `$limit = [Math]::Max(1, [Math]::Floor($installed / ${psInt(Math.round(1 / REVOKE_LIMIT_SHARE))}))`,
        "$next = $null",
        "if ($held.Count -gt 0) { $next = ConvertTo-RdlsDate (($held | Sort-Object -Property ExpirationDate | Select-Object -First 1).ExpirationDate) }",
        "$left = [Math]::Max(0, $limit - $held.Count)",
        "# A dry run cannot ask Revoke without revoking: it answers from that count. A real run asks the server.",
        `if ($dryRun -and $left -eq 0) { ${refused(RevokeRefusal.Limit, "; c = $found; lim = $limit; rc = 0; nx = $next")} }`,
        "if ($dryRun) { return @{ c = $found; lim = $limit; rc = $left } }",
        "$result = Invoke-RdlsMethod 'Revoke' { Invoke-CimMethod -InputObject $license -MethodName Revoke }",
        "if ($null -eq $result) { throw 'Revoke returned nothing' }",
        "$code = [uint32]$result.ReturnValue",
        "$serverNext = ConvertTo-RdlsDate $result.NextRevokeAllowedOn",
        "# NextRevokeAllowedOn holds data only when Revoke failed for the limit: the server's word wins.",
        `if ($code -ne 0 -and $null -ne $serverNext) { ${refused(RevokeRefusal.Limit, "; c = $found; lim = $limit; rc = [uint32]$result.RevokableCals; nx = $serverNext")} }`,
        "if ($code -ne 0) { throw (New-RdlsError $code ('Revoke returned ' + ('0x{0:X8}' -f $code))) }",
        "return @{ rv = 1; c = $found; lim = $limit; rc = [uint32]$result.RevokableCals }",
    ];
}

// ---- Reading the results back (the keys the script above writes) ----

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
const STATUS_NAME: Partial<Record<number, PerDeviceEntry["status"]>> = {
    [LicenseStatus.Temporary]: "temporary",
    [LicenseStatus.Active]: "active",
    [LicenseStatus.Revoked]: "revoked",
};

/**
 * The per-device rows of the script's Win32_TSIssuedLicense list (`l`), by the documented property
 * names; rows of another status (upgrade, pending, ...) or without a device are left out.
 */
export function decodeIssuedLicenses(server: string, rows: unknown): PerDeviceEntry[] {
    if (!Array.isArray(rows)) return [];
    return rows.flatMap((raw: Record<string, unknown>) => {
        const status = STATUS_NAME[num(raw?.LicenseStatus) ?? -1];
        const device = str(raw?.sIssuedToComputer);
        const licenseId = num(raw?.LicenseId);
        if (!status || !device || licenseId === undefined) return [];
        const keyPackId = num(raw.KeyPackId);
        const hardwareId = str(raw.sHardwareId);
        const expirationDate = str(raw.ExpirationDate);
        const entry: PerDeviceEntry = {
            licenseServer: server,
            licenseId,
            device,
            ...(hardwareId ? { hardwareId } : {}),
            status,
            licenseStatus: num(raw.LicenseStatus) as PerDeviceEntry["licenseStatus"],
            ...(keyPackId === undefined ? {} : { keyPackId }),
            host: "",
            issueDate: str(raw.IssueDate) ?? "",
            ...(expirationDate ? { expirationDate } : {}),
        };
        return [entry];
    });
}

/** A `revoke-cal` step's value as a RevokeOutcome. */
export function decodeRevokeValue(
    server: string,
    op: Extract<UsageOperation, { op: "revoke-cal" }>,
    raw: unknown,
    productVersionIds: Readonly<Record<ProductVersion, number>> = DEFAULT_PRODUCT_VERSION_IDS,
): RevokeOutcome {
    const v = (raw ?? {}) as { r?: unknown; rv?: unknown; c?: { id?: unknown; kp?: unknown; v?: unknown }; lim?: unknown; rc?: unknown; nx?: unknown };
    const target = op.device ?? op.user ?? "";
    const refusal = ([RevokeRefusal.PerUser, RevokeRefusal.Limit, RevokeRefusal.NotFound] as string[]).includes(String(v.r)) ? (v.r as RevokeOutcome["refusal"]) : undefined;
    const version = num(v.c?.v) === undefined ? undefined : productVersionFromId(num(v.c?.v)!, productVersionIds);
    const next = str(v.nx);
    const found = {
        ...(num(v.c?.id) === undefined ? {} : { licenseId: num(v.c?.id)! }),
        ...(num(v.c?.kp) === undefined ? {} : { keyPackId: num(v.c?.kp)! }),
        ...(version ? { productVersion: version } : {}),
        ...(num(v.lim) === undefined ? {} : { limit: num(v.lim)! }),
        ...(num(v.rc) === undefined ? {} : { revokableCals: num(v.rc)! }),
        ...(next ? { nextRevokeAllowedOn: next } : {}),
    };
    const revoked = num(v.rv) === 1;
    const message = refusal === RevokeRefusal.PerUser
        ? `${target} holds a per-user CAL: only per-device CALs can be revoked (Win32_TSIssuedLicense.Revoke)`
        : refusal === RevokeRefusal.NotFound
          ? `no active per-device CAL is issued to ${target} on ${server}`
          : refusal === RevokeRefusal.Limit
            ? `the revocation limit of these per-device CALs on ${server} is reached; the next revocation is allowed on ${next ?? "the expiry of a revoked CAL"}`
            : revoked
              ? `revoked the per-device CAL of ${target} on ${server}`
              : `would revoke the per-device CAL of ${target} on ${server}`;
    return { licenseServer: server, target, dryRun: op.dryRun === true, revoked, ...(refusal ? { refusal } : {}), message, ...found };
}

// ---- The whole report (the `usage-report` step's value) ----

type Row = Record<string, unknown>;
type VersionIds = Readonly<Record<ProductVersion, number>>;

/** ConvertTo-Json on PowerShell 5.1 may print a one-element array as a scalar, and an empty one as null. */
function rowsOf(value: unknown): Row[] {
    if (value === null || value === undefined) return [];
    return (Array.isArray(value) ? value : [value]).filter((r): r is Row => typeof r === "object" && r !== null);
}

/** `DOMAIN\user` or `user@domain`: the domain; none: empty. */
function domainOfUser(user: string): string {
    const slash = user.indexOf("\\");
    if (slash > 0) return user.slice(0, slash);
    const at = user.lastIndexOf("@");
    return at > 0 ? user.slice(at + 1) : "";
}

/** Win32_TSLicenseReportSummaryEntry.TSCALType: "Per User", "Per Device" (or "Unknown"). */
function licenseTypeOfText(text: unknown): LicenseType | undefined {
    const t = String(text ?? "").replace(/[\s-]/g, "").toLowerCase();
    return t === "peruser" ? "per-user" : t === "perdevice" ? "per-device" : undefined;
}

interface WireReport {
    f?: unknown;
    g?: unknown;
    t?: Partial<Record<(typeof REPORT_TABLE_NAMES)[number], unknown>>;
    l?: unknown;
    k?: unknown;
    x?: unknown;
}

/**
 * The summary: installed / issued / available per version and type from the server's key packs
 * (Win32_TSLicenseKeyPack), and per-user over-allocation from the report's summary table, where
 * IssuedLicenses beyond InstalledLicenses are users counted without a CAL (not enforced).
 */
function decodeSummary(server: string, packs: Row[], reportRows: Row[], ids: VersionIds): SummaryEntry[] {
    const rows = new Map<string, SummaryEntry>();
    const rowOf = (productVersion: ProductVersion, licenseType: LicenseType) => {
        const key = `${productVersion}/${licenseType}`;
        const row = rows.get(key) ?? { licenseServer: server, productVersion, licenseType, installed: 0, issued: 0, available: 0, overAllocated: 0 };
        rows.set(key, row);
        return row;
    };
    for (const p of packs) {
        const version = productVersionFromId(num(p.ProductVersionID) ?? -1, ids);
        const type = licenseTypeFromProductType(num(p.ProductType) ?? -1);
        if (!version || !type) continue;
        const row = rowOf(version, type);
        row.installed += num(p.TotalLicenses) ?? 0;
        row.issued += num(p.IssuedLicenses) ?? 0;
        row.available += num(p.AvailableLicenses) ?? 0;
    }
    for (const r of reportRows) {
        const version = productVersionFromId(num(r.ProductVersionID) ?? -1, ids);
        if (!version || licenseTypeOfText(r.TSCALType) !== "per-user") continue;
        const beyond = (num(r.IssuedLicenses) ?? 0) - (num(r.InstalledLicenses) ?? 0);
        if (beyond > 0) rowOf(version, "per-user").overAllocated += beyond;
    }
    return [...rows.values()].sort((a, b) => Number(a.productVersion) - Number(b.productVersion) || a.licenseType.localeCompare(b.licenseType));
}

/**
 * Per-device licenses from Win32_TSIssuedLicense (ids, status, issue and expiry dates), their version
 * from their pack; a device the report's per-device table lists but Win32_TSIssuedLicense does not
 * is kept as an active CAL without an id.
 */
function decodePerDevice(server: string, raw: WireReport, packs: Row[], ids: VersionIds): PerDeviceEntry[] {
    const versionOfPack = new Map(packs.map((p) => [num(p.KeyPackId), productVersionFromId(num(p.ProductVersionID) ?? -1, ids)]));
    const issued = decodeIssuedLicenses(server, rowsOf(raw.l)).map((e) => {
        const version = e.keyPackId === undefined ? undefined : versionOfPack.get(e.keyPackId);
        return version ? { ...e, productVersion: version } : e;
    });
    const known = new Set(issued.map((e) => e.device.toLowerCase()));
    const onlyInReport = rowsOf(raw.t?.perDevice).flatMap((r): PerDeviceEntry[] => {
        const device = str(r.sIssuedToComputer);
        if (!device || known.has(device.toLowerCase())) return [];
        const version = productVersionFromId(num(r.ProductVersionID) ?? -1, ids);
        const hardwareId = str(r.sHardwareId);
        const expirationDate = str(r.ExpirationDate);
        return [{
            licenseServer: server,
            licenseId: 0,
            device,
            ...(hardwareId ? { hardwareId } : {}),
            status: "active",
            licenseStatus: LicenseStatus.Active,
            ...(version ? { productVersion: version } : {}),
            host: "",
            issueDate: "",
            ...(expirationDate ? { expirationDate } : {}),
        }];
    });
    return [...issued, ...onlyInReport];
}

/**
 * A `usage-report` step's value as a ServerUsageReport: the report tables by their documented
 * property names (Win32_TSLicenseReportEntry, ...FailedPerUserEntry, ...FailedPerUserSummaryEntry,
 * ...SummaryEntry), Win32_TSIssuedLicense for the per-device rows. What a real server's report does
 * not carry (license ids and hosts of per-user CALs, the host of a failed issuance) is left empty.
 */
export function decodeUsageReport(server: string, raw: unknown, productVersionIds: VersionIds = DEFAULT_PRODUCT_VERSION_IDS, now: Date = new Date()): ServerUsageReport {
    const r = (raw ?? {}) as WireReport;
    const packs = rowsOf(r.k);
    const perUser = rowsOf(r.t?.perUser).flatMap((row): PerUserEntry[] => {
        const user = str(row.User);
        if (!user) return [];
        const version = productVersionFromId(num(row.ProductVersionID) ?? -1, productVersionIds);
        const expirationDate = str(row.ExpirationDate);
        return [{ licenseServer: server, licenseId: 0, user, status: "active", ...(version ? { productVersion: version } : {}), host: "", issueDate: "", ...(expirationDate ? { expirationDate } : {}) }];
    });
    const failedPerUser = rowsOf(r.t?.failedPerUser).flatMap((row): FailedPerUserEntry[] => {
        const user = str(row.User);
        if (!user) return [];
        const what = [str(row.CALType) ?? "per-user CAL", str(row.ProductVersion)].filter(Boolean).join(", ");
        return [{ licenseServer: server, user, domain: domainOfUser(user), host: "", date: str(row.TriedIssuanceOn) ?? "", reason: `not issued: ${what}` }];
    });
    const failedPerUserSummary = rowsOf(r.t?.failedPerUserSummary).map((row): FailedPerUserSummaryEntry => ({
        licenseServer: server,
        domain: str(row.DomainName) ?? "",
        failedIssuanceCount: num(row.FailedIssuanceCount) ?? 0,
    }));
    const fileName = str(r.f) ?? "";
    const report: ServerUsageReport = {
        licenseServer: server,
        fileName,
        generatedAt: str(r.g) ?? now.toISOString(),
        perUser,
        perDevice: decodePerDevice(server, r, packs, productVersionIds),
        summary: decodeSummary(server, packs, rowsOf(r.t?.summary), productVersionIds),
        failedPerUser,
        failedPerUserSummary,
    };
    if (num(r.x) !== 1) report.warnings = [`DeleteReport did not remove report ${fileName || "(unnamed)"} from ${server}: delete it by hand (Win32_TSLicenseReport.DeleteReport)`];
    return report;
}
