/**
 * Command-line arguments of `npm run drift`. Pure: relative paths are resolved against `base` (the
 * folder the user ran npm from, `$INIT_CWD`, since npm itself runs scripts in the package folder).
 */
import * as path from "path";

export interface DriftArgs {
    stack: string;
    /** The Pulumi project folder. */
    cwd: string;
    /** JSON report file; `-` writes it to stdout instead of the table. */
    json?: string;
    /** Markdown report file (a PR comment); `-` writes it to stdout instead of the table. */
    markdown?: string;
    /** Folder for the full set: JSON, Markdown, HTML report and SVG usage chart. */
    reportDir?: string;
    /** Utilisation (percent of CALs issued) at which a pack is reported as a warning. */
    warnAt?: number;
    help: boolean;
}

export class UsageError extends Error {}

export const USAGE = `usage: npm run drift -- --stack <name> [options]

Compares what the stack's program declares with what the license servers hold, through
\`pulumi preview --refresh\` (which writes nothing to state), and reports CAL usage.

options:
  --stack <name>        the stack to check (required)
  --json <file>         write the report as JSON ("-": to stdout, instead of the table)
  --markdown <file>     write the report as Markdown, e.g. for a pull request comment ("-": to stdout)
  --report-dir <dir>    write drift-report.json, drift-report.md, drift-report.html and cal-usage.svg there
  --warn-at <percent>   warn when a pack's utilisation (issued / total) reaches this percentage
  --cwd <dir>           the Pulumi project folder (default: the current folder)
  -h, --help            show this help

exit codes:
  0  no drift (and no pack at or above --warn-at)
  1  error: bad arguments, unreachable backend, wrong passphrase, failed preview
  2  drift: desired and actual differ (wins over usage warnings)
  3  no drift, but at least one pack is at or above --warn-at
`;

const VALUE_OPTIONS = new Set(["--stack", "--json", "--markdown", "--report-dir", "--warn-at", "--cwd"]);

export function parseArgs(argv: readonly string[], base: string = process.cwd()): DriftArgs {
    const values = new Map<string, string>();
    let help = false;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "-h" || arg === "--help") {
            help = true;
            continue;
        }
        if (arg === "--") continue;
        const eq = arg.indexOf("=");
        const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
        if (!VALUE_OPTIONS.has(name)) {
            throw new UsageError(arg.startsWith("-") ? `unknown option ${name}` : `unexpected argument '${arg}'`);
        }
        let value: string | undefined;
        if (eq > 0 && arg.startsWith("--")) value = arg.slice(eq + 1);
        else {
            value = argv[i + 1];
            i++;
        }
        if (value === undefined || value === "" || (value.startsWith("--") && VALUE_OPTIONS.has(value.split("=")[0]))) {
            throw new UsageError(`${name} needs a value`);
        }
        if (values.has(name)) throw new UsageError(`${name} given twice`);
        values.set(name, value);
    }
    if (help) return { help: true, stack: values.get("--stack") ?? "", cwd: base };
    const stack = values.get("--stack");
    if (!stack) throw new UsageError("--stack <name> is required");
    const resolve = (p: string | undefined) => (p === undefined || p === "-" ? p : path.resolve(base, p));
    let warnAt: number | undefined;
    const rawWarn = values.get("--warn-at");
    if (rawWarn !== undefined) {
        warnAt = Number(rawWarn.replace(/%$/, ""));
        if (!/^\d+(\.\d+)?%?$/.test(rawWarn) || !(warnAt > 0 && warnAt <= 100)) {
            throw new UsageError(`--warn-at must be a percentage above 0 and at most 100, e.g. 80 (got '${rawWarn}')`);
        }
    }
    const json = resolve(values.get("--json"));
    const markdown = resolve(values.get("--markdown"));
    if (json === "-" && markdown === "-") throw new UsageError("only one of --json and --markdown can write to stdout (-)");
    return {
        help: false,
        stack,
        cwd: resolve(values.get("--cwd")) ?? base,
        ...(json ? { json } : {}),
        ...(markdown ? { markdown } : {}),
        ...(values.has("--report-dir") ? { reportDir: resolve(values.get("--report-dir")) } : {}),
        ...(warnAt !== undefined ? { warnAt } : {}),
    };
}
