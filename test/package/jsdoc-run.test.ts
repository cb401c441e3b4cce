/**
 * The class JSDoc examples run as written (issue 18): jsdoc-examples.test.ts type-checks every
 * ```ts `@example` block; this file RUNS, through the real Pulumi engine against the simulator, every
 * one that is a whole program for the simulator.
 *
 * The rule: an example is selected when it is a program (shape "statements", not a property fragment
 * or an args value) and targets the simulator, i.e. it is outside components/azure/ (where `server`
 * is an AzureLicenseServer) and its text mentions neither Azure (`azure`, `AzureLicenseServer`,
 * `kind: "azure-run-command"`) nor SSH (`kind: "ssh"`). The others are not selected (not run as
 * skipped tests either), and the selected count is asserted, so a broken extraction cannot pass by
 * selecting nothing.
 *
 * Each selected example is wrapped as the type check wraps it, its free names (`contact`,
 * `connection`, `server`, `activation`, `config`...) defined with concrete simulator values
 * (SIMULATOR_FREE_VALUES) and its imports taken from the compiled dist/components (`npm run build`
 * first), transpiled to the project's index.js, and, in turn on the one stack of one TestProject:
 * its config secrets set with `pulumi config set --secret`, `pulumi up` (must succeed), `pulumi
 * preview --expect-no-changes`, `pulumi destroy`.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestProject } from "../support/engine";
import {
    configKeysOf,
    exampleModule,
    exampleShape,
    formatDiagnostics,
    COMPONENT_SOURCES,
    jsdocExamples,
    publicExports,
    PUBLIC_ENTRY,
    REPO_ROOT,
    repoCompilerOptions,
    SIMULATOR_FREE_VALUES,
    transpileExample,
    typeCheckModules,
    type JsdocExample,
} from "./typescript-api";

const FILES = COMPONENT_SOURCES;
const examples = jsdocExamples(FILES);

/** Needs Azure or SSH: not for the simulator. */
const NOT_SIMULATOR = /azure|AzureLicenseServer|kind:\s*["']ssh["']/i;
const selected = examples.filter(
    (e) => exampleShape(e) === "statements" && !e.file.split(path.sep).includes("azure") && !NOT_SIMULATOR.test(e.code),
);
/**
 * Measured when this test was written: 14 of the 21 program examples (of 45 blocks); of the 7 others,
 * 6 mention Azure and 1 sits in components/azure/ (its free `server` is an AzureLicenseServer).
 */
const MIN_SELECTED = 14;

const label = (e: JsdocExample) => `${e.file}:${e.line} ${e.owner}${e.title ? ` "${e.title}"` : ""}`;
const DIST_COMPONENTS = path.join(REPO_ROOT, "dist", "components");

/** Fictitious secret values by key: a retail license code for a key naming one, else an agreement number. */
function secretValue(key: string, index: number): string {
    const n = String(index).padStart(2, "0");
    if (/retail|code/i.test(key)) return `RUNEX-AMPLE-CODE0-00000-000${n}`;
    return `99918${n}`;
}

let project: TestProject;
let exportedNames: Set<string>;
let programs: Map<JsdocExample, string>;

beforeAll(async () => {
    if (!fs.existsSync(path.join(DIST_COMPONENTS, "index.js"))) throw new Error(`${DIST_COMPONENTS}: not built (npm run build)`);
    exportedNames = new Set(publicExports(ts.createProgram([PUBLIC_ENTRY], repoCompilerOptions())).keys());
    programs = new Map(selected.map((e) => [e, exampleModule(e, exportedNames, { freeValues: SIMULATOR_FREE_VALUES })]));
    project = await TestProject.create("jsdoc-run");
}, 300_000);
afterAll(() => project?.remove());

describe("JSDoc @example programs for the simulator", () => {
    it(`are selected: at least ${MIN_SELECTED} (${selected.length} of ${examples.length} blocks)`, () => {
        const programsFound = examples.filter((e) => exampleShape(e) === "statements");
        console.log(
            `jsdoc-run: ${selected.length} selected, ${programsFound.length - selected.length} programs not selected (Azure or SSH), ` +
                `${examples.length - programsFound.length} fragments not selected`,
        );
        expect(selected.length).toBeGreaterThanOrEqual(MIN_SELECTED);
    });

    it("type-check as programs, their free names given values", () => {
        const dir = path.join(REPO_ROOT, "test", "package", ".jsdoc-run");
        const files = Object.fromEntries([...programs].map(([e, text], i) => [path.join(dir, `${String(i).padStart(2, "0")}-${path.basename(e.file, ".ts")}-${e.line}.ts`), text]));
        const diagnostics = typeCheckModules(files);
        const problems = [...diagnostics].filter(([, d]) => d.length > 0).map(([f, d]) => `${formatDiagnostics(d)}\nin the module:\n${files[f]}`);
        expect(problems.join("\n")).toBe("");
    }, 120_000);

    // Sequential, on the one stack: up, preview --expect-no-changes, destroy.
    it.each(selected.map((e, i) => [label(e), e, i] as const))("%s: up, no changes, destroy", async (_label, example, index) => {
        const started = Date.now();
        const text = programs.get(example)!.replace(`from "rds-licensing"`, `from ${JSON.stringify(DIST_COMPONENTS)}`);
        fs.writeFileSync(path.join(project.dir, "index.js"), transpileExample(text));
        const keys = configKeysOf(text);
        const config = Object.fromEntries(keys.map((k) => [k.key, secretValue(k.key, index)]));
        if (keys.length > 0) await project.setConfig(config, keys.filter((k) => k.secret).map((k) => k.key));
        const stack = ["--stack", project.stack];
        try {
            const up = await project.pulumi(["up", "--yes", "--skip-preview", ...stack]);
            expect(up.code === 0 ? "" : `pulumi up failed (${up.code}):\n${up.stdout}\n${up.stderr}\nthe program:\n${text}`).toBe("");
            const preview = await project.pulumi(["preview", "--expect-no-changes", ...stack]);
            expect(preview.code === 0 ? "" : `pulumi preview --expect-no-changes failed (${preview.code}):\n${preview.stdout}\n${preview.stderr}`).toBe("");
        } finally {
            const destroy = await project.pulumi(["destroy", "--yes", "--skip-preview", ...stack]);
            console.log(`jsdoc-run: ${label(example)}: ${((Date.now() - started) / 1000).toFixed(1)}s`);
            expect(destroy.code === 0 ? "" : `pulumi destroy failed (${destroy.code}):\n${destroy.stdout}\n${destroy.stderr}`).toBe("");
        }
    }, 120_000);
});
