/**
 * Human-readable renderings of a drift report: an aligned text table (the terminal) and Markdown
 * (pull request comments, job summaries).
 */
import type { DriftReport } from "./report";
import { FINDINGS_HEAD, HEALTH_HEAD, findingRows, healthRows, healthTitle, showValue as show } from "./health-rows";

/** Marks the bot comment, so a pipeline can update its previous comment instead of adding one. */
export const MARKDOWN_MARKER = "<!-- rds-licensing:drift-report -->";

const KIND_LABEL: Record<string, string> = {
    "pack-count": "pack count",
    "pack-missing": "pack missing",
    "pack-not-declared": "pack not declared",
    "pack-replaced": "pack replaced",
    "server-not-activated": "not activated",
    "server-missing": "server missing",
    "licensing-mode": "licensing mode",
    "license-servers": "license servers",
    "licensing-missing": "licensing missing",
    other: "other change",
};

const pct = (n: number) => `${n.toFixed(1)}%`;

/** What the report's status says, in words (Markdown, HTML). */
export const STATUS_TEXT: Record<DriftReport["status"], string> = {
    drift: "Drift detected",
    "health-findings": "No drift, licensing health findings",
    "usage-warning": "No drift, CAL usage warnings",
    "in-sync": "No drift",
};

export function headline(report: DriftReport): string {
    const parts = [
        report.drift.length === 0 ? "no drift" : `${report.drift.length} drift item${report.drift.length === 1 ? "" : "s"}`,
        ...(report.health.hosts.length > 0 || report.health.findings.length > 0
            ? [`${report.health.findings.length} health finding${report.health.findings.length === 1 ? "" : "s"} on ${report.health.hosts.length} session host${report.health.hosts.length === 1 ? "" : "s"}`]
            : []),
        ...(report.warnAt !== undefined ? [`${report.warnings.length} usage warning${report.warnings.length === 1 ? "" : "s"} (warn at ${report.warnAt}%)`] : []),
    ];
    return `stack ${report.stack} (project ${report.project}): ${parts.join(", ")} [exit ${report.exitCode}]`;
}

export function table(rows: readonly (readonly string[])[], indent = "  "): string {
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
    return rows.map((r) => indent + r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join("  ").trimEnd()).join("\n");
}

export function renderTable(report: DriftReport): string {
    const out = [`Drift report: ${headline(report)}`, ""];
    if (report.drift.length === 0) out.push("Desired and actual state agree.", "");
    else {
        out.push("DRIFT");
        out.push(
            table([
                ["kind", "resource", "server", "expected", "actual", "source"],
                ...report.drift.map((d) => [KIND_LABEL[d.kind] ?? d.kind, d.name, d.server ?? "", show(d.expected), show(d.actual), d.source === "live" ? "changed on the server" : "program/config"]),
            ]),
        );
        out.push("");
        for (const d of report.drift) out.push(`  - ${d.message}`, ...(d.fix ? [`    fix: ${d.fix}`] : []));
        out.push("");
    }
    if (report.health.hosts.length > 0) {
        out.push(healthTitle(report).toUpperCase(), table([[...HEALTH_HEAD], ...healthRows(report)]), "");
        for (const f of report.health.findings) out.push(`  - ${f.severity}: ${f.message}`, `    fix: ${f.fix}`);
        if (report.health.findings.length > 0) out.push("");
    }
    if (report.usage.packs.length > 0) {
        const warned = new Set(report.warnings.map((w) => `${w.server}/${w.pack}`));
        out.push(`CAL USAGE${report.warnAt !== undefined ? ` (warn at ${report.warnAt}%)` : ""}`);
        out.push(
            table([
                ["pack", "server", "program", "version", "type", "total", "issued", "available", "used", ""],
                ...report.usage.packs.map((p) => [
                    p.name,
                    p.server,
                    p.program ?? "",
                    p.productVersion ?? "",
                    p.licenseType ?? "",
                    String(p.total),
                    String(p.issued),
                    String(p.available),
                    pct(p.utilisation),
                    warned.has(`${p.server}/${p.name}`) ? "WARNING" : "",
                ]),
            ]),
        );
        out.push("");
        out.push(
            table([
                ["server", "activation", "packs", "total", "issued", "available", "used"],
                ...report.usage.servers.map((s) => [s.server, s.activationStatus ?? "", String(s.packs), String(s.total), String(s.issued), String(s.available), pct(s.utilisation)]),
            ]),
        );
        out.push("");
    }
    for (const w of report.warnings) out.push(`warning: ${w.message}`);
    return `${out.join("\n").trimEnd()}\n`;
}

const cell = (v: string) => v.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\n/g, " ");

function mdTable(rows: readonly (readonly string[])[]): string {
    const [head, ...body] = rows;
    return [`| ${head.map(cell).join(" | ")} |`, `|${head.map(() => " --- ").join("|")}|`, ...body.map((r) => `| ${r.map(cell).join(" | ")} |`)].join("\n");
}

export function renderMarkdown(report: DriftReport): string {
    const status = `**${STATUS_TEXT[report.status]}**`;
    const out = [MARKDOWN_MARKER, `### RDS licensing drift report: stack \`${report.stack}\``, "", `${status} (exit ${report.exitCode}, ${report.generatedAt})`, ""];
    if (report.drift.length > 0) {
        out.push(
            mdTable([
                ["kind", "resource", "server", "expected", "actual", "source"],
                ...report.drift.map((d) => [KIND_LABEL[d.kind] ?? d.kind, `\`${d.name}\``, d.server ?? "", show(d.expected), show(d.actual), d.source === "live" ? "changed on the server" : "program/config"]),
            ]),
            "",
            ...report.drift.map((d) => `- ${d.message}${d.fix ? `. Fix: ${d.fix}` : ""}`),
            "",
            "`pulumi up` on the stack brings the servers back to the program.",
            "",
        );
    } else {
        out.push("Desired and actual state agree.", "");
    }
    if (report.health.hosts.length > 0) {
        out.push(`#### ${healthTitle(report)}`, "", mdTable([[...HEALTH_HEAD], ...healthRows(report)]), "");
        if (report.health.findings.length > 0) out.push(mdTable([[...FINDINGS_HEAD], ...findingRows(report)]), "");
    }
    if (report.usage.packs.length > 0) {
        out.push(`#### CAL usage${report.warnAt !== undefined ? ` (warn at ${report.warnAt}%)` : ""}`, "");
        const warned = new Set(report.warnings.map((w) => `${w.server}/${w.pack}`));
        out.push(
            mdTable([
                ["pack", "server", "version", "type", "total", "issued", "available", "used"],
                ...report.usage.packs.map((p) => [
                    `\`${p.name}\``,
                    p.server,
                    p.productVersion ?? "",
                    p.licenseType ?? "",
                    String(p.total),
                    String(p.issued),
                    String(p.available),
                    `${pct(p.utilisation)}${warned.has(`${p.server}/${p.name}`) ? " :warning:" : ""}`,
                ]),
            ]),
            "",
        );
    }
    return `${out.join("\n").trimEnd()}\n`;
}
