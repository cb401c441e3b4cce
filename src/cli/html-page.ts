/**
 * The frame of the CLI's self-contained HTML pages (drift report, usage report): XHTML-compatible,
 * so an XML parser reads them, with no script and no CDN. Every text put in here is escaped.
 */

/** Escape a text for XML content and attribute values (HTML pages and SVG charts alike). */
export function escapeXml(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

/** The look every page shares: its own rules (`css`) come after these. */
const BASE_CSS =
    "body { font-family: system-ui, sans-serif; margin: 2em; } table { border-collapse: collapse; margin: 1em 0; } " +
    "th, td { border: 1px solid #bdbdbd; padding: 4px 8px; text-align: left; }";

export interface HtmlPageParts {
    /** The page title, plain text (escaped here). @example "Drift report: dev" */
    title: string;
    /** Style rules of this page, after the shared ones. @example ".drift { color: #c62828; }" */
    css: string;
    /** The body's elements, markup already escaped, one per line. */
    body: readonly string[];
}

/** A whole page: doctype, the XHTML root, head (charset, title, style) and body; ends with a newline. */
export function htmlPage({ title, css, body }: HtmlPageParts): string {
    return [
        "<!DOCTYPE html>",
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="en">',
        "<head>",
        '<meta charset="utf-8"/>',
        `<title>${escapeXml(title)}</title>`,
        `<style>${BASE_CSS} ${css}</style>`,
        "</head>",
        "<body>",
        ...body,
        "</body>",
        "</html>",
        "",
    ].join("\n");
}

/** A table with one header row; every cell escaped. */
export function htmlTable(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
    const tr = (cells: readonly (string | number)[], tag: "th" | "td") => `<tr>${cells.map((c) => `<${tag}>${escapeXml(String(c))}</${tag}>`).join("")}</tr>`;
    return `<table>\n<thead>${tr(head, "th")}</thead>\n<tbody>\n${rows.map((r) => tr(r, "td")).join("\n")}\n</tbody>\n</table>`;
}
