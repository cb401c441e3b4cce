/**
 * The package as a user gets it: `npm pack` of the repository, installed into throwaway projects
 * outside it (os.tmpdir()) with `@pulumi/pulumi` and `typescript` from the registry, nothing linking
 * back to the checkout (no symlink, no NODE_PATH, none of its node_modules on PATH). Each project is
 * the README's "Use it in your own project", taken from the README itself (programs, tsconfig.json,
 * Pulumi.yaml, commands), once in TypeScript (compiled by the project's own tsc) and once in
 * JavaScript, run through the real engine against the simulator: up → empty preview → refresh →
 * destroy, with the simulator's state read by the installed package's own CLI after each.
 *
 * npm runs with --prefer-offline and its cache outside the repository (npm's own, ~/.npm, unless that
 * is inside the repository): the first run needs the registry, later ones mostly do not.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pulumiBinDir } from "../../bench/project";
import { run, type RunResult, type SimPack } from "../support/engine";
import { packedFiles, type PackResult } from "./pack";
import { REPO_ROOT } from "./typescript-api";

const PASSPHRASE = "rds-licensing-consumer-test-passphrase";
const STACK = "dev";
const EA_NUMBER = "1234567";
const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string; devDependencies: Record<string, string> };
const SDK_VERSION = manifest.devDependencies["@pulumi/pulumi"]!;

/** The README's section, and its fenced blocks of a language, in order. */
function readmeSection(): string {
    const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    const start = readme.indexOf("\n## Use it in your own project\n");
    if (start < 0) throw new Error('README.md: no "## Use it in your own project" section');
    const end = readme.indexOf("\n## ", start + 1);
    return readme.slice(start, end < 0 ? undefined : end);
}
function blocks(section: string, lang: string): string[] {
    return [...section.matchAll(new RegExp("^```" + lang + "\\n([\\s\\S]*?)^```$", "gm"))].map((m) => m[1]!);
}

/** Inside the repository? (Nothing the projects use may be.) */
const inRepo = (p: string) => {
    const rel = path.relative(REPO_ROOT, path.resolve(p));
    return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
};

function npmCache(): string {
    const fallback = path.join(os.tmpdir(), "rds-licensing-consumer-npm-cache");
    const cache = process.env.npm_config_cache || path.join(os.homedir(), ".npm");
    return inRepo(cache) ? fallback : cache;
}

let work: string;
let pack: PackResult;
let tarball: string;
let env: NodeJS.ProcessEnv;

/** The environment of a user's shell: the Pulumi CLI, a Node.js ≥ 22, and nothing of the checkout. */
function userEnv(binDirs: string[]): NodeJS.ProcessEnv {
    const clean: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
        // npm's variables of the `npm test` running this (npm_config_local_prefix is the checkout),
        // the clone's own settings (tools/run.mjs), and anything pointing Node.js elsewhere.
        if (/^npm_/i.test(key) || key === "INIT_CWD" || /^(NODE_PATH|NODE_OPTIONS|NODE_COMPILE_CACHE|RDS_LICENSING_.*|RDLS_SIM_HOME|PULUMI_.*)$/.test(key)) continue;
        clean[key] = value;
    }
    const pathDirs = (process.env.PATH ?? "").split(path.delimiter).filter((d) => d && !inRepo(d));
    return {
        ...clean,
        PATH: [...binDirs, ...pathDirs].join(path.delimiter),
        PULUMI_HOME: process.env.PULUMI_HOME ?? path.join(os.homedir(), ".pulumi"),
        PULUMI_BACKEND_URL: `file://${path.join(work, "state")}`,
        PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        npm_config_cache: npmCache(),
        npm_config_prefer_offline: "true",
        npm_config_audit: "false",
        npm_config_fund: "false",
        npm_config_update_notifier: "false",
    };
}

async function ok(cmd: string, args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<RunResult> {
    const result = await run(cmd, args, { cwd, env: { ...env, ...extraEnv }, timeoutMs: 600_000 });
    if (result.code !== 0) throw new Error(`${cmd} ${args.join(" ")} (in ${cwd}) failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
    return result;
}

interface Consumer {
    dir: string;
    language: "typescript" | "javascript";
}

/** A new project as the README makes one: npm init, the installs, the files, the stack and its secret. */
async function createProject(language: Consumer["language"]): Promise<Consumer> {
    const section = readmeSection();
    const dir = path.join(work, language === "typescript" ? "rds-farm-ts" : "rds-farm-js");
    fs.mkdirSync(dir, { recursive: true });
    await ok("npm", ["init", "-y"], dir);
    const packages = [tarball, `@pulumi/pulumi@${SDK_VERSION}`];
    await ok("npm", ["install", ...packages], dir);
    const [pulumiYaml] = blocks(section, "yaml");
    if (!pulumiYaml) throw new Error("README section: no ```yaml block (Pulumi.yaml)");
    const name = path.basename(dir);
    if (language === "typescript") {
        await ok("npm", ["install", "--save-dev", "typescript"], dir);
        await ok("npm", ["pkg", "set", "scripts.build=tsc"], dir);
        const program = blocks(section, "ts")[0];
        const tsconfig = blocks(section, "json")[0];
        if (!program || !tsconfig) throw new Error("README section: the ```ts program or the ```json tsconfig is missing");
        fs.writeFileSync(path.join(dir, "index.ts"), program);
        fs.writeFileSync(path.join(dir, "tsconfig.json"), tsconfig);
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), pulumiYaml.replace(/^name: .*$/m, `name: ${name}`));
    } else {
        const program = blocks(section, "js")[0];
        if (!program) throw new Error("README section: no ```js program");
        fs.writeFileSync(path.join(dir, "index.js"), program);
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), pulumiYaml.replace(/^name: .*$/m, `name: ${name}`).replace(/^main: .*$/m, "main: index.js"));
    }
    const project: Consumer = { dir, language };
    await pulumi(project, ["stack", "init", STACK, "--secrets-provider", "passphrase"]);
    await pulumi(project, ["config", "set", "--secret", "eaNumber", EA_NUMBER]);
    return project;
}

const pulumi = (project: Consumer, args: string[]) => ok("pulumi", [...args, "--non-interactive"], project.dir);

/** The installed package's CLI, in the project folder (its store is ./.rdls-sim, the default). */
function sim(project: Consumer, args: string[]): Promise<RunResult> {
    return run(path.join(project.dir, "node_modules", ".bin", "rds-licensing"), ["sim", ...args], { cwd: project.dir, env });
}
async function simJson<T>(project: Consumer, args: string[]): Promise<T> {
    const result = await sim(project, [...args, "--json"]);
    if (result.code !== 0) throw new Error(`rds-licensing sim ${args.join(" ")} failed (${result.code}): ${result.stderr}`);
    return JSON.parse(result.stdout) as T;
}

async function expectOnePack(project: Consumer): Promise<void> {
    const packs = await simJson<SimPack[]>(project, ["packs"]);
    expect(packs.map(({ program, productVersion, licenseType, totalLicenses, issuedLicenses }) => ({ program, productVersion, licenseType, totalLicenses, issuedLicenses }))).toEqual([
        { program: "enterprise-agreement", productVersion: "2022", licenseType: "per-user", totalLicenses: 50, issuedLicenses: 0 },
    ]);
    const servers = await simJson<{ name: string }[]>(project, ["servers"]);
    expect(servers.map((s) => s.name)).toEqual(["RDLS01"]);
}

beforeAll(async () => {
    const major = Number(process.versions.node.split(".")[0]);
    if (major < 22) throw new Error(`the consumer test runs the package on this Node.js (${process.version}); it needs >= 22, as the package does`);
    work = fs.mkdtempSync(path.join(os.tmpdir(), "rds-licensing-consumer-"));
    // `node` for the language host and the dynamic provider: this Node.js, by a link outside the checkout.
    const nodeDir = path.join(work, "node-bin");
    fs.mkdirSync(nodeDir);
    fs.mkdirSync(path.join(work, "state"));
    fs.symlinkSync(process.execPath, path.join(nodeDir, "node"));
    env = userEnv([await pulumiBinDir(), nodeDir]);
    // The real pack, `prepare` (tsc -p tsconfig.build.json) included, as `npm publish` makes it.
    const packDir = path.join(work, "pack");
    fs.mkdirSync(packDir);
    pack = packedFiles(REPO_ROOT, ["--pack-destination", packDir]);
    tarball = path.join(packDir, pack.filename);
    console.log(`npm pack: ${pack.filename}, ${pack.entryCount} files, ${pack.size} bytes (${pack.unpackedSize} unpacked); npm cache ${npmCache()}`);
}, 600_000);

afterAll(() => {
    if (work && !process.env.RDS_LICENSING_KEEP_CONSUMER) fs.rmSync(work, { recursive: true, force: true });
});

describe("the packed package in a project of its own", () => {
    it("packs no test, bench, tools or clone-only file", () => {
        const leaked = pack.files.map((f) => f.path).filter((f) => /^(dist\/)?(test|bench|tools|program|policy|\.ci)\//.test(f) || /^(Pulumi\.[^/]*yaml|\.rdls-sim\/|\.pulumi-state\/)/.test(f));
        expect(leaked).toEqual([]);
        expect(pack.filename).toBe(`rds-licensing-${manifest.version}.tgz`);
    });

    for (const language of ["typescript", "javascript"] as const) {
        describe(language, () => {
            let project: Consumer;

            beforeAll(async () => {
                project = await createProject(language);
            }, 600_000);

            it("installs from the tarball alone, with the SDK as the project's single copy", () => {
                const installed = path.join(project.dir, "node_modules", "rds-licensing");
                expect(fs.lstatSync(installed).isSymbolicLink()).toBe(false);
                expect(JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8")).version).toBe(manifest.version);
                expect(fs.existsSync(path.join(installed, "node_modules", "@pulumi", "pulumi"))).toBe(false);
                expect(JSON.parse(fs.readFileSync(path.join(project.dir, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8")).version).toBe(SDK_VERSION);
                const resolved = spawnSync("node", ["-p", 'require.resolve("rds-licensing") + "\\n" + require.resolve("rds-licensing/provider")'], { cwd: project.dir, env, encoding: "utf8" });
                expect(resolved.status, resolved.stderr).toBe(0);
                for (const file of resolved.stdout.trim().split("\n")) expect(file.startsWith(installed + path.sep), file).toBe(true);
                // ES module programs get the named exports too (Node's CommonJS export detection).
                const esm = spawnSync("node", ["--input-type=module", "-e", 'import { RdsLicensing, CalKeyPack, LicenseType } from "rds-licensing"; console.log(typeof RdsLicensing, typeof CalKeyPack, LicenseType.PerUser)'], {
                    cwd: project.dir,
                    env,
                    encoding: "utf8",
                });
                expect(esm.stdout.trim(), esm.stderr).toBe("function function per-user");
            });

            if (language === "typescript") {
                it("compiles with the project's own TypeScript and the README's tsconfig.json", async () => {
                    const tsc = JSON.parse(fs.readFileSync(path.join(project.dir, "node_modules", "typescript", "package.json"), "utf8")).version as string;
                    console.log(`consumer TypeScript ${tsc}`);
                    await ok("npm", ["run", "build"], project.dir);
                    expect(fs.existsSync(path.join(project.dir, "index.js"))).toBe(true);
                    // A program that gets a type wrong does not compile against the installed declarations.
                    const bad = { "bad.ts": 'import type { RdsCalPackArgs } from "rds-licensing";\nexport const pack: RdsCalPackArgs = { name: "x", program: "enterprise-agreement", productVersion: "2023", licenseType: "per-user", count: 1 };\n', "tsconfig.bad.json": JSON.stringify({ extends: "./tsconfig.json", compilerOptions: { noEmit: true }, files: ["bad.ts"] }) };
                    for (const [file, text] of Object.entries(bad)) fs.writeFileSync(path.join(project.dir, file), text);
                    const result = await run(path.join(project.dir, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.bad.json"], { cwd: project.dir, env });
                    for (const file of Object.keys(bad)) fs.rmSync(path.join(project.dir, file));
                    expect(result.code).not.toBe(0);
                    expect(result.stdout).toContain('"2023"');
                });
            }

            if (language === "typescript") {
                it("the README's tsconfig.json compiles with TypeScript 7 too (outside the project: its peer range stops at 6)", async () => {
                    const args = ["exec", "--yes", "--package=typescript@7", "--", "tsc"];
                    const version = await ok("npm", [...args, "--version"], work);
                    expect(version.stdout).toMatch(/Version 7\./);
                    await ok("npm", [...args, "-p", path.join(project.dir, "tsconfig.json"), "--noEmit"], work);
                });
            }

            it("up: the server, its activation and the pack in the simulator", async () => {
                await pulumi(project, ["up", "--yes", "--skip-preview", "--stack", STACK]);
                await expectOnePack(project);
                const outputs = JSON.parse((await pulumi(project, ["stack", "output", "--json", "--show-secrets", "--stack", STACK])).stdout);
                expect(outputs.activationStatus).toBe("activated");
                expect(outputs.packs["ea-users"]).toMatchObject({ licenseServer: "RDLS01", totalLicenses: 50, availableLicenses: 50 });
                if (language === "typescript") expect(outputs.health).toEqual([]);
                // The number is a secret in state, never in plain text.
                const state = (await pulumi(project, ["stack", "export", "--stack", STACK])).stdout;
                expect(state).not.toContain(EA_NUMBER);
            });

            it("an empty preview, and the drift command agrees", async () => {
                await pulumi(project, ["preview", "--expect-no-changes", "--stack", STACK]);
                await expectOnePack(project);
                const drift = await run(path.join(project.dir, "node_modules", ".bin", "rds-licensing"), ["drift", "--stack", STACK, "--json"], { cwd: project.dir, env });
                expect(drift.code, drift.stderr).toBe(0);
                expect(JSON.parse(drift.stdout).status).toBe("in-sync");
            });

            it("refresh reads the same farm back", async () => {
                await pulumi(project, ["refresh", "--yes", "--expect-no-changes", "--stack", STACK]);
                await expectOnePack(project);
            });

            it("destroy removes what the stack made", async () => {
                await pulumi(project, ["destroy", "--yes", "--stack", STACK]);
                expect(await simJson<unknown[]>(project, ["servers"])).toEqual([]);
                const packs = await sim(project, ["packs", "--json"]);
                expect(packs.code).toBe(1);
                expect(packs.stderr).toContain("no license server");
            });

            if (language === "typescript") {
                it("Pulumi's own ts-node runs index.ts as well (`runtime: nodejs`, `main: index.ts`)", async () => {
                    const file = path.join(project.dir, "Pulumi.yaml");
                    const compiled = fs.readFileSync(file, "utf8");
                    fs.writeFileSync(file, `name: ${path.basename(project.dir)}\nruntime: nodejs\nmain: index.ts\n`);
                    fs.rmSync(path.join(project.dir, "index.js"));
                    try {
                        const preview = await pulumi(project, ["preview", "--stack", STACK]);
                        expect(preview.stdout).toMatch(/\+ 6 to create/);
                    } finally {
                        fs.writeFileSync(file, compiled);
                    }
                });
            }
        });
    }
});
