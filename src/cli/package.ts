/** This package on disk: its root folder (a clone, or node_modules/rds-licensing) and its version. */
import * as fs from "fs";
import * as path from "path";

export const PACKAGE_NAME = "rds-licensing";

/** The folder of rds-licensing's package.json, above this file (src/cli in a clone, dist/src/cli once built). */
export function packageRoot(from: string = __dirname): string | undefined {
    for (let dir = from; ; dir = path.dirname(dir)) {
        const manifest = path.join(dir, "package.json");
        try {
            if (JSON.parse(fs.readFileSync(manifest, "utf8")).name === PACKAGE_NAME) return dir;
        } catch {
            /* no package.json here, or not ours */
        }
        if (path.dirname(dir) === dir) return undefined;
    }
}

export function packageVersion(root = packageRoot()): string {
    if (!root) return "unknown";
    return String(JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).version ?? "unknown");
}
