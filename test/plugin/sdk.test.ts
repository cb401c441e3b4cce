/**
 * The SDKs generated from the plugin's schema (tools/toolchain/sdks.mjs, Pulumi's own codegen): the
 * TypeScript one type-checks against this repository's @pulumi/pulumi, and every SDK keeps the
 * numbers secret on its side too. (`npm run plugin -- --check-sdks` also compiles the Go SDK against
 * the Pulumi Go SDK and byte-compiles the Python one: minutes on a cold Go build cache.)
 */
import * as fs from "fs";
import * as path from "path";
import { pathToFileURL } from "url";
import { randomBytes } from "crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, run } from "../support/engine";
import { ensurePluginTools } from "./yaml-project";

let out: string;
let checkSdks: (outDir: string) => void;
let sdks: Record<"nodejs" | "python" | "go", string>;
const read = (language: keyof typeof sdks, file: string) => fs.readFileSync(path.join(sdks[language], file), "utf8");

beforeAll(async () => {
    const tools = await ensurePluginTools();
    process.env.PATH = [tools.binDir, process.env.PATH].join(path.delimiter);
    const sdkTools = (await import(pathToFileURL(path.join(REPO_ROOT, "tools", "toolchain", "sdks.mjs")).href)) as {
        generateSdks(schemaFile: string, outDir: string): Record<"nodejs" | "python" | "go", string>;
        checkSdks(outDir: string): void;
    };
    checkSdks = sdkTools.checkSdks;
    const schema = path.join(REPO_ROOT, "dist", "plugin", `pulumi-resource-rds-licensing-v${tools.version}`, "schema.json");
    out = path.join(REPO_ROOT, "test", ".work", `plugin-sdk-${randomBytes(4).toString("hex")}`);
    sdks = sdkTools.generateSdks(schema, out);
}, 900_000);

afterAll(() => out && fs.rmSync(out, { recursive: true, force: true }));

describe("the SDKs generated from the plugin's schema", () => {
    it("type-checks the TypeScript SDK", async () => {
        const tsc = await run(path.join(REPO_ROOT, "node_modules", ".bin", "tsc"), ["--noEmit", "-p", path.join(sdks.nodejs, "tsconfig.json")], { cwd: sdks.nodejs, env: process.env });
        expect(tsc.stdout + tsc.stderr).toBe("");
        expect(tsc.code).toBe(0);
    });

    it("wraps the numbers as secrets and registers them as secret outputs, in every language", () => {
        const ts = read("nodejs", "calKeyPack.ts");
        expect(ts).toContain("pulumi.secret(args.agreementNumber)");
        expect(ts).toMatch(/additionalSecretOutputs: \[[^\]]*"agreementNumber"/);
        expect(read("python", "pulumi_rds_licensing/cal_key_pack.py")).toContain("pulumi.Output.secret(agreement_number)");
        expect(read("go", "rdslicensing/calKeyPack.go")).toContain("pulumi.ToSecret(args.AgreementNumber)");
        // A farm's credentials too, and every resource of the plugin has its SDK class.
        expect(read("nodejs", "deploymentLicensing.ts")).toContain("pulumi.secret(args.runAs)");
        expect(read("python", "pulumi_rds_licensing/session_deployment.py")).toContain("pulumi.Output.secret(run_as)");
        for (const file of ["simulatedLicenseServer.ts", "simulatedDeployment.ts", "simulatedSessionHost.ts", "hostLicensing.ts", "roleInstallation.ts", "sessionDeployment.ts"]) {
            expect(fs.existsSync(path.join(sdks.nodejs, file)), file).toBe(true);
        }
    });

    it("compiles the Go SDK against the Pulumi Go SDK from the module proxy, and byte-compiles the Python SDK", () => {
        // Throws with the compiler's exit status when either fails.
        checkSdks(out);
        expect(fs.existsSync(path.join(sdks.python, "pulumi_rds_licensing", "__pycache__"))).toBe(true);
    }, 900_000);

    it("documents the properties from the library's API docs, and pins the Go SDK to a served Pulumi Go SDK", () => {
        expect(read("nodejs", "calKeyPack.ts")).toContain("Raising it installs the difference");
        const cli = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "tools", "toolchain", "versions.json"), "utf8")).cli as string;
        expect(read("go", "go.mod")).toContain(`github.com/pulumi/pulumi/sdk/v3 v${cli}`);
    });
});
