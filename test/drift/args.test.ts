import * as path from "path";
import { describe, expect, it } from "vitest";
import { parseArgs, UsageError } from "../../src/cli/drift/args";

const base = "/home/me/project";

describe("drift arguments", () => {
    it("needs --stack and defaults the project folder to the base folder", () => {
        expect(parseArgs(["--stack", "dev"], base)).toEqual({ help: false, stack: "dev", cwd: base });
        expect(() => parseArgs([], base)).toThrow(UsageError);
        expect(() => parseArgs(["--stack"], base)).toThrow(/--stack needs a value/);
    });

    it("resolves file options against the base folder, keeps '-' for stdout", () => {
        const args = parseArgs(["--stack=prod", "--json", "out/drift.json", "--markdown=-", "--report-dir", "/tmp/r", "--cwd", "infra"], base);
        expect(args).toEqual({
            help: false,
            stack: "prod",
            json: path.join(base, "out/drift.json"),
            markdown: "-",
            reportDir: "/tmp/r",
            cwd: path.join(base, "infra"),
        });
    });

    it("accepts --warn-at as a percentage above 0 and up to 100", () => {
        expect(parseArgs(["--stack", "dev", "--warn-at", "80"], base).warnAt).toBe(80);
        expect(parseArgs(["--stack", "dev", "--warn-at=92.5%"], base).warnAt).toBe(92.5);
        for (const bad of ["0", "101", "-5", "eighty", "1e2"]) {
            expect(() => parseArgs(["--stack", "dev", "--warn-at", bad], base), bad).toThrow(/--warn-at/);
        }
    });

    it("refuses unknown options, stray arguments, repeats and two reports on stdout", () => {
        expect(() => parseArgs(["--stack", "dev", "--jsn", "x"], base)).toThrow(/unknown option --jsn/);
        expect(() => parseArgs(["--stack", "dev", "extra"], base)).toThrow(/unexpected argument/);
        expect(() => parseArgs(["--stack", "a", "--stack", "b"], base)).toThrow(/given twice/);
        expect(() => parseArgs(["--stack", "a", "--json", "-", "--markdown", "-"], base)).toThrow(/stdout/);
        expect(() => parseArgs(["--stack", "--json"], base)).toThrow(/--stack needs a value/);
    });

    it("ignores a bare -- (npm passes it through) and knows --help", () => {
        expect(parseArgs(["--", "--stack", "dev"], base).stack).toBe("dev");
        expect(parseArgs(["--help"], base).help).toBe(true);
    });
});
