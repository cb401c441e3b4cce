// The plugin's SDKs, generated from its package schema with Pulumi's own codegen (the code behind
// `pulumi package gen-sdk`). `pulumi package gen-sdk` asks each language's host to generate, and the
// Go module proxy serves no Python, Go or .NET host, so sdkgen-module/ wraps the codegen packages of
// the CLI's pkg/v3 version in a small tool, built once (a stamp of its sources beside it). TypeScript,
// Python and Go; no C#: .NET's codegen lives with its language host (pulumi-dotnet), not in pkg/v3.
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { pulumiHome } from "./bootstrap.mjs";
import { withBuildLock } from "./yaml-host.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const versions = JSON.parse(fs.readFileSync(path.join(here, "versions.json"), "utf8"));
const MODULE = path.join(here, "sdkgen-module");
const SOURCES = ["go.mod", "go.sum", "main.go"];
export const SDK_LANGUAGES = ["nodejs", "python", "go"];
const log = (msg) => process.stderr.write(`[toolchain] ${msg}\n`);

function run(cmd, args, options) {
    const result = spawnSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"], ...options });
    if (result.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (exit ${result.status ?? result.signal})`);
}

/** The sdkgen binary, built from sdkgen-module/ when its sources changed since the last build. */
export function ensureSdkgen() {
    const stamp = createHash("sha256");
    for (const f of SOURCES) stamp.update(fs.readFileSync(path.join(MODULE, f)));
    const digest = stamp.digest("hex").slice(0, 16);
    const work = path.join(pulumiHome(), "build", "rds-licensing-sdkgen");
    const binary = path.join(work, "sdkgen");
    const stampFile = path.join(work, ".rds-licensing-sdkgen-stamp");
    const current = () => fs.existsSync(binary) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, "utf8").trim() === digest;
    if (current()) return binary;
    return withBuildLock(work, () => {
        if (current()) return binary;
        for (const f of SOURCES) fs.copyFileSync(path.join(MODULE, f), path.join(work, f));
        log("building the SDK generator (Pulumi codegen of the CLI's version; the CLI build's cache makes it quick)");
        run("go", ["build", "-trimpath", "-tags", "osusergo,grpcnotrace", "-ldflags", "-w -s", "-o", binary, "."], { cwd: work, env: { ...process.env, CGO_ENABLED: "0" } });
        fs.writeFileSync(stampFile, `${digest}\n`);
        return binary;
    });
}

/**
 * Generate the SDKs of `schemaFile` into `outDir/<language>`. The Go SDK's go.mod then requires the
 * Pulumi Go SDK of the CLI's version, which the module proxy serves (the codegen's default may not
 * be), with the CLI build's go.sum.
 */
export function generateSdks(schemaFile, outDir) {
    const sdkgen = ensureSdkgen();
    fs.rmSync(outDir, { recursive: true, force: true });
    run(sdkgen, [schemaFile, outDir, ...SDK_LANGUAGES], { stdio: ["ignore", "ignore", "inherit"] });
    const goMod = path.join(outDir, "go", "go.mod");
    const text = fs.readFileSync(goMod, "utf8").replace(/(github\.com\/pulumi\/pulumi\/sdk\/v3) v[0-9.]+/, `$1 v${versions.cli}`);
    fs.writeFileSync(goMod, text);
    fs.copyFileSync(path.join(here, "cli-module", "go.sum"), path.join(outDir, "go", "go.sum"));
    return Object.fromEntries(SDK_LANGUAGES.map((l) => [l, path.join(outDir, l)]));
}

/** Compile the Go SDK against the Pulumi Go SDK from the module proxy, and byte-compile the Python one. */
export function checkSdks(outDir) {
    const go = path.join(outDir, "go");
    log("checking the Go SDK: go build against the Pulumi Go SDK (minutes on a cold build cache)");
    run("go", ["mod", "tidy"], { cwd: go, env: { ...process.env, GOFLAGS: "-mod=mod" } });
    run("go", ["build", "-trimpath", "-tags", "osusergo,grpcnotrace", "./..."], { cwd: go, env: { ...process.env, CGO_ENABLED: "0" } });
    log("checking the Python SDK: python3 -m compileall");
    run("python3", ["-m", "compileall", "-q", path.join(outDir, "python")], {});
}
