/**
 * `rds-licensing`, the one command-line tool: `rds-licensing <command> [arguments]`, with the
 * commands of ./commands.ts. This level only picks the command (and answers --help and --version);
 * each command parses its own arguments and keeps its own exit codes.
 */
import { COMMANDS, type CommandEntry } from "./commands";
import { processIo, type CliIo } from "./io";
import { packageVersion } from "./package";
import { didYouMean } from "./suggest";

export const PROG = "rds-licensing";

/** Exit code of this level's own errors: not 2, which means drift to a pipeline. */
export const USAGE_ERROR = 1;

export function usage(): string {
    const width = Math.max(...COMMANDS.map((c) => c.name.length), "help".length) + 3;
    const row = (name: string, text: string) => `  ${name.padEnd(width)}${text}`;
    return [
        `Usage: ${PROG} <command> [arguments]`,
        "",
        "RDS CAL licensing as code: drift and CAL usage reports of Pulumi stacks that manage RD license",
        "servers and their key packs, and the admin CLI of rdls-sim, the license server simulator.",
        "",
        "Commands",
        ...COMMANDS.map((c) => row(c.name, c.summary)),
        row("help", `\`${PROG} help <command>\` is \`${PROG} <command> --help\``),
        "",
        "Options",
        `  -h, --help      show this help (\`${PROG} <command> --help\` shows a command's)`,
        "  -V, --version   print the version",
        "",
        "Exit codes (each command keeps its own; its --help has the details)",
        ...COMMANDS.map((c) => row(c.name, c.exitCodes)),
        `  ${PROG} itself: 0 for --help and --version, 1 for an unknown command or option (never 2,`,
        "  which means drift to a pipeline)",
        "",
        "Examples",
        `  ${PROG} drift --stack dev`,
        `  ${PROG} drift --stack dev --json | jq .status`,
        `  ${PROG} sim packs --json`,
        "",
        `Aliases for this release: \`rdls-sim <command>\` runs \`${PROG} sim <command>\`, and`,
        `\`npm run drift -- <options>\` runs \`${PROG} drift <options>\`; each says so in one line on stderr.`,
        "",
    ].join("\n");
}

const find = (name: string): CommandEntry | undefined => COMMANDS.find((c) => c.name === name);
const names = () => COMMANDS.map((c) => c.name);

function usageError(io: CliIo, message: string): number {
    io.stderr(`${PROG}: error: ${message}\n\`${PROG} --help\` lists the commands.\n`);
    return USAGE_ERROR;
}

/** Run `rds-licensing` on `argv` (the arguments after the program name); resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
    const [first, ...rest] = argv;
    if (first === undefined) {
        io.stderr(usage());
        return USAGE_ERROR;
    }
    if (first === "-V" || first === "--version") {
        io.stdout(`${packageVersion()}\n`);
        return 0;
    }
    const helpFor = first === "help" || first === "-h" || first === "--help";
    if (helpFor && rest.length === 0) {
        io.stdout(usage());
        return 0;
    }
    // `help <command> [...]` and `--help <command> [...]`: the command's own help.
    const name = helpFor ? rest[0]! : first;
    const args = helpFor ? [...rest.slice(1), "--help"] : rest;
    if (name.startsWith("-")) {
        return usageError(io, `unknown option ${name}: options go after the command, e.g. \`${PROG} drift --stack dev\``);
    }
    const command = find(name);
    if (!command) return usageError(io, `unknown command '${name}'${didYouMean(name, names())}; the commands are ${names().join(", ")}`);
    try {
        return await (await command.load()).run(args, io);
    } catch (err) {
        io.stderr(`${PROG} ${name}: unexpected error: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}\n`);
        if (io.env.RDS_LICENSING_DEBUG && err instanceof Error && err.stack) io.stderr(`${err.stack}\n`);
        return 1;
    }
}
