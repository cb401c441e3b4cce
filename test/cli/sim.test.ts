/**
 * `rds-licensing sim …` on the built CLI (JSON on stdout, the simulator's exit codes), and the two
 * aliases of this release: `rdls-sim …` and `npm run drift -- …` run the same code and say, in one
 * line on stderr, what replaced them.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { ALIAS_NOTICE } from "../../src/simulator/cli";
import { childEnv } from "../simulator/helpers/compile";
import { SECRETS } from "../support/config-fixtures";
import { expectNoSecrets } from "../support/secrets";
import { BIN, cli, NODE, REPO, requireBuilt, runNode, SIM_ALIAS } from "./helpers";

beforeAll(requireBuilt);

const store = () => ({ RDLS_SIM_HOME: path.join(fs.mkdtempSync(path.join(os.tmpdir(), "rds-licensing-sim-")), "store") });

describe("rds-licensing sim", () => {
    it("acts on the store; --json output parses and nothing else is on stdout", () => {
        const env = store();
        expect(cli(["sim", "create-server", "rdls01", "--version", "2022"], { env })).toMatchObject({ code: 0, stderr: "" });
        const packs = cli(["sim", "packs", "--json"], { env });
        expect(packs).toMatchObject({ code: 0, stderr: "" });
        expect(JSON.parse(packs.stdout)).toEqual([]);
        const all = cli(["sim", "packs", "--json", "--all"], { env });
        expect(JSON.parse(all.stdout)).toEqual([expect.objectContaining({ keyPackId: 2, program: "built-in" })]);
        expect(JSON.parse(cli(["sim", "servers", "--json"], { env }).stdout)).toEqual([expect.objectContaining({ name: "rdls01", activation: "not-activated" })]);
    });

    it("exit codes: 2 for a usage error (with the command's usage), 1 for a refusal", () => {
        const env = store();
        cli(["sim", "create-server", "rdls01", "--version", "2022"], { env });
        const usage = cli(["sim", "issue", "3"], { env });
        expect(usage.code).toBe(2);
        expect(usage.stdout).toBe("");
        expect(usage.stderr).toMatch(/^rds-licensing sim: issue needs 2 argument\(s\), got 1\n\nUsage: rds-licensing sim issue <keyPackId> <count>/);
        const flag = cli(["sim", "packs", "--version", "2022"], { env });
        expect(flag.code).toBe(2);
        expect(flag.stderr.split("\n")[0]).toBe("rds-licensing sim: packs does not take --version (it takes --server, --json, --all, --home)");
        const unknown = cli(["sim", "packs", "--bogus"], { env });
        expect(unknown.code).toBe(2);
        expect(unknown.stderr).toMatch(/^rds-licensing sim: unknown option --bogus\n\nUsage: rds-licensing sim packs /);
        const missing = cli(["sim", "packs", "--server"], { env });
        expect(missing.stderr.split("\n")[0]).toBe("rds-licensing sim: --server needs a value (got nothing)");
        const refused = cli(["sim", "uninstall", "3"], { env });
        expect(refused.code).toBe(1);
        expect(refused.stderr).toMatch(/^rds-licensing sim: /);
        const none = cli(["sim"], { env });
        expect(none.code).toBe(2);
        expect(none.stderr).toMatch(/^Usage: rds-licensing sim <command>/);
    });

    it("hints name the command as it was typed", () => {
        const env = store();
        expect(cli(["sim", "servers"], { env }).stdout).toContain("Create one: rds-licensing sim create-server <name>");
        expect(cli(["sim", "packs"], { env }).stderr).toContain("create one with: rds-licensing sim create-server <name> --version <v>");
        expect(runNode([SIM_ALIAS, "servers"], { env }).stdout).toContain("Create one: rdls-sim create-server <name>");
    });
});

describe("rds-licensing sim install", () => {
    /** A store with one activated server. */
    const activated = () => {
        const env = store();
        expect(cli(["sim", "create-server", "rdls01", "--version", "2022"], { env }).code).toBe(0);
        expect(cli(["sim", "activate", "--first-name", "Ada", "--last-name", "Lovelace", "--company", "Contoso", "--country", "GB"], { env }).code).toBe(0);
        return env;
    };
    /** `rds-licensing sim install <args>` with `input` on standard input: the arguments it ran with, and what it said. */
    const install = (args: string[], env: NodeJS.ProcessEnv, input = "") => {
        const argv = [BIN, "sim", "install", ...args];
        const r = spawnSync(NODE, argv, { encoding: "utf8", cwd: REPO, env: childEnv(env), input, timeout: 300_000 });
        return { argv, code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const shape = ["--program", "enterprise-agreement", "--version", "2022", "--type", "per-user"];

    it("installs a pack by hand with the number from the environment, never in the arguments or the output", () => {
        const env = activated();
        const run = install(["12", ...shape, "--json"], { ...env, RDLS_SIM_AGREEMENT_NUMBER: SECRETS.agreementNumber });
        expect(run.code, run.stderr).toBe(0);
        expectNoSecrets(run.argv.join(" "), "the process arguments");
        expectNoSecrets(run.stdout + run.stderr, "the output of sim install");
        const pack = JSON.parse(run.stdout);
        expect(pack).toMatchObject({ programName: "Enterprise Agreement", productVersion: "2022", licenseType: "per-user", totalLicenses: 12 });
        expect(JSON.parse(cli(["sim", "packs", "--json"], { env }).stdout)).toEqual([expect.objectContaining({ keyPackId: pack.keyPackId, totalLicenses: 12 })]);
    });

    it("reads the numbers it lacks from standard input, one a line in the catalog's order", () => {
        const env = activated();
        const run = install(["5", "--program", "open-license", "--version", "2022", "--type", "per-device"], env, `${SECRETS.licenseNumber}\n${SECRETS.authorizationNumber}\n`);
        expect(run.code, run.stderr).toBe(0);
        expect(run.stdout).toMatch(/^Installed key pack \d+: 5 per-device CAL\(s\), Open License, Windows Server 2022\n$/);
        expectNoSecrets(run.argv.join(" ") + run.stdout + run.stderr, "sim install's arguments and output");
    });

    it("refuses a missing or malformed number, naming the variable and never the value, before the store changes", () => {
        const env = activated();
        const missing = install(["5", ...shape], env);
        expect(missing.code).toBe(2);
        expect(missing.stderr).toContain("install enterprise-agreement needs RDLS_SIM_AGREEMENT_NUMBER: set it in the environment, or pipe it on standard input (never as an argument)");
        const malformed = install(["5", ...shape], { ...env, RDLS_SIM_AGREEMENT_NUMBER: "12ab-3456789" });
        expect(malformed.code).toBe(2);
        expect(malformed.stderr).toContain("RDLS_SIM_AGREEMENT_NUMBER is not a valid agreement number: expected 7 digits");
        expect(malformed.stderr).not.toContain("12ab");
        // A number given as an argument is refused as an argument too many, and not echoed.
        const asArgument = install(["5", SECRETS.agreementNumber, ...shape], env);
        expect(asArgument.code).toBe(2);
        expectNoSecrets(asArgument.stdout + asArgument.stderr, "the refusal of a number given as an argument");
        const badType = install(["5", "--program", "enterprise-agreement", "--version", "2022", "--type", "user"], { ...env, RDLS_SIM_AGREEMENT_NUMBER: SECRETS.agreementNumber });
        expect(badType.stderr).toContain('--type must be one of per-user, per-device (got "user")');
        expect(JSON.parse(cli(["sim", "packs", "--json"], { env }).stdout)).toEqual([]);
    });

    it("says in --help where the numbers come from", () => {
        const help = cli(["sim", "install", "--help"]);
        expect(help.code).toBe(0);
        expect(help.stdout).toContain("RDLS_SIM_AGREEMENT_NUMBER");
        expect(help.stdout.replace(/\s+/g, " ")).toContain("never arguments");
        expect(cli(["sim", "--help"]).stdout).toMatch(/install <count> --program <p>/);
    });
});

describe("aliases", () => {
    it("rdls-sim: the same commands, one notice line on stderr, stdout untouched (JSON included)", () => {
        const env = store();
        expect(ALIAS_NOTICE).toMatch(/^rdls-sim: .*`rds-licensing sim`.*\n$/);
        expect(ALIAS_NOTICE.trimEnd()).not.toContain("\n");
        const created = runNode([SIM_ALIAS, "create-server", "rdls01", "--version", "2022"], { env });
        expect(created).toMatchObject({ code: 0, stderr: ALIAS_NOTICE });
        const packs = runNode([SIM_ALIAS, "packs", "--json"], { env });
        expect(packs.code).toBe(0);
        expect(packs.stderr).toBe(ALIAS_NOTICE);
        expect(JSON.parse(packs.stdout)).toEqual(JSON.parse(cli(["sim", "packs", "--json"], { env }).stdout));
        const usage = runNode([SIM_ALIAS, "issue"], { env });
        expect(usage.code).toBe(2);
        expect(usage.stderr.startsWith(ALIAS_NOTICE)).toBe(true);
    });

    it("npm run drift (tools/run.mjs drift): one notice line on stderr, then rds-licensing drift with the same arguments and exit codes", { timeout: 300_000 }, () => {
        // tools/run.mjs first makes the clone ready (dependencies, build, toolchain), as every npm script does.
        const bad = runNode([path.join(REPO, "tools", "run.mjs"), "drift", "--stack", "dev", "--warn-at", "200"]);
        expect(bad.code, bad.stderr).toBe(1);
        const notices = bad.stderr.split("\n").filter((l) => l.includes("npm run drift"));
        expect(notices).toEqual(["[rds-licensing] `npm run drift -- <options>` is now `npx rds-licensing drift <options>`; this alias goes away in the next release"]);
        expect(bad.stderr).toContain("drift: error: --warn-at must be a percentage above 0 and at most 100, e.g. 80 (got '200')");
        expect(bad.stdout).toBe("");
    });
});
