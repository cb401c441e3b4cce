/** `npm pack --json` of the repository, as the package tests read it. */
import { spawnSync } from "child_process";

export interface PackResult {
    /** The tarball's file name (in the pack destination). */
    filename: string;
    /** Bytes of the .tgz and of its contents. */
    size: number;
    unpackedSize: number;
    entryCount: number;
    files: { path: string; size: number }[];
}

/** Run `npm pack --json <args>` in `cwd` and return what it packed (or would pack, with `--dry-run`). */
export function packedFiles(cwd: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env): PackResult {
    const result = spawnSync("npm", ["pack", "--json", ...args], { cwd, env, encoding: "utf8", timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
    if (result.error) throw result.error;
    if (result.status !== 0) throw new Error(`npm pack ${args.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
    // Lifecycle scripts (prepare) may print before the JSON document.
    const start = result.stdout.search(/^\[/m);
    if (start < 0) throw new Error(`npm pack --json printed no JSON:\n${result.stdout}`);
    const [pack] = JSON.parse(result.stdout.slice(start)) as PackResult[];
    if (!pack) throw new Error("npm pack --json: empty result");
    return pack;
}
