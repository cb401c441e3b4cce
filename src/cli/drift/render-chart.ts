/**
 * The CAL usage chart (SVG) and a self-contained HTML report around it. Both are well-formed XML
 * (the HTML is XHTML-compatible), so any XML parser can read them; every text is escaped.
 */
import type { DriftReport, PackUsage } from "./report";
import { FINDINGS_HEAD, HEALTH_HEAD, findingRows, healthRows, healthTitle, showValue } from "./health-rows";
import { STATUS_TEXT } from "./render-text";
import { escapeXml, htmlPage, htmlTable } from "../html-page";

export { escapeXml } from "../html-page";

const COLORS = { ok: "#2e7d32", warn: "#ef6c00", full: "#c62828", track: "#e0e0e0", text: "#212121", threshold: "#6a1b9a" };

function barColor(p: PackUsage, warnAt: number | undefined): string {
    if (p.utilisation >= 100) return COLORS.full;
    if (warnAt !== undefined && p.utilisation >= warnAt) return COLORS.warn;
    return COLORS.ok;
}

/** One horizontal bar per pack: issued over total, with the --warn-at threshold as a dashed line. */
export function renderUsageSvg(report: DriftReport): string {
    const packs = report.usage.packs;
    const labelWidth = 260;
    const barWidth = 360;
    const rowHeight = 34;
    const top = 48;
    const width = labelWidth + barWidth + 190;
    const height = top + Math.max(packs.length, 1) * rowHeight + 24;
    const title = `CAL usage of stack ${report.stack}`;
    const parts: string[] = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="chart-title">`,
        `<title id="chart-title">${escapeXml(title)}</title>`,
        `<style>text { font-family: system-ui, sans-serif; font-size: 13px; fill: ${COLORS.text}; } .title { font-size: 16px; font-weight: bold; }</style>`,
        `<text class="title" x="12" y="26">${escapeXml(title)}${report.warnAt !== undefined ? escapeXml(` (warn at ${report.warnAt}%)`) : ""}</text>`,
    ];
    if (packs.length === 0) {
        parts.push(`<text x="12" y="${top + 18}">No installed CAL packs.</text>`);
    }
    packs.forEach((p, i) => {
        const y = top + i * rowHeight;
        const used = Math.min(p.utilisation, 100) / 100;
        parts.push(
            `<g class="pack" data-pack="${escapeXml(p.name)}" data-server="${escapeXml(p.server)}">`,
            `<title>${escapeXml(`${p.name} on ${p.server}: ${p.issued} of ${p.total} issued, ${p.available} available`)}</title>`,
            `<text x="12" y="${y + 18}">${escapeXml(`${p.name} (${p.server})`)}</text>`,
            `<rect x="${labelWidth}" y="${y + 4}" width="${barWidth}" height="20" rx="3" fill="${COLORS.track}"/>`,
            `<rect x="${labelWidth}" y="${y + 4}" width="${(barWidth * used).toFixed(1)}" height="20" rx="3" fill="${barColor(p, report.warnAt)}"/>`,
            `<text x="${labelWidth + barWidth + 10}" y="${y + 18}">${escapeXml(`${p.issued} / ${p.total} (${p.utilisation.toFixed(1)}%)`)}</text>`,
            "</g>",
        );
    });
    if (report.warnAt !== undefined && packs.length > 0) {
        const x = (labelWidth + (barWidth * report.warnAt) / 100).toFixed(1);
        parts.push(
            `<line x1="${x}" y1="${top - 4}" x2="${x}" y2="${top + packs.length * rowHeight}" stroke="${COLORS.threshold}" stroke-width="2" stroke-dasharray="5,4"/>`,
        );
    }
    parts.push("</svg>");
    return `${parts.join("\n")}\n`;
}

/** A standalone HTML page: headline, drift table, usage tables and the inline SVG chart. */
export function renderHtml(report: DriftReport): string {
    const svg = renderUsageSvg(report).replace(/^<\?xml[^>]*>\n/, "");
    const status = STATUS_TEXT[report.status];
    const body: string[] = [
        `<h1>${escapeXml(`RDS licensing drift report: stack ${report.stack}`)}</h1>`,
        `<p class="status ${report.status}">${escapeXml(`${status} (exit ${report.exitCode}) — project ${report.project}, ${report.generatedAt}`)}</p>`,
    ];
    if (report.drift.length > 0) {
        body.push(
            "<h2>Drift</h2>",
            htmlTable(
                ["kind", "resource", "server", "expected", "actual", "source", "details", "fix"],
                report.drift.map((d) => [d.kind, d.name, d.server ?? "", showValue(d.expected), showValue(d.actual), d.source, d.message, d.fix ?? ""]),
            ),
        );
    }
    if (report.health.hosts.length > 0) {
        body.push(`<h2>${escapeXml(healthTitle(report))}</h2>`, htmlTable(HEALTH_HEAD, healthRows(report)));
        if (report.health.findings.length > 0) body.push(htmlTable(FINDINGS_HEAD, findingRows(report)));
    }
    body.push(
        "<h2>CAL usage</h2>",
        htmlTable(
            ["pack", "server", "key packs", "program", "version", "type", "total", "issued", "available", "used"],
            report.usage.packs.map((p) => [
                p.name,
                p.server,
                p.keyPackIds.join(", "),
                p.program ?? "",
                p.productVersion ?? "",
                p.licenseType ?? "",
                String(p.total),
                String(p.issued),
                String(p.available),
                `${p.utilisation.toFixed(1)}%`,
            ]),
        ),
        htmlTable(
            ["server", "activation", "packs", "total", "issued", "available", "used"],
            report.usage.servers.map((s) => [s.server, s.activationStatus ?? "", String(s.packs), String(s.total), String(s.issued), String(s.available), `${s.utilisation.toFixed(1)}%`]),
        ),
        `<figure>\n${svg}</figure>`,
    );
    if (report.warnings.length > 0) {
        body.push("<h2>Warnings</h2>", `<ul>\n${report.warnings.map((w) => `<li>${escapeXml(w.message)}</li>`).join("\n")}\n</ul>`);
    }
    return htmlPage({
        title: `Drift report: ${report.stack}`,
        css: ".drift { color: #c62828; } .health-findings { color: #c62828; } .usage-warning { color: #ef6c00; } .in-sync { color: #2e7d32; }",
        body,
    });
}
