/**
 * The toolchain bootstrap: quiet and idempotent when everything is in place, and a clear error that
 * names what is missing when nothing works.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/engine";

const script = path.join(REPO_ROOT, "tools", "toolchain", "bootstrap.mjs");
const node = process.execPath;

function bootstrap(env: NodeJS.ProcessEnv) {
    return spawnSync(node, [script], { cwd: REPO_ROOT, env, encoding: "utf8", timeout: 600_000 });
}

describe("toolchain bootstrap", () => {
    it("finds the toolchain quietly and returns the same folder every time", () => {
        const first = bootstrap(process.env);
        expect(first.status, first.stderr).toBe(0);
        const binDir = first.stdout.trim();
        expect(fs.existsSync(path.join(binDir, "pulumi"))).toBe(true);
        const second = bootstrap(process.env);
        expect(second.status).toBe(0);
        expect(second.stdout.trim()).toBe(binDir);
        expect(second.stderr).toBe("");
        // The engine needs a dynamic provider host and a Node.js language host next to (or on PATH with) the CLI.
        expect(fs.existsSync(path.join(binDir, "pulumi-resource-pulumi-nodejs"))).toBe(true);
    });

    it("names what is missing when it can neither find nor build a CLI", () => {
        const home = fs.mkdtempSync(path.join(os.tmpdir(), "rdsl-empty-home-"));
        try {
            // A PATH with node only: no pulumi, no go.
            const bin = fs.mkdtempSync(path.join(os.tmpdir(), "rdsl-bin-"));
            fs.symlinkSync(node, path.join(bin, "node"));
            const result = bootstrap({ PATH: bin, HOME: home, PULUMI_HOME: home, RDS_LICENSING_SKIP_NPM_CLI: "1" });
            expect(result.status).toBe(1);
            expect(result.stderr).toMatch(/no compatible Pulumi CLI found and Go is not installed/);
            expect(result.stderr).toMatch(/pulumi\.com\/docs\/install/);
        } finally {
            fs.rmSync(home, { recursive: true, force: true });
        }
    });
});
