import * as path from "path";
import { describe, expect, it } from "vitest";
import { parseArgs, UsageError } from "../../src/cli/drift/args";

const base = "/home/me/project";
const stdout = (format: "json" | "markdown") => ({ format, to: "-", option: `--${format}` });

describe("drift arguments", () => {
    it("needs --stack and defaults the project folder to the base folder", () => {
        expect(parseArgs(["--stack", "dev"], base)).toEqual({ help: false, stack: "dev", cwd: base, outputs: [], deprecations: [] });
        expect(() => parseArgs([], base)).toThrow(UsageError);
        expect(() => parseArgs([], base)).toThrow("--stack <name> is required: name the stack to check, e.g. --stack dev");
        expect(() => parseArgs(["--stack"], base)).toThrow("--stack needs a value (got nothing): give <name>, e.g. --stack dev");
    });

    it("--json and --markdown write to stdout; --output sends the one given to a file, resolved against the base folder", () => {
        expect(parseArgs(["--stack", "dev", "--json"], base).outputs).toEqual([stdout("json")]);
        expect(parseArgs(["--stack", "dev", "--markdown"], base).outputs).toEqual([stdout("markdown")]);
        const args = parseArgs(["--stack=prod", "--markdown", "--output", "out/drift.md", "--report-dir", "/tmp/r", "--cwd", "infra"], base);
        expect(args).toEqual({
            help: false,
            stack: "prod",
            outputs: [{ format: "markdown", to: path.join(base, "out/drift.md"), option: "--output" }],
            reportDir: "/tmp/r",
            cwd: path.join(base, "infra"),
            deprecations: [],
        });
        expect(parseArgs(["--stack", "dev", "--json", "-o", "d.json"], base).outputs).toEqual([{ format: "json", to: path.join(base, "d.json"), option: "--output" }]);
        expect(parseArgs(["--stack", "dev", "--output=-", "--json"], base).outputs).toEqual([{ format: "json", to: "-", option: "--output" }]);
    });

    it("keeps the previous release's --json <file> / --markdown <file> / - forms, each with a deprecation line", () => {
        const args = parseArgs(["--stack", "dev", "--json", "out/drift.json", "--markdown=-"], base);
        expect(args.outputs).toEqual([
            { format: "json", to: path.join(base, "out/drift.json"), option: "--json" },
            { format: "markdown", to: "-", option: "--markdown" },
        ]);
        expect(args.deprecations).toEqual([
            "--json <file> is deprecated and goes away in the next release: write --json --output out/drift.json",
            "--markdown - is deprecated and goes away in the next release: --markdown alone writes to standard output",
        ]);
        // Old and new together: a file by the old form, the other report on stdout.
        expect(parseArgs(["--stack", "dev", "--markdown", "drift.md", "--json"], base).outputs).toEqual([
            stdout("json"),
            { format: "markdown", to: path.join(base, "drift.md"), option: "--markdown" },
        ]);
    });

    it("accepts --warn-at as a percentage above 0 and up to 100", () => {
        expect(parseArgs(["--stack", "dev", "--warn-at", "80"], base).warnAt).toBe(80);
        expect(parseArgs(["--stack", "dev", "--warn-at=92.5%"], base).warnAt).toBe(92.5);
        for (const bad of ["0", "101", "-5", "eighty", "1e2"]) {
            expect(() => parseArgs(["--stack", "dev", "--warn-at", bad], base), bad).toThrow(/--warn-at/);
        }
        expect(() => parseArgs(["--stack", "dev", "--warn-at", "200"], base)).toThrow("--warn-at must be a percentage above 0 and at most 100, e.g. 80 (got '200')");
    });

    it("accepts --grace-days as whole days from 0 to 120, and leaves it unset (the rules' default) when not given", () => {
        expect(parseArgs(["--stack", "dev", "--grace-days", "30"], base).graceDays).toBe(30);
        expect(parseArgs(["--stack", "dev", "--grace-days=0"], base).graceDays).toBe(0);
        expect(parseArgs(["--stack", "dev", "--grace-days", "120"], base).graceDays).toBe(120);
        expect(parseArgs(["--stack", "dev"], base)).not.toHaveProperty("graceDays");
        for (const bad of ["121", "-1", "7.5", "two", "1e1", "14d"]) {
            expect(() => parseArgs(["--stack", "dev", "--grace-days", bad], base), bad).toThrow(UsageError);
            expect(() => parseArgs(["--stack", "dev", "--grace-days", bad], base), bad).toThrow(
                `--grace-days must be a whole number of days from 0 to 120 (a grace period lasts 120 days), e.g. --grace-days 14 (got '${bad}')`,
            );
        }
        expect(() => parseArgs(["--stack", "dev", "--grace-days"], base)).toThrow("--grace-days needs a value (got nothing): give <days>, e.g. --grace-days 14");
    });

    it.each([
        [["--stack", "dev", "--jsn"], "unknown option --jsn (did you mean --json?); `rds-licensing drift --help` lists the options"],
        [["--stack", "dev", "--stak", "x"], "unknown option --stak (did you mean --stack?)"],
        [["dev"], "unexpected argument 'dev': drift takes options only; to check the stack dev, write --stack dev"],
        [["--stack", "a", "--stack", "b"], "--stack given twice ('a', then 'b'): give it once"],
        [["--stack", "--json"], "--stack needs a value (got the option --json): give <name>, e.g. --stack dev"],
        [["--stack", "dev", "--cwd="], "--cwd is empty: give <dir>, e.g. --cwd infra"],
        [["--stack", "dev", "--json", "--json"], "--json given twice: give it once"],
        [["--stack", "dev", "--json", "--markdown"], "--json and --markdown both write to standard output: keep one, or write both with --report-dir <dir>"],
        [["--stack", "dev", "--json", "--markdown", "--output", "x"], "--output takes one report, but --json and --markdown are both given: keep one (--report-dir <dir> writes both)"],
        [["--stack", "dev", "--output", "x"], "--output x needs the report's format: add --json or --markdown"],
        [["--stack", "dev", "--json", "-", "--markdown", "-"], "--json and --markdown both write to standard output: keep one there"],
        [["--stack", "dev", "--json="], "--json= is empty: write --json alone for standard output, and --output <file> for a file"],
    ])("%j: %s", (argv, message) => {
        expect(() => parseArgs(argv, base)).toThrow(UsageError);
        expect(() => parseArgs(argv, base)).toThrow(message);
    });

    it("ignores a bare -- (npm passes it through) and knows --help and -h, even without --stack", () => {
        expect(parseArgs(["--", "--stack", "dev"], base).stack).toBe("dev");
        expect(parseArgs(["--help"], base).help).toBe(true);
        expect(parseArgs(["-h"], base).help).toBe(true);
    });
});
