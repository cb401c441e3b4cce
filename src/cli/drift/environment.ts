/**
 * What `rds-licensing drift` adds to the environment of the Pulumi CLI it runs, so that the command
 * works as typed (`npx rds-licensing drift --stack dev`), not only through the npm scripts:
 * - the Pulumi CLI: from PATH, else `$PULUMI_HOME/versions/<version>/bin` (where the toolchain
 *   bootstrap, the npm `pulumi` package and the Automation API put it);
 * - in a clone of rds-licensing, checking the clone's own project: the dev stack's defaults, as the
 *   npm scripts set them (tools/run.mjs): the clone's `.pulumi-state/` backend, the demo passphrase,
 *   no update check or plugin download. Whatever the user set wins.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { packageRoot } from "../package";
import { findPulumi } from "./engine";

/** The dev stack's passphrase: demo only, documented in the README (the same as tools/run.mjs's). */
export const DEMO_PASSPHRASE = "rds-licensing-demo";

export interface PreviewEnvironment {
    /** Variables to set for the Pulumi CLI (on top of the process environment). */
    env: Record<string, string>;
    /** What was added, one line each, for a human (stderr). */
    notes: string[];
}

export function pulumiHome(env: NodeJS.ProcessEnv): string {
    return env.PULUMI_HOME || path.join(os.homedir(), ".pulumi");
}

function compareVersions(a: string, b: string): number {
    const pa = a.replace(/^v/, "").split(/[.-]/).map(Number);
    const pb = b.replace(/^v/, "").split(/[.-]/).map(Number);
    for (let i = 0; i < 3; i++) if ((pa[i] || 0) !== (pb[i] || 0)) return (pa[i] || 0) - (pb[i] || 0);
    return 0;
}

/** `<home>/versions/<v>/bin` folders that hold a `pulumi`, newest version first. */
export function installedPulumiBins(home: string): string[] {
    let versions: string[];
    try {
        versions = fs.readdirSync(path.join(home, "versions"));
    } catch {
        return [];
    }
    return versions
        .filter((v) => /^v?\d+\.\d+\.\d+/.test(v))
        .sort((a, b) => compareVersions(b, a))
        .map((v) => path.join(home, "versions", v, "bin"))
        .filter((bin) => {
            try {
                return fs.statSync(path.join(bin, "pulumi")).isFile();
            } catch {
                return false;
            }
        });
}

function samePath(a: string, b: string): boolean {
    const real = (p: string) => {
        try {
            return fs.realpathSync(p);
        } catch {
            return path.resolve(p);
        }
    };
    return real(a) === real(b);
}

/** The clone of rds-licensing whose own project `projectDir` is, if it is one (not an installed package). */
export function cloneRoot(projectDir: string, root = packageRoot()): string | undefined {
    if (!root || !fs.existsSync(path.join(root, "tools", "run.mjs")) || !fs.existsSync(path.join(root, "Pulumi.yaml"))) return undefined;
    return samePath(projectDir, root) ? root : undefined;
}

export function previewEnvironment(projectDir: string, env: NodeJS.ProcessEnv, root = packageRoot()): PreviewEnvironment {
    const set: Record<string, string> = {};
    const notes: string[] = [];
    const pathDirs = (env.PATH ?? "").split(path.delimiter).filter(Boolean);
    const prepend: string[] = [];
    const clone = cloneRoot(projectDir, root);
    if (clone) {
        const defaults: string[] = [];
        if (!env.PULUMI_BACKEND_URL) {
            set.PULUMI_BACKEND_URL = `file://${path.join(clone, ".pulumi-state")}`;
            defaults.push(`backend ${set.PULUMI_BACKEND_URL}`);
        }
        if (!env.PULUMI_CONFIG_PASSPHRASE && !env.PULUMI_CONFIG_PASSPHRASE_FILE) {
            set.PULUMI_CONFIG_PASSPHRASE = DEMO_PASSPHRASE;
            defaults.push("the demo passphrase");
        }
        if (env.PULUMI_SKIP_UPDATE_CHECK === undefined) set.PULUMI_SKIP_UPDATE_CHECK = "true";
        if (env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION === undefined) set.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION = "true";
        if (env.RDS_LICENSING_ROOT === undefined) set.RDS_LICENSING_ROOT = clone;
        // The clone's Node.js (the `node` package) for the program, as the npm scripts use it.
        const nodeBin = path.join(clone, "node_modules", ".bin");
        if (!pathDirs.includes(nodeBin) && fs.existsSync(nodeBin)) prepend.push(nodeBin);
        if (defaults.length > 0) notes.push(`this clone's dev stack environment: ${defaults.join(", ")} (set PULUMI_BACKEND_URL or PULUMI_CONFIG_PASSPHRASE to change it)`);
    }
    if (!findPulumi(env.PATH ?? "")) {
        const [bin] = installedPulumiBins(pulumiHome(env));
        if (bin) {
            prepend.unshift(bin);
            notes.push(`the Pulumi CLI in ${bin} (none on PATH)`);
        }
    }
    if (prepend.length > 0) set.PATH = [...prepend, ...pathDirs].join(path.delimiter);
    return { env: set, notes };
}
