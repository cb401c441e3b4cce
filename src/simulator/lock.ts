/**
 * Cross-process lock files. The lock file is created atomically with its content (hard link of a
 * complete temp file, which fails if the lock exists: the same guarantee as O_EXCL, without an empty
 * file a crash could leave behind). It holds the holder's pid and a random token. A lock whose holder
 * pid is dead is stale and is broken; breaking happens under a second short-lived ".break" lock, and
 * only after re-checking the token, so two processes breaking the same stale lock cannot remove a
 * fresh lock a third process took in between. Single host only: pids mean nothing across machines.
 */
import { randomBytes } from "node:crypto";
import * as fsp from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { LicensingError } from "../licensing/errors";
import { pidIsAlive } from "./process-alive";

interface Holder {
    pid: number;
    host: string;
    token: string;
    acquiredAt: string;
    purpose: string;
}

export interface LockOptions {
    /** Give up (LicensingError kind transient) after this long. */
    timeoutMs: number;
    /** Upper bound of the polling interval while waiting. */
    maxPollMs?: number;
    /** Shown in the timeout message and stored in the lock for humans inspecting it. */
    purpose: string;
}

export interface LockHandle {
    release(): Promise<void>;
}

/** An unreadable lock older than this is treated as abandoned (e.g. edited by hand). */
const UNREADABLE_GRACE_MS = 10_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function tryCreate(file: string, holder: Holder): Promise<boolean> {
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
    await fsp.writeFile(tmp, JSON.stringify(holder), { mode: 0o600, flag: "wx" });
    try {
        await fsp.link(tmp, file);
        return true;
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
        throw err;
    } finally {
        await fsp.rm(tmp, { force: true });
    }
}

type Seen = { holder: Holder } | { unreadableSince: number } | "gone";

async function inspect(file: string): Promise<Seen> {
    try {
        const text = await fsp.readFile(file, "utf8");
        const holder = JSON.parse(text) as Holder;
        if (typeof holder.pid === "number" && typeof holder.token === "string") return { holder };
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    }
    try {
        return { unreadableSince: (await fsp.stat(file)).mtimeMs };
    } catch {
        return "gone";
    }
}

function isStale(seen: Exclude<Seen, "gone">): boolean {
    if ("unreadableSince" in seen) return Date.now() - seen.unreadableSince > UNREADABLE_GRACE_MS;
    return seen.holder.host === os.hostname() && !pidIsAlive(seen.holder.pid);
}

const sameLock = (a: Seen, b: Seen) =>
    typeof a === "object" &&
    typeof b === "object" &&
    ("holder" in a && "holder" in b ? a.holder.token === b.holder.token : "unreadableSince" in a && "unreadableSince" in b);

/** Remove `file` if it still is the stale lock we saw; false when someone else is breaking it. */
async function breakStale(file: string, seen: Seen, me: Holder): Promise<boolean> {
    const breaker = `${file}.break`;
    if (!(await tryCreate(breaker, { ...me, purpose: "break" }))) {
        // Someone else is breaking it. If that breaker died (a window of microseconds), clear it.
        const other = await inspect(breaker);
        if (other !== "gone" && isStale(other)) await fsp.rm(breaker, { force: true });
        return false;
    }
    try {
        if (sameLock(await inspect(file), seen)) await fsp.rm(file, { force: true });
    } finally {
        await fsp.rm(breaker, { force: true });
    }
    return true;
}

/** Take the lock, waiting (with growing, jittered polling) while another live process holds it. */
export async function acquireLock(file: string, options: LockOptions): Promise<LockHandle> {
    const me: Holder = {
        pid: process.pid,
        host: os.hostname(),
        token: randomBytes(12).toString("hex"),
        acquiredAt: new Date().toISOString(),
        purpose: options.purpose,
    };
    await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const deadline = Date.now() + options.timeoutMs;
    let poll = 1;
    for (;;) {
        if (await tryCreate(file, { ...me, acquiredAt: new Date().toISOString() })) {
            return { release: () => release(file, me.token) };
        }
        const seen = await inspect(file);
        if (seen === "gone") continue;
        if (isStale(seen) && (await breakStale(file, seen, me))) continue;
        if (Date.now() >= deadline) {
            throw new LicensingError({
                kind: "transient",
                message: `timed out after ${options.timeoutMs} ms waiting for the ${options.purpose} lock (held by pid ${
                    "holder" in seen ? seen.holder.pid : "unknown"
                })`,
            });
        }
        await sleep(poll + Math.random() * poll);
        poll = Math.min(poll * 1.5, options.maxPollMs ?? 25);
    }
}

async function release(file: string, token: string): Promise<void> {
    // Only remove the lock if it is still ours (it may have been broken if we were wrongly seen dead).
    const seen = await inspect(file);
    if (typeof seen === "object" && "holder" in seen && seen.holder.token === token) await fsp.rm(file, { force: true });
}

export async function withLock<T>(file: string, options: LockOptions, fn: () => Promise<T>): Promise<T> {
    const lock = await acquireLock(file, options);
    try {
        return await fn();
    } finally {
        await lock.release();
    }
}
