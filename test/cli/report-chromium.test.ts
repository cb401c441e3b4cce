/**
 * The HTML usage report as a browser shows it: a report of a simulated farm (over-allocated per-user
 * CALs, per-device CALs, an earlier report for the chart over time) loaded in headless Chromium.
 * The rendered DOM (--dump-dom) carries the chart elements and their numbers; the screenshot
 * (--screenshot) is a real PNG of the window's size, decoded here with node:zlib, in which the
 * bars are drawn in the chart's colours at the widths the numbers give.
 * Chromium comes from Debian (`tools/run.mjs test` installs it as root when it is missing).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { inflateSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { run as report } from "../../src/cli/report";
import type { UsageReportDocument } from "../../src/cli/report-model";
import { simCli } from "../simulator/helpers/sim";
import { usageFarm } from "../support/usage-farm";

const CHROMIUM_CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
const WINDOW = { width: 1200, height: 1600 };
/** The chart's colours (src/cli/report-html.ts): issued green, over-allocated red. */
const ISSUED = [0x2e, 0x7d, 0x32] as const;
const OVER = [0xc6, 0x28, 0x28] as const;
/** The usage chart's bar length for the largest count (report-html.ts draws bars 360 px long at most). */
const BAR_PX = 360;

function chromium(): string {
    const found = [process.env.RDLS_CHROMIUM, ...CHROMIUM_CANDIDATES].find((p): p is string => !!p && fs.existsSync(p));
    if (!found) throw new Error(`no Chromium at ${CHROMIUM_CANDIDATES.join(", ")}: run the tests with \`npm test\` (as root it installs Debian's chromium), or apt-get install chromium, or set RDLS_CHROMIUM`);
    return found;
}

/** One headless Chromium run on `url`; its stdout. Its own profile folder, no sandbox (tests run as root). */
function headless(args: readonly string[], url: string): string {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), "rdls-chromium-"));
    const result = spawnSync(
        chromium(),
        [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            `--user-data-dir=${profile}`,
            `--window-size=${WINDOW.width},${WINDOW.height}`,
            ...args,
            url,
        ],
        { encoding: "utf8", timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
    );
    fs.rmSync(profile, { recursive: true, force: true });
    if (result.error) throw result.error;
    if (result.status !== 0) throw new Error(`chromium exited with ${result.status}: ${result.stderr.slice(-2000)}`);
    return result.stdout;
}

interface Png {
    width: number;
    height: number;
    /** RGBA, row by row. */
    pixels: Buffer;
}

/** A PNG of 8-bit RGB or RGBA, non-interlaced (what Chromium writes), decoded: chunks, inflate, scanline filters. */
function decodePng(file: Buffer): Png {
    expect(file.subarray(0, 8).toString("hex"), "PNG signature").toBe("89504e470d0a1a0a");
    let width = 0;
    let height = 0;
    let channels = 0;
    const data: Buffer[] = [];
    for (let at = 8; at < file.length; ) {
        const length = file.readUInt32BE(at);
        const type = file.toString("latin1", at + 4, at + 8);
        const body = file.subarray(at + 8, at + 8 + length);
        if (type === "IHDR") {
            width = body.readUInt32BE(0);
            height = body.readUInt32BE(4);
            const [depth, colour, , , interlace] = [body[8], body[9], body[10], body[11], body[12]];
            if (depth !== 8 || (colour !== 2 && colour !== 6) || interlace !== 0) throw new Error(`unexpected PNG format: depth ${depth}, colour type ${colour}, interlace ${interlace}`);
            channels = colour === 6 ? 4 : 3;
        } else if (type === "IDAT") data.push(body);
        else if (type === "IEND") break;
        at += 12 + length;
    }
    const raw = inflateSync(Buffer.concat(data));
    const stride = width * channels;
    const pixels = Buffer.alloc(width * height * 4);
    let previous = Buffer.alloc(stride);
    for (let y = 0; y < height; y++) {
        const filter = raw[y * (stride + 1)]!;
        const line = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
        for (let x = 0; x < stride; x++) {
            const a = x >= channels ? line[x - channels]! : 0;
            const b = previous[x]!;
            const c = x >= channels ? previous[x - channels]! : 0;
            const paeth = () => {
                const p = a + b - c;
                const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
                return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
            };
            const predictor = [0, a, b, (a + b) >> 1, paeth()][filter];
            if (predictor === undefined) throw new Error(`unknown PNG filter ${filter}`);
            line[x] = (line[x]! + predictor) & 0xff;
        }
        for (let x = 0; x < width; x++) {
            line.copy(pixels, (y * width + x) * 4, x * channels, x * channels + 3);
            pixels[(y * width + x) * 4 + 3] = channels === 4 ? line[x * channels + 3]! : 255;
        }
        previous = line;
    }
    return { width, height, pixels };
}

const near = (png: Png, offset: number, colour: readonly number[]) => colour.every((v, i) => Math.abs(png.pixels[offset + i]! - v) <= 3);

/** The horizontal runs of `colour` (at least 4 px long), as [length, row], longest first. */
function runsOf(png: Png, colour: readonly number[]): [number, number][] {
    const runs: [number, number][] = [];
    for (let y = 0; y < png.height; y++) {
        let length = 0;
        for (let x = 0; x <= png.width; x++) {
            if (x < png.width && near(png, (y * png.width + x) * 4, colour)) length++;
            else {
                if (length >= 4) runs.push([length, y]);
                length = 0;
            }
        }
    }
    return runs.sort((p, q) => q[0] - p[0]);
}

/** Attributes of every element `<tag class="cls" ...>` in serialized markup. */
function elements(markup: string, tag: string, cls: string): Record<string, string>[] {
    const found: Record<string, string>[] = [];
    for (const m of markup.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, "g"))) {
        const attributes = Object.fromEntries([...m[1]!.matchAll(/([\w:-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!]));
        if ((attributes.class ?? "").split(/\s+/).includes(cls)) found.push(attributes);
    }
    return found;
}

let page: string;
let doc: UsageReportDocument;
let dom: string;
let png: Png;

async function cli(...argv: string[]) {
    let stdout = "";
    let stderr = "";
    const code = await report(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: {}, cwd: "/" });
    return { code, stdout, stderr };
}

beforeAll(async () => {
    // ls1: 1 per-user CAL and 5 per-device CALs of 2022; two users (one beyond the CAL), two devices.
    const f = await usageFarm({
        serverVersion: "2022",
        packs: [{ productVersion: "2022", licenseType: "per-user", count: 1 }, { productVersion: "2022", licenseType: "per-device", count: 5, agreementNumber: "1234567" }],
    });
    const connect = async (...argv: string[]) => expect((await simCli(f.home, "connect", ...argv)).code).toBe(0);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rdls-report-page-"));
    const history = path.join(dir, "history");
    fs.mkdirSync(history);
    await connect("--host", "SH1", "--user", "alice");
    const earlier = await cli("--home", f.home, "--json");
    fs.writeFileSync(path.join(history, "earlier.json"), earlier.stdout);
    await connect("--host", "SH1", "--user", "bob");
    for (const device of ["PC1", "PC1", "PC2", "PC2"]) await connect("--host", "SH2", "--user", "kiosk", "--device", device);

    page = path.join(dir, "report.html");
    const r = await cli("--home", f.home, "--json", "--html", page, "--history", history);
    expect(r.code, r.stderr).toBe(4);
    doc = JSON.parse(r.stdout) as UsageReportDocument;
    const url = `file://${page}`;
    dom = headless(["--dump-dom"], url);
    const shot = path.join(dir, "report.png");
    headless([`--screenshot=${shot}`], url);
    png = decodePng(fs.readFileSync(shot));
}, 300_000);

describe("the usage report page in headless Chromium", () => {
    it("renders the usage chart: one bar per summary row, carrying its numbers", () => {
        const summary = doc.servers[0]!.summary;
        expect(summary.map((r) => [r.licenseType, r.installed, r.issued, r.overAllocated])).toEqual([
            ["per-device", 5, 2, 0],
            ["per-user", 1, 1, 1],
        ]);
        expect(dom).toContain('class="usage-chart"');
        const bars = elements(dom, "g", "usage-bar");
        expect(bars.map((b) => [b["data-server"], b["data-version"], b["data-type"], b["data-installed"], b["data-issued"], b["data-over-allocated"]])).toEqual(
            summary.map((r) => [r.licenseServer, r.productVersion, r.licenseType, String(r.installed), String(r.issued), String(r.overAllocated)]),
        );
        // The value labels as drawn: "issued / installed", with the over-allocation.
        const values = [...dom.matchAll(/<text class="value"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
        expect(values).toEqual(["2 / 5", "1 / 1 +1 over"]);
        // Bar widths follow the numbers: the largest count (5) spans the whole bar.
        const issuedWidths = elements(dom, "rect", "issued").map((r) => Number(r.width));
        expect(issuedWidths).toEqual([(BAR_PX * 2) / 5, (BAR_PX * 1) / 5]);
        expect(elements(dom, "rect", "over-allocated").map((r) => Number(r.width))).toEqual([0, (BAR_PX * 1) / 5]);
    });

    it("renders the chart over time, one point per report, and the findings", () => {
        expect(dom).toContain('class="history-chart"');
        const points = elements(dom, "circle", "history-point");
        const perUser = points.filter((_, i) => i < points.length / 2).map((p) => Number(p["data-value"]));
        const perDevice = points.filter((_, i) => i >= points.length / 2).map((p) => Number(p["data-value"]));
        expect(perUser).toEqual([1, 2]);
        expect(perDevice).toEqual([0, 2]);
        expect(dom).toMatch(/<li class="over-allocated">ls1: 1 user\(s\) hold no per-user CAL/);
    });

    it("screenshots as a real PNG of the window's size, with the bars drawn in the chart's colours at their widths", () => {
        expect([png.width, png.height]).toEqual([WINDOW.width, WINDOW.height]);
        const green = runsOf(png, ISSUED);
        const red = runsOf(png, OVER);
        // The issued bars: 144 px (2 of 5) and 72 px (1 of 5), 20 px high each; the over-allocated one 72 px.
        const rowsOfLength = (runs: [number, number][], px: number) => new Set(runs.filter(([l]) => Math.abs(l - px) <= 2).map(([, y]) => y)).size;
        expect(rowsOfLength(green, (BAR_PX * 2) / 5)).toBeGreaterThanOrEqual(18);
        expect(rowsOfLength(green, BAR_PX / 5)).toBeGreaterThanOrEqual(18);
        expect(rowsOfLength(red, BAR_PX / 5)).toBeGreaterThanOrEqual(18);
        // Nothing red but the one over-allocated bar (and anti-aliased text of the finding is too short to count).
        expect(red[0]![0]).toBeLessThanOrEqual(BAR_PX / 5 + 2);
    });
});
