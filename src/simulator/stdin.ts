/** Piped standard input, whole; a terminal is never read (a number typed there would show). */
export async function readProcessStdin(): Promise<string | undefined> {
    if (process.stdin.isTTY) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
}
