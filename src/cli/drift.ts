#!/usr/bin/env node
/**
 * `npm run drift -- --stack <name>`: does what the stack's program declares still match what the
 * license servers hold? Runs `pulumi preview --refresh` through the Automation API (nothing is
 * written to state), compares desired and actual per pack and per server, reports CAL usage, and
 * exits 0 (in sync), 1 (error), 2 (drift) or 3 (usage warnings only). See docs/gitops.md.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs, USAGE, UsageError, type DriftArgs } from "./drift/args";
import { buildReport } from "./drift/compare";
import { DriftError, previewWithRefresh } from "./drift/engine";
import { checkOutputs } from "./drift/outputs";
import { renderHtml, renderUsageSvg } from "./drift/render-chart";
import { renderMarkdown, renderTable } from "./drift/render-text";
import { ExitCode, type DriftReport } from "./drift/report";

export { buildReport } from "./drift/compare";
export { parseArgs } from "./drift/args";
export * from "./drift/report";

export interface DriftIo {
    stdout: (text: string) => void;
    stderr: (text: string) => void;
}

const processIo: DriftIo = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
};

/** The files `--report-dir` gets. */
export const REPORT_FILES = {
    json: "drift-report.json",
    markdown: "drift-report.md",
    html: "drift-report.html",
    chart: "cal-usage.svg",
} as const;

function write(file: string, text: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
}

/** Write every output the arguments ask for; the table goes to stdout unless a report does. */
export function emit(report: DriftReport, args: DriftArgs, io: DriftIo): string[] {
    const json = `${JSON.stringify(report, null, 2)}\n`;
    const written: string[] = [];
    const out = (file: string | undefined, text: string) => {
        if (!file) return;
        if (file === "-") io.stdout(text);
        else {
            write(file, text);
            written.push(file);
        }
    };
    out(args.json, json);
    out(args.markdown, renderMarkdown(report));
    if (args.reportDir) {
        out(path.join(args.reportDir, REPORT_FILES.json), json);
        out(path.join(args.reportDir, REPORT_FILES.markdown), renderMarkdown(report));
        out(path.join(args.reportDir, REPORT_FILES.html), renderHtml(report));
        out(path.join(args.reportDir, REPORT_FILES.chart), renderUsageSvg(report));
    }
    const table = renderTable(report);
    if (args.json === "-" || args.markdown === "-") io.stderr(table);
    else io.stdout(table);
    return written;
}

export async function main(argv: readonly string[], io: DriftIo = processIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
    let args: DriftArgs;
    try {
        args = parseArgs(argv, env.INIT_CWD && fs.existsSync(env.INIT_CWD) ? env.INIT_CWD : process.cwd());
    } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        io.stderr(`drift: error: ${err.message}\n\n${USAGE}`);
        return ExitCode.Error;
    }
    if (args.help) {
        io.stdout(USAGE);
        return ExitCode.InSync;
    }
    try {
        // Before the preview: a report that cannot be written fails now, not after a full refresh.
        checkOutputs(args, Object.values(REPORT_FILES));
    } catch (err) {
        io.stderr(`drift: error: ${err instanceof Error ? err.message : String(err)}\n`);
        return ExitCode.Error;
    }
    try {
        const { project, events } = await previewWithRefresh({
            stack: args.stack,
            workDir: args.cwd,
            log: (line) => io.stderr(`drift: ${line}\n`),
        });
        const report = buildReport(events, { project, stack: args.stack, ...(args.warnAt !== undefined ? { warnAt: args.warnAt } : {}) });
        for (const file of emit(report, args, io)) io.stderr(`drift: wrote ${file}\n`);
        return report.exitCode;
    } catch (err) {
        const message = err instanceof DriftError ? err.message : err instanceof Error ? err.message.split("\n")[0] : String(err);
        io.stderr(`drift: error: ${message}\n`);
        if (env.RDS_LICENSING_DEBUG && err instanceof Error && err.stack) io.stderr(`${err.stack}\n`);
        return ExitCode.Error;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        (err: unknown) => {
            process.stderr.write(`drift: error: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}\n`);
            process.exitCode = ExitCode.Error;
        },
    );
}
