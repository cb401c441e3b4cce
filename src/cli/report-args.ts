/**
 * Command-line arguments of `rds-licensing report` and `rds-licensing revoke`. Pure: relative
 * paths are resolved against `base`. Every error names the option, what was found and the fix.
 */
import * as path from "path";
import { didYouMean } from "./suggest";

export class ReportUsageError extends Error {}

/** Where the license servers come from. */
export type ServerSource = { kind: "simulator"; home: string } | { kind: "stack"; stack: string; cwd: string };

export interface ParsedOptions {
    values: Map<string, string>;
    flags: Set<string>;
}

/**
 * `--name value`, `--name=value` and flags; `valued` maps each option taking a value to an example.
 * Unknown options, missing values and repeats are errors.
 */
export function parseOptions(argv: readonly string[], valued: Record<string, string>, flagNames: readonly string[], prog: string): ParsedOptions {
    const values = new Map<string, string>();
    const flags = new Set<string>();
    const all = [...Object.keys(valued), ...flagNames];
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i]!;
        const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
        const name = arg === "-h" ? "--help" : eq > 0 ? arg.slice(0, eq) : arg;
        if (flagNames.includes(name)) {
            if (eq > 0) throw new ReportUsageError(`${name} takes no value (got '${arg}'): write ${name} alone`);
            flags.add(name);
            continue;
        }
        const example = valued[name];
        if (example === undefined) {
            if (arg.startsWith("-")) throw new ReportUsageError(`unknown option ${name}${didYouMean(name, all)}; \`${prog} --help\` lists the options`);
            throw new ReportUsageError(`unexpected argument '${arg}': ${prog} takes options only`);
        }
        const value = eq > 0 ? arg.slice(eq + 1) : argv[i + 1];
        if (value === undefined || (eq < 0 && value.startsWith("--"))) throw new ReportUsageError(`${name} needs a value (got ${value === undefined ? "nothing" : `the option ${value}`}), e.g. ${example}`);
        if (eq < 0) i++;
        if (value.trim() === "") throw new ReportUsageError(`${name} is empty, e.g. ${example}`);
        if (values.has(name)) throw new ReportUsageError(`${name} given twice ('${values.get(name)}', then '${value}'): give it once`);
        values.set(name, value);
    }
    return { values, flags };
}

/** --home <dir> or --stack <name> [--cwd <dir>], exactly one. */
export function serverSource(p: ParsedOptions, base: string): ServerSource {
    const home = p.values.get("--home");
    const stack = p.values.get("--stack");
    if (home !== undefined && stack !== undefined) throw new ReportUsageError("--home and --stack both given: read either a simulator store (--home <dir>) or a stack's license servers (--stack <name>)");
    if (home !== undefined) return { kind: "simulator", home: path.resolve(base, home) };
    if (stack !== undefined) return { kind: "stack", stack, cwd: path.resolve(base, p.values.get("--cwd") ?? ".") };
    throw new ReportUsageError("no license servers named: give --stack <name> (the stack's license servers) or --home <dir> (a simulator store), e.g. --home .rdls-sim");
}

/** --server a,b: names separated by commas; undefined = every server of the source. */
export function serverFilter(p: ParsedOptions): string[] | undefined {
    const raw = p.values.get("--server");
    if (raw === undefined) return undefined;
    const names = raw.split(",").map((n) => n.trim());
    if (names.some((n) => n === "")) throw new ReportUsageError(`--server takes names separated by commas, e.g. --server ls1,ls2 (got '${raw}')`);
    return names;
}

export const REPORT_PROG = "rds-licensing report";

export interface ReportArgs {
    help: boolean;
    source?: ServerSource;
    servers?: string[];
    json: boolean;
    csvDir?: string;
    htmlFile?: string;
    historyDir?: string;
    pageSize: number;
}

export const REPORT_USAGE = `Usage: ${REPORT_PROG} (--stack <name> [--cwd <dir>] | --home <dir>) [options]

Who holds the CALs: every license server's own report (Win32_TSLicenseReport: GenerateReportEx,
each table fetched page by page until the server says there is no more, then DeleteReport), in
one execution per server. Prints the per-user, per-device, failed-issuance and summary tables.

Options
  --stack <name>        the stack whose license servers to read (from its state)
  --cwd <dir>           the Pulumi project folder of --stack (default: the current folder)
  --home <dir>          a simulator store instead (rdls-sim)
  --server <a,b>        only these license servers
  --json                the report as JSON on standard output (the tables then go to standard error)
  --csv <dir>           write per-user.csv, per-device.csv, failed-per-user.csv, summary.csv there
  --html <file>         write an HTML page with charts: CALs per server, version and type
  --history <dir>       earlier --json reports (*.json) for the HTML page's chart over time
  --page-size <n>       entries per Fetch call (default 0: all at once; the server still pages)
  -h, --help            show this help

Exit codes (after the drift command's; the first that applies: 1, 4, 3, 0)
  0  no finding
  1  error: bad arguments, unreadable store or stack, a server that did not answer
  4  over-allocation: per-user CALs in use beyond those installed on a server (not enforced
     by Windows, so only an audit finds it)
  3  no over-allocation, but failed per-user issuances are recorded

Examples
  ${REPORT_PROG} --stack dev
  ${REPORT_PROG} --home .rdls-sim --json > usage-$(date +%F).json
  ${REPORT_PROG} --stack prod --csv usage --html usage.html --history reports/
`;

export function parseReportArgs(argv: readonly string[], base: string): ReportArgs {
    const p = parseOptions(
        argv,
        { "--stack": "--stack dev", "--cwd": "--cwd infra", "--home": "--home .rdls-sim", "--server": "--server ls1", "--csv": "--csv usage", "--html": "--html usage.html", "--history": "--history reports", "--page-size": "--page-size 100" },
        ["--json", "--help"],
        REPORT_PROG,
    );
    if (p.flags.has("--help")) return { help: true, json: false, pageSize: 0 };
    const rawPage = p.values.get("--page-size") ?? "0";
    if (!/^\d{1,6}$/.test(rawPage)) throw new ReportUsageError(`--page-size must be a whole number from 0 (all at once) to 999999, e.g. --page-size 100 (got '${rawPage}')`);
    const file = (name: string) => (p.values.has(name) ? path.resolve(base, p.values.get(name)!) : undefined);
    const servers = serverFilter(p);
    const csvDir = file("--csv");
    const htmlFile = file("--html");
    const historyDir = file("--history");
    if (historyDir && !htmlFile) throw new ReportUsageError("--history is read for the HTML page's chart over time: add --html <file>");
    return {
        help: false,
        source: serverSource(p, base),
        ...(servers ? { servers } : {}),
        json: p.flags.has("--json"),
        ...(csvDir ? { csvDir } : {}),
        ...(htmlFile ? { htmlFile } : {}),
        ...(historyDir ? { historyDir } : {}),
        pageSize: Number(rawPage),
    };
}
