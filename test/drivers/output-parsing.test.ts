import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { decodeBody, normalizeOutput, readFramedBlock } from "../../src/drivers/powershell";
import { decodeOutput } from "../../src/drivers/runners";
import { frameBlock } from "./support/fake-output";

const NONCE = "5f1c0e9a7b3d2c4e6f809a1b";
const BANNER =
    "Windows PowerShell\r\nCopyright (C) Microsoft Corporation. All rights reserved.\r\n\r\n" +
    "Install the latest PowerShell for new features and improvements! https://aka.ms/PSWindows\r\n\r\n";
const WARNING = "WARNING: Column 'KeyPackId' does not fit into the display and was removed.\r\n";
const PROGRESS = "Preparing modules for first use.\r                                \r";
const RESULTS = [{ i: 0, ok: 1, v: { p: [{ i: 2, d: "Windows Server 2022 - RDS Per User CAL", n: 25 }] } }];
const JSON_BODY = JSON.stringify(RESULTS);

function block(nonce = NONCE, body = JSON_BODY, encoding: "j" | "z" = "j"): string {
    return frameBlock(nonce, encoding, body, body.length, "-");
}

function parse(stdout: string) {
    const framed = readFramedBlock(stdout, NONCE);
    if (!framed.ok) throw new Error(`${framed.problem}: ${framed.detail}`);
    return decodeBody(framed.block.encoding as "j" | "z", framed.block.body);
}

describe("reading the result block", () => {
    it("skips banners, warnings and progress redraws, with CRLF line ends", () => {
        expect(parse(BANNER + PROGRESS + WARNING + block() + "\r\n")).toEqual(RESULTS);
    });

    it("keeps spaces that fall on a line break inside JSON strings", () => {
        const body = JSON.stringify([{ i: 0, ok: 1, v: { d: `${"a".repeat(74)}  ${"b".repeat(50)}` } }]);
        // One space ends the first printed line, the next one starts the second.
        expect([body[99], body[100]]).toEqual([" ", " "]);
        expect(parse(block(NONCE, body))).toEqual(JSON.parse(body));
    });

    it("ignores blocks of other executions and markers quoted in noise", () => {
        const stale = block("aaaaaaaaaaaaaaaaaaaaaaaa", JSON.stringify([{ i: 0, ok: 0, e: { m: "old" } }]));
        const quoted = `Write-Host '<<rdls:${NONCE}:begin>>'\r\n`;
        expect(parse(stale + quoted + block())).toEqual(RESULTS);
    });

    it("decodes gzip+base64 bodies, whatever whitespace the transport added", () => {
        const z = gzipSync(JSON_BODY).toString("base64");
        const framed = readFramedBlock(block(NONCE, z, "z").replace(/\r\n(?!<<)/g, "  \r\n"), NONCE);
        expect(framed.ok && decodeBody("z", framed.block.body)).toEqual(RESULTS);
    });

    it("reports a start cut off by Run Command's 4,096-byte tail", () => {
        const full = BANNER + block(NONCE, JSON.stringify([{ i: 0, ok: 1, v: "x".repeat(5000) }]));
        const tail = Buffer.from(full).subarray(-4096).toString();
        expect(readFramedBlock(tail, NONCE)).toMatchObject({ ok: false, problem: "truncated-start", detail: expect.stringMatching(/last 4096 bytes/) });
    });

    it("reports an output that stops inside the block", () => {
        const cut = block().slice(0, -40);
        expect(readFramedBlock(BANNER + cut, NONCE)).toMatchObject({ ok: false, problem: "truncated-end" });
    });

    it("reports a block whose length does not match", () => {
        const damaged = block().replace('"i":2', '"i":2222');
        expect(readFramedBlock(damaged, NONCE)).toMatchObject({ ok: false, problem: "damaged" });
    });

    it("reports output without any block", () => {
        const stderrOnly = "At C:\\Packages\\script.ps1:3 char:5\r\n+ CategoryInfo : ObjectNotFound";
        expect(readFramedBlock(BANNER + stderrOnly, NONCE)).toMatchObject({ ok: false, problem: "missing" });
    });
});

describe("encodings Windows emits", () => {
    const text = BANNER + WARNING + block();

    it("UTF-16LE with a BOM", () => {
        const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
        expect(parse(decodeOutput(bytes))).toEqual(RESULTS);
    });

    it("UTF-16LE without a BOM", () => {
        expect(parse(decodeOutput(Buffer.from(text, "utf16le")))).toEqual(RESULTS);
    });

    it("UTF-16BE with a BOM", () => {
        const le = Buffer.from(text, "utf16le");
        const be = Buffer.from(le).swap16();
        expect(parse(decodeOutput(Buffer.concat([Buffer.from([0xfe, 0xff]), be])))).toEqual(RESULTS);
    });

    it("UTF-8 with a BOM, and plain UTF-8 with non-ASCII noise", () => {
        expect(parse(decodeOutput(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])))).toEqual(RESULTS);
        expect(parse(decodeOutput(Buffer.from(`Überprüfung läuft…\r\n${text}`)))).toEqual(RESULTS);
    });

    it("UTF-16LE already decoded as 8-bit text by a transport", () => {
        const misread = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]).toString("latin1");
        expect(parse(misread)).toEqual(RESULTS);
        const asUtf8 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]).toString("utf8");
        expect(parse(asUtf8)).toEqual(RESULTS);
    });

    it("normalizes line ends", () => {
        expect(normalizeOutput("a\r\nb\rc\n")).toBe("a\nb\nc\n");
    });
});
