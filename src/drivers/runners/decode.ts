/**
 * Windows tools print in several encodings: PowerShell redirected to a pipe may write UTF-16LE
 * (with or without a byte-order mark), the console code page, or UTF-8 with a BOM. The driver's own
 * output is ASCII, so the decoder only has to get the encoding family right.
 */

/** Decode raw output bytes, detecting BOMs and BOM-less UTF-16LE. */
export function decodeOutput(bytes: Uint8Array): string {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2).toString("utf16le");
    if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return swapBytes(buf.subarray(2)).toString("utf16le");
    if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return buf.subarray(3).toString("utf8");
    if (looksLikeUtf16le(buf)) return buf.toString("utf16le");
    return buf.toString("utf8");
}

/** ASCII text in UTF-16LE has a zero in (almost) every odd byte. */
function looksLikeUtf16le(buf: Buffer): boolean {
    const pairs = Math.min(Math.floor(buf.length / 2), 512);
    if (pairs < 2) return false;
    let zeros = 0;
    for (let i = 0; i < pairs; i++) if (buf[2 * i + 1] === 0 && buf[2 * i] !== 0) zeros++;
    return zeros / pairs > 0.6;
}

function swapBytes(buf: Buffer): Buffer {
    const out = Buffer.from(buf.subarray(0, buf.length - (buf.length % 2)));
    out.swap16();
    return out;
}
