/** `npm run bench` entry (tools/run.mjs runs the compiled dist/bench/run.js). */
import * as fs from "fs";
import * as path from "path";
import { runBench } from "./bench";
import { USAGE, UsageError, parseArgs } from "./options";
import { REPO_ROOT } from "./project";
import { evaluateTargets, formatTable, type BenchResults } from "./report";

export async function main(argv: string[]): Promise<number> {
    let options;
    try {
        options = parseArgs(argv, path.join(REPO_ROOT, "bench", "results.json"));
    } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        process.stderr.write(`bench: ${err.message}\n${USAGE}\n`);
        return 2;
    }
    if (!options) {
        process.stdout.write(`${USAGE}\n`);
        return 0;
    }
    if (options.reportOnly) {
        const saved = JSON.parse(fs.readFileSync(options.out, "utf8")) as BenchResults;
        const results = saved.results.map(({ targets: _targets, ...entry }) => ({ ...entry, targets: evaluateTargets(entry) }));
        process.stdout.write(`${formatTable({ ...saved, results })}\n`);
        return 0;
    }
    const results = await runBench(options);
    process.stdout.write(`${formatTable(results)}\n`);
    process.stderr.write(`[bench] wrote ${path.relative(process.cwd(), path.resolve(options.out)) || options.out}\n`);
    return results.results.some((r) => r.error) ? 1 : 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => (process.exitCode = code),
        (err: unknown) => {
            process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
            process.exitCode = 1;
        },
    );
}
