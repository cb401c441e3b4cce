/**
 * What `npm pack` / `npm publish` put in the tarball (package.json `files`): the compiled library and
 * its CLIs, the README, LICENSE, docs and examples; nothing of the clone's own machinery (tests,
 * bench, tools, CI, the dev stack, its state and simulator store, the stack program, the policy pack,
 * source maps without their sources). `--ignore-scripts`: this reads the dist/ that `npm test` built
 * (consumer.test.ts packs for real, `prepare` included).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { beforeAll, describe, expect, it } from "vitest";
import { packedFiles, type PackResult } from "./pack";
import { REPO_ROOT } from "./typescript-api";

const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
    private?: boolean;
    main: string;
    types: string;
    exports: Record<string, string | Record<string, string>>;
    bin: Record<string, string>;
    engines: { node: string };
    scripts: Record<string, string>;
    peerDependencies: Record<string, string>;
    devDependencies: Record<string, string>;
    files: string[];
};

/** Paths no tarball may hold: the clone's machinery, local state, and what only the clone runs. */
const FORBIDDEN: RegExp[] = [
    /^(dist\/)?(test|bench|tools|program|policy)\//,
    /^\.ci\//,
    /^\.(rdls-sim|pulumi-state|work)\//,
    /(^|\/)node_modules\//,
    /^Pulumi(\.[^/]+)?\.yaml$/,
    /^index\.js$/,
    /^tsconfig(\.[^/]+)?\.json$/,
    /^vitest\.config\./,
    /^package-lock\.json$/,
    /^\.(npmrc|gitignore)$/,
    /\.map$/,
    /\.tsbuildinfo$/,
    /^(components|src)\/.*\.ts$/,
];

let pack: PackResult;
let files: string[];

beforeAll(() => {
    if (!fs.existsSync(path.join(REPO_ROOT, "dist", "components", "index.js"))) throw new Error("dist/ is not built: run `npm run build` first");
    pack = packedFiles(REPO_ROOT, ["--dry-run", "--ignore-scripts"]);
    files = pack.files.map((f) => f.path);
}, 120_000);

describe("the npm tarball", () => {
    it("holds the library, its CLIs and its documentation", () => {
        for (const file of ["package.json", "README.md", "LICENSE", "dist/components/index.js", "dist/components/index.d.ts", "dist/src/providers/runtime.js"]) {
            expect(files, file).toContain(file);
        }
        for (const dir of ["docs", "examples"]) {
            for (const f of fs.readdirSync(path.join(REPO_ROOT, dir), { recursive: true, withFileTypes: true }).filter((e) => e.isFile())) {
                expect(files).toContain(path.relative(REPO_ROOT, path.join(f.parentPath, f.name)).split(path.sep).join("/"));
            }
        }
        // Every compiled file of the library ships, declarations included.
        for (const dir of ["components", "src"]) {
            for (const f of fs.readdirSync(path.join(REPO_ROOT, "dist", dir), { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && /\.(js|d\.ts)$/.test(e.name))) {
                expect(files).toContain(path.relative(REPO_ROOT, path.join(f.parentPath, f.name)).split(path.sep).join("/"));
            }
        }
    });

    it("holds every file package.json points at (main, types, exports, bin)", () => {
        const targets = [manifest.main, manifest.types, ...Object.values(manifest.bin)];
        for (const target of Object.values(manifest.exports)) targets.push(...(typeof target === "string" ? [target] : Object.values(target)));
        for (const target of targets) expect(files, target).toContain(path.posix.normalize(target));
    });

    it("holds nothing of the clone's machinery, state or sources", () => {
        expect(files.filter((f) => FORBIDDEN.some((re) => re.test(f)))).toEqual([]);
        expect(pack.entryCount).toBe(files.length);
    });

    it("is Apache-2.0, with the license's text", () => {
        const text = fs.readFileSync(path.join(REPO_ROOT, "LICENSE"), "utf8");
        expect(text).toContain("Apache License\n                           Version 2.0, January 2004");
        expect(text).toContain("END OF TERMS AND CONDITIONS");
        expect(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).license).toBe("Apache-2.0");
    });
});

describe("package.json", () => {
    it("is publishable, builds dist/ on a git install, and says which Node.js the library needs", () => {
        expect(manifest.private).toBeUndefined();
        expect(manifest.scripts.prepare).toBe("tsc -p tsconfig.build.json");
        // @pulumi/pulumi >= 3.250 needs Node.js 22; the README says the same.
        expect(manifest.engines.node).toBe(">=22");
        const sdkEngines = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8")).engines.node;
        expect(sdkEngines).toBe(">=22");
        const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
        expect(readme).toContain("Node.js ≥ 22");
        expect(readme).toContain("Node.js (≥ 20)");
        expect(manifest.peerDependencies["@pulumi/pulumi"]).toBe(`^${manifest.devDependencies["@pulumi/pulumi"]}`);
    });

    it("ships each folder tsconfig.build.json compiles that the library needs, and no other", () => {
        const build = fs.readFileSync(path.join(REPO_ROOT, "tsconfig.build.json"), "utf8");
        const included = JSON.parse(build.replace(/^\s*\/\/.*$/gm, "")).include as string[];
        const shipped = manifest.files.filter((f) => f.startsWith("dist/")).map((f) => f.replace(/^dist\/|\/$/g, ""));
        expect(shipped.every((dir) => included.includes(dir))).toBe(true);
        expect(shipped.sort()).toEqual(["components", "src"]);
    });

    it("passes `npm publish --dry-run`", () => {
        const result = spawnSync("npm", ["publish", "--dry-run", "--ignore-scripts", "--json"], { cwd: REPO_ROOT, encoding: "utf8", timeout: 120_000 });
        expect(result.status, result.stderr).toBe(0);
        // Only the notice that a real publish needs a login; no warning about the manifest.
        const warnings = result.stderr.split("\n").filter((l) => /npm warn/i.test(l) && !/requires you to be logged in/.test(l));
        expect(warnings).toEqual([]);
    }, 120_000);
});
