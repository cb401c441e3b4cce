/**
 * The built CLI as a user runs it: `node bin/rds-licensing.js …` (what `npx rds-licensing …` runs),
 * on dist/ as `npx tsc -p tsconfig.build.json` (or `npm test`, `npm run build`) leaves it.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { NODE, REPO, childEnv } from "../simulator/helpers/compile";

export { NODE, REPO };
export const BIN = path.join(REPO, "bin", "rds-licensing.js");
export const SIM_ALIAS = path.join(REPO, "bin", "rdls-sim.js");

export interface Run {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** Fails with the fix when dist/ is missing or older than the CLI's sources. */
export function requireBuilt(): void {
    const sources = [
        ...fs.readdirSync(path.join(REPO, "src", "cli"), { recursive: true, encoding: "utf8" }).map((f) => path.join("src", "cli", f)),
        ...fs.readdirSync(path.join(REPO, "src", "simulator")).filter((f) => f.startsWith("cli")).map((f) => path.join("src", "simulator", f)),
    ].filter((f) => f.endsWith(".ts"));
    for (const source of sources) {
        const built = path.join(REPO, "dist", source.replace(/\.ts$/, ".js"));
        const fix = "build first: npx tsc -p tsconfig.build.json";
        if (!fs.existsSync(built)) throw new Error(`${built} is missing; ${fix}`);
        if (fs.statSync(built).mtimeMs < fs.statSync(path.join(REPO, source)).mtimeMs) throw new Error(`${built} is older than ${source}; ${fix}`);
    }
}

export function runNode(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Run {
    const result = spawnSync(NODE, [...args], { encoding: "utf8", cwd: options.cwd ?? REPO, env: childEnv(options.env), timeout: 300_000 });
    if (result.error) throw result.error;
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `rds-licensing <args>` */
export const cli = (args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Run => runNode([BIN, ...args], options);
