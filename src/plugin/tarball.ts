/**
 * `npm run plugin`: the plugin tarball Pulumi installs like any provider plugin
 * (`pulumi plugin install resource rds-licensing <version> --file <tarball>`): the
 * `pulumi-resource-rds-licensing` launcher, `PulumiPlugin.yaml` and the generated `schema.json`.
 * The launcher runs this package's plugin entry (bin/pulumi-resource-rds-licensing.js) from the
 * folder the tarball was made from, or from RDS_LICENSING_PLUGIN_ROOT: the plugin is the installed
 * npm package's code, so its handlers are the dynamic providers' own.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PLUGIN_PACKAGE } from "../licensing/resource-types";
import { generateSchema } from "./generate";
import { packageRoot, packageVersion } from "./package-info";

export const PLUGIN_BINARY = `pulumi-resource-${PLUGIN_PACKAGE}`;

/** `s` inside a shell double-quoted string. */
const inDoubleQuotes = (s: string) => s.replace(/[\\"$`]/g, (c) => `\\${c}`);

/** The launcher: Node.js of the package (>= 22) or the one on PATH, the schema beside it. */
export function launcherScript(root: string): string {
    return [
        "#!/bin/sh",
        `# ${PLUGIN_BINARY}: the rds-licensing provider plugin (docs/plugin.md). Runs the package's plugin entry;`,
        "# RDS_LICENSING_PLUGIN_ROOT overrides where the package is (a project's node_modules/rds-licensing).",
        'case "$0" in */*) here="${0%/*}" ;; *) here=. ;; esac',
        `root="\${RDS_LICENSING_PLUGIN_ROOT:-${inDoubleQuotes(root)}}"`,
        "node_bin=node",
        '[ -x "$root/node_modules/.bin/node" ] && node_bin="$root/node_modules/.bin/node"',
        'RDS_LICENSING_PLUGIN_SCHEMA="$here/schema.json"',
        "export RDS_LICENSING_PLUGIN_SCHEMA",
        `exec "$node_bin" "$root/bin/${PLUGIN_BINARY}.js" "$@"`,
        "",
    ].join("\n");
}

export interface PluginBuild {
    version: string;
    /** The unpacked plugin: a `plugins: providers: - path:` entry of Pulumi.yaml may name it. */
    dir: string;
    tarball: string;
}

/**
 * Replace `file` with `text` atomically, unless it already holds it: test files build the plugin in
 * parallel processes, and one may be reading the file another writes.
 */
function writeAtomic(file: string, text: string, mode = 0o644): void {
    if (fs.existsSync(file) && fs.readFileSync(file, "utf8") === text) return;
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, text, { mode });
    fs.chmodSync(temp, mode);
    fs.renameSync(temp, file);
}

/** Write the plugin folder and its tarball under `<root>/dist/plugin`. */
export function buildPlugin(root = packageRoot()): PluginBuild {
    const version = packageVersion(root);
    const out = path.join(root, "dist", "plugin");
    const dir = path.join(out, `${PLUGIN_BINARY}-v${version}`);
    fs.mkdirSync(dir, { recursive: true });
    writeAtomic(path.join(dir, PLUGIN_BINARY), launcherScript(root), 0o755);
    // `pulumi plugin install` runs the runtime's dependency install in the plugin folder (npm install):
    // the package.json says there is nothing to install, the code being the rds-licensing package's.
    writeAtomic(path.join(dir, "PulumiPlugin.yaml"), "runtime: nodejs\n");
    const manifest = { name: PLUGIN_BINARY, version, private: true, description: `launcher of the rds-licensing ${version} provider plugin` };
    writeAtomic(path.join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    writeAtomic(path.join(dir, "schema.json"), `${JSON.stringify(generateSchema(root), null, 2)}\n`);
    const platform = `${process.platform}-${process.arch === "x64" ? "amd64" : process.arch}`;
    const tarball = path.join(out, `${PLUGIN_BINARY}-v${version}-${platform}.tar.gz`);
    const temp = `${tarball}.${process.pid}.tmp`;
    const files = [PLUGIN_BINARY, "PulumiPlugin.yaml", "package.json", "schema.json"];
    const tar = spawnSync("tar", ["-czf", temp, "-C", dir, ...files], { stdio: "inherit" });
    if (tar.status !== 0) throw new Error(`tar failed making ${tarball}`);
    fs.renameSync(temp, tarball);
    return { version, dir, tarball };
}

if (require.main === module) {
    const built = buildPlugin();
    process.stdout.write(`${JSON.stringify(built)}\n`);
    process.stderr.write(`[rds-licensing] plugin tarball: ${built.tarball}\n  install: pulumi plugin install resource ${PLUGIN_PACKAGE} ${built.version} --file ${built.tarball}\n`);
}
