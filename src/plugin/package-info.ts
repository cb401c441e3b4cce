/** The package's own root and version: the plugin's version is the npm package's (package.json). */
import * as fs from "fs";
import * as path from "path";

/** The folder of rds-licensing's package.json, above this file in the source tree and in dist/. */
export function packageRoot(from = __dirname): string {
    for (let dir = from; ; dir = path.dirname(dir)) {
        const file = path.join(dir, "package.json");
        if (fs.existsSync(file) && JSON.parse(fs.readFileSync(file, "utf8")).name === "rds-licensing") return dir;
        if (path.dirname(dir) === dir) throw new Error(`rds-licensing: no package.json of rds-licensing above ${from}`);
    }
}

export function packageVersion(root = packageRoot()): string {
    return JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).version as string;
}
