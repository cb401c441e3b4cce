/**
 * A throwaway Pulumi project for one bench run: its own folder under bench/.work/ (inside the
 * repository, so `rds-licensing` resolves from node_modules for the dynamic providers), its own file
 * backend, passphrase secrets and simulator store, driven through the real `pulumi` CLI — the
 * approach of test/support/engine.ts.
 */
import { spawn, spawnSync } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { performance } from "perf_hooks";
import { pathToFileURL } from "url";

/** The repository root, from the compiled bench (dist/bench) as from its sources (bench/, under vitest). */
export const REPO_ROOT = findRoot(__dirname);

function findRoot(from: string): string {
    for (let dir = from; ; dir = path.dirname(dir)) {
        const manifest = path.join(dir, "package.json");
        if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, "utf8")) as { name?: string }).name === "rds-licensing") return dir;
        if (path.dirname(dir) === dir) throw new Error(`bench: no rds-licensing package.json above ${from}`);
    }
}

export const WORK_DIR = path.join(REPO_ROOT, "bench", ".work");
export const PASSPHRASE = "rds-licensing-bench-passphrase";
export const STACK = "bench";

export type ProgramName = "packs" | "farm" | "baseline" | "baseline-farm" | "empty";

export interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
    wallMs: number;
}

/** The folder holding `pulumi` (`npm run bench` puts it on PATH; a bare run bootstraps it). */
export async function pulumiBinDir(): Promise<string> {
    const which = spawnSync("sh", ["-c", "command -v pulumi"], { encoding: "utf8" });
    if (which.status === 0 && which.stdout.trim()) return path.dirname(which.stdout.trim());
    const bootstrap = (await import(pathToFileURL(path.join(REPO_ROOT, "tools", "toolchain", "bootstrap.mjs")).href)) as {
        ensureToolchain(root: string): string;
    };
    return bootstrap.ensureToolchain(REPO_ROOT);
}

/** The compiled program a project runs (tsc -p tsconfig.build.json emits it). */
export function programFile(program: ProgramName): string {
    const file = path.join(REPO_ROOT, "dist", "bench", "programs", `${program}.js`);
    if (!fs.existsSync(file)) throw new Error(`bench: ${path.relative(REPO_ROOT, file)} is missing; run \`npm run build\` first`);
    return file;
}

/**
 * The dynamic providers load `rds-licensing/provider` from the project folder: in this repository
 * that is node_modules/rds-licensing, the link tools/run.mjs makes (an `npm ci` removes it).
 */
function requireProviderPackage(from: string): void {
    try {
        require.resolve("rds-licensing/provider", { paths: [from] });
    } catch {
        throw new Error("bench: `rds-licensing/provider` does not resolve from bench/.work; run through `npm run bench` (tools/run.mjs links node_modules/rds-licensing)");
    }
}

/**
 * Write a throwaway project into `dir`: a Pulumi.yaml whose `main` requires the compiled
 * `programFile`, a file backend in `.state`, and return the environment its pulumi commands run in
 * (our toolchain and Node.js first on PATH, passphrase secrets, the simulator store in `.rdls-sim`).
 * Shared by the bench and the real-engine test harness (test/support/engine.ts).
 */
export async function scaffoldProject(
    dir: string,
    options: { name: string; programFile: string; passphrase: string; env?: NodeJS.ProcessEnv },
): Promise<NodeJS.ProcessEnv> {
    fs.mkdirSync(path.join(dir, ".state"), { recursive: true });
    fs.writeFileSync(
        path.join(dir, "Pulumi.yaml"),
        [`name: ${options.name}`, "runtime:", "  name: nodejs", "  options:", "    typescript: false", "main: index.js", ""].join("\n"),
    );
    const program = path.relative(dir, options.programFile);
    fs.writeFileSync(path.join(dir, "index.js"), `module.exports = require(${JSON.stringify(program)});\n`);
    const binDir = await pulumiBinDir();
    const env: NodeJS.ProcessEnv = {
        ...process.env,
        PATH: [binDir, path.join(REPO_ROOT, "node_modules", ".bin"), process.env.PATH].join(path.delimiter),
        PULUMI_BACKEND_URL: `file://${path.join(dir, ".state")}`,
        PULUMI_CONFIG_PASSPHRASE: options.passphrase,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        RDLS_SIM_HOME: path.join(dir, ".rdls-sim"),
        ...options.env,
    };
    // A passphrase file from the caller's shell would win over the project's passphrase.
    delete env.PULUMI_CONFIG_PASSPHRASE_FILE;
    return env;
}

export class BenchProject {
    private constructor(
        readonly dir: string,
        readonly env: NodeJS.ProcessEnv,
    ) {}

    /** A new project folder under `parent` running `program`, with `config` as `bench:<key>` values. */
    static async create(options: {
        parent: string;
        label: string;
        program: ProgramName;
        config?: Record<string, string | number>;
        env?: NodeJS.ProcessEnv;
    }): Promise<BenchProject> {
        const dir = path.join(options.parent, `${options.label}-${randomBytes(3).toString("hex")}`);
        if (options.program === "packs" || options.program === "farm") requireProviderPackage(options.parent);
        const env = await scaffoldProject(dir, { name: "rds-licensing-bench", programFile: programFile(options.program), passphrase: PASSPHRASE, env: options.env });
        const project = new BenchProject(dir, env);
        await project.pulumiOk(["stack", "init", "--secrets-provider", "passphrase"]);
        const entries = Object.entries(options.config ?? {});
        if (entries.length > 0) {
            // Plain values: appended to the stack file rather than one `pulumi config set` per key.
            const file = path.join(dir, `Pulumi.${STACK}.yaml`);
            const lines = entries.map(([k, v]) => `  bench:${k}: ${JSON.stringify(String(v))}`);
            fs.appendFileSync(file, ["config:", ...lines, ""].join("\n"));
        }
        return project;
    }

    /**
     * A new Pulumi YAML project under `parent` running `program` through the provider plugin, installed
     * from `tarball` into the project's own PULUMI_HOME (bench/plugin.ts).
     */
    static async createYaml(options: { parent: string; label: string; program: string; plugin: { version: string; tarball: string }; env?: NodeJS.ProcessEnv }): Promise<BenchProject> {
        const dir = path.join(options.parent, `${options.label}-${randomBytes(3).toString("hex")}`);
        const env = await scaffoldProject(dir, { name: "rds-licensing-bench", programFile: __filename, passphrase: PASSPHRASE, env: { PULUMI_HOME: path.join(dir, ".pulumi-home"), ...options.env } });
        // The YAML program replaces the Node.js project scaffoldProject wrote.
        fs.rmSync(path.join(dir, "index.js"));
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), options.program);
        const project = new BenchProject(dir, env);
        // `plugin install` takes no --stack (which pulumi() adds).
        const install = await run("pulumi", ["plugin", "install", "resource", "rds-licensing", options.plugin.version, "--file", options.plugin.tarball, "--non-interactive"], { cwd: dir, env });
        if (install.code !== 0) throw new Error(`bench: the plugin could not be installed:\n${tail(install.stderr)}`);
        await project.pulumiOk(["stack", "init", "--secrets-provider", "passphrase"]);
        return project;
    }

    get simHome(): string {
        return path.join(this.dir, ".rdls-sim");
    }

    /** Run the pulumi CLI in the project; resolves with its output and wall time whatever the exit code. */
    pulumi(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
        return run("pulumi", [...args, "--stack", STACK, "--non-interactive"], { cwd: this.dir, env: { ...this.env, ...env } });
    }

    async pulumiOk(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
        const result = await this.pulumi(args, env);
        if (result.code !== 0) throw new Error(`pulumi ${args.join(" ")} failed (${result.code}):\n${tail(result.stdout)}\n${tail(result.stderr)}`);
        return result;
    }

    remove(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

export function tail(text: string, lines = 40): string {
    return text.trimEnd().split("\n").slice(-lines).join("\n");
}

export function run(cmd: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<RunResult> {
    return new Promise((resolve, reject) => {
        const started = performance.now();
        const child = spawn(cmd, args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 1_800_000);
        child.on("error", (err) => {
            clearTimeout(timer);
            reject(err);
        });
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve({ code: code ?? 1, stdout, stderr, wallMs: performance.now() - started });
        });
    });
}
