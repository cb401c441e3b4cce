// `npm run plugin [-- --install] [-- --sdks [--check-sdks]]`: builds the provider plugin's tarball
// (dist/src/plugin/tarball.js, after tools/run.mjs has compiled the package).
//   --install     installs it (`pulumi plugin install resource rds-licensing <version> --file <tarball>
//                 --reinstall`) and makes sure the YAML language host is there
//   --sdks        generates the TypeScript, Python and Go SDKs into dist/plugin/sdk (docs/plugin.md)
//   --check-sdks  and compiles the Go SDK, byte-compiles the Python one
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { checkSdks, generateSdks } from "./sdks.mjs";
import { ensureYamlHost } from "./yaml-host.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const flags = new Set(process.argv.slice(2));
const made = spawnSync(process.execPath, [path.join(root, "dist", "src", "plugin", "tarball.js")], { cwd: root, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
if (made.status !== 0) process.exit(made.status ?? 1);
const built = JSON.parse(made.stdout.trim().split("\n").pop());
process.stdout.write(`${built.tarball}\n`);
if (flags.has("--sdks") || flags.has("--check-sdks")) {
    const out = path.join(root, "dist", "plugin", "sdk");
    generateSdks(path.join(built.dir, "schema.json"), out);
    process.stdout.write(`${out}\n`);
    if (flags.has("--check-sdks")) checkSdks(out);
}
if (flags.has("--install")) {
    const pulumi = spawnSync("sh", ["-c", "command -v pulumi"], { encoding: "utf8" }).stdout.trim();
    if (!pulumi) throw new Error("pulumi is not on PATH (run through `npm run plugin`)");
    ensureYamlHost(path.dirname(pulumi));
    const install = spawnSync(pulumi, ["plugin", "install", "resource", "rds-licensing", built.version, "--file", built.tarball, "--reinstall"], { stdio: "inherit" });
    process.exit(install.status ?? 1);
}
