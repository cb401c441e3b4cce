// The Pulumi YAML language host (pulumi-language-yaml), built from the Go module proxy into the
// CLI's bin folder, idempotently: a version stamp beside the binary says which tag it was built
// from, so later runs cost one file read. The wrapper module (yaml-module/) pins pulumi-yaml's tag and
// every dependency (go.sum), as cli-module/ does for the CLI; pulumi-yaml has no replace directives.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureToolchain, pulumiHome } from "./bootstrap.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
/** The tagged pulumi-yaml release (the proxy serves tags only; see docs/plugin.md). */
export const YAML_HOST_VERSION = "1.25.0";
const STAMP = ".rds-licensing-yaml-version";
const log = (msg) => process.stderr.write(`[toolchain] ${msg}\n`);

/** How long a build may hold its lock before another process takes it as abandoned. */
const LOCK_STALE_MS = 20 * 60_000;

/**
 * Run `build` holding the lock folder `<work>/.lock`: parallel test files ask for the same tool at
 * once, and one build (then a look at its stamp) serves them all. Waits for another holder.
 */
export function withBuildLock(work, build) {
    fs.mkdirSync(work, { recursive: true });
    const lock = path.join(work, ".lock");
    const pause = new Int32Array(new SharedArrayBuffer(4));
    for (;;) {
        try {
            fs.mkdirSync(lock);
            break;
        } catch (err) {
            if (err.code !== "EEXIST") throw err;
        }
        try {
            if (Date.now() - fs.statSync(lock).mtimeMs > LOCK_STALE_MS) fs.rmSync(lock, { recursive: true, force: true });
        } catch {
            /* released meanwhile */
        }
        Atomics.wait(pause, 0, 0, 1000); // another process is building: look again in a second
    }
    try {
        return build();
    } finally {
        fs.rmSync(lock, { recursive: true, force: true });
    }
}

/** Ensure `pulumi-language-yaml` in `binDir` (the folder of `pulumi`); returns its path. */
export function ensureYamlHost(binDir) {
    const binary = path.join(binDir, "pulumi-language-yaml");
    const stamp = path.join(binDir, STAMP);
    const current = () => fs.existsSync(binary) && fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8").trim() === YAML_HOST_VERSION;
    if (current()) return binary;
    const work = path.join(pulumiHome(), "build", `pulumi-yaml-${YAML_HOST_VERSION}`);
    return withBuildLock(work, () => (current() ? binary : buildYamlHost(work, binary, stamp)));
}

function buildYamlHost(work, binary, stamp) {
    const go = spawnSync("go", ["version"], { stdio: "ignore" });
    if (go.status !== 0) throw new Error("the Pulumi YAML language host is missing and Go (>= 1.26) is not installed to build it; install Go, then re-run");
    for (const f of ["go.mod", "go.sum"]) fs.copyFileSync(path.join(here, "yaml-module", f), path.join(work, f));
    log(`building the Pulumi YAML language host v${YAML_HOST_VERSION} from the Go module proxy (first run only: ~2-5 min)`);
    const started = Date.now();
    const ldflags = `-w -s -X github.com/pulumi/pulumi-yaml/pkg/version.Version=v${YAML_HOST_VERSION}`;
    const temp = `${binary}.${process.pid}.tmp`;
    const build = spawnSync(
        "go",
        ["build", "-trimpath", "-tags", "osusergo,grpcnotrace", "-ldflags", ldflags, "-o", temp, "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"],
        { cwd: work, env: { ...process.env, CGO_ENABLED: "0" }, stdio: ["ignore", "inherit", "inherit"] },
    );
    if (build.status !== 0) throw new Error(`go build of pulumi-language-yaml v${YAML_HOST_VERSION} failed (exit ${build.status ?? build.signal})`);
    // Renamed into place: a pulumi command may be starting the old binary right now.
    fs.renameSync(temp, binary);
    fs.writeFileSync(stamp, `${YAML_HOST_VERSION}\n`);
    log(`built pulumi-language-yaml v${YAML_HOST_VERSION} in ${Math.round((Date.now() - started) / 1000)} s`);
    return binary;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
    try {
        process.stdout.write(`${ensureYamlHost(ensureToolchain(path.resolve(here, "..", "..")))}\n`);
    } catch (err) {
        log(`error: ${err.message}`);
        process.exit(1);
    }
}
