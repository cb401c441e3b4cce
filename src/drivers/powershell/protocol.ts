/**
 * How a script hands its results back: one framed block at the very end of stdout.
 *
 *     <<rdls:NONCE:begin>>
 *     BODY (split in lines of LINE_WIDTH characters)
 *     <<rdls:NONCE:end:ENC:LENGTH:TOTAL:SPOOL>>
 *
 * NONCE is random per execution, so banners, warnings, progress noise or an echo of an older
 * block cannot be taken for the result; the script builds the markers at run time, so even an
 * echo of the script text never contains a complete marker. ENC is `j` (JSON), `z` (gzip + base64
 * of the JSON), `c` (a chunk of a spooled body) or `e` (a spool read failed; BODY is the reason).
 * LENGTH is the body's length here, TOTAL the length of the whole body: when TOTAL > LENGTH the
 * rest waits in a spool file on the server (named SPOOL) and is read back by follow-up executions.
 * Bodies are ASCII only, so the console code page never matters.
 */
import { randomBytes } from "node:crypto";
import { gunzipSync } from "node:zlib";

/** Run Command keeps only the last 4,096 bytes of output: a block stays well under that. */
export const DEFAULT_OUTPUT_BUDGET = 3000;
export const LINE_WIDTH = 100;
export const RUN_COMMAND_OUTPUT_LIMIT = 4096;

export type BodyEncoding = "j" | "z" | "c" | "e";

export function newNonce(): string {
    return randomBytes(12).toString("hex");
}

export function beginMarker(nonce: string): string {
    return `<<rdls:${nonce}:begin>>`;
}

export function endMarker(nonce: string, encoding: BodyEncoding, length: number, total: number, spool: string): string {
    return `<<rdls:${nonce}:end:${encoding}:${length}:${total}:${spool}>>`;
}

export interface FramedBlock {
    encoding: BodyEncoding;
    body: string;
    /** Length of the whole (possibly spooled) body. */
    total: number;
    /** Spool id when part of the body waits on the server, else undefined. */
    spool?: string;
}

export type FrameProblem =
    /** Neither marker: the script did not get to print its results. */
    | "missing"
    /** The end marker without its begin marker: the start of the output was cut off. */
    | "truncated-start"
    /** The begin marker without its end marker: the output stops inside the block. */
    | "truncated-end"
    /** Both markers, but the body is not what the end marker announced. */
    | "damaged";

export type FrameResult = { ok: true; block: FramedBlock } | { ok: false; problem: FrameProblem; detail: string };

/**
 * Undo what transports do to text: UTF-16LE read as 8-bit (NULs between characters), byte-order
 * marks and their mis-decoded forms, CRLF and lone CR (progress redraws).
 */
export function normalizeOutput(text: string): string {
    return text
        .replace(/\u0000/g, "")
        .replace(/^(?:\u00ff\u00fe|\u00fe\u00ff|\u00ef\u00bb\u00bf)/, "")
        .replace(/[\ufeff\ufffd]/g, "")
        .replace(/\r\n?/g, "\n");
}

export function readFramedBlock(stdout: string, nonce: string): FrameResult {
    const text = normalizeOutput(stdout);
    const begin = beginMarker(nonce);
    const endPattern = new RegExp(`<<rdls:${nonce}:end:([jzce]):(\\d+):(\\d+):([0-9a-f]+|-)>>`, "g");
    const beginAt = text.lastIndexOf(begin);
    const ends = [...text.matchAll(endPattern)];
    const end = ends.find((m) => m.index! > beginAt) ?? undefined;
    if (beginAt < 0) {
        if (ends.length > 0) {
            return {
                ok: false,
                problem: "truncated-start",
                detail: `the output was cut before the result block (Run Command keeps only the last ${RUN_COMMAND_OUTPUT_LIMIT} bytes of output)`,
            };
        }
        return { ok: false, problem: "missing", detail: "the output holds no result block: the script stopped before reporting" };
    }
    if (!end) {
        return {
            ok: false,
            problem: "truncated-end",
            detail: "the output ends inside the result block: it was cut off or the script was stopped while printing",
        };
    }
    const [, encoding, length, total, spool] = end;
    // Lines are joined as printed: JSON strings may hold spaces at a line break. Base64 has no
    // significant whitespace, so stray padding from a transport is dropped there.
    const raw = text.slice(beginAt + begin.length, end.index).split("\n").join("");
    const body = encoding === "z" || encoding === "c" ? raw.replace(/\s+/g, "") : raw;
    if (body.length !== Number(length)) {
        return {
            ok: false,
            problem: "damaged",
            detail: `the result block is damaged: ${body.length} characters between the markers, ${length} announced`,
        };
    }
    return {
        ok: true,
        block: { encoding: encoding as BodyEncoding, body, total: Number(total), spool: spool === "-" ? undefined : spool },
    };
}

/** Decode a complete `j` or `z` body to its JSON value. Throws on malformed input. */
export function decodeBody(encoding: "j" | "z", body: string): unknown {
    const json = encoding === "j" ? body : gunzipSync(Buffer.from(body, "base64")).toString("utf8");
    return JSON.parse(json) as unknown;
}
