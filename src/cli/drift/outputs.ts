/**
 * Where `rds-licensing drift` will write, checked before any preview runs: a report that cannot be written
 * must fail in a second with a message naming the option, not after a full `pulumi preview --refresh`
 * with a raw EEXIST or ENOTDIR.
 */
import * as fs from "fs";
import * as path from "path";
import { UsageError, type DriftArgs } from "./args";

function statOf(p: string): fs.Stats | undefined {
    try {
        return fs.statSync(p);
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "ENOENT" || code === "ENOTDIR") return undefined;
        throw err;
    }
}

/** The closest folder above `p` that exists (what `mkdir -p` would create under), and what blocks it. */
function existingAncestor(p: string): { dir: string; blocker?: string } {
    let current = path.dirname(p);
    for (;;) {
        const stat = statOf(current);
        if (stat) return stat.isDirectory() ? { dir: current } : { dir: path.dirname(current), blocker: current };
        const parent = path.dirname(current);
        if (parent === current) return { dir: current };
        current = parent;
    }
}

function writable(p: string): boolean {
    try {
        fs.accessSync(p, fs.constants.W_OK);
        return true;
    } catch {
        return false;
    }
}

/** Folders that would be created above `target` must be creatable. */
function checkParents(option: string, target: string): void {
    const { dir, blocker } = existingAncestor(target);
    if (blocker) throw new UsageError(`${option} ${target}: ${blocker} is a file, not a folder; choose another path, or move that file away`);
    if (!writable(dir)) throw new UsageError(`${option} ${target}: the folder ${dir} is not writable; choose another path, or fix its permissions`);
}

/** A report file: a file or nothing yet, never a folder. */
function checkFile(option: string, file: string): void {
    const stat = statOf(file);
    if (stat?.isDirectory()) throw new UsageError(`${option} ${file} is a folder; give a file path (the report is written to that file)`);
    if (stat && !writable(file)) throw new UsageError(`${option} ${file} is not writable; choose another path, or fix its permissions`);
    if (!stat) checkParents(option, file);
}

/** Throw a UsageError when an output the arguments ask for could not be written. Touches nothing. */
export function checkOutputs(args: DriftArgs, reportFiles: readonly string[]): void {
    for (const output of args.outputs) {
        if (output.to !== "-") checkFile(output.option, output.to);
    }
    const dir = args.reportDir;
    if (!dir) return;
    const stat = statOf(dir);
    if (stat && !stat.isDirectory()) {
        throw new UsageError(`--report-dir ${dir} is a file, not a folder; give a folder (it is created when missing), or move the file away`);
    }
    if (!stat) {
        checkParents("--report-dir", dir);
        return;
    }
    if (!writable(dir)) throw new UsageError(`--report-dir ${dir} is not writable; choose another folder, or fix its permissions`);
    for (const name of reportFiles) checkFile("--report-dir", path.join(dir, name));
}
