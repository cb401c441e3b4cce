/**
 * Command-line arguments of `rds-licensing drift`. Pure: relative paths are resolved against `base`
 * (the folder the command runs in). Every error names the option, what was found and the fix.
 */
import * as path from "path";
import { DEFAULT_GRACE_WARNING_DAYS } from "../../licensing/health";
import { didYouMean } from "../suggest";

export type ReportFormat = "json" | "markdown";

/** One report the command writes besides --report-dir's. */
export interface ReportOutput {
    format: ReportFormat;
    /** A file path, or `-` for standard output. */
    to: string;
    /** The option that named the destination, for messages (`--output`, or `--json`/`--markdown`). */
    option: string;
}

export interface DriftArgs {
    stack: string;
    /** The Pulumi project folder. */
    cwd: string;
    /** `--json` / `--markdown` reports: to stdout, or to the `--output` file. */
    outputs: ReportOutput[];
    /** Folder for the full set: JSON, Markdown, HTML report and SVG usage chart. */
    reportDir?: string;
    /** Utilisation (percent of CALs issued) at which a pack is reported as a warning. */
    warnAt?: number;
    /** A session host's grace period ending within this many days is a health finding (default DEFAULT_GRACE_WARNING_DAYS). */
    graceDays?: number;
    help: boolean;
    /** One line per deprecated form used (for stderr; the command still does what they asked). */
    deprecations: string[];
}

export class UsageError extends Error {}

export const PROG = "rds-licensing drift";

export const SYNOPSIS = `${PROG} --stack <name> [--json | --markdown] [--output <file>] [--report-dir <dir>] [--warn-at <percent>] [--grace-days <days>] [--cwd <dir>]`;

export const USAGE = `Usage: ${PROG} --stack <name> [options]

Does the stack still match the license servers and the farm? Runs \`pulumi preview --refresh\`
(which writes nothing to state), compares what the program declares with what the servers hold (per
pack and per server, a deployment's or session host's licensing mode and license servers), reports
CAL usage, and checks every session host's licensing health (mode, reachable license servers, CALs
of its type and version, grace period).

Options
  --stack <name>        the stack to check (required)
  --json                the report as JSON on standard output, as \`pulumi preview --json\` does;
                        the table then goes to standard error, so \`... --json | jq\` works
  --markdown            the report as Markdown on standard output, e.g. for a pull request comment
  -o, --output <file>   write the --json or --markdown report to <file> instead (the table stays on
                        standard output)
  --report-dir <dir>    write drift-report.json, drift-report.md, drift-report.html and cal-usage.svg
                        there (created when missing)
  --warn-at <percent>   warn when a pack's utilisation (issued / total CALs) reaches this, e.g. 90
  --grace-days <days>   a session host that cannot get CALs and whose grace period ends within this
                        many days is a finding (default ${DEFAULT_GRACE_WARNING_DAYS}; 0 to 120)
  --cwd <dir>           the Pulumi project folder (default: the current folder)
  -h, --help            show this help

Exit codes (after \`terraform plan -detailed-exitcode\`; the first that applies: 1, 2, 4, 3, 0)
  0  in sync: no drift, no licensing health finding, and no pack at or above --warn-at
  1  error: bad arguments, unreachable backend, wrong passphrase, failed preview (one line on stderr)
  2  drift: \`pulumi up\` would change something (wins over health findings and usage warnings)
  4  no drift, but a session host has a licensing health finding (not configured, no reachable
     license server, no CALs for it, grace period ending within --grace-days or ended)
  3  no drift and no health finding, but a pack is at or above --warn-at (only with --warn-at)

Environment
  The Pulumi CLI comes from PATH, else $PULUMI_HOME/versions/<version>/bin (where the toolchain
  bootstrap puts it). PULUMI_BACKEND_URL and PULUMI_CONFIG_PASSPHRASE(_FILE) are read as by
  \`pulumi\`; in a clone of rds-licensing they default to the dev stack's (.pulumi-state/ and the
  demo passphrase), as the npm scripts do. RDS_LICENSING_DEBUG=1 adds stack traces to errors.

Examples
  ${PROG} --stack dev
  ${PROG} --stack dev --json | jq .status
  ${PROG} --stack prod --markdown --output drift.md --warn-at 90
  ${PROG} --stack prod --grace-days 30
  ${PROG} --stack prod --report-dir drift-report

Deprecated, for this release: \`--json <file>\` and \`--markdown <file>\` (write \`--json --output <file>\`),
\`--json -\` (write \`--json\`), and \`npm run drift -- ...\` (write \`${PROG} ...\`).
`;

interface ValueOption {
    value: string;
    example: string;
}

const VALUE_OPTIONS: Record<string, ValueOption> = {
    "--stack": { value: "<name>", example: "--stack dev" },
    "--output": { value: "<file>", example: "--output drift.json" },
    "--report-dir": { value: "<dir>", example: "--report-dir drift-report" },
    "--warn-at": { value: "<percent>", example: "--warn-at 90" },
    "--grace-days": { value: "<days>", example: "--grace-days 14" },
    "--cwd": { value: "<dir>", example: "--cwd infra" },
};
const FORMATS: Record<string, ReportFormat> = { "--json": "json", "--markdown": "markdown" };
const SHORT: Record<string, string> = { "-o": "--output", "-h": "--help" };
const ALL_OPTIONS = [...Object.keys(VALUE_OPTIONS), ...Object.keys(FORMATS), "--help", ...Object.keys(SHORT)];

const isOption = (arg: string | undefined) => arg !== undefined && ALL_OPTIONS.includes(arg.split("=")[0]!);

export function parseArgs(argv: readonly string[], base: string = process.cwd()): DriftArgs {
    const values = new Map<string, string>();
    const flags = new Set<ReportFormat>();
    /** `--json <file>` and `--markdown <file>`, the forms of the previous release. */
    const legacy = new Map<ReportFormat, string>();
    const deprecations: string[] = [];
    let help = false;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i]!;
        if (arg === "--") continue;
        const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
        const name = SHORT[arg] ?? (eq > 0 ? arg.slice(0, eq) : arg);
        const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
        if (name === "--help") {
            help = true;
            continue;
        }
        const format = FORMATS[name];
        if (format) {
            // A value right after --json / --markdown (drift takes no positional argument) is the old form.
            const next = argv[i + 1];
            const value = inline ?? (next !== undefined && (next === "-" || !next.startsWith("-")) ? argv[++i] : undefined);
            if (flags.has(format) || legacy.has(format)) throw new UsageError(`${name} given twice: give it once`);
            if (value === undefined) flags.add(format);
            else if (value === "") throw new UsageError(`${name}= is empty: write ${name} alone for standard output, and --output <file> for a file`);
            else {
                legacy.set(format, value);
                deprecations.push(
                    value === "-"
                        ? `${name} - is deprecated and goes away in the next release: ${name} alone writes to standard output`
                        : `${name} <file> is deprecated and goes away in the next release: write ${name} --output ${value}`,
                );
            }
            continue;
        }
        const option = VALUE_OPTIONS[name];
        if (!option) {
            if (arg.startsWith("-")) throw new UsageError(`unknown option ${name}${didYouMean(name, ALL_OPTIONS.filter((o) => o.startsWith("--")))}; \`${PROG} --help\` lists the options`);
            throw new UsageError(`unexpected argument '${arg}': drift takes options only; to check the stack ${arg}, write --stack ${arg}`);
        }
        let value = inline;
        if (value === undefined) {
            const next = argv[i + 1];
            if (next === undefined || isOption(next)) {
                throw new UsageError(`${name} needs a value (got ${next === undefined ? "nothing" : `the option ${next}`}): give ${option.value}, e.g. ${option.example}`);
            }
            value = next;
            i++;
        }
        if (value === "") throw new UsageError(`${name} is empty: give ${option.value}, e.g. ${option.example}`);
        const before = values.get(name);
        if (before !== undefined) throw new UsageError(`${name} given twice ('${before}', then '${value}'): give it once`);
        values.set(name, value);
    }
    const stack = values.get("--stack");
    if (help) return { help: true, stack: stack ?? "", cwd: base, outputs: [], deprecations };
    if (!stack) throw new UsageError("--stack <name> is required: name the stack to check, e.g. --stack dev (`pulumi stack ls` lists them)");
    const resolve = (p: string) => (p === "-" ? p : path.resolve(base, p));

    let warnAt: number | undefined;
    const rawWarn = values.get("--warn-at");
    if (rawWarn !== undefined) {
        warnAt = Number(rawWarn.replace(/%$/, ""));
        if (!/^\d+(\.\d+)?%?$/.test(rawWarn) || !(warnAt > 0 && warnAt <= 100)) {
            throw new UsageError(`--warn-at must be a percentage above 0 and at most 100, e.g. 80 (got '${rawWarn}')`);
        }
    }

    let graceDays: number | undefined;
    const rawGrace = values.get("--grace-days");
    if (rawGrace !== undefined) {
        graceDays = Number(rawGrace);
        if (!/^\d+$/.test(rawGrace) || graceDays > 120) {
            throw new UsageError(
                `--grace-days must be a whole number of days from 0 to 120 (a grace period lasts 120 days), e.g. --grace-days ${DEFAULT_GRACE_WARNING_DAYS} (got '${rawGrace}')`,
            );
        }
    }

    const output = values.get("--output");
    if (flags.size > 1) {
        throw new UsageError(
            output !== undefined
                ? "--output takes one report, but --json and --markdown are both given: keep one (--report-dir <dir> writes both)"
                : "--json and --markdown both write to standard output: keep one, or write both with --report-dir <dir>",
        );
    }
    if (output !== undefined && flags.size === 0) throw new UsageError(`--output ${output} needs the report's format: add --json or --markdown`);
    const outputs: ReportOutput[] = [];
    for (const format of flags) outputs.push({ format, to: resolve(output ?? "-"), option: output !== undefined ? "--output" : `--${format}` });
    for (const [format, to] of legacy) outputs.push({ format, to: resolve(to), option: `--${format}` });
    if (outputs.filter((o) => o.to === "-").length > 1) {
        throw new UsageError("--json and --markdown both write to standard output: keep one there, and write the other with --output <file> or --report-dir <dir>");
    }
    return {
        help: false,
        stack,
        cwd: values.has("--cwd") ? resolve(values.get("--cwd")!) : base,
        outputs,
        ...(values.has("--report-dir") ? { reportDir: resolve(values.get("--report-dir")!) } : {}),
        ...(warnAt !== undefined ? { warnAt } : {}),
        ...(graceDays !== undefined ? { graceDays } : {}),
        deprecations,
    };
}
