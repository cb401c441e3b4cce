/**
 * The usage report as text tables (standard output) and as CSV files (RFC 4180: comma separated,
 * CRLF line ends, fields with a comma, quote or line break quoted, quotes doubled).
 */
import { table } from "../simulator/cli-format";
import type { UsageReportDocument } from "./report-model";

type Cell = string | number;
interface Table {
    title: string;
    /** The CSV file name under --csv. */
    file: string;
    headers: string[];
    rows: Cell[][];
}

const d = (iso: string | undefined) => iso ?? "";

/** The four tables, rows of every server. */
export function reportTables(doc: UsageReportDocument): Table[] {
    const all = doc.servers;
    return [
        {
            title: "Per-user CALs",
            file: "per-user.csv",
            headers: ["server", "licenseId", "user", "status", "keyPackId", "version", "host", "issued"],
            rows: all.flatMap((s) => s.perUser.map((e) => [e.licenseServer, e.licenseId, e.user, e.status, e.keyPackId ?? "", e.productVersion ?? "", e.host, d(e.issueDate)])),
        },
        {
            title: "Per-device licenses",
            file: "per-device.csv",
            headers: ["server", "licenseId", "device", "hardwareId", "status", "keyPackId", "version", "host", "issued", "expires"],
            rows: all.flatMap((s) =>
                s.perDevice.map((e) => [e.licenseServer, e.licenseId, e.device, e.hardwareId ?? "", e.status, e.keyPackId ?? "", e.productVersion ?? "", e.host, d(e.issueDate), d(e.expirationDate)]),
            ),
        },
        {
            title: "Failed per-user issuances",
            file: "failed-per-user.csv",
            headers: ["server", "user", "domain", "host", "date", "reason"],
            rows: all.flatMap((s) => s.failedPerUser.map((f) => [f.licenseServer, f.user, f.domain, f.host, f.date, f.reason])),
        },
        {
            title: "Summary",
            file: "summary.csv",
            headers: ["server", "version", "type", "installed", "issued", "available", "overAllocated"],
            rows: all.flatMap((s) => s.summary.map((r) => [r.licenseServer, r.productVersion, r.licenseType, r.installed, r.issued, r.available, r.overAllocated])),
        },
    ];
}

export function renderReportText(doc: UsageReportDocument): string {
    const parts = reportTables(doc).map((t) => `${t.title}\n${t.rows.length === 0 ? "  (none)\n" : table(t.headers.map((h) => h.toUpperCase()), t.rows)}`);
    const findings = doc.findings.length === 0 ? "Findings: none\n" : `Findings\n${doc.findings.map((f) => `  ${f.kind}: ${f.message}\n`).join("")}`;
    return `${parts.join("\n")}\n${findings}`;
}

function csvField(value: Cell): string {
    const text = String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
    return [headers, ...rows].map((r) => r.map(csvField).join(",")).join("\r\n") + "\r\n";
}

/** File name → CSV text, for --csv <dir>. */
export function renderCsvFiles(doc: UsageReportDocument): Record<string, string> {
    return Object.fromEntries(reportTables(doc).map((t) => [t.file, toCsv(t.headers, t.rows)]));
}
