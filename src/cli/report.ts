/**
 * `rds-licensing report`: CAL usage from what the license servers themselves record, one
 * execution per server (see ./report-args.ts for the options and the exit codes, and
 * docs/usage-reports.md). Writes nothing to the servers but their own report, which it deletes.
 */
import * as fs from "fs";
import * as path from "path";
import { licenseUsage } from "../licensing/usage-server";
import type { ServerUsageReport } from "../licensing/usage";
import { processIo, type CliIo } from "./io";
import { REPORT_PROG, REPORT_USAGE, ReportUsageError, parseReportArgs, type ReportArgs } from "./report-args";
import { renderReportHtml } from "./report-html";
import { ReportExitCode, buildUsageDocument, parseHistoryDocument, type UsageReportDocument } from "./report-model";
import { usageTargets } from "./report-servers";
import { renderCsvFiles, renderReportText } from "./report-text";

function write(file: string, text: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
}

/** Earlier JSON reports in `dir` (files that are not one are named on stderr and skipped). */
export function readHistory(dir: string, warn: (line: string) => void): UsageReportDocument[] {
    let names: string[];
    try {
        names = fs.readdirSync(dir).filter((n) => n.endsWith(".json")).sort();
    } catch {
        throw new ReportUsageError(`--history ${dir} is not a readable folder; give the folder of earlier \`${REPORT_PROG} --json\` reports`);
    }
    const docs: UsageReportDocument[] = [];
    for (const name of names) {
        let doc: UsageReportDocument | undefined;
        try {
            doc = parseHistoryDocument(JSON.parse(fs.readFileSync(path.join(dir, name), "utf8")));
        } catch {
            doc = undefined;
        }
        if (doc) docs.push(doc);
        else warn(`${path.join(dir, name)} is not a usage report (schemaVersion 1): skipped`);
    }
    return docs;
}

export function emitReport(doc: UsageReportDocument, args: ReportArgs, io: Pick<CliIo, "stdout" | "stderr">, history: readonly UsageReportDocument[]): string[] {
    const written: string[] = [];
    if (args.csvDir) {
        for (const [name, text] of Object.entries(renderCsvFiles(doc))) {
            const file = path.join(args.csvDir, name);
            write(file, text);
            written.push(file);
        }
    }
    if (args.htmlFile) {
        write(args.htmlFile, renderReportHtml(doc, history));
        written.push(args.htmlFile);
    }
    const text = renderReportText(doc);
    if (args.json) {
        io.stdout(`${JSON.stringify(doc, null, 2)}\n`);
        io.stderr(text);
    } else io.stdout(text);
    return written;
}

export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
    let args: ReportArgs;
    try {
        args = parseReportArgs(argv, io.cwd);
    } catch (err) {
        if (!(err instanceof ReportUsageError)) throw err;
        io.stderr(`report: error: ${err.message}\n`);
        return ReportExitCode.Error;
    }
    if (args.help) {
        io.stdout(REPORT_USAGE);
        return ReportExitCode.Clean;
    }
    try {
        // Before any server is asked: a history folder that cannot be read fails now.
        const history = args.historyDir ? readHistory(args.historyDir, (line) => io.stderr(`report: warning: ${line}\n`)) : [];
        const source = args.source!;
        const warn = (line: string) => io.stderr(`report: warning: ${line}\n`);
        const targets = await usageTargets(source, args.servers, io.env, warn);
        const reports: ServerUsageReport[] = [];
        for (const t of targets) {
            const report = await licenseUsage(t.server, t.executor).report({ pageSize: args.pageSize });
            for (const line of report.warnings ?? []) warn(line);
            reports.push(report);
        }
        const doc = buildUsageDocument(reports, source.kind === "simulator" ? `simulator ${source.home}` : `stack ${source.stack}`);
        for (const file of emitReport(doc, args, io, history)) io.stderr(`report: wrote ${file}\n`);
        return doc.exitCode;
    } catch (err) {
        io.stderr(`report: error: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}\n`);
        return ReportExitCode.Error;
    }
}
