// Finds or builds the Pulumi toolchain this project runs on, idempotently:
//   1. a compatible `pulumi` on PATH or in $PULUMI_HOME/versions/<v>/bin (with a Node.js language host);
//   2. the official npm `pulumi` package, when the registry has a version new enough;
//   3. a build from the Go module proxy into $PULUMI_HOME/versions/<v>/bin.
// Quiet when everything is in place; progress lines while building; a clear error when nothing works.
// Runs on any Node >= 20 with no dependencies (it runs before `npm ci` has finished on a fresh clone).
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const versions = JSON.parse(fs.readFileSync(path.join(here, "versions.json"), "utf8"));

/** Marks a bin folder this script built, so it may refresh the files it wrote there. */
const BUILT_MARKER = ".rds-licensing-toolchain";

const log = (msg) => process.stderr.write(`[toolchain] ${msg}\n`);

export function pulumiHome() {
    return process.env.PULUMI_HOME || path.join(os.homedir(), ".pulumi");
}

/** Compare dotted versions ("3.274.1" vs "3.270.0"); leading "v" ignored. */
export function compareVersions(a, b) {
    const pa = a.replace(/^v/, "").split(/[.-]/).map(Number);
    const pb = b.replace(/^v/, "").split(/[.-]/).map(Number);
    for (let i = 0; i < 3; i++) {
        if ((pa[i] || 0) !== (pb[i] || 0)) return (pa[i] || 0) - (pb[i] || 0);
    }
    return 0;
}

/** The @pulumi/pulumi SDK version the project uses: the engine must be at least as new. */
function sdkVersion(projectRoot) {
    const pkg = path.join(projectRoot, "node_modules", "@pulumi", "pulumi", "package.json");
    return fs.existsSync(pkg) ? JSON.parse(fs.readFileSync(pkg, "utf8")).version : versions.minimumCli;
}

/** `pulumi version` of a binary (0.2 s), remembered next to it while the binary stays the same file. */
function cliVersionAt(binary) {
    let identity;
    try {
        const stat = fs.statSync(binary);
        identity = `${stat.size}:${stat.mtimeMs}`;
    } catch {
        return undefined;
    }
    const memo = path.join(path.dirname(binary), ".rds-licensing-cli-version");
    try {
        const [known, version] = fs.readFileSync(memo, "utf8").trim().split(" ");
        if (known === identity && version) return version;
    } catch {
        /* not remembered yet */
    }
    let version;
    try {
        version = execFileSync(binary, ["version"], {
            encoding: "utf8",
            env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
            stdio: ["ignore", "pipe", "ignore"],
        }).trim();
    } catch {
        return undefined;
    }
    try {
        fs.writeFileSync(memo, `${identity} ${version}\n`);
    } catch {
        /* a read-only folder: ask again next time */
    }
    return version;
}

function onPath(name) {
    for (const dir of (process.env.PATH || "").split(path.delimiter)) {
        const candidate = path.join(dir, name);
        if (dir && fs.existsSync(candidate)) return candidate;
    }
    return undefined;
}

/** A bin folder is usable when its CLI is new enough and a Node.js language host sits beside it or on PATH. */
function usableBinDir(binDir, required) {
    const cli = path.join(binDir, "pulumi");
    if (!fs.existsSync(cli)) return undefined;
    const version = cliVersionAt(cli);
    if (!version || compareVersions(version, required) < 0) return undefined;
    const host = fs.existsSync(path.join(binDir, "pulumi-language-nodejs")) || onPath("pulumi-language-nodejs");
    return host ? { binDir, version } : undefined;
}

function writeExecutable(file, text) {
    fs.writeFileSync(file, text, { mode: 0o755 });
    fs.chmodSync(file, 0o755);
}

/**
 * The dynamic provider host the engine starts for `pulumi.dynamic` resources. The release tarball
 * ships the same thing; without it the engine tries to download `pulumi-nodejs` and fails offline.
 */
function writeDynamicProviderHost(binDir) {
    writeSupportFiles(binDir);
    const file = path.join(binDir, "pulumi-resource-pulumi-nodejs");
    const text = [
        "#!/bin/sh",
        "# Runs @pulumi/pulumi's dynamic provider from the project's node_modules, looked up from the cwd",
        "# in shell (one Node.js start, not two: this process starts on the way to the first resource).",
        "# exec: the provider is the engine's own child, which its watchdog relies on. The preload beside",
        "# this script (pulumi-nodejs-preload.js) makes it exit when the engine is gone.",
        "node_bin=node",
        '[ -x "$PWD/node_modules/.bin/node" ] && node_bin="$PWD/node_modules/.bin/node"',
        'case "$0" in */*) here="${0%/*}" ;; *) here=. ;; esac',
        'preload="$here/pulumi-nodejs-preload.js"',
        'dir="${PWD%/}"',
        "while :; do",
        '    script="$dir/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js"',
        "    if [ -f \"$script\" ]; then",
        '        [ -f "$preload" ] && exec "$node_bin" -r "$preload" "$script" "$@"',
        '        exec "$node_bin" "$script" "$@"',
        "    fi",
        '    [ -z "$dir" ] && break',
        '    dir="${dir%/*}"',
        "done",
        'echo "pulumi-resource-pulumi-nodejs: no node_modules/@pulumi/pulumi above $PWD; run npm install in the project" >&2',
        "exit 1",
        "",
    ].join("\n");
    writeIfChanged(file, text, writeExecutable);
}

/**
 * What our Node.js processes preload (pulumi-nodejs-preload.js: the program's configuration through a
 * pipe, and the engine watchdog of pulumi-nodejs-watchdog.js), next to the language host and the
 * dynamic provider script that use it.
 */
const SUPPORT_FILES = ["pulumi-nodejs-watchdog.js", "pulumi-nodejs-preload.js"];

/** Replace `file` atomically (a pulumi command may be starting these files right now) when it differs. */
function writeIfChanged(file, text, write) {
    if (fs.existsSync(file) && fs.readFileSync(file, "utf8") === text) return;
    const temp = `${file}.${process.pid}.tmp`;
    write(temp, text);
    fs.renameSync(temp, file);
}

function writeSupportFiles(binDir) {
    for (const name of SUPPORT_FILES) {
        writeIfChanged(path.join(binDir, name), fs.readFileSync(path.join(here, name), "utf8"), (f, t) => fs.writeFileSync(f, t, { mode: 0o644 }));
    }
}

/** Our Node.js language host (see pulumi-language-nodejs.js for why it exists). */
function writeLanguageHost(binDir) {
    writeSupportFiles(binDir);
    const source = fs.readFileSync(path.join(here, "pulumi-language-nodejs.js"), "utf8");
    writeIfChanged(path.join(binDir, "pulumi-language-nodejs"), source, writeExecutable);
}

function tryNpmPackage(required) {
    let latest;
    try {
        latest = execFileSync("npm", ["view", "pulumi", "version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 60_000 }).trim();
    } catch {
        log("npm `pulumi` package: registry did not answer; skipping");
        return undefined;
    }
    if (compareVersions(latest, required) < 0) {
        log(`npm \`pulumi\` package: newest is ${latest}, older than the ${required} this SDK needs; skipping`);
        return undefined;
    }
    log(`trying the npm \`pulumi\` package ${latest} (downloads the official CLI on first use)`);
    const dir = path.join(pulumiHome(), "npm-cli", latest);
    fs.mkdirSync(dir, { recursive: true });
    const install = spawnSync("npm", ["install", "--no-save", "--prefix", dir, `pulumi@${latest}`], { stdio: "ignore", timeout: 300_000 });
    const bin = path.join(dir, "node_modules", ".bin", "pulumi");
    if (install.status !== 0 || !cliVersionAt(bin)) {
        log("npm `pulumi` package: its CLI download did not work here (no access to get.pulumi.com?); skipping");
        return undefined;
    }
    return usableBinDir(path.dirname(fs.realpathSync(bin)), required);
}

function run(cmd, args, options) {
    const result = spawnSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"], ...options });
    if (result.status !== 0) {
        throw new Error(`${cmd} ${args.join(" ")} failed (exit ${result.status ?? result.signal})`);
    }
}

function buildFromGoProxy(binDir) {
    if (!onPath("go")) {
        throw new Error(
            "no compatible Pulumi CLI found and Go is not installed to build one. Install the Pulumi CLI " +
                `>= ${versions.cli} (https://www.pulumi.com/docs/install/) or Go >= 1.26, then re-run.`,
        );
    }
    const work = path.join(pulumiHome(), "build", `pulumi-${versions.cli}`);
    fs.mkdirSync(work, { recursive: true });
    for (const f of ["go.mod", "go.sum"]) fs.copyFileSync(path.join(here, "cli-module", f), path.join(work, f));
    const env = { ...process.env, CGO_ENABLED: "0" };
    const ldflags = `-w -s -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v${versions.cli}`;
    log(`building the Pulumi CLI v${versions.cli} from the Go module proxy (first run only: ~10 min on 2 cores)`);
    const started = Date.now();
    run("go", ["build", "-trimpath", "-tags", "osusergo,grpcnotrace", "-ldflags", ldflags, "-o", path.join(binDir, "pulumi"), "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"], {
        cwd: work,
        env,
    });
    log(`built pulumi v${versions.cli} in ${Math.round((Date.now() - started) / 1000)} s`);
}

/**
 * Ensure the toolchain and return the folder holding `pulumi` and its language host.
 * @param {string} projectRoot
 */
export function ensureToolchain(projectRoot) {
    const required = sdkVersion(projectRoot);
    const binDir = path.join(pulumiHome(), "versions", versions.cli, "bin");

    const onPathCli = onPath("pulumi");
    const found =
        (onPathCli && usableBinDir(path.dirname(fs.realpathSync(onPathCli)), required)) || usableBinDir(binDir, required);
    if (found) {
        // Our own build: keep its language host in step with this checkout's copy.
        if (fs.existsSync(path.join(found.binDir, BUILT_MARKER))) writeLanguageHost(found.binDir);
        writeDynamicProviderHost(found.binDir);
        return found.binDir;
    }
    const fromNpm = process.env.RDS_LICENSING_SKIP_NPM_CLI ? undefined : tryNpmPackage(required);
    if (fromNpm) {
        writeDynamicProviderHost(fromNpm.binDir);
        return fromNpm.binDir;
    }
    fs.mkdirSync(binDir, { recursive: true });
    if (!fs.existsSync(path.join(binDir, "pulumi"))) buildFromGoProxy(binDir);
    fs.writeFileSync(path.join(binDir, BUILT_MARKER), `built by rds-licensing tools/toolchain from the Go module proxy\n`);
    writeLanguageHost(binDir);
    writeDynamicProviderHost(binDir);
    const ready = usableBinDir(binDir, required);
    if (!ready) throw new Error(`the Pulumi CLI in ${binDir} does not run or is older than ${required}`);
    return binDir;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
    try {
        const binDir = ensureToolchain(path.resolve(here, "..", ".."));
        process.stdout.write(`${binDir}\n`);
    } catch (err) {
        log(`error: ${err.message}`);
        process.exit(1);
    }
}
