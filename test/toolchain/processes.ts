/**
 * Helpers for the toolchain's process tests: a throwaway Pulumi project running a tiny purpose-built
 * program (one dynamic resource whose `create` waits for a file, so a test can hold `pulumi up`
 * mid-run), and a view of the process tree from /proc (Linux).
 */
import { spawn, type ChildProcess } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { scaffoldProject } from "../../bench/project";
import { REPO_ROOT, run, runWithInput, type RunResult } from "../support/engine";

export const PROJECT = "proc-watch";
export const STACK = "test";
const PASSPHRASE = "rds-licensing-toolchain-test-passphrase";

/**
 * The program. `block` (config) adds a dynamic resource whose create writes `started` and waits for
 * `release` to exist. It prints what it received (counts and a secret check, never a value).
 */
const PROGRAM = `"use strict";
const crypto = require("crypto");
const pulumi = require("@pulumi/pulumi");
const config = new pulumi.Config();
const all = pulumi.runtime.allConfig();
console.log("config-keys=" + Object.keys(all).length + " config-bytes=" + JSON.stringify(all).length);
const expected = config.get("secretSha256");
const secret = config.getSecret("secret");
if (secret && expected) {
    secret.apply((v) => console.log("secret-matches=" + (crypto.createHash("sha256").update(v).digest("hex") === expected)));
}
const provider = {
    async create(inputs) {
        const fs = require("fs");
        fs.writeFileSync(inputs.started, String(process.pid));
        while (!fs.existsSync(inputs.release)) await new Promise((r) => setTimeout(r, 200));
        return { id: "blocker", outs: {} };
    },
};
if (config.get("block")) {
    const dir = config.require("block");
    new pulumi.dynamic.Resource(provider, "blocker", { started: dir + "/started", release: dir + "/release" }, {});
}
`;

export class TinyProject {
    private constructor(
        readonly dir: string,
        readonly env: NodeJS.ProcessEnv,
    ) {}

    /** A project under test/.work (inside the repository, so @pulumi/pulumi and our Node resolve). */
    static async create(label: string): Promise<TinyProject> {
        const dir = path.join(REPO_ROOT, "test", ".work", `${label}-${randomBytes(4).toString("hex")}`);
        fs.mkdirSync(dir, { recursive: true });
        const programFile = path.join(dir, "index.js");
        const env = await scaffoldProject(dir, { name: PROJECT, programFile, passphrase: PASSPHRASE });
        fs.writeFileSync(programFile, PROGRAM); // the scaffold's index.js would require a program: it is one
        const project = new TinyProject(dir, env);
        try {
            await project.pulumiOk(["stack", "init", "--secrets-provider", "passphrase"]);
        } catch (err) {
            project.remove();
            throw err;
        }
        return project;
    }

    /** Where the blocking resource signals (`started`) and waits (`release`). */
    get blockDir(): string {
        return path.join(this.dir, "block");
    }

    pulumi(args: string[]): Promise<RunResult> {
        return run("pulumi", [...args, "--stack", STACK, "--non-interactive"], { cwd: this.dir, env: this.env });
    }

    async pulumiOk(args: string[]): Promise<RunResult> {
        const result = await this.pulumi(args);
        if (result.code !== 0) throw new Error(`pulumi ${args.join(" ")} failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
        return result;
    }

    /** Plain config values appended to the stack file (one `pulumi config set` per key would be slow). */
    appendPlainConfig(values: Record<string, string>): void {
        const file = path.join(this.dir, `Pulumi.${STACK}.yaml`);
        const text = fs.readFileSync(file, "utf8");
        const lines = Object.entries(values).map(([k, v]) => `  ${PROJECT}:${k}: ${JSON.stringify(v)}`);
        fs.writeFileSync(file, text.includes("config:") ? `${text.trimEnd()}\n${lines.join("\n")}\n` : `${text.trimEnd()}\nconfig:\n${lines.join("\n")}\n`);
    }

    /** A secret config value, given on standard input (never on a command line). */
    async setSecret(key: string, value: string): Promise<void> {
        const args = ["config", "set", "--secret", key, "--stack", STACK, "--non-interactive"];
        const result = await runWithInput("pulumi", args, { cwd: this.dir, env: this.env, input: value });
        if (result.code !== 0) throw new Error(`pulumi config set --secret ${key} failed: ${result.stderr}`);
    }

    /** `pulumi <args>` as a child process the test can watch and kill. */
    start(args: string[]): { child: ChildProcess; output: () => string } {
        const child = spawn("pulumi", [...args, "--stack", STACK, "--non-interactive"], { cwd: this.dir, env: this.env, stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        child.stdout!.on("data", (d) => (output += d));
        child.stderr!.on("data", (d) => (output += d));
        return { child, output: () => output };
    }

    remove(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

export interface ProcInfo {
    pid: number;
    ppid: number;
    state: string;
    cmdline: string;
}

/** One process from /proc, or undefined when it no longer exists. */
export function procInfo(pid: number): ProcInfo | undefined {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ")".
        const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
        return { pid, ppid: Number(ppid), state, cmdline };
    } catch {
        return undefined;
    }
}

export function allProcesses(): ProcInfo[] {
    return fs
        .readdirSync("/proc")
        .filter((e) => /^\d+$/.test(e))
        .map((e) => procInfo(Number(e)))
        .filter((p): p is ProcInfo => p !== undefined);
}

/** Gone, or a zombie waiting for whoever adopted it to reap it (it runs no more code). */
export function isGone(pid: number): boolean {
    const info = procInfo(pid);
    return info === undefined || info.state === "Z" || info.state === "X";
}

/** The three Node.js processes of a `pulumi` run, found by their parentage and command line. */
export interface EngineChildren {
    languageHost?: ProcInfo;
    program?: ProcInfo;
    provider?: ProcInfo;
}

export function engineChildren(pulumiPid: number): EngineChildren {
    const procs = allProcesses();
    const children = procs.filter((p) => p.ppid === pulumiPid);
    const languageHost = children.find((p) => p.cmdline.includes("pulumi-language-nodejs"));
    const provider = children.find((p) => p.cmdline.includes("cmd/dynamic-provider"));
    const program = languageHost ? procs.find((p) => p.ppid === languageHost.pid && p.cmdline.includes("cmd/run")) : undefined;
    return { languageHost, program, provider };
}

/** Poll `check` every `everyMs` until it returns a value or `timeoutMs` passes (then: undefined). */
export async function waitFor<T>(check: () => T | undefined | false, timeoutMs: number, everyMs = 100): Promise<T | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = check();
        if (value) return value;
        if (Date.now() > deadline) return undefined;
        await new Promise((r) => setTimeout(r, everyMs));
    }
}

/** Kill what a failed test left behind (only the pids it found itself). */
export function killLeftovers(pids: Array<number | undefined>): void {
    for (const pid of pids) {
        if (pid && !isGone(pid)) {
            try {
                process.kill(pid, "SIGKILL");
            } catch {
                /* gone meanwhile */
            }
        }
    }
}
