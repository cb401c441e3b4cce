// The npm scripts' single entry: makes a fresh clone ready (dependencies, build, Pulumi toolchain),
// sets the dev stack's environment, then runs the asked command. Runs on the machine's Node (>= 20):
// the project's own Node 24 comes from the `node` package and is used for everything after install.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureToolchain, pulumiHome } from "./toolchain/bootstrap.mjs";
import { ensureYamlHost } from "./toolchain/yaml-host.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const log = (msg) => process.stderr.write(`[rds-licensing] ${msg}\n`);

/** The passphrase of the committed dev stack: demo only, documented in the README. */
export const DEMO_PASSPHRASE = "rds-licensing-demo";

function sh(cmd, args, options = {}) {
    const result = spawnSync(cmd, args, { cwd: root, stdio: "inherit", ...options });
    if (result.error) throw result.error;
    return result.status ?? 1;
}

function ensureDependencies() {
    const marker = path.join(root, "node_modules", ".package-lock.json");
    const lock = path.join(root, "package-lock.json");
    if (fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= fs.statSync(lock).mtimeMs) return;
    log("installing dependencies (npm ci)");
    if (sh("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"]) !== 0) throw new Error("npm ci failed");
}

/** `rds-licensing` resolvable from the project folder, as in users' projects (see components/runtime-provider.ts). */
function ensureSelfLink() {
    const link = path.join(root, "node_modules", "rds-licensing");
    try {
        if (fs.readlinkSync(link) === "..") return;
        fs.rmSync(link, { recursive: true, force: true });
    } catch {
        /* missing */
    }
    fs.symlinkSync("..", link, "dir");
}

/** Written after each successful build: dist/ is current while no source is newer than it. */
const BUILD_STAMP = path.join(root, "dist", ".build-stamp");
const BUILD_INPUTS = ["program", "src", "components", "bench", "policy", "tsconfig.json", "tsconfig.build.json", "package.json"];

/** The newest modification time among the build's inputs (a few hundred stats: milliseconds). */
function newestSource(entry = BUILD_INPUTS.map((p) => path.join(root, p))) {
    let newest = 0;
    for (const p of entry) {
        let stat;
        try {
            stat = fs.statSync(p);
        } catch {
            continue; // an input that does not exist (yet) cannot be newer
        }
        newest = Math.max(newest, stat.mtimeMs);
        if (stat.isDirectory()) newest = Math.max(newest, newestSource(fs.readdirSync(p).map((n) => path.join(p, n))));
    }
    return newest;
}

/**
 * Compile when a source changed since the last build. An unchanged checkout skips tsc (seconds of
 * CPU), so `npm run pulumi -- <command>` costs about what the CLI does.
 */
function ensureBuilt() {
    if (fs.existsSync(BUILD_STAMP) && fs.statSync(BUILD_STAMP).mtimeMs >= newestSource()) return;
    if (sh(path.join(root, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.build.json"]) !== 0) throw new Error("TypeScript build failed");
    fs.writeFileSync(BUILD_STAMP, `${new Date().toISOString()}\n`);
}

export function projectEnv(binDir) {
    const env = { ...process.env };
    env.PATH = [binDir, path.join(root, "node_modules", ".bin"), env.PATH].join(path.delimiter);
    env.PULUMI_HOME = pulumiHome();
    env.PULUMI_SKIP_UPDATE_CHECK = "true";
    env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION = "true";
    env.PULUMI_BACKEND_URL ??= `file://${path.join(root, ".pulumi-state")}`;
    if (!env.PULUMI_CONFIG_PASSPHRASE && !env.PULUMI_CONFIG_PASSPHRASE_FILE) env.PULUMI_CONFIG_PASSPHRASE = DEMO_PASSPHRASE;
    env.RDS_LICENSING_ROOT = root;
    // Node.js (>= 22.1) keeps the compiled code of every module it loads here: each pulumi command
    // starts three Node.js processes (language host, program, dynamic provider) that load the Pulumi
    // SDK, about a second each on this machine. Older Node.js ignores the variable; "" turns it off.
    env.NODE_COMPILE_CACHE ??= path.join(root, "node_modules", ".cache", "node-compile-cache");
    if (env.NODE_COMPILE_CACHE === "") delete env.NODE_COMPILE_CACHE;
    return env;
}

let aptUpdated = false;

/**
 * A Debian package the tests need beside npm packages, installed the way the machine installs
 * anything (apt-get) when none of `binaries` exists and this runs as root, so `npm test` passes on
 * a new machine without a hand step. Elsewhere (not root, no apt-get), say what is missing and how
 * to install it; when apt-get fails, stop with the package and the tests that need it.
 */
function ensureDebianPackage({ binaries, pkg, neededBy }) {
    if (binaries.some((b) => fs.existsSync(b))) return;
    const apt = ["/usr/bin/apt-get", "/bin/apt-get"].find((p) => fs.existsSync(p));
    if (process.getuid?.() !== 0 || !apt) {
        log(`warning: ${binaries[0]} is missing, so ${neededBy} will fail; install it (Debian: apt-get install ${pkg})`);
        return;
    }
    log(`installing ${pkg}, for ${neededBy}`);
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const quiet = { env, stdio: ["ignore", "ignore", "inherit"] };
    if (!aptUpdated && sh(apt, ["update", "-qq"], quiet) !== 0) throw new Error(`apt-get update failed, so ${pkg} cannot be installed (needed by ${neededBy})`);
    aptUpdated = true;
    if (sh(apt, ["install", "-y", "-qq", "--no-install-recommends", pkg], quiet) !== 0) {
        throw new Error(`apt-get could not install ${pkg} (needed by ${neededBy}); install it by hand (apt-get install ${pkg})`);
    }
}

/** What the tests need beside Node: a real OpenSSH server on 127.0.0.1, headless Chromium for the report page, Python for the SDK check. */
function ensureTestServices() {
    ensureDebianPackage({ binaries: ["/usr/sbin/sshd"], pkg: "openssh-server", neededBy: "the SSH runner tests (they start a real sshd on 127.0.0.1)" });
    ensureDebianPackage({
        binaries: ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"],
        pkg: "chromium",
        neededBy: "the usage report page test (test/cli/report-chromium.test.ts renders it in headless Chromium)",
    });
    ensureDebianPackage({ binaries: ["/usr/bin/python3"], pkg: "python3", neededBy: "the plugin's Python SDK check (test/plugin/sdk.test.ts byte-compiles it)" });
}

function prepare() {
    ensureDependencies();
    ensureSelfLink();
    ensureBuilt();
    const binDir = ensureToolchain(root);
    fs.mkdirSync(path.join(root, ".pulumi-state"), { recursive: true });
    return projectEnv(binDir);
}

function demo(env) {
    const pulumi = (...args) => sh("pulumi", args, { env });
    const quiet = spawnSync("pulumi", ["stack", "select", "dev"], { cwd: root, env, stdio: "ignore" });
    if (quiet.status !== 0 && pulumi("stack", "init", "dev") !== 0) return 1;
    // --refresh: what was changed by hand on the machines is read first, so the demo repairs it too.
    const status = pulumi("up", "--refresh", "--yes", "--stack", "dev", "--skip-preview");
    if (status !== 0) return status;
    // The farm as a licensing admin checks it: drift, every host's licensing health, CAL usage.
    log("the farm's licensing health (npx rds-licensing drift --stack dev):");
    const drift = sh("node", [path.join(root, "bin", "rds-licensing.js"), "drift", "--stack", "dev"], { env });
    // Drift or findings are the table's news, not a failed demo; only an error (1) is.
    return drift === 1 ? 1 : 0;
}

const commands = {
    bootstrap: () => 0,
    pulumi: (env, args) => sh("pulumi", args, { env }),
    demo: (env) => demo(env),
    test: (env, args) => {
        ensureTestServices();
        // The plugin's YAML tests need the YAML language host: built here, once, rather than inside a
        // test's beforeAll (a first build from the Go module proxy takes minutes).
        ensureYamlHost(ensureToolchain(root));
        // Tests are type-checked too (vitest itself strips types without checking them).
        if (sh("tsc", ["-p", "tsconfig.json", "--noEmit"], { env }) !== 0) return 1;
        return sh("vitest", ["run", ...args], { env });
    },
    // Many more model-based sequences than `npm test` runs (see test/model/): figures for a closing note.
    soak: (env, args) =>
        sh("vitest", ["run", "test/model", "test/integration/model.test.ts", ...args], {
            env: { RDS_LICENSING_MODEL_RUNS: "400", RDS_LICENSING_ENGINE_MODEL_RUNS: "8", ...env },
        }),
    // The alias of `rds-licensing drift` for this release: says so, then runs it where npm was started.
    drift: (env, args) => {
        log("`npm run drift -- <options>` is now `npx rds-licensing drift <options>`; this alias goes away in the next release");
        return sh("node", [path.join(root, "bin", "rds-licensing.js"), "drift", ...args], {
            env,
            cwd: process.env.INIT_CWD && fs.existsSync(process.env.INIT_CWD) ? process.env.INIT_CWD : root,
        });
    },
    bench: (env, args) => sh("node", [path.join(root, "dist", "bench", "run.js"), ...args], { env }),
    // The provider plugin's tarball (docs/plugin.md); `--install` installs it, `--sdks` / `--check-sdks` make its SDKs.
    plugin: (env, args) => sh("node", [path.join(root, "tools", "toolchain", "plugin.mjs"), ...args], { env }),
};

const [name, ...args] = process.argv.slice(2);
if (!commands[name]) {
    log(`usage: node tools/run.mjs <${Object.keys(commands).join("|")}> [args...]`);
    process.exit(2);
}
try {
    process.exit(commands[name](prepare(), args));
} catch (err) {
    log(`error: ${err.message}`);
    process.exit(1);
}
