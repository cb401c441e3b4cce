/**
 * The `@example` blocks of the components' JSDoc are code users copy: each ```ts block is wrapped in
 * a module (the names it uses imported from "rds-licensing", the free names a reader understands,
 * `contact`, `config`..., declared; a property's block checked as a fragment of its interface) and
 * type-checked, so an example cannot rot. And copied as written, each must work on its first `up`:
 * a CAL pack (and a licensing configuration pointed at a server of the example) comes after the
 * server's activation.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import {
    constructions,
    exampleModule,
    exampleShape,
    formatDiagnostics,
    COMPONENT_SOURCES,
    jsdocExamples,
    publicExports,
    PUBLIC_ENTRY,
    REPO_ROOT,
    repoCompilerOptions,
    typeCheckModules,
    type JsdocExample,
} from "./typescript-api";

const FILES = COMPONENT_SOURCES;
const examples = jsdocExamples(FILES);
const label = (e: JsdocExample) => `${e.file}:${e.line} ${e.owner}${e.title ? ` "${e.title}"` : ""}`;
const moduleFile = (e: JsdocExample, i: number) =>
    path.join(REPO_ROOT, "test", "package", ".jsdoc-examples", `${String(i).padStart(2, "0")}-${path.basename(e.file, ".ts")}-${e.line}.ts`);

let modules: Map<JsdocExample, { fileName: string; text: string }>;
let diagnostics: Map<string, readonly ts.Diagnostic[]>;

beforeAll(() => {
    const exportedNames = new Set(publicExports(ts.createProgram([PUBLIC_ENTRY], repoCompilerOptions())).keys());
    modules = new Map(examples.map((e, i) => [e, { fileName: moduleFile(e, i), text: exampleModule(e, exportedNames) }]));
    diagnostics = typeCheckModules(Object.fromEntries([...modules.values()].map((m) => [m.fileName, m.text])));
}, 120_000);

describe("JSDoc @example blocks", () => {
    it("are found in every component that has some", () => {
        const withFences = FILES.filter((f) => /@example[^\n]*\n(\s*\*[^\n]*\n)*?\s*\*\s*```ts/.test(fs.readFileSync(path.join(REPO_ROOT, f), "utf8")));
        expect(new Set(examples.map((e) => e.file))).toEqual(new Set(withFences));
        expect(examples.length).toBeGreaterThanOrEqual(40);
        // Whole programs, not only property fragments.
        expect(examples.filter((e) => exampleShape(e) === "statements").length).toBeGreaterThanOrEqual(15);
    });

    it.each(examples.map((e) => [label(e), e] as const))("%s type-checks", (_label, example) => {
        const { fileName, text } = modules.get(example)!;
        const found = diagnostics.get(fileName)!;
        expect(found.length === 0 ? "" : `${formatDiagnostics(found)}\nin the module:\n${text}`).toBe("");
    });

    it("document the property they sit on", () => {
        const wrong = examples
            .filter((e) => exampleShape(e) === "property")
            .filter((e) => !new RegExp(`^\\s*${e.property}\\s*:`).test(e.code))
            .map(label);
        expect(wrong).toEqual([]);
    });

    it("put a CAL pack, and the licensing pointed at the example's server, after the activation", () => {
        const problems: string[] = [];
        for (const example of examples) {
            for (const c of constructions(example.code)) {
                const pointsAtOurServer = /\.serverName|\bserver\b/.test(c.text) || c.argKeys.includes("server");
                const needsOrder =
                    c.className === "CalKeyPack" ||
                    (["DeploymentLicensing", "HostLicensing"].includes(c.className) && pointsAtOurServer && c.argKeys.includes("licenseServers") && /\.serverName/.test(c.text));
                if (needsOrder && !c.optionKeys.includes("dependsOn")) problems.push(`${label(example)}: new ${c.className}(...) without { dependsOn: [activation] }`);
                if (c.className === "LicensingConfiguration" && !c.argKeys.includes("after")) problems.push(`${label(example)}: new LicensingConfiguration(...) without after: [activation, ...packs]`);
            }
        }
        expect(problems).toEqual([]);
    });

    it("leave nothing out (no `...` placeholders)", () => {
        const elided = examples.filter((e) => /(^|[\s,{(\[])\.\.\.\s*([,})\]]|$)/m.test(e.code)).map(label);
        expect(elided).toEqual([]);
    });
});
