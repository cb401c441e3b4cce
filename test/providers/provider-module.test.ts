/**
 * The provider code our resources store in `__provider` (components/dynamic-resource.ts): loaded the
 * way the engine's dynamic provider host loads it (a CommonJS module compiled from the string,
 * resolving `require` from the project folder), it must hand back our real handlers, and it is the
 * same plain text in every resource.
 */
import Module from "module";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { providerModuleSource } from "../../components/dynamic-resource";
import { providers, type ProviderKind } from "../../src/providers/runtime";

const REPO = path.resolve(__dirname, "..", "..");

/** What require-from-string (used by @pulumi/pulumi/cmd/dynamic-provider) does with `__provider`. */
function loadLikeTheEngine(source: string, projectDir: string): { handler: () => unknown } {
    const filename = path.join(projectDir, "__provider.js");
    const m = new Module(filename);
    m.filename = filename;
    m.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(projectDir);
    (m as unknown as { _compile(code: string, file: string): void })._compile(source, filename);
    return m.exports as { handler: () => unknown };
}

const KINDS = Object.keys(providers) as ProviderKind[];

describe("the stored provider module", () => {
    it.each(KINDS)("%s: handler() returns a provider with every CRUD method, loaded by package name", (kind) => {
        const provider = loadLikeTheEngine(providerModuleSource(kind), REPO).handler() as Record<string, unknown>;
        for (const method of ["check", "diff", "create", "read", "update", "delete"]) {
            expect(typeof provider[method], `${kind}.${method}`).toBe("function");
        }
        // The package's own handlers (node_modules/rds-licensing → dist), not a copy in the state.
        const fromPackage = require(require.resolve("rds-licensing/provider", { paths: [REPO] })) as typeof import("../../src/providers/runtime");
        expect(provider).toBe(fromPackage.providers[kind]);
    });

    it("is one short line per kind, naming the kind and nothing else", () => {
        const sources = KINDS.map(providerModuleSource);
        expect(new Set(sources).size).toBe(KINDS.length);
        for (const [i, source] of sources.entries()) {
            expect(source).toContain(JSON.stringify(KINDS[i]));
            expect(source.trim().split("\n")).toHaveLength(1);
        }
    });

    it("fails with the module's name when the project cannot resolve rds-licensing", () => {
        const outside = path.parse(REPO).root;
        expect(() => loadLikeTheEngine(providerModuleSource("calKeyPack"), outside).handler()).toThrow(/rds-licensing\/provider/);
    });
});
