/**
 * examples/azure-farm: its program compiles against the package's sources (as "rds-licensing"), and
 * its stack file sets every setting the program reads, except the secrets, which are set with the
 * README's `pulumi config set --secret` commands and must never be in the file. The program is not
 * run with the real engine: no azure-native plugin can be built or downloaded here (see
 * server-defaults.test.ts); the simulator target covers the lifecycle.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import yaml from "js-yaml";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = path.join(__dirname, "../..");
const DIR = path.join(ROOT, "examples/azure-farm");
const PROGRAM = path.join(DIR, "index.ts");
const README = fs.readFileSync(path.join(DIR, "README.md"), "utf8");
const SECRETS = ["joinPassword", "runAsPassword", "agreementNumber"];

function stackConfig(): Record<string, unknown> {
    const doc = yaml.load(fs.readFileSync(path.join(DIR, "Pulumi.farm.yaml"), "utf8")) as { config: Record<string, unknown> };
    return doc.config;
}

/** The keys the program reads with `cfg.require*` / `cfg.get*`, and whether they are secrets. */
function keysRead(): Array<{ key: string; required: boolean; secret: boolean }> {
    const source = fs.readFileSync(PROGRAM, "utf8");
    return [...source.matchAll(/cfg\.(require|get)(Secret)?(?:Object|Number|Boolean)?(?:<[^>]*>)?\("([^"]+)"\)/g)].map((m) => ({ key: m[3]!, required: m[1] === "require", secret: m[2] === "Secret" }));
}

describe("the azure-farm example", () => {
    it("type-checks against the package's sources", () => {
        const options: ts.CompilerOptions = {
            target: ts.ScriptTarget.ES2022,
            module: ts.ModuleKind.Node16,
            moduleResolution: ts.ModuleResolutionKind.Node16,
            strict: true,
            noEmit: true,
            skipLibCheck: true,
            esModuleInterop: true,
            types: ["node"],
            baseUrl: ROOT,
            paths: { "rds-licensing": ["components/index.ts"] },
        };
        const program = ts.createProgram([PROGRAM], options);
        const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName === PROGRAM);
        expect(diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"))).toEqual([]);
    }, 120_000);

    it("sets every setting the program reads in its stack file, secrets excepted", () => {
        const config = stackConfig();
        const read = keysRead();
        expect(read.length).toBeGreaterThan(8);
        for (const { key, required, secret } of read) {
            if (secret) continue;
            if (required) expect(config, key).toHaveProperty([`farm:${key}`]);
        }
        expect(Object.keys(config).filter((k) => !read.some((r) => `farm:${r.key}` === k))).toEqual([]);
    });

    it("keeps the secrets out of the stack file, and the README says how to set each", () => {
        const config = stackConfig();
        const secretKeys = keysRead().filter((r) => r.secret).map((r) => r.key);
        expect(secretKeys.sort()).toEqual([...SECRETS].sort());
        for (const key of secretKeys) {
            expect(config, key).not.toHaveProperty([`farm:${key}`]);
            expect(README).toContain(`pulumi config set --secret farm:${key}`);
        }
    });

    it("says plainly that the Azure target cannot run here and that the simulator covers the lifecycle, and links the cost table", () => {
        expect(README).toMatch(/cannot run the Azure target here/);
        expect(README).toMatch(/simulator/);
        expect(README).toContain("../../docs/azure-costs.md");
    });
});
