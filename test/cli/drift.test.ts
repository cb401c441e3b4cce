/**
 * `rds-licensing drift`: JSON on stdout (human text on stderr), --output, the previous release's
 * forms, exit codes and argument errors. The preview is faked in-process here (engine events shaped
 * like a real run's); test/drift/engine.test.ts runs the same command on the real engine.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { EngineEvent } from "@pulumi/pulumi/automation";

const preview = vi.hoisted(() => ({ events: [] as EngineEvent[] }));
vi.mock("../../src/cli/drift/engine", async (original) => ({
    ...(await original<typeof import("../../src/cli/drift/engine")>()),
    previewWithRefresh: vi.fn(async () => ({ project: "rds-licensing", events: preview.events })),
}));

import { previewWithRefresh } from "../../src/cli/drift/engine";
import { MARKDOWN_MARKER } from "../../src/cli/drift/render-text";
import type { DriftReport } from "../../src/cli/drift/report";
import { COMMANDS } from "../../src/cli/commands";
import { main } from "../../src/cli/main";
import { deploymentState, packState, refresh, sessionHost, step } from "../drift/events";
import { cli, requireBuilt } from "./helpers";

const temp = () => fs.mkdtempSync(path.join(os.tmpdir(), "rds-licensing-cli-"));

async function rdsLicensing(...argv: string[]) {
    let stdout = "";
    let stderr = "";
    const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: {}, cwd: temp() });
    return { code, stdout, stderr };
}

/** A pack someone shrank from 20 to 15 CALs: the refresh reads 15, the plan updates back to 20. */
function shrunk(): EngineEvent[] {
    const declared = packState("rds-ea-users", 3, 20);
    const live = packState("rds-ea-users", 3, 15);
    return [...refresh(declared, live), ...step("update", live, declared)];
}

/** A pack at 18 of 20 CALs issued, nothing drifted. */
function busy(): EngineEvent[] {
    const pack = packState("rds-ea-users", 3, 20, { issued: 18 });
    return [...refresh(pack, pack), ...step("same", pack, pack)];
}

/** A farm whose one session host is not configured, 10 days of grace left; its pack is at 18 of 20. */
function unconfiguredHost(): EngineEvent[] {
    const farm = deploymentState("RDCB01", "PerUser", ["RDLS-T1"], [sessionHost("RDSH01", { mode: "NotConfigured", graceDaysLeft: 10 })]);
    return [...busy(), ...refresh(farm, farm), ...step("same", farm, farm)];
}

afterEach(() => {
    preview.events = [];
    vi.mocked(previewWithRefresh).mockClear();
});

describe("rds-licensing drift --json", () => {
    it("writes the report as JSON on stdout and the table on stderr (exit 0 in sync)", async () => {
        const r = await rdsLicensing("drift", "--stack", "dev", "--json");
        expect(r.code, r.stderr).toBe(0);
        const report = JSON.parse(r.stdout) as DriftReport;
        expect(report).toMatchObject({ schemaVersion: 1, stack: "dev", status: "in-sync", exitCode: 0, drift: [] });
        expect(r.stderr).toContain("no drift");
        expect(r.stderr).not.toContain("{");
    });

    it("exit 2 on drift, 3 on usage warnings, the JSON saying the same", async () => {
        preview.events = shrunk();
        const drift = await rdsLicensing("drift", "--stack", "dev", "--json");
        expect(drift.code).toBe(2);
        const report = JSON.parse(drift.stdout) as DriftReport;
        expect(report).toMatchObject({ status: "drift", exitCode: 2 });
        expect(report.drift).toEqual([expect.objectContaining({ kind: "pack-count", name: "ea-users", expected: 20, actual: 15 })]);
        preview.events = busy();
        const usage = await rdsLicensing("drift", "--stack", "dev", "--json", "--warn-at", "90");
        expect(usage.code).toBe(3);
        expect(JSON.parse(usage.stdout)).toMatchObject({ status: "usage-warning", exitCode: 3, warnAt: 90 });
    });

    it("exit 4 on health findings without drift (over usage warnings); --grace-days sets the warning window", async () => {
        preview.events = unconfiguredHost();
        const r = await rdsLicensing("drift", "--stack", "dev", "--json", "--warn-at", "90");
        expect(r.code, r.stderr).toBe(4);
        const report = JSON.parse(r.stdout) as DriftReport;
        expect(report).toMatchObject({ status: "health-findings", exitCode: 4, health: { graceWarningDays: 14 } });
        expect(report.health.findings.map((f) => [f.host, f.kind])).toEqual([
            ["RDSH01", "not-configured"],
            ["RDSH01", "grace-period-ending"],
        ]);
        expect(report.warnings).toHaveLength(1);
        expect(r.stderr).toContain("2 health findings on 1 session host");
        const narrow = await rdsLicensing("drift", "--stack", "dev", "--json", "--grace-days", "7");
        expect(narrow.code).toBe(4);
        const narrowed = JSON.parse(narrow.stdout) as DriftReport;
        expect(narrowed.health.graceWarningDays).toBe(7);
        expect(narrowed.health.findings.map((f) => f.kind)).toEqual(["not-configured"]);
    });

    it("--help documents the exit codes (4 included, and their precedence) and --grace-days", async () => {
        const r = await rdsLicensing("drift", "--help");
        expect(r.code).toBe(0);
        expect(r.stdout).toContain("the first that applies: 1, 2, 4, 3, 0");
        expect(r.stdout).toMatch(/^ {2}4 {2}no drift, but a session host has a licensing health finding/m);
        expect(r.stdout).toMatch(/^ {2}2 {2}drift: `pulumi up` would change something \(wins over health findings and usage warnings\)$/m);
        expect(r.stdout).toMatch(/^ {2}--grace-days <days> {3}a session host that cannot get CALs and whose grace period ends within this$/m);
        expect(r.stdout).toContain("(default 14; 0 to 120)");
        expect(previewWithRefresh).not.toHaveBeenCalled();
    });

    it("--markdown writes Markdown on stdout; --output sends either report to a file and leaves the table on stdout", async () => {
        const md = await rdsLicensing("drift", "--stack", "dev", "--markdown");
        expect(md.code).toBe(0);
        expect(md.stdout.startsWith(MARKDOWN_MARKER)).toBe(true);
        const file = path.join(temp(), "out", "drift.json");
        const r = await rdsLicensing("drift", "--stack", "dev", "--json", "--output", file);
        expect(r.code).toBe(0);
        expect(JSON.parse(fs.readFileSync(file, "utf8")).status).toBe("in-sync");
        expect(r.stdout).toContain("no drift");
        expect(r.stderr).toContain(`drift: wrote ${file}`);
    });

    it("the previous release's --json <file> still works, with one deprecation line on stderr", async () => {
        const file = path.join(temp(), "drift.json");
        const r = await rdsLicensing("drift", "--stack", "dev", "--json", file);
        expect(r.code).toBe(0);
        expect(JSON.parse(fs.readFileSync(file, "utf8")).status).toBe("in-sync");
        expect(r.stdout).toContain("no drift");
        expect(r.stderr.split("\n").filter((l) => l.includes("deprecated"))).toEqual([
            `drift: warning: --json <file> is deprecated and goes away in the next release: write --json --output ${file}`,
        ]);
    });

    it("argument errors exit 1 before any preview, naming the option, what was found and the fix", async () => {
        for (const [argv, message] of [
            [["drift", "--json"], "drift: error: --stack <name> is required: name the stack to check, e.g. --stack dev"],
            [["drift", "--stack", "dev", "--json", "--markdown"], "drift: error: --json and --markdown both write to standard output"],
            [["drift", "--stack", "dev", "--warn-at", "200", "--json"], "drift: error: --warn-at must be a percentage above 0 and at most 100, e.g. 80 (got '200')"],
            [["drift", "--stack", "dev", "--jsno"], "drift: error: unknown option --jsno (did you mean --json?)"],
            [["drift", "--stack", "dev", "--grace-days", "200"], "drift: error: --grace-days must be a whole number of days from 0 to 120 (a grace period lasts 120 days), e.g. --grace-days 14 (got '200')"],
        ] as const) {
            const r = await rdsLicensing(...argv);
            expect(r.code, argv.join(" ")).toBe(1);
            expect(r.stdout, argv.join(" ")).toBe("");
            expect(r.stderr.split("\n")[0], argv.join(" ")).toContain(message);
            expect(r.stderr).toContain("usage: rds-licensing drift --stack <name>");
        }
        expect(previewWithRefresh).not.toHaveBeenCalled();
    });
});

describe("the built rds-licensing drift", () => {
    beforeAll(requireBuilt);

    it("bad arguments: exit 1 (the drift contract), one error line, nothing on stdout", () => {
        for (const argv of [["drift"], ["drift", "--stack"], ["drift", "--stack", "dev", "--warn-at", "200", "--json"], ["drift", "dev"]]) {
            const r = cli(argv);
            expect(r.code, argv.join(" ")).toBe(1);
            expect(r.stdout, argv.join(" ")).toBe("");
            expect(r.stderr.split("\n").filter((l) => l.startsWith("drift: error: ")), argv.join(" ")).toHaveLength(1);
        }
    });

    it("a folder without a Pulumi project: exit 1 with one line, and --json leaves stdout empty", () => {
        const dir = temp();
        const r = cli(["drift", "--stack", "dev", "--cwd", dir, "--json"]);
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(r.stderr).toBe(`drift: error: no Pulumi project in ${dir} (Pulumi.yaml not found); pass the project folder with --cwd\n`);
    });

    it("an unknown command or a misplaced option: exit 1, never 2 (which means drift)", () => {
        const typo = cli(["drfit", "--stack", "dev"]);
        expect(typo.code).toBe(1);
        expect(typo.stderr).toMatch(/^rds-licensing: error: unknown command 'drfit' \(did you mean drift\?\); the commands are /);
        expect(typo.stderr).toContain(`the commands are ${COMMANDS.map((c) => c.name).join(", ")}\n`);
        const misplaced = cli(["--stack", "dev", "drift"]);
        expect(misplaced.code).toBe(1);
        expect(misplaced.stderr).toMatch(/^rds-licensing: error: unknown option --stack: options go after the command/);
    });
});
