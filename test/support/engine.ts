/**
 * Real-engine test harness: a throwaway Pulumi project (this repository's compiled program), its own
 * file backend, passphrase secrets and simulator store, driven through the real `pulumi` CLI.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { randomBytes } from "crypto";
import { REPO_ROOT, run as runCommand, scaffoldProject } from "../../bench/project";

export { REPO_ROOT };
export const PASSPHRASE = "rds-licensing-test-passphrase";

export interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** A key pack as the simulator CLI's `packs --json` lists it (the fields the tests read). */
export interface SimPack {
    keyPackId: number;
    program: string;
    productVersion: string;
    licenseType: string;
    totalLicenses: number;
    issuedLicenses: number;
    availableLicenses: number;
}

/** A step of `pulumi preview --json` (the fields the tests read). */
export interface PlanStep {
    op: string;
    urn: string;
    oldState?: { inputs: Record<string, any> };
    newState?: { inputs: Record<string, any> };
}

/** `{a: {b: [1]}}` → `[["a.b[0]", 1]]`, the paths `pulumi config set --path` takes. */
export function flattenConfig(value: unknown, prefix = ""): Array<[string, string]> {
    if (Array.isArray(value)) return value.flatMap((v, i) => flattenConfig(v, `${prefix}[${i}]`));
    if (value && typeof value === "object") {
        return Object.entries(value).flatMap(([k, v]) => flattenConfig(v, prefix ? `${prefix}.${k}` : k));
    }
    return [[prefix, String(value)]];
}

export class TestProject {
    readonly stack = "test";

    private constructor(
        readonly dir: string,
        readonly env: NodeJS.ProcessEnv,
    ) {}

    /** A new project folder under test/.work (inside the repo, so `rds-licensing` resolves). */
    static async create(label: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<TestProject> {
        const dir = path.join(REPO_ROOT, "test", ".work", `${label}-${randomBytes(4).toString("hex")}`);
        const env = await scaffoldProject(dir, {
            name: "rds-licensing",
            programFile: path.join(REPO_ROOT, "dist", "program", "index.js"),
            passphrase: PASSPHRASE,
            env: { RDS_LICENSING_RETRY_BASE_MS: "50", ...extraEnv },
        });
        const project = new TestProject(dir, env);
        await project.pulumiOk(["stack", "init", project.stack, "--secrets-provider", "passphrase"]);
        return project;
    }

    get simHome(): string {
        return path.join(this.dir, ".rdls-sim");
    }

    /** Run the pulumi CLI in the project; resolves with its output whatever the exit code. */
    pulumi(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
        return run("pulumi", [...args, "--non-interactive"], { cwd: this.dir, env: { ...this.env, ...env } });
    }

    async pulumiOk(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
        const result = await this.pulumi(args, env);
        if (result.code !== 0) throw new Error(`pulumi ${args.join(" ")} failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
        return result;
    }

    /** The steps of `pulumi preview --json` (with `args`, such as `--refresh`) that change something. */
    async plannedChanges(args: string[] = []): Promise<PlanStep[]> {
        const result = await this.pulumiOk(["preview", "--json", ...args]);
        const steps = (JSON.parse(result.stdout).steps ?? []) as PlanStep[];
        return steps.filter((s) => s.op !== "same" && s.op !== "refresh");
    }

    /** Replace the stack's config: `secretPaths` are set with --secret, the rest as plain text. */
    async setConfig(config: Record<string, unknown>, secretPaths: string[] = []): Promise<void> {
        const file = path.join(this.dir, `Pulumi.${this.stack}.yaml`);
        const salt = fs.readFileSync(file, "utf8").split("\n").find((l) => l.startsWith("encryptionsalt:"));
        fs.writeFileSync(file, `${salt}\n`);
        const args = ["config", "set-all", "--path", "--stack", this.stack];
        for (const [key, value] of flattenConfig(config)) {
            args.push(secretPaths.includes(key) ? "--secret" : "--plaintext", `${key}=${value}`);
        }
        await this.pulumiOk(args);
    }

    /** The simulator's CLI (`rds-licensing sim`) against this project's store. */
    sim(args: string[]): Promise<RunResult> {
        return run("node", [path.join(REPO_ROOT, "bin", "rds-licensing.js"), "sim", "--home", this.simHome, ...args], { cwd: this.dir, env: this.env });
    }

    async simJson<T>(args: string[]): Promise<T> {
        const result = await this.sim([...args, "--json"]);
        if (result.code !== 0) throw new Error(`rdls-sim ${args.join(" ")} failed: ${result.stderr}`);
        return JSON.parse(result.stdout) as T;
    }

    /** The simulator's key packs (its CLI's `packs`, with extra arguments such as `--server <name>`). */
    packs(args: string[] = []): Promise<SimPack[]> {
        return this.simJson<SimPack[]>(["packs", ...args]);
    }

    /** Licenses per program, summed over its key packs (a pack that grew owns several). */
    async totals(args: string[] = []): Promise<Record<string, number>> {
        const totals: Record<string, number> = {};
        for (const pack of await this.packs(args)) totals[pack.program] = (totals[pack.program] ?? 0) + pack.totalLicenses;
        return totals;
    }

    /** The pulumi CLI with `input` on its standard input (the other runs have none). */
    pulumiWithInput(args: string[], input: string, env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
        return runWithInput("pulumi", [...args, "--non-interactive"], { cwd: this.dir, env: { ...this.env, ...env }, input });
    }

    async stackExport(): Promise<string> {
        return (await this.pulumiOk(["stack", "export", "--stack", this.stack])).stdout;
    }

    async outputs(): Promise<Record<string, any>> {
        return JSON.parse((await this.pulumiOk(["stack", "output", "--json", "--stack", this.stack])).stdout);
    }

    /** Every file of the backend (state, history, backups), concatenated: for scans and byte comparisons. */
    backendBytes(): string {
        return readTree(path.join(this.dir, ".state"));
    }

    remove(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

export function readTree(dir: string): string {
    if (!fs.existsSync(dir)) return "";
    return fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.join(e.parentPath, e.name))
        .sort()
        .map((f) => `${f}\n${fs.readFileSync(f, "latin1")}`)
        .join("\n");
}

/** Run a command and collect its output (the bench's runner, with a test-sized timeout). */
export function run(cmd: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<RunResult> {
    return runCommand(cmd, args, { timeoutMs: 300_000, ...options });
}

/** Run a command with `input` on its standard input (a secret, a passphrase: never on a command line). */
export function runWithInput(cmd: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; input: string }): Promise<RunResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(cmd, args, { cwd: options.cwd, env: options.env, stdio: ["pipe", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
        child.stdin.end(options.input);
    });
}
