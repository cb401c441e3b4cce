/**
 * The cells of the health sections, shared by every renderer (text, Markdown, HTML): the per-host
 * table and the findings. Plain strings; each renderer escapes and lays them out its own way.
 */
import type { DriftReport, DriftValue, HostHealthRow } from "./report";

export const HEALTH_HEAD = ["host", "deployment", "version", "mode", "license servers", "grace days", "CALs for it", "licensed"] as const;
export const FINDINGS_HEAD = ["severity", "host", "finding", "fix"] as const;

/** A drift value as text: a list in preference order, `none` for an empty one, `absent` for none at all. */
export function showValue(v: DriftValue): string {
    if (v === null) return "absent";
    if (Array.isArray(v)) return v.length === 0 ? "none" : v.join(", ");
    return String(v);
}

const servers = (h: HostHealthRow) =>
    h.licenseServers.length === 0 ? "none" : h.licenseServers.map((s) => `${s.licenseServer} (${s.reachable ? "" : "unreachable: "}${s.statusName})`).join(", ");

const coverage = (h: HostHealthRow) =>
    h.coverage.length === 0 ? "none" : h.coverage.map((c) => `${c.pack} on ${c.licenseServer}: ${c.availableLicenses} left`).join(", ");

export function healthRows(report: DriftReport): string[][] {
    return report.health.hosts.map((h) => [
        h.name,
        h.deployment ?? "(standalone)",
        h.windowsServerVersion,
        h.mode,
        servers(h),
        String(h.graceDaysLeft),
        coverage(h),
        h.licensed ? "yes" : "NO",
    ]);
}

export function findingRows(report: DriftReport): string[][] {
    return report.health.findings.map((f) => [f.severity, f.host, f.message, f.fix]);
}

export function healthTitle(report: DriftReport): string {
    return `Licensing health (grace period warning at ${report.health.graceWarningDays} days)`;
}
