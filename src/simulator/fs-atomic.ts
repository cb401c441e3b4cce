/**
 * Crash-safe file primitives. A reader only ever sees a whole old file or a whole new file: data goes
 * to a temporary file that is fsynced, then renamed over the target, then the directory is fsynced so
 * the rename itself survives a power loss.
 */
import { randomBytes } from "node:crypto";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { pidIsAlive } from "./process-alive";

const TEMP_SUFFIX = ".tmp";

function tempName(file: string): string {
    // The pid lets cleanTempFiles tell an abandoned temp file from one being written right now.
    return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}${TEMP_SUFFIX}`);
}

export async function fsyncDir(dir: string): Promise<void> {
    const handle = await fsp.open(dir, "r");
    try {
        await handle.sync();
    } finally {
        await handle.close();
    }
}

/** Write a file so that it is either entirely old or entirely new, even if the process is killed. */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
    const tmp = await writeTemp(file, data);
    try {
        await fsp.rename(tmp, file);
    } catch (err) {
        await fsp.rm(tmp, { force: true });
        throw err;
    }
    await fsyncDir(path.dirname(file));
}

/**
 * Create `file` whole (as writeFileAtomic) only if it does not exist yet; false when it does. A hard
 * link fails on an existing target, so an existing file is never replaced, whatever other processes do.
 */
export async function createFileAtomic(file: string, data: string): Promise<boolean> {
    const tmp = await writeTemp(file, data);
    try {
        await fsp.link(tmp, file);
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
        throw err;
    } finally {
        await fsp.rm(tmp, { force: true });
    }
    await fsyncDir(path.dirname(file));
    return true;
}

/** Write data to a fresh, fsynced temporary file next to `file` and return its path. */
export async function writeTemp(file: string, data: string): Promise<string> {
    const tmp = tempName(file);
    const handle = await fsp.open(tmp, "wx", 0o600);
    try {
        await handle.writeFile(data);
        await handle.sync();
    } catch (err) {
        await handle.close();
        await fsp.rm(tmp, { force: true });
        throw err;
    }
    await handle.close();
    return tmp;
}

/**
 * A file that exists but cannot be used. The message names the file and what is wrong with it, never
 * its content (a parser's message may quote it).
 */
export class UnreadableFileError extends Error {
    constructor(
        readonly file: string,
        readonly problem: string,
        /** The errno code when the file could not be read at all. */
        readonly code?: string,
    ) {
        super(`${file} ${problem}`);
        this.name = "UnreadableFileError";
    }
}

/** What an errno means for a file that should be readable. */
export function describeReadError(err: unknown): string {
    const code = (err as NodeJS.ErrnoException)?.code;
    switch (code) {
        case "EISDIR":
            return "is a folder, not a file";
        case "ENOTDIR":
            return "cannot be read: a folder on its path is a file (ENOTDIR)";
        case "EACCES":
        case "EPERM":
            return `cannot be read: permission denied (${code})`;
        default:
            return `cannot be read (${code ?? (err as Error)?.message ?? String(err)})`;
    }
}

/** Where JSON.parse stopped, when its message says (never quoting the text, which the message may do). */
function syntaxErrorPlace(err: unknown, text: string): string {
    const message = (err as Error)?.message ?? "";
    const at = /at position (\d+)/.exec(message);
    if (!at) return /end of (JSON )?input/i.test(message) ? "it ends too early (truncated?)" : "";
    const before = text.slice(0, Number(at[1]));
    const line = before.split("\n").length;
    const column = before.length - before.lastIndexOf("\n");
    return `the error is at line ${line}, column ${column}`;
}

/** Parse a JSON file; undefined when it does not exist. Throws UnreadableFileError naming the file otherwise. */
export async function readJson(file: string): Promise<unknown> {
    let text: string;
    try {
        text = await fsp.readFile(file, "utf8");
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw new UnreadableFileError(file, describeReadError(err), (err as NodeJS.ErrnoException).code);
    }
    if (text.trim() === "") throw new UnreadableFileError(file, "is empty");
    try {
        return JSON.parse(text) as unknown;
    } catch (err) {
        const place = syntaxErrorPlace(err, text);
        throw new UnreadableFileError(file, `is not valid JSON${place ? `: ${place}` : ""}`);
    }
}

/** Remove a file durably; missing is fine. */
export async function removeFile(file: string): Promise<void> {
    try {
        await fsp.unlink(file);
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
        throw err;
    }
    await fsyncDir(path.dirname(file));
}

/**
 * Append one line and fsync. A writer killed mid-append leaves a partial last line; the next append
 * starts on a fresh line so that only the partial entry is lost (readers skip unparsable lines).
 */
export async function appendLine(file: string, line: string): Promise<void> {
    const handle = await fsp.open(file, "a+", 0o600);
    try {
        const { size } = await handle.stat();
        let prefix = "";
        if (size > 0) {
            const last = Buffer.alloc(1);
            await handle.read(last, 0, 1, size - 1);
            if (last[0] !== 0x0a) prefix = "\n";
        }
        await handle.appendFile(`${prefix}${line}\n`);
        await handle.sync();
    } finally {
        await handle.close();
    }
}

/** Delete temporary files left by killed writers (their pid is dead). */
export async function cleanTempFiles(dir: string): Promise<void> {
    let names: string[];
    try {
        names = await fsp.readdir(dir);
    } catch {
        return;
    }
    for (const name of names) {
        const match = /^\..*\.(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name);
        if (match && !pidIsAlive(Number(match[1]))) await fsp.rm(path.join(dir, name), { force: true });
    }
}
