/**
 * The simulator's admin CLI: `rds-licensing sim <command>` (and, for this release, its old name
 * `rdls-sim <command>`). Exit codes: 0 done, 1 refused by the simulator (message on stderr), 2 usage
 * error (nothing changed). The command list and each command's `--help` come from COMMANDS.
 */
import { LicensingError } from "../licensing/errors";
import { Simulator } from "./admin";
import { parse, refuseOptions, UsageError, type OptionName } from "./cli-args";
import { COMMANDS, type CommandSpec, type Group } from "./cli-commands";
import { resolveHome } from "./paths";
import { readProcessStdin } from "./stdin";

/** The name the commands are documented under. */
export const PROG = "rds-licensing sim";

/** What the `rdls-sim` alias prints on stderr before it runs (one line; never on stdout). */
export const ALIAS_NOTICE = "rdls-sim: `rdls-sim` is now `rds-licensing sim` (same commands and options); this alias goes away in the next release\n";

export const EXIT_CODES = "Exit codes: 0 ok, 1 refused (message on stderr), 2 usage error (nothing changed).";

const GROUP_TITLES: Record<Group, string> = {
    Servers: "Servers",
    "Key packs": "Key packs (a human on the server: not counted as remote executions)",
    Farm: "The farm (session hosts, deployments, connections, the simulated clock)",
    Rehearsal: "Rehearsal",
};

/** What each option is, for the commands' help. */
const OPTION_HELP: Record<OptionName, [string, string]> = {
    home: ["--home <dir>", "the store folder (default: $RDLS_SIM_HOME, else ./.rdls-sim)"],
    server: ["--server <name>", "the license server (default: the store's only server)"],
    version: ["--version <v>", "its Windows Server version: 2016, 2019, 2022 or 2025"],
    program: ["--program <p>", "the licensing program, e.g. enterprise-agreement (numbers: env or stdin)"],
    type: ["--type <t>", "the CALs' license type: per-user or per-device"],
    language: ["--language <tag>", "its display language, e.g. fr-FR (default en-US): activation takes\ncountry names in it, the simulator resolves --country codes to them"],
    json: ["--json", "JSON on standard output instead of the human text"],
    all: ["--all", "add the built-in pack"],
    "latency-ms": ["--latency-ms <N>", "per-execution latency, 0 to 600000 ms ($RDLS_SIM_LATENCY_MS wins)"],
    clearinghouse: ["--clearinghouse up|down", "the Clearinghouse reachable or not (faults set)"],
    transient: ["--transient <N>", "the next N executions fail as transport errors (faults set)"],
    "slow-ms": ["--slow-ms <MS>", "+MS per execution, at most 600000; 0 turns it off (faults set)"],
    "slow-count": ["--slow-count <N>", "... for the next N executions only; needs --slow-ms (faults set)"],
    "install-version": ["--install-version <v>|off", "agreement and open installs make packs of this CAL version (2016-2025),\nwhatever was asked: a wrong ProductVersion code (faults set)"],
    "first-name": ["--first-name <F>", "contact: first name"],
    "last-name": ["--last-name <L>", "contact: last name"],
    company: ["--company <C>", "contact: company"],
    country: ["--country <CC>", "contact: ISO 3166 alpha-2 country code in capitals, e.g. NL"],
    email: ["--email <E>", "contact: e-mail address (optional)"],
    host: ["--host <name>", "the session host"],
    user: ["--user <name>", "the user who connects"],
    device: ["--device <name>", "the client device (needed in per-device mode)"],
    deployment: ["--deployment <broker>", "the deployment (its Connection Broker) the host joins"],
    hosts: ["--hosts <h1,h2>", "existing standalone session hosts, comma-separated"],
    mode: ["--mode", "the licensing mode (PolicySourceLicensingType)"],
    "license-servers": ["--license-servers", "the license server list (PolicySourceConfiguredLicenseServers)"],
    unlock: ["--unlock", "no longer set by Group Policy"],
    help: ["-h, --help", "show this help"],
};

const COLUMN = 48;
const WIDTH = 100;

/** Words wrapped at WIDTH, every line after `indent` spaces. */
export function wrap(text: string, indent = 0): string[] {
    const lines: string[] = [];
    let line = "";
    for (const word of text.split(/\s+/).filter(Boolean)) {
        if (line && indent + line.length + 1 + word.length > WIDTH) {
            lines.push(" ".repeat(indent) + line);
            line = word;
        } else line = line ? `${line} ${word}` : word;
    }
    if (line) lines.push(" ".repeat(indent) + line);
    return lines;
}

/** A command's lines in the command list: each form, its summary at COLUMN. */
function listing(name: string, spec: CommandSpec): string[] {
    const lines: string[] = [];
    for (const form of spec.forms) {
        const [first = "", ...more] = form.args.split("\n");
        const left = [`  ${name} ${first}`.trimEnd(), ...more.map((s) => `${" ".repeat(name.length + 3)}${s}`)];
        const [summary = "", ...summaryMore] = form.summary.split("\n");
        if (left[0]!.length < COLUMN - 1) lines.push(left.shift()!.padEnd(COLUMN) + summary);
        else lines.push(left.shift()!, ...left.splice(0), " ".repeat(COLUMN) + summary);
        lines.push(...left, ...summaryMore.map((s) => " ".repeat(COLUMN) + s));
    }
    return lines;
}

/** The whole CLI's help: every command, by group. */
export function usage(prog: string = PROG): string {
    const out = [
        `Usage: ${prog} <command> [arguments] [--home <dir>] [--server <name>]`,
        "",
        "RD License Server + Microsoft Clearinghouse simulator. The store is --home, else $RDLS_SIM_HOME,",
        "else ./.rdls-sim. --server defaults to the only server of the store.",
    ];
    for (const group of Object.keys(GROUP_TITLES) as Group[]) {
        out.push("", GROUP_TITLES[group]);
        for (const [name, spec] of Object.entries(COMMANDS)) if (spec.group === group) out.push(...listing(name, spec));
    }
    out.push("", `\`${prog} <command> --help\` shows a command's options (also \`${prog} help <command>\`).`, EXIT_CODES, "");
    return out.join("\n");
}

/** One command's help: its usage, what it does, its options, the exit codes. */
export function commandUsage(name: string, prog: string = PROG): string {
    const spec = COMMANDS[name];
    if (!spec) throw new Error(`no command ${name}`);
    const extra = [spec.options.includes("server") ? "[--server <name>]" : "", "[--home <dir>]"].filter(Boolean).join(" ");
    const out: string[] = [];
    spec.forms.forEach((form, i) => {
        const head = i === 0 ? "Usage: " : "       ";
        const lines = form.args.split("\n");
        lines.forEach((line, j) => {
            const text = j === 0 ? `${head}${`${prog} ${name} ${line}`.trimEnd()}` : `${" ".repeat(head.length + prog.length + name.length + 2)}${line}`;
            out.push(j === lines.length - 1 ? `${text} ${extra}` : text);
        });
    });
    out.push("", ...wrap(spec.help));
    const options = [...spec.options, "home", "help"] as OptionName[];
    const width = Math.max(...options.map((o) => OPTION_HELP[o][0].length)) + 2;
    out.push("", "Options", ...options.map((o) => `  ${OPTION_HELP[o][0].padEnd(width)}${OPTION_HELP[o][1]}`));
    out.push("", EXIT_CODES, "");
    return out.join("\n");
}

/** What the simulator's commands read and write (src/cli/io.ts's CliIo fits it: they run under `rds-licensing sim`). */
export interface CliIO {
    stdout(text: string): void;
    stderr(text: string): void;
    /** Standard input, read whole (numbers for `install`); undefined for a terminal or when there is none. */
    stdin?(): Promise<string | undefined>;
    env: NodeJS.ProcessEnv;
    cwd: string;
}

/** The process's own streams: the `rdls-sim` alias, which calls main() without them. */
const processIO = (): CliIO => ({
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    stdin: readProcessStdin,
    env: process.env,
    cwd: process.cwd(),
});

export interface CliOptions {
    /** How the user called the CLI: messages and help use it. Default `rds-licensing sim`. */
    prog?: string;
}


/** Run the CLI; resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIO = processIO(), options: CliOptions = {}): Promise<number> {
    const prog = options.prog ?? PROG;
    try {
        const p = parse(argv);
        if (p.command === "help") {
            const [topic, ...rest] = p.args;
            if (rest.length > 0) throw new UsageError(`help takes at most one command, got ${p.args.length}`);
            if (topic === undefined) io.stdout(usage(prog));
            else if (COMMANDS[topic]) io.stdout(commandUsage(topic, prog));
            else throw new UsageError(`unknown command "${topic}"`);
            return 0;
        }
        if (p.command === undefined) {
            (p.values.help ? io.stdout : io.stderr)(usage(prog));
            return p.values.help ? 0 : 2;
        }
        const command = COMMANDS[p.command];
        if (!command) throw new UsageError(`unknown command "${p.command}"`);
        if (p.values.help) {
            io.stdout(commandUsage(p.command, prog));
            return 0;
        }
        // Every option is checked against the command before the store is opened.
        refuseOptions(p, command.options);
        const sim = new Simulator({ home: resolveHome(p.values.home, io.env, io.cwd) });
        const stdin = io.stdin;
        await command.run({ p, sim, out: io.stdout, env: io.env, prog, ...(stdin ? { stdin: () => stdin.call(io) } : {}) });
        return 0;
    } catch (err) {
        if (err instanceof UsageError) {
            const known = err.command !== undefined && COMMANDS[err.command] !== undefined;
            io.stderr(`${prog}: ${err.message}\n\n${known ? commandUsage(err.command!, prog) : usage(prog)}`);
            return 2;
        }
        if (err instanceof LicensingError) {
            io.stderr(`${prog}: ${err.message}\n`);
            return 1;
        }
        io.stderr(`${prog}: unexpected error: ${(err as Error)?.message ?? String(err)}\n`);
        return 1;
    }
}
