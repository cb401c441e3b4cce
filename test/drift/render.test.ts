/**
 * Renderers: the text table, Markdown for PR comments, the SVG chart and the HTML report (both must
 * be well-formed XML, checked with the small parser in xml.ts).
 */
import { describe, expect, it } from "vitest";
import { MARKDOWN_MARKER, renderMarkdown, renderTable } from "../../src/cli/drift/render-text";
import { escapeXml, renderHtml, renderUsageSvg } from "../../src/cli/drift/render-chart";
import { buildReport } from "../../src/cli/drift/compare";
import type { DriftReport } from "../../src/cli/drift/report";
import { PROJECT, STACK, packInputs, packState, refresh, state, step, T } from "./events";
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

    it("escapes every XML special character", () => {
        expect(escapeXml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;");
    });
});
