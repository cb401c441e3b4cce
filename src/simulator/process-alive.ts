/** Whether a process of this host still runs: the basis of stale-lock and temp-file recovery. */
import { readFileSync } from "node:fs";

export function pidIsAlive(pid: number): boolean {
    if (!Number.isInteger(pid) || pid <= 0) return false;
    if (pid === process.pid) return true;
    try {
        process.kill(pid, 0);
    } catch (err) {
        // EPERM: the process exists but belongs to someone else.
        return (err as NodeJS.ErrnoException).code === "EPERM";
    }
    return !isZombie(pid);
}

/** A killed child that its parent has not reaped yet still answers kill(pid, 0); it holds nothing. */
function isZombie(pid: number): boolean {
    try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        // Format: "pid (comm) state ..."; comm may contain spaces and parentheses.
        const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
        return state === "Z" || state === "X";
    } catch {
        return false;
    }
}
