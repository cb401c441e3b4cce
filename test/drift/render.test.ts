/**
 * Renderers: the text table, Markdown for PR comments, the SVG chart and the HTML report (both must
 * be well-formed XML, checked with the small parser in xml.ts).
 */
import { describe, expect, it } from "vitest";
import { MARKDOWN_MARKER, headline, renderMarkdown, renderTable } from "../../src/cli/drift/render-text";
import { escapeXml, renderHtml, renderUsageSvg } from "../../src/cli/drift/render-chart";
import { buildReport } from "../../src/cli/drift/compare";
import type { DriftReport } from "../../src/cli/drift/report";
import { PROJECT, STACK, deploymentState, hostLicensingState, packInputs, packState, refresh, sessionHost, state, step, T } from "./events";
import { descendants, parseXml } from "./xml";

function sampleReport(): DriftReport {
    const ea = packState("rds-ea-users", 3, 20, { issued: 19 });
    const odd = packState("rds-a<b>&\"c'", 4, 4, { issued: 4 });
    const shrunk = packState("rds-open-devices", 5, 6);
    return buildReport(
        [
            ...refresh(ea, ea),
            ...refresh(odd, odd),
            ...refresh(packState("rds-open-devices", 5, 10), shrunk),
            ...step("update", shrunk, state(T.pack, "rds-open-devices", "", packInputs(10))),
        ],
        { project: PROJECT, stack: STACK, warnAt: 90, now: new Date(0) },
    );
}

/** A farm: a deployment whose servers were reordered by hand, a healthy host, one not configured, a standalone host out of reach. */
function farmReport(options: { drift: boolean } = { drift: true }): DriftReport {
    const pack = packState("rds-ea-users", 3, 20, { issued: 12 });
    const hosts = [sessionHost("RDSH01", { deployment: "RDCB01" }), sessionHost("RDSH02", { deployment: "RDCB01", mode: "NotConfigured", licenseServers: [], graceDaysLeft: 3 })];
    const declared = deploymentState("RDCB01", "PerUser", ["RDLS-T1", "RDLS-T2"], hosts);
    const live = deploymentState("RDCB01", "PerUser", ["RDLS-T2", "RDLS-T1"], hosts);
    const standalone = hostLicensingState("RDSH09", "PerUser", ["RDLS-X"], sessionHost("RDSH09", { licenseServers: ["RDLS-X"], connectivity: [{ licenseServer: "RDLS-X", status: 6 }] }));
    return buildReport(
        [
            ...refresh(pack, pack),
            ...refresh(standalone, standalone),
            ...(options.drift ? [...refresh(declared, live), ...step("update", live, declared)] : refresh(declared, declared)),
        ],
        { project: PROJECT, stack: STACK, now: new Date(0) },
    );
}

describe("xml checker", () => {
    it("accepts well-formed documents and rejects broken ones", () => {
        expect(parseXml('<?xml version="1.0"?><a x="1"><b/>t &amp; u<!-- c --></a>').children).toHaveLength(1);
        for (const bad of ["<a><b></a></b>", "<a>", "<a x=1/>", '<a x="1" x="2"/>', "<a>&nope;</a>", "<a/><b/>", "<a>1 < 2</a>", "text<a/>"]) {
            expect(() => parseXml(bad), bad).toThrow();
        }
    });
});

describe("renderers", () => {
    it("the table names each drifted pack with expected and actual, and flags warnings", () => {
        const text = renderTable(sampleReport());
        expect(text).toContain("stack test (project rds-licensing): 1 drift item, 2 usage warnings (warn at 90%) [exit 2]");
        expect(text).toMatch(/pack count\s+open-devices\s+RDLS-T1\s+10\s+6\s+changed on the server/);
        expect(text).toMatch(/ea-users\s+RDLS-T1\s+enterprise-agreement\s+2022\s+per-user\s+20\s+19\s+1\s+95\.0%\s+WARNING/);
        expect(text).toContain("warning: pack ea-users on RDLS-T1: 19 of 20 CALs issued (95%), at or above 90%");
    });

    it("Markdown carries the comment marker and escapes table cells", () => {
        const md = renderMarkdown(sampleReport());
        expect(md.startsWith(`${MARKDOWN_MARKER}\n### RDS licensing drift report: stack \`test\``)).toBe(true);
        expect(md).toContain("**Drift detected** (exit 2");
        expect(md).toContain("| pack count | `open-devices` | RDLS-T1 | 10 | 6 | changed on the server |");
        expect(md).toContain("95.0% :warning:");
        const inSync = renderMarkdown({ ...sampleReport(), drift: [], warnings: [], status: "in-sync", exitCode: 0 });
        expect(inSync).toContain("**No drift**");
        expect(renderMarkdown({ ...sampleReport(), drift: [{ ...sampleReport().drift[0], name: "a|b" }] })).toContain("`a\\|b`");
    });

    it("the SVG chart is well-formed, one bar group per pack, with the threshold line", () => {
        const report = sampleReport();
        const svg = parseXml(renderUsageSvg(report));
        expect(svg.name).toBe("svg");
        expect(svg.attributes.xmlns).toBe("http://www.w3.org/2000/svg");
        const groups = descendants(svg).filter((e) => e.name === "g" && e.attributes.class === "pack");
        expect(groups.map((g) => g.attributes["data-pack"])).toEqual(report.usage.packs.map((p) => p.name));
        expect(groups.map((g) => g.attributes["data-pack"])).toContain("a<b>&\"c'");
        expect(descendants(svg).filter((e) => e.name === "line")).toHaveLength(1);
        const empty = parseXml(renderUsageSvg({ ...report, usage: { packs: [], servers: [] } }));
        expect(descendants(empty).some((e) => e.text.includes("No installed CAL packs"))).toBe(true);
    });

    it("the HTML report is well-formed XHTML with the tables and the inline chart", () => {
        const html = parseXml(renderHtml(sampleReport()));
        expect(html.name).toBe("html");
        const names = descendants(html).map((e) => e.name);
        expect(names).toContain("svg");
        expect(names.filter((n) => n === "table")).toHaveLength(3);
        expect(descendants(html).find((e) => e.name === "title")?.text).toBe("Drift report: test");
    });

    it("the table shows farm drift with its fix, the health table and each finding with its fix", () => {
        const text = renderTable(farmReport());
        expect(text).toContain("stack test (project rds-licensing): 1 drift item, 3 health findings on 3 session hosts [exit 2]");
        expect(text).toMatch(/license servers\s+RDCB01\s+RDCB01\s+RDLS-T1, RDLS-T2\s+RDLS-T2, RDLS-T1\s+changed on the server/);
        expect(text).toContain("    fix: `pulumi up` sets the list to RDLS-T1, RDLS-T2");
        expect(text).toContain("LICENSING HEALTH (GRACE PERIOD WARNING AT 14 DAYS)");
        expect(text).toMatch(/host\s+deployment\s+version\s+mode\s+license servers\s+grace days\s+CALs for it\s+licensed/);
        expect(text).toMatch(/RDSH01\s+RDCB01\s+2022\s+PerUser\s+RDLS-T1 \(Valid\)\s+120\s+ea-users on RDLS-T1: 8 left\s+yes/);
        expect(text).toMatch(/RDSH02\s+RDCB01\s+2022\s+NotConfigured\s+none\s+3\s+none\s+NO/);
        expect(text).toMatch(/RDSH09\s+\(standalone\)\s+2022\s+PerUser\s+RDLS-X \(unreachable: NotConnectable\)\s+120\s+none\s+NO/);
        expect(text).toContain("  - error: RDSH02: the licensing mode is not configured\n    fix: set the deployment's licensing (broker RDCB01) to PerUser or PerDevice");
        expect(text).toContain("  - warning: RDSH02: its grace period ends in 3 days\n");
        expect(text).toContain("  - error: RDSH09: no listed license server can license it (RDLS-X NotConnectable)\n");
        // No farm, no health section.
        expect(renderTable(sampleReport())).not.toContain("LICENSING HEALTH");
        expect(headline(sampleReport())).not.toContain("health");
    });

    it("Markdown: farm drift with its fix, the health table and the findings table; health findings alone have their status", () => {
        const md = renderMarkdown(farmReport());
        expect(md).toContain("| license servers | `RDCB01` | RDCB01 | RDLS-T1, RDLS-T2 | RDLS-T2, RDLS-T1 | changed on the server |");
        expect(md).toContain(". Fix: `pulumi up` sets the list to RDLS-T1, RDLS-T2");
        expect(md).toContain("#### Licensing health (grace period warning at 14 days)");
        expect(md).toContain("| RDSH01 | RDCB01 | 2022 | PerUser | RDLS-T1 (Valid) | 120 | ea-users on RDLS-T1: 8 left | yes |");
        expect(md).toContain("| severity | host | finding | fix |");
        expect(md).toContain("| error | RDSH02 | RDSH02: the licensing mode is not configured | set the deployment's licensing (broker RDCB01) to PerUser or PerDevice |");
        const healthOnly = renderMarkdown(farmReport({ drift: false }));
        expect(healthOnly).toContain("**No drift, licensing health findings** (exit 4");
        expect(renderMarkdown(sampleReport())).not.toContain("Licensing health");
    });

    it("the HTML report is well-formed with the farm drift (and its fix), the health and findings tables", () => {
        const html = parseXml(renderHtml(farmReport({ drift: false })));
        const tables = descendants(html).filter((e) => e.name === "table");
        // health, findings, CAL usage per pack and per server (no drift table without drift).
        expect(tables).toHaveLength(4);
        const cells = (t: (typeof tables)[number]) => descendants(t).filter((e) => e.name === "td" || e.name === "th").map((e) => e.text);
        expect(cells(tables[0])).toEqual(expect.arrayContaining(["RDSH09", "(standalone)", "RDLS-X (unreachable: NotConnectable)", "NO"]));
        expect(cells(tables[1])).toEqual(expect.arrayContaining(["severity", "RDSH02: its grace period ends in 3 days", "fix the finding above before then, or users will be refused"]));
        expect(descendants(html).find((e) => e.name === "p" && e.attributes.class?.startsWith("status"))?.attributes.class).toBe("status health-findings");
        expect(descendants(html).find((e) => e.name === "h2" && e.text.startsWith("Licensing health"))).toBeDefined();
        const drifted = parseXml(renderHtml(farmReport()));
        const driftCells = descendants(descendants(drifted).filter((e) => e.name === "table")[0]).map((e) => e.text);
        expect(driftCells).toEqual(expect.arrayContaining(["license-servers", "RDLS-T1, RDLS-T2", "RDLS-T2, RDLS-T1", "`pulumi up` sets the list to RDLS-T1, RDLS-T2"]));
    });

    it("escapes every XML special character", () => {
        expect(escapeXml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;");
    });
});
