/**
 * Win32_TSLicenseReport as the simulator answers it, as pure rules over a server draft:
 * GenerateReportEx freezes the server's tables into a report (kept in the server file until
 * DeleteReport), each Fetch*Entries method pages through one table with (StartIndex, Count) —
 * Count 0 = all from StartIndex — and answers LSERVER_I_NO_MORE_DATA (0x4001) from the end on.
 */
import { LicenseStatus, LSERVER_I_NO_MORE_DATA, REPORT_TABLES, WbemCode, type ReportTable } from "../licensing/codes";
import type { FailedPerUserEntry, FailedPerUserSummaryEntry, PerDeviceEntry, PerUserEntry, ServerUsageReport, SummaryEntry } from "../licensing/usage";
import type { StoredIssuedLicense, StoredReport } from "./farm-state";
import type { StoredServer } from "./state";

/** At most this many reports are kept on a server: GenerateReportEx past it drops the oldest. */
export const MAX_STORED_REPORTS = 16;

export interface FetchResult {
    returnValue: number;
    /** [out] Count: the entries returned. */
    count: number;
    entries: unknown[];
}

const versionOf = (s: StoredServer, keyPackId: number | undefined) => s.packs.find((p) => p.keyPackId === keyPackId)?.productVersion;

function domainOf(user: string): string {
    const slash = user.indexOf("\\");
    if (slash > 0) return user.slice(0, slash);
    const at = user.lastIndexOf("@");
    return at > 0 ? user.slice(at + 1) : "";
}

/** The LicenseStatus code of each stored per-device state. */
export const LICENSE_STATUS_OF: Readonly<Record<PerDeviceEntry["status"], LicenseStatus>> = {
    temporary: LicenseStatus.Temporary,
    active: LicenseStatus.Active,
    revoked: LicenseStatus.Revoked,
};

const byUser = (l: StoredIssuedLicense) => l.issuedToUser !== undefined && (l.status === "active" || l.status === "over-allocated");
const byDevice = (l: StoredIssuedLicense) => l.issuedToComputer !== undefined && l.status !== "over-allocated";

/** The server's tables now, as a report holds them. */
export function reportTables(s: StoredServer): Omit<ServerUsageReport, "fileName" | "generatedAt"> {
    const licenses = s.licenses ?? [];
    const perUser: PerUserEntry[] = licenses.filter(byUser).map((l) => {
        const version = versionOf(s, l.keyPackId);
        return {
            licenseServer: s.name,
            licenseId: l.licenseId,
            user: l.issuedToUser!,
            status: l.status as PerUserEntry["status"],
            ...(l.keyPackId === undefined ? {} : { keyPackId: l.keyPackId }),
            ...(version ? { productVersion: version } : {}),
            host: l.host,
            issueDate: l.issueDate,
        };
    });
    const perDevice: PerDeviceEntry[] = licenses.filter(byDevice).map((l) => {
        const version = versionOf(s, l.keyPackId);
        return {
            licenseServer: s.name,
            licenseId: l.licenseId,
            device: l.issuedToComputer!,
            ...(l.hardwareId ? { hardwareId: l.hardwareId } : {}),
            status: l.status as PerDeviceEntry["status"],
            licenseStatus: LICENSE_STATUS_OF[l.status as PerDeviceEntry["status"]],
            ...(l.keyPackId === undefined ? {} : { keyPackId: l.keyPackId }),
            ...(version ? { productVersion: version } : {}),
            host: l.host,
            issueDate: l.issueDate,
            ...(l.expirationDate ? { expirationDate: l.expirationDate } : {}),
        };
    });
    const summary = new Map<string, SummaryEntry>();
    for (const p of s.packs) {
        const key = `${p.productVersion}/${p.licenseType}`;
        const row = summary.get(key) ?? { licenseServer: s.name, productVersion: p.productVersion, licenseType: p.licenseType, installed: 0, issued: 0, available: 0, overAllocated: 0 };
        row.installed += p.totalLicenses;
        row.issued += p.issuedLicenses;
        row.available += p.availableLicenses;
        summary.set(key, row);
    }
    const over = licenses.filter((l) => l.status === "over-allocated").length;
    if (over > 0) {
        // Counted against the newest per-user version the server holds (none: a row of its own version).
        const perUserRows = [...summary.values()].filter((r) => r.licenseType === "per-user").sort((a, b) => Number(b.productVersion) - Number(a.productVersion));
        const row = perUserRows[0] ?? { licenseServer: s.name, productVersion: s.windowsServerVersion, licenseType: "per-user", installed: 0, issued: 0, available: 0, overAllocated: 0 };
        row.overAllocated += over;
        summary.set(`${row.productVersion}/per-user`, row);
    }
    const failedPerUser: FailedPerUserEntry[] = (s.failedIssuances ?? []).map((f) => ({ licenseServer: s.name, user: f.user, domain: domainOf(f.user), host: f.host, date: f.date, reason: f.reason }));
    const domains = new Map<string, number>();
    for (const f of failedPerUser) domains.set(f.domain, (domains.get(f.domain) ?? 0) + 1);
    const failedPerUserSummary: FailedPerUserSummaryEntry[] = [...domains].map(([domain, failedIssuanceCount]) => ({ licenseServer: s.name, domain, failedIssuanceCount }));
    const order = (a: SummaryEntry, b: SummaryEntry) => Number(a.productVersion) - Number(b.productVersion) || a.licenseType.localeCompare(b.licenseType);
    return { licenseServer: s.name, perUser, perDevice, summary: [...summary.values()].sort(order), failedPerUser, failedPerUserSummary };
}

/** GenerateReportEx: a new report of the server's tables now; returns its FileName. */
export function generateReportEx(s: StoredServer, now: Date): string {
    s.nextReportId ??= 1;
    const fileName = `rdls-report-${String(s.nextReportId++).padStart(6, "0")}`;
    const { licenseServer: _server, ...tables } = reportTables(s);
    const report: StoredReport = { fileName, generatedAt: now.toISOString(), tables };
    s.reports = [...(s.reports ?? []), report].slice(-MAX_STORED_REPORTS);
    return fileName;
}

export function findReport(s: StoredServer, fileName: string): StoredReport | undefined {
    return s.reports?.find((r) => r.fileName === fileName);
}

/** One Fetch*Entries call on a report (not found: WBEM_E_NOT_FOUND). */
export function fetchReportEntries(s: StoredServer, fileName: string, table: ReportTable, startIndex: number, count: number): FetchResult {
    const report = findReport(s, fileName);
    if (!report || !(table in REPORT_TABLES)) return { returnValue: WbemCode.NotFound, count: 0, entries: [] };
    if (!Number.isSafeInteger(startIndex) || startIndex < 0 || !Number.isSafeInteger(count) || count < 0) return { returnValue: WbemCode.InvalidParameter, count: 0, entries: [] };
    const rows = report.tables[table] ?? [];
    if (startIndex >= rows.length) return { returnValue: LSERVER_I_NO_MORE_DATA, count: 0, entries: [] };
    const entries = rows.slice(startIndex, count === 0 ? undefined : startIndex + count);
    return { returnValue: 0, count: entries.length, entries };
}

/** DeleteReport: 0, or WBEM_E_NOT_FOUND when there is no such report. */
export function deleteReport(s: StoredServer, fileName: string): number {
    const before = s.reports?.length ?? 0;
    s.reports = (s.reports ?? []).filter((r) => r.fileName !== fileName);
    return s.reports.length < before ? 0 : WbemCode.NotFound;
}

/** Page through one table until LSERVER_I_NO_MORE_DATA, as the report script does on a real server. */
export function fetchAll(s: StoredServer, fileName: string, table: ReportTable, pageSize: number): unknown[] {
    const rows: unknown[] = [];
    for (let start = 0; ; ) {
        const r = fetchReportEntries(s, fileName, table, start, pageSize);
        if (r.returnValue === LSERVER_I_NO_MORE_DATA) return rows;
        if (r.returnValue !== 0) throw new Error(`${REPORT_TABLES[table].method} returned 0x${r.returnValue.toString(16)}`);
        rows.push(...r.entries);
        start += r.count;
    }
}

/** GenerateReportEx, every table to its end, DeleteReport: what one `usage-report` operation does. */
export function usageReport(s: StoredServer, now: Date, pageSize = 0): ServerUsageReport {
    const fileName = generateReportEx(s, now);
    const report = findReport(s, fileName)!;
    try {
        const table = <T>(name: ReportTable) => fetchAll(s, fileName, name, pageSize) as T[];
        return {
            licenseServer: s.name,
            fileName,
            generatedAt: report.generatedAt,
            perUser: table<PerUserEntry>("perUser"),
            perDevice: table<PerDeviceEntry>("perDevice"),
            summary: table<SummaryEntry>("summary"),
            failedPerUser: table<FailedPerUserEntry>("failedPerUser"),
            failedPerUserSummary: table<FailedPerUserSummaryEntry>("failedPerUserSummary"),
        };
    } finally {
        deleteReport(s, fileName);
    }
}
