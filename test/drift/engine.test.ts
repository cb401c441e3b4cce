/**
 * `drift` on the real engine against rdls-sim: one stack, drift induced the ways it happens in real
 * life (rdls-sim as the admin or the users), the exit code and report (`--json` on stdout) checked
 * each time, and the state backend compared byte for byte before and after every run.
 */
import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DriftReport } from "../../src/cli/drift/report";
import { NUMBER_PATHS, validConfig } from "../support/config-fixtures";
import { REPO_ROOT, TestProject, readTree, run, type RunResult } from "../support/engine";
import { expectNoSecrets } from "../support/secrets";
import { descendants, parseXml } from "./xml";

interface SimPack {
    keyPackId: number;
    program: string;
    totalLicenses: number;
    issuedLicenses: number;
    availableLicenses: number;
}

/** `rds-licensing drift …` as `npx` runs it. */
const DRIFT = [path.join(REPO_ROOT, "bin", "rds-licensing.js"), "drift"];
const SERVER = "RDLS-TEST01";

let project: TestProject;
let runs = 0;

interface DriftRun extends RunResult {
    report?: DriftReport;
    reportDir: string;
}

/**
 * Run the drift command with `--json` (the report on stdout, the table on stderr) and `--report-dir`;
 * check the backend is untouched and nothing secret was printed or written.
 */
async function drift(args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<DriftRun> {
    const reportDir = path.join(project.dir, `report-${++runs}`);
    const before = project.backendBytes();
    const result = await run("node", [...DRIFT, "--stack", project.stack, "--cwd", project.dir, "--json", "--report-dir", reportDir, ...args], {
        cwd: project.dir,
        env: { ...project.env, ...env },
    });
    expect(project.backendBytes() === before, "the drift run changed the state backend").toBe(true);
    expectNoSecrets(result.stdout + result.stderr, "drift output");
    expectNoSecrets(readTree(reportDir), "drift report files");
    // Standard output is the JSON report and nothing else (or nothing, on an error).
    const report = result.stdout ? (JSON.parse(result.stdout) as DriftReport) : undefined;
    return { ...result, reportDir, ...(report ? { report } : {}) };
}

const simPacks = () => project.simJson<SimPack[]>(["packs"]);
const byProgram = async () => Object.fromEntries((await simPacks()).map((p) => [p.program, p]));

/** The usage report agrees with `rdls-sim packs --json`, key pack by key pack. */
async function expectUsageMatchesSimulator(report: DriftReport): Promise<void> {
    const live = await simPacks();
    const reported = report.usage.packs.flatMap((p) => p.keyPackIds).sort((a, b) => a - b);
    expect(reported).toEqual(live.map((p) => p.keyPackId).sort((a, b) => a - b));
    for (const pack of report.usage.packs) {
        const mine = live.filter((p) => pack.keyPackIds.includes(p.keyPackId));
        const sum = (k: "totalLicenses" | "issuedLicenses" | "availableLicenses") => mine.reduce((n, p) => n + p[k], 0);
        expect({ total: pack.total, issued: pack.issued, available: pack.available }, pack.name).toEqual({
            total: sum("totalLicenses"),
            issued: sum("issuedLicenses"),
            available: sum("availableLicenses"),
        });
        expect(pack.server).toBe(SERVER);
    }
    const servers = report.usage.servers.find((s) => s.server === SERVER);
    expect(servers).toMatchObject({
        total: live.reduce((n, p) => n + p.totalLicenses, 0),
        issued: live.reduce((n, p) => n + p.issuedLicenses, 0),
        available: live.reduce((n, p) => n + p.availableLicenses, 0),
    });
}

function expectChartFiles(reportDir: string, report: DriftReport): void {
    const svg = parseXml(fs.readFileSync(path.join(reportDir, "cal-usage.svg"), "utf8"));
    const bars = descendants(svg).filter((e) => e.name === "g" && e.attributes.class === "pack");
    expect(bars.map((b) => b.attributes["data-pack"])).toEqual(report.usage.packs.map((p) => p.name));
    expect(parseXml(fs.readFileSync(path.join(reportDir, "drift-report.html"), "utf8")).name).toBe("html");
    expect(JSON.parse(fs.readFileSync(path.join(reportDir, "drift-report.json"), "utf8"))).toEqual(report);
    expect(fs.readFileSync(path.join(reportDir, "drift-report.md"), "utf8")).toContain(`stack \`${project.stack}\``);
}

beforeAll(async () => {
    project = await TestProject.create("drift");
    await project.setConfig(validConfig(), NUMBER_PATHS);
    await project.pulumiOk(["up", "--yes", "--skip-preview"]);
});

afterAll(() => project?.remove());

describe("drift on the real engine", { timeout: 240_000 }, () => {
    it("exits 0 with an empty report when nothing drifted, and writes the usage chart", async () => {
        const result = await drift(["--warn-at", "95"]);
        expect(result.code, result.stderr).toBe(0);
        const report = result.report!;
        expect(report).toMatchObject({ status: "in-sync", exitCode: 0, drift: [], warnings: [], stack: project.stack, project: "rds-licensing" });
        expect(report.usage.packs.map((p) => p.name).sort()).toEqual(["ea-users", "open-devices", "retail-users"]);
        await expectUsageMatchesSimulator(report);
        expectChartFiles(result.reportDir, report);
        expect(result.stderr).toContain("no drift");
        expect(result.stderr).toMatch(/ea-users\s+RDLS-TEST01\s+enterprise-agreement\s+2022\s+per-user\s+20\s+0\s+20\s+0\.0%/);
    });

    it("exits 2 naming a pack whose licenses were removed by hand, with expected and actual", async () => {
        const open = (await byProgram())["open-license"];
        expect((await project.sim(["remove-licenses", String(open.keyPackId), "4"])).code).toBe(0);
        const result = await drift();
        expect(result.code, result.stderr).toBe(2);
        expect(result.report!.drift).toEqual([
            expect.objectContaining({ kind: "pack-count", name: "open-devices", server: SERVER, expected: 10, actual: 6, source: "live" }),
        ]);
        expect(result.stderr).toMatch(/pack count\s+open-devices\s+RDLS-TEST01\s+10\s+6/);
        expect(fs.readFileSync(path.join(result.reportDir, "drift-report.md"), "utf8")).toContain("| pack count | `open-devices` | RDLS-TEST01 | 10 | 6 |");
        await expectUsageMatchesSimulator(result.report!);
    });

    it("adds an uninstalled pack as missing", async () => {
        // Not the retail pack: a retail code installs once per server, ever, so `up` could not repair it.
        const ea = (await byProgram())["enterprise-agreement"];
        expect((await project.sim(["uninstall", String(ea.keyPackId)])).code).toBe(0);
        const result = await drift();
        expect(result.code, result.stderr).toBe(2);
        expect(result.report!.drift).toEqual(
            expect.arrayContaining([expect.objectContaining({ kind: "pack-missing", name: "ea-users", expected: 20, actual: null, source: "live" })]),
        );
        expect(result.report!.usage.packs.map((p) => p.name)).not.toContain("ea-users");
        await expectUsageMatchesSimulator(result.report!);
    });

    it("adds a deactivated server", async () => {
        expect((await project.sim(["deactivate"])).code).toBe(0);
        const result = await drift();
        expect(result.code, result.stderr).toBe(2);
        expect(result.report!.drift.map((d) => d.kind).sort()).toEqual(["pack-count", "pack-missing", "server-not-activated"]);
        expect(result.report!.drift.find((d) => d.kind === "server-not-activated")).toMatchObject({
            name: SERVER,
            expected: "activated",
            actual: "not activated",
        });
        expect(result.report!.usage.servers).toEqual([expect.objectContaining({ server: SERVER, activationStatus: "not-activated" })]);
    });

    it("after `up` repairs the drift, usage at --warn-at exits 3 (issued CALs are usage, not drift)", async () => {
        await project.pulumiOk(["up", "--yes", "--refresh", "--skip-preview"]);
        const ea = (await byProgram())["enterprise-agreement"];
        expect((await project.sim(["issue", String(ea.keyPackId), "17"])).code).toBe(0);
        const result = await drift(["--warn-at", "85"]);
        expect(result.code, result.stderr).toBe(3);
        expect(result.report).toMatchObject({ status: "usage-warning", drift: [], warnAt: 85 });
        expect(result.report!.warnings).toEqual([expect.objectContaining({ pack: "ea-users", server: SERVER, utilisation: 85, threshold: 85 })]);
        expect(result.report!.usage.packs.find((p) => p.name === "ea-users")).toMatchObject({ total: 20, issued: 17, available: 3, utilisation: 85 });
        await expectUsageMatchesSimulator(result.report!);
        expectChartFiles(result.reportDir, result.report!);
        expect(result.stderr).toMatch(/85\.0%\s+WARNING/);
    });

    it("`npm run drift` (tools/run.mjs, the alias of this release) says what replaced it and passes the exit code through", async () => {
        const result = await run("node", [path.join(REPO_ROOT, "tools", "run.mjs"), "drift", "--stack", project.stack, "--cwd", project.dir], {
            cwd: REPO_ROOT,
            env: project.env,
        });
        expect(result.code, result.stderr).toBe(0);
        // Without --json the table is the output.
        expect(result.stdout).toContain("no drift");
        expect(result.stderr).toContain("`npm run drift -- <options>` is now `npx rds-licensing drift <options>`");
    });

    it("the previous release's entry and `--json <file>` still work, with a deprecation line", async () => {
        const file = path.join(project.dir, "legacy", "drift.json");
        const result = await run("node", [path.join(REPO_ROOT, "dist", "src", "cli", "drift.js"), "--stack", project.stack, "--cwd", project.dir, "--json", file], {
            cwd: project.dir,
            env: project.env,
        });
        expect(result.code, result.stderr).toBe(0);
        expect(JSON.parse(fs.readFileSync(file, "utf8"))).toMatchObject({ status: "in-sync", exitCode: 0 });
        expect(result.stdout).toContain("no drift");
        expect(result.stderr).toContain(`drift: warning: --json <file> is deprecated and goes away in the next release: write --json --output ${file}`);
    });

    describe("errors exit 1 with one clear line", () => {
        const expectOneLineError = (result: RunResult, pattern: RegExp) => {
            expect(result.code, result.stdout + result.stderr).toBe(1);
            const errors = result.stderr.split("\n").filter((l) => l.startsWith("drift: error: "));
            expect(errors).toHaveLength(1);
            expect(errors[0]).toMatch(pattern);
            expect(result.stderr).not.toMatch(/^\s+at /m);
            expect(result.stdout).toBe("");
        };

        it("a wrong passphrase", async () => {
            const result = await drift([], { PULUMI_CONFIG_PASSPHRASE: "not-the-passphrase" });
            expectOneLineError(result, /passphrase.*PULUMI_CONFIG_PASSPHRASE/);
        });

        it("a backend that cannot be opened", async () => {
            const result = await drift([], { PULUMI_BACKEND_URL: `file://${path.join(project.dir, "no-such-backend")}` });
            expectOneLineError(result, /backend/);
        });

        it("a backend whose state is corrupt", async () => {
            const broken = path.join(project.dir, "broken-state");
            fs.cpSync(path.join(project.dir, ".state"), broken, { recursive: true });
            const checkpoint = fs
                .readdirSync(broken, { recursive: true, withFileTypes: true })
                .filter((e) => e.isFile() && e.parentPath.includes(path.join(".pulumi", "stacks")) && e.name === `${project.stack}.json`)
                .map((e) => path.join(e.parentPath, e.name))[0];
            fs.writeFileSync(checkpoint, fs.readFileSync(checkpoint, "utf8").slice(0, 200));
            const result = await drift([], { PULUMI_BACKEND_URL: `file://${broken}` });
            expectOneLineError(result, /state|backend/);
        });

        it("an unknown stack, a missing project and bad arguments", async () => {
            const before = project.backendBytes();
            const env = { ...project.env };
            const noStack = await run("node", [...DRIFT, "--stack", "nope", "--cwd", project.dir], { cwd: project.dir, env });
            expectOneLineError(noStack, /no stack named 'nope'/);
            const noProject = await run("node", [...DRIFT, "--stack", "test", "--cwd", path.join(project.dir, "report-1")], { cwd: project.dir, env });
            expectOneLineError(noProject, /Pulumi\.yaml not found/);
            const badArgs = await run("node", [...DRIFT, "--stack", "test", "--warn-at", "200"], { cwd: project.dir, env });
            expect(badArgs.code).toBe(1);
            expect(badArgs.stderr).toMatch(/^drift: error: --warn-at/);
            expect(project.backendBytes()).toBe(before);
        });
    });
});
