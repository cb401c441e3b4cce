/**
 * Real-engine harness for the provider plugin: a throwaway Pulumi YAML project with its own file
 * backend, passphrase secrets, simulator store and PULUMI_HOME, into which the plugin tarball
 * (`npm run plugin`) is installed the way a user installs it (`pulumi plugin install ... --file`).
 */
import * as fs from "fs";
import * as path from "path";
import { randomBytes } from "crypto";
import { ensurePluginTools as ensureYamlHostAndTarball } from "../../bench/plugin";
import { pulumiBinDir } from "../../bench/project";
import { REPO_ROOT, run, runWithInput, type RunResult } from "../support/engine";

export const PASSPHRASE = "rds-licensing-plugin-test-passphrase";

export interface PluginTools {
    version: string;
    tarball: string;
    binDir: string;
}

/** The YAML language host and the plugin tarball of this checkout (bench/plugin.ts; dist/ must be built: `npm test` builds it first). */
export async function ensurePluginTools(): Promise<PluginTools> {
    const binDir = await pulumiBinDir();
    return { ...(await ensureYamlHostAndTarball(binDir)), binDir };
}

export class YamlProject {
    readonly stack = "test";

    private constructor(
        readonly dir: string,
        readonly env: NodeJS.ProcessEnv,
    ) {}

    /** A new project under test/.work running `program` (Pulumi.yaml text), the plugin installed from its tarball. */
    static async create(label: string, tools: PluginTools, program: string): Promise<YamlProject> {
        const dir = path.join(REPO_ROOT, "test", ".work", `${label}-${randomBytes(4).toString("hex")}`);
        fs.mkdirSync(path.join(dir, ".state"), { recursive: true });
        const env: NodeJS.ProcessEnv = {
            ...process.env,
            PATH: [tools.binDir, path.join(REPO_ROOT, "node_modules", ".bin"), process.env.PATH].join(path.delimiter),
            PULUMI_HOME: path.join(dir, ".pulumi-home"),
            PULUMI_BACKEND_URL: `file://${path.join(dir, ".state")}`,
            PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            RDS_LICENSING_RETRY_BASE_MS: "50",
        };
        delete env.PULUMI_CONFIG_PASSPHRASE_FILE;
        const project = new YamlProject(dir, env);
        project.writeProgram(program);
        await project.pulumiOk(["plugin", "install", "resource", "rds-licensing", tools.version, "--file", tools.tarball]);
        await project.pulumiOk(["stack", "init", project.stack, "--secrets-provider", "passphrase"]);
        return project;
    }

    get simHome(): string {
        return path.join(this.dir, ".rdls-sim");
    }

    writeProgram(program: string): void {
        fs.writeFileSync(path.join(this.dir, "Pulumi.yaml"), program);
    }

    pulumi(args: string[]): Promise<RunResult> {
        return run("pulumi", [...args, "--non-interactive"], { cwd: this.dir, env: this.env });
    }

    async pulumiOk(args: string[]): Promise<RunResult> {
        const result = await this.pulumi(args);
        if (result.code !== 0) throw new Error(`pulumi ${args.join(" ")} failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
        return result;
    }

    /** A secret config value, passed on standard input (never on a command line). */
    async setSecret(key: string, value: string): Promise<void> {
        const result = await runWithInput("pulumi", ["config", "set", "--secret", key, "--non-interactive"], { cwd: this.dir, env: this.env, input: value });
        if (result.code !== 0) throw new Error(`pulumi config set --secret ${key} failed:\n${result.stderr}`);
    }

    /** The simulator's CLI (`rds-licensing sim`) against this project's store. */
    sim(args: string[]): Promise<RunResult> {
        return simCli(this.simHome, args, this.env);
    }

    async simJson<T>(args: string[]): Promise<T> {
        return JSON.parse((await this.sim([...args, "--json"])).stdout) as T;
    }

    remove(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

/** `rds-licensing sim <args>` against the store `home`; throws with its message when it refuses. */
export async function simCli(home: string, args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
    const result = await run("node", [path.join(REPO_ROOT, "bin", "rds-licensing.js"), "sim", "--home", home, ...args], { cwd: path.dirname(home), env });
    if (result.code !== 0) throw new Error(`rds-licensing sim ${args.join(" ")} failed: ${result.stderr}`);
    return result;
}
