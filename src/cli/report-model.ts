/**
 * The usage report of `rds-licensing report`: every license server's tables in one
 * JSON-serializable value that every renderer (text, JSON, CSV, HTML) reads, with the findings
 * and the exit code. Names, versions, counts and dates only.
 */
import type { ServerUsageReport } from "../licensing/usage";

/**
 * Exit codes, after the drift command's convention (src/cli/drift/report.ts): one per run, the
 * first that applies in this order: Error (1), OverAllocated (4), FailedIssuances (3), Clean (0).
 */
export const ReportExitCode = {
    /** No finding. */
    Clean: 0,
    /** Bad arguments, unreadable store or stack, a server that did not answer. */
    Error: 1,
    /** No over-allocation, but the servers recorded failed per-user issuances. */
    FailedIssuances: 3,
    /** Per-user CALs in use beyond those installed on a server (not enforced: an audit finding). */
    OverAllocated: 4,
} as const;
export type ReportExitCode = (typeof ReportExitCode)[keyof typeof ReportExitCode];

export const FindingKind = { OverAllocated: "over-allocated", FailedIssuances: "failed-issuances" } as const;
export type FindingKind = (typeof FindingKind)[keyof typeof FindingKind];

export interface UsageFinding {
    kind: FindingKind;
    licenseServer: string;
    /** Over-allocation: the version counted against; failed issuances: absent. */
    productVersion?: string;
    count: number;
    message: string;
}

export interface UsageReportDocument {
    schemaVersion: 1;
    generatedAt: string;
    /** Where the servers came from: `simulator <home>` or `stack <name>`. */
    source: string;
    status: "clean" | "failed-issuances" | "over-allocated";
    exitCode: ReportExitCode;
    servers: ServerUsageReport[];
    findings: UsageFinding[];
}

export function findingsOf(servers: readonly ServerUsageReport[]): UsageFinding[] {
    const findings: UsageFinding[] = [];
    for (const s of servers) {
        for (const row of s.summary) {
            if (row.licenseType !== "per-user" || row.overAllocated === 0) continue;
            findings.push({
                kind: FindingKind.OverAllocated,
                licenseServer: s.licenseServer,
                productVersion: row.productVersion,
                count: row.overAllocated,
                message: `${s.licenseServer}: ${row.overAllocated} user(s) hold no per-user CAL beyond the ${row.installed} installed (Windows Server ${row.productVersion}); per-user CALs are not enforced, so buy or move CALs`,
            });
        }
        if (s.failedPerUser.length > 0) {
            const users = new Set(s.failedPerUser.map((f) => f.user.toLowerCase())).size;
            findings.push({
                kind: FindingKind.FailedIssuances,
                licenseServer: s.licenseServer,
                count: s.failedPerUser.length,
                message: `${s.licenseServer}: ${s.failedPerUser.length} failed per-user issuance(s) for ${users} user(s)`,
            });
        }
    }
    return findings;
}

export function exitCodeOfFindings(findings: readonly UsageFinding[]): ReportExitCode {
    if (findings.some((f) => f.kind === FindingKind.OverAllocated)) return ReportExitCode.OverAllocated;
    if (findings.length > 0) return ReportExitCode.FailedIssuances;
    return ReportExitCode.Clean;
}

const STATUS: Record<ReportExitCode, UsageReportDocument["status"]> = {
    [ReportExitCode.Clean]: "clean",
    [ReportExitCode.Error]: "clean",
    [ReportExitCode.FailedIssuances]: "failed-issuances",
    [ReportExitCode.OverAllocated]: "over-allocated",
};

export function buildUsageDocument(servers: readonly ServerUsageReport[], source: string, now: Date = new Date()): UsageReportDocument {
    const findings = findingsOf(servers);
    const exitCode = exitCodeOfFindings(findings);
    return { schemaVersion: 1, generatedAt: now.toISOString(), source, status: STATUS[exitCode], exitCode, servers: [...servers], findings };
}

/** A document read back from a `--history` folder: checked just enough to chart it. */
export function parseHistoryDocument(raw: unknown): UsageReportDocument | undefined {
    const d = raw as Partial<UsageReportDocument> | null;
    if (!d || d.schemaVersion !== 1 || typeof d.generatedAt !== "string" || Number.isNaN(Date.parse(d.generatedAt)) || !Array.isArray(d.servers)) return undefined;
    if (!d.servers.every((s) => s && Array.isArray(s.summary) && Array.isArray(s.perUser) && Array.isArray(s.perDevice))) return undefined;
    return d as UsageReportDocument;
}
