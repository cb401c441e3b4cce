/**
 * The usage report as one self-contained HTML page (XHTML-compatible, no script, no CDN): the
 * tables, a bar chart of CALs per server, version and type (installed, issued, over-allocated)
 * and, given earlier reports (--history), a line chart of CALs in use over time. Charts are
 * inline SVG; every element that draws a number carries it in a data- attribute and a text.
 */
import { escapeXml, htmlPage, htmlTable } from "./html-page";
import { reportTables } from "./report-text";
import type { UsageReportDocument } from "./report-model";

const COLORS = { issued: "#2e7d32", over: "#c62828", track: "#e0e0e0", text: "#212121", perUser: "#1565c0", perDevice: "#ef6c00" };
const attr = (value: string | number) => escapeXml(String(value));

/** One bar per summary row: issued over installed, the over-allocated part beyond it in red. */
export function renderUsageChart(doc: UsageReportDocument): string {
    const rows = doc.servers.flatMap((s) => s.summary);
    const label = 250;
    const bar = 360;
    const rowHeight = 32;
    const top = 44;
    const width = label + bar + 220;
    const height = top + Math.max(rows.length, 1) * rowHeight + 16;
    const scale = Math.max(1, ...rows.map((r) => Math.max(r.installed, r.issued + r.overAllocated)));
    const parts = [
        `<svg xmlns="http://www.w3.org/2000/svg" class="usage-chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="usage-title">`,
        `<title id="usage-title">CAL usage per server, version and type</title>`,
        `<text x="12" y="26" font-size="16" font-weight="bold" fill="${COLORS.text}">CAL usage per server, version and type</text>`,
    ];
    if (rows.length === 0) parts.push(`<text x="12" y="${top + 18}" fill="${COLORS.text}">No CAL packs installed.</text>`);
    rows.forEach((r, i) => {
        const y = top + i * rowHeight;
        const w = (n: number) => ((bar * n) / scale).toFixed(1);
        const name = `${r.licenseServer} ${r.productVersion} ${r.licenseType}`;
        parts.push(
            `<g class="usage-bar" data-server="${attr(r.licenseServer)}" data-version="${attr(r.productVersion)}" data-type="${attr(r.licenseType)}" data-installed="${r.installed}" data-issued="${r.issued}" data-over-allocated="${r.overAllocated}">`,
            `<title>${escapeXml(`${name}: ${r.issued} of ${r.installed} issued${r.overAllocated ? `, ${r.overAllocated} over-allocated` : ""}`)}</title>`,
            `<text x="12" y="${y + 18}" fill="${COLORS.text}">${escapeXml(name)}</text>`,
            `<rect x="${label}" y="${y + 4}" width="${w(r.installed)}" height="20" fill="${COLORS.track}"/>`,
            `<rect class="issued" x="${label}" y="${y + 4}" width="${w(r.issued)}" height="20" fill="${COLORS.issued}"/>`,
            `<rect class="over-allocated" x="${(label + Number(w(r.issued))).toFixed(1)}" y="${y + 4}" width="${w(r.overAllocated)}" height="20" fill="${COLORS.over}"/>`,
            `<text class="value" x="${label + bar + 10}" y="${y + 18}" fill="${COLORS.text}">${escapeXml(`${r.issued} / ${r.installed}${r.overAllocated ? ` +${r.overAllocated} over` : ""}`)}</text>`,
            "</g>",
        );
    });
    parts.push("</svg>");
    return parts.join("\n");
}

export interface HistoryPoint {
    date: string;
    perUser: number;
    perDevice: number;
}

/** Per-user CALs in use (over-allocated included) and active per-device CALs, per report. */
export function historyPoints(docs: readonly UsageReportDocument[]): HistoryPoint[] {
    return docs
        .map((doc) => ({
            date: doc.generatedAt,
            perUser: doc.servers.reduce((n, s) => n + s.perUser.length, 0),
            perDevice: doc.servers.reduce((n, s) => n + s.perDevice.filter((e) => e.status === "active").length, 0),
        }))
        .sort((a, b) => Date.parse(a.date) - Date.parse(b.date));
}

export function renderHistoryChart(points: readonly HistoryPoint[]): string {
    const width = 760;
    const height = 300;
    const left = 60;
    const right = 20;
    const top = 44;
    const bottom = 50;
    const max = Math.max(1, ...points.flatMap((p) => [p.perUser, p.perDevice]));
    const x = (i: number) => (points.length === 1 ? left + (width - left - right) / 2 : left + (i * (width - left - right)) / (points.length - 1));
    const y = (v: number) => top + (height - top - bottom) * (1 - v / max);
    const parts = [
        `<svg xmlns="http://www.w3.org/2000/svg" class="history-chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="history-title">`,
        `<title id="history-title">CALs in use over time</title>`,
        `<text x="12" y="26" font-size="16" font-weight="bold" fill="${COLORS.text}">CALs in use over time</text>`,
        `<line x1="${left}" y1="${y(0)}" x2="${width - right}" y2="${y(0)}" stroke="${COLORS.text}"/>`,
        `<text x="${left - 8}" y="${y(max) + 4}" text-anchor="end" fill="${COLORS.text}">${max}</text>`,
        `<text x="${left - 8}" y="${y(0) + 4}" text-anchor="end" fill="${COLORS.text}">0</text>`,
    ];
    for (const [series, color] of [["perUser", COLORS.perUser], ["perDevice", COLORS.perDevice]] as const) {
        const coords = points.map((p, i) => `${x(i).toFixed(1)},${y(p[series]).toFixed(1)}`).join(" ");
        parts.push(`<g class="history-series" data-series="${series}">`, `<polyline points="${coords}" fill="none" stroke="${color}" stroke-width="2"/>`);
        points.forEach((p, i) => {
            parts.push(
                `<circle class="history-point" data-date="${attr(p.date)}" data-value="${p[series]}" cx="${x(i).toFixed(1)}" cy="${y(p[series]).toFixed(1)}" r="4" fill="${color}"><title>${escapeXml(`${series} ${p.date}: ${p[series]}`)}</title></circle>`,
            );
        });
        parts.push("</g>");
    }
    points.forEach((p, i) => parts.push(`<text x="${x(i).toFixed(1)}" y="${height - bottom + 18}" text-anchor="middle" font-size="11" fill="${COLORS.text}">${escapeXml(p.date.slice(0, 10))}</text>`));
    parts.push(
        `<text x="${left}" y="${height - 8}" fill="${COLORS.perUser}">per-user CALs in use</text>`,
        `<text x="${left + 200}" y="${height - 8}" fill="${COLORS.perDevice}">per-device CALs active</text>`,
        "</svg>",
    );
    return parts.join("\n");
}

/** The page. `history`: earlier documents (this one is added to the chart). */
export function renderReportHtml(doc: UsageReportDocument, history: readonly UsageReportDocument[] = []): string {
    const body = [
        `<h1>RDS CAL usage report</h1>`,
        `<p class="status ${doc.status}">${escapeXml(`${doc.status} (exit ${doc.exitCode}) — ${doc.source}, ${doc.generatedAt}`)}</p>`,
        `<figure>\n${renderUsageChart(doc)}\n</figure>`,
    ];
    if (history.length > 0) body.push(`<figure>\n${renderHistoryChart(historyPoints([...history, doc]))}\n</figure>`);
    if (doc.findings.length > 0) body.push("<h2>Findings</h2>", `<ul class="findings">\n${doc.findings.map((f) => `<li class="${f.kind}">${escapeXml(f.message)}</li>`).join("\n")}\n</ul>`);
    for (const t of reportTables(doc)) body.push(`<h2>${escapeXml(t.title)}</h2>`, htmlTable(t.headers, t.rows));
    return htmlPage({
        title: "RDS CAL usage report",
        css: ".over-allocated { color: #c62828; } .failed-issuances { color: #ef6c00; } .clean { color: #2e7d32; } text { font-family: system-ui, sans-serif; font-size: 13px; }",
        body,
    });
}
