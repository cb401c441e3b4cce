/**
 * Child processes (concurrency, crash and CLI-binary tests) need plain JavaScript. Transpile the
 * simulator's sources (and the licensing contract they use) into a temp dir laid out like dist/,
 * with the real bin shim next to it, so children run exactly what `npm run build` would ship.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import ts from "typescript";

export const REPO = path.resolve(__dirname, "../../..");

const SOURCES = ["src/licensing", "src/simulator", "src/drivers/simulator.ts"];

function tsFiles(entry: string): string[] {
    const full = path.join(REPO, entry);
    if (fs.statSync(full).isFile()) return [entry];
    return fs
        .readdirSync(full)
        .filter((n) => n.endsWith(".ts") && !n.endsWith(".d.ts"))
        .map((n) => path.join(entry, n));
}

/** Returns the root of the compiled tree (root/dist/src/..., root/bin/rdls-sim.js). */
export function compileSimulator(): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "rdls-sim-build-"));
    for (const file of SOURCES.flatMap(tsFiles)) {
        const out = ts.transpileModule(fs.readFileSync(path.join(REPO, file), "utf8"), {
            compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
            fileName: file,
        });
        const target = path.join(root, "dist", file.replace(/\.ts$/, ".js"));
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, out.outputText);
    }
    fs.mkdirSync(path.join(root, "bin"));
    fs.copyFileSync(path.join(REPO, "bin/rdls-sim.js"), path.join(root, "bin/rdls-sim.js"));
    return root;
}

/** Node 24 of the repo, and PATH so that grandchildren use it too. */
export const NODE = path.join(REPO, "node_modules/.bin/node");
export const childEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    ...process.env,
    PATH: `${path.join(REPO, "node_modules/.bin")}:${process.env.PATH ?? ""}`,
    ...extra,
});
