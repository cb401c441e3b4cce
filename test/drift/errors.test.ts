/** One clear line for each way the CLI fails (messages as CLI 3.274 prints them), and the CLI lookup. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { DriftError, explainFailure, findPulumi } from "../../src/cli/drift/engine";

const cmd = (error: string) => `code: -2\n stdout: \n stderr: Command failed with exit code 1: pulumi preview --refresh\nerror: ${error}\n`;

describe("explainFailure", () => {
    it.each([
        ["getting stack configuration: get stack secrets manager: incorrect passphrase", /^cannot decrypt the secrets of stack 'prod': incorrect or missing passphrase/],
        ["passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables", /incorrect or missing passphrase/],
        ["no stack named 'prod' found", /^no stack named 'prod' in the backend/],
        ['unable to open state directory "file:///nope": stat /nope: no such file or directory', /^cannot open the state backend \(unable to open state directory/],
        ["failed to load checkpoint: place 1: unexpected end of JSON input", /^cannot read the stack's state from the backend \(failed to load checkpoint/],
    ])("%s", (error, expected) => {
        expect(explainFailure("prod", cmd(error))).toMatch(expected);
    });

    it("prefers the engine's error diagnostic, first line only, over the generic CLI error", () => {
        const message = explainFailure("prod", cmd("preview failed"), ["Preview failed: license server RDLS01 does not exist\n    at read (x.js:1)"]);
        expect(message).toBe("pulumi preview --refresh failed: Preview failed: license server RDLS01 does not exist");
        expect(explainFailure("prod", "")).toBe("pulumi preview --refresh failed");
    });

    it("DriftError keeps to one line", () => {
        expect(new DriftError("a\n  b\nc").message).toBe("a b c");
    });
});

describe("findPulumi", () => {
    it("finds the binary on PATH and its root when it sits in a bin folder", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drift-path-"));
        const bin = path.join(dir, "versions", "3.274.1", "bin");
        const other = path.join(dir, "tools");
        fs.mkdirSync(bin, { recursive: true });
        fs.mkdirSync(other);
        fs.writeFileSync(path.join(bin, "pulumi"), "");
        fs.writeFileSync(path.join(other, "pulumi"), "");
        try {
            expect(findPulumi([path.join(dir, "empty"), bin].join(path.delimiter))).toEqual({ root: path.dirname(bin), binary: path.join(bin, "pulumi") });
            expect(findPulumi(other)).toEqual({ binary: path.join(other, "pulumi") });
            expect(findPulumi(path.join(dir, "empty"))).toBeUndefined();
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
