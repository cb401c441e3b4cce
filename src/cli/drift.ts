/**
 * `rds-licensing drift --stack <name>`: does what the stack's program declares still match what the
 * license servers and the farm hold? Runs `pulumi preview --refresh` through the Automation API
 * (nothing is written to state), compares desired and actual per pack, per server and per farm
 * licensing setting, reports CAL usage and each session host's licensing health, and exits 0 (in
 * sync), 1 (error), 2 (drift), 4 (health findings, no drift) or 3 (usage warnings only). See
 * docs/gitops.md and the exit code contract in ./drift/report.ts.
 */
import * as fs from "fs";
import * as path from "path";
import { processIo, type CliIo } from "./io";
import { parseArgs, SYNOPSIS, USAGE, UsageError, type DriftArgs, type ReportFormat } from "./drift/args";
import { buildReport } from "./drift/compare";
import { DriftError, previewWithRefresh } from "./drift/engine";
import { previewEnvironment } from "./drift/environment";
import { checkOutputs } from "./drift/outputs";
import { renderHtml, renderUsageSvg } from "./drift/render-chart";
import { renderMarkdown, renderTable } from "./drift/render-text";
import { ExitCode, type DriftReport } from "./drift/report";

export { buildReport } from "./drift/compare";
export { parseArgs, USAGE } from "./drift/args";
export * from "./drift/report";

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

/** Write every output the arguments ask for; the table goes to stdout unless a report does (then stderr). */
export function emit(report: DriftReport, args: DriftArgs, io: Pick<CliIo, "stdout" | "stderr">): string[] {
    const json = `${JSON.stringify(report, null, 2)}\n`;
    const render = (format: ReportFormat) => (format === "json" ? json : renderMarkdown(report));
    const written: string[] = [];
    const out = (file: string, text: string) => {
        if (file === "-") io.stdout(text);
        else {
            write(file, text);
            written.push(file);
        }
    };
    for (const output of args.outputs) out(output.to, render(output.format));
    if (args.reportDir) {
        out(path.join(args.reportDir, REPORT_FILES.json), json);
        out(path.join(args.reportDir, REPORT_FILES.markdown), renderMarkdown(report));
        out(path.join(args.reportDir, REPORT_FILES.html), renderHtml(report));
        out(path.join(args.reportDir, REPORT_FILES.chart), renderUsageSvg(report));
    }
    const table = renderTable(report);
    if (args.outputs.some((o) => o.to === "-")) io.stderr(table);
    else io.stdout(table);
    return written;
}

/** Run the command; resolves to its exit code (never throws). */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
    let args: DriftArgs;
    try {
        args = parseArgs(argv, io.cwd);
    } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        io.stderr(`drift: error: ${err.message}\nusage: ${SYNOPSIS}\n`);
        return ExitCode.Error;
    }
    for (const line of args.deprecations) io.stderr(`drift: warning: ${line}\n`);
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
        const environment = previewEnvironment(args.cwd, io.env);
        const { project, events } = await previewWithRefresh({
            stack: args.stack,
            workDir: args.cwd,
            env: environment.env,
            notes: environment.notes,
            log: (line) => io.stderr(`drift: ${line}\n`),
        });
        const report = buildReport(events, {
            project,
            stack: args.stack,
            ...(args.warnAt !== undefined ? { warnAt: args.warnAt } : {}),
            ...(args.graceDays !== undefined ? { graceWarningDays: args.graceDays } : {}),
        });
        for (const file of emit(report, args, io)) io.stderr(`drift: wrote ${file}\n`);
        return report.exitCode;
    } catch (err) {
        const message = err instanceof DriftError ? err.message : err instanceof Error ? err.message.split("\n")[0] : String(err);
        io.stderr(`drift: error: ${message}\n`);
        if (io.env.RDS_LICENSING_DEBUG && err instanceof Error && err.stack) io.stderr(`${err.stack}\n`);
        return ExitCode.Error;
    }
}

// `node dist/src/cli/drift.js ...`, the entry of the previous release (tests and scripts still use it).
if (require.main === module) {
    run(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        (err: unknown) => {
            process.stderr.write(`drift: error: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}\n`);
            process.exitCode = ExitCode.Error;
        },
    );
}
