/**
 * The server half of the output protocol (src/drivers/powershell/protocol.ts), in TypeScript:
 * what Write-RdlsResults / Read-RdlsSpool print, for fakes that stand in for Windows.
 */
import { gzipSync } from "node:zlib";
import { LINE_WIDTH, beginMarker, endMarker, type BodyEncoding } from "../../../src/drivers/powershell/protocol";

/** Like the script: JSON with every non-ASCII character escaped. */
export function asciiJson(value: unknown): string {
    return JSON.stringify(value).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function frameBlock(nonce: string, encoding: BodyEncoding, body: string, total: number, spool: string): string {
    const lines = ["", beginMarker(nonce)];
    for (let at = 0; at < body.length; at += LINE_WIDTH) lines.push(body.slice(at, at + LINE_WIDTH));
    lines.push(endMarker(nonce, encoding, body.length, total, spool));
    return lines.join("\r\n") + "\r\n";
}

/** Returns the printed block, and the full body to keep in the spool when it did not fit. */
export function encodeResults(nonce: string, budget: number, results: unknown[]): { text: string; spooled?: string } {
    const json = asciiJson(results);
    let encoding: BodyEncoding = "j";
    let body = json;
    if (body.length > budget) {
        body = gzipSync(Buffer.from(json, "utf8")).toString("base64");
        encoding = "z";
    }
    const total = body.length;
    if (total > budget) return { text: frameBlock(nonce, encoding, body.slice(0, budget), total, nonce), spooled: body };
    return { text: frameBlock(nonce, encoding, body, total, "-") };
}
