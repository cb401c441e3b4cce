/** `--help` on every level of the built `rds-licensing`, with the exit codes each level documents. */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { COMMANDS as SUBCOMMANDS } from "../../src/cli/commands";
import { COMMANDS as SIM_COMMANDS } from "../../src/simulator/cli-commands";
import { cli, REPO, requireBuilt } from "./helpers";

beforeAll(requireBuilt);

/** Help goes to stdout, exits 0, and says nothing on stderr. */
function help(...args: string[]): string {
    const r = cli(args);
    expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    expect(r.stderr, args.join(" ")).toBe("");
    return r.stdout;
}

describe("rds-licensing --help", () => {
    it("lists every registered command and the exit codes, in -h, --help and help", () => {
        const text = help("--help");
        expect(text).toMatch(/^Usage: rds-licensing <command> \[arguments\]\n/);
        for (const command of SUBCOMMANDS) expect(text).toMatch(new RegExp(`^  ${command.name}\\s+\\S`, "m"));
        expect(text).toContain("Exit codes");
        expect(text).toMatch(/^ {2}drift\s+0 in sync, 2 drift, 4 health findings only, 3 usage warnings only \(--warn-at\), 1 error$/m);
        expect(text).toMatch(/^ {2}sim\s+0 done, 1 refused by the simulator, 2 usage error$/m);
        expect(text).toContain("1 for an unknown command or option");
        expect(help("-h")).toBe(text);
        expect(help("help")).toBe(text);
    });

    it("without a command: the help on stderr, exit 1", () => {
        const r = cli([]);
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(r.stderr).toMatch(/^Usage: rds-licensing <command>/);
    });

    it("--version prints the package's version", () => {
        const { version } = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"));
        expect(help("--version")).toBe(`${version}\n`);
        expect(help("-V")).toBe(`${version}\n`);
    });

    it("every registered command loads and answers --help (exit 0, stdout)", async () => {
        for (const command of SUBCOMMANDS) {
            const module = await command.load();
            expect(typeof module.run, command.name).toBe("function");
            expect(help(command.name, "--help"), command.name).toMatch(new RegExp(`^Usage: rds-licensing ${command.name} `));
        }
    });
});

describe("rds-licensing drift --help", () => {
    it("documents every option and the exit codes 0, 1, 2, 3, 4", () => {
        const text = help("drift", "--help");
        expect(text).toMatch(/^Usage: rds-licensing drift --stack <name> \[options\]/);
        for (const option of ["--stack <name>", "--json", "--markdown", "-o, --output <file>", "--report-dir <dir>", "--warn-at <percent>", "--grace-days <days>", "--cwd <dir>", "-h, --help"]) {
            expect(text).toContain(`  ${option} `);
        }
        expect(text).toMatch(/^ {2}0 {2}in sync/m);
        expect(text).toMatch(/^ {2}1 {2}error/m);
        expect(text).toMatch(/^ {2}2 {2}drift/m);
        expect(text).toMatch(/^ {2}3 {2}no drift and no health finding, but/m);
        expect(text).toMatch(/^ {2}4 {2}no drift, but a session host has a licensing health finding/m);
        expect(help("drift", "-h")).toBe(text);
        expect(help("help", "drift")).toBe(text);
        expect(help("--help", "drift")).toBe(text);
    });
});

describe("rds-licensing sim --help", () => {
    it("lists every simulator command, and its exit codes", () => {
        const text = help("sim", "--help");
        expect(text).toMatch(/^Usage: rds-licensing sim <command>/);
        for (const name of Object.keys(SIM_COMMANDS)) expect(text).toMatch(new RegExp(`^  ${name}( |$)`, "m"));
        expect(text).toContain("Exit codes: 0 ok, 1 refused (message on stderr), 2 usage error (nothing changed).");
        expect(help("sim", "help")).toBe(text);
        expect(help("help", "sim")).toBe(text);
    });

    it.each(Object.keys(SIM_COMMANDS))("sim %s --help: its usage, its options, the exit codes", (name) => {
        const text = help("sim", name, "--help");
        expect(text).toMatch(new RegExp(`^Usage: rds-licensing sim ${name}( |$)`));
        for (const option of SIM_COMMANDS[name]!.options) expect(text, `--${option}`).toMatch(new RegExp(`^ {2}--${option}\\b`, "m"));
        expect(text).toMatch(/^ {2}--home <dir>/m);
        expect(text).toContain("Exit codes: 0 ok, 1 refused");
    });

    it("sim packs --help names --json and --all", () => {
        const text = help("sim", "packs", "--help");
        expect(text).toMatch(/^Usage: rds-licensing sim packs \[--json\] \[--all\] \[--server <name>\] \[--home <dir>\]$/m);
        expect(text).toMatch(/^ {2}--json\s+JSON on standard output/m);
        expect(text).toMatch(/^ {2}--all\s+add the built-in pack/m);
        expect(help("sim", "help", "packs")).toBe(text);
        expect(help("help", "sim", "packs")).toBe(text);
    });
});
