/**
 * `rds-licensing sim install`: a key pack installed by hand, as an admin does with RD Licensing
 * Manager's Install Licenses wizard (drift: a pack no stack declared; the starting point of
 * `pulumi import`). The numbers are secrets: each is read from its environment variable, else from
 * standard input (one line each, in the catalog's order), never from an argument, so that it is in no
 * process listing or shell history; no message echoes one.
 */
import { LICENSE_TYPES, PRODUCT_VERSIONS, type LicenseType, type ProductVersion } from "../licensing/codes";
import { checkNumber } from "../licensing/numbers";
import type { InstallSpec } from "../licensing/operations";
import { LICENSE_PROGRAMS, numberFieldsOf, type LicenseProgram } from "../licensing/programs";
import type { NumberField } from "../licensing/catalog";
import { countArg, positionals, UsageError } from "./cli-args";
import type { CliContext, CommandSpec } from "./cli-commands";

/** `agreementNumber` → `RDLS_SIM_AGREEMENT_NUMBER`: the variable a number is read from. */
export const numberEnvVar = (field: Pick<NumberField, "name">) => `RDLS_SIM_${field.name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

function choice<T extends string>(ctx: CliContext, flag: "program" | "version" | "type", allowed: readonly T[]): T {
    const raw = ctx.p.values[flag];
    if (typeof raw === "string" && (allowed as readonly string[]).includes(raw)) return raw as T;
    throw new UsageError(`--${flag} must be one of ${allowed.join(", ")} (got ${raw === undefined ? "nothing" : JSON.stringify(raw)})`, "install");
}

/**
 * The program's numbers: the environment first, then standard input for the ones it lacks. Checked
 * with the catalog's formats; a problem names the variable (or the line) and never the value.
 */
async function numbersOf(ctx: CliContext, program: LicenseProgram): Promise<Record<string, string>> {
    const fields = numberFieldsOf(program);
    const missing = fields.filter((f) => !ctx.env[numberEnvVar(f)]);
    let lines: string[] = [];
    if (missing.length > 0) {
        const names = missing.map(numberEnvVar).join(", ");
        const text = ctx.stdin ? await ctx.stdin() : undefined;
        lines = (text ?? "").split(/\r?\n/).filter((l) => l.trim() !== "");
        if (lines.length === 0) {
            throw new UsageError(`install ${program} needs ${names}: set ${missing.length > 1 ? "them" : "it"} in the environment, or pipe ${missing.length > 1 ? "them, one a line," : "it"} on standard input (never as an argument)`, "install");
        }
        if (lines.length < missing.length) {
            throw new UsageError(`install ${program} needs ${names}: standard input has ${lines.length} line(s) of ${missing.length}, one number a line in that order`, "install");
        }
    }
    const numbers: Record<string, string> = {};
    for (const field of fields) {
        const fromEnv = ctx.env[numberEnvVar(field)];
        const where = fromEnv ? numberEnvVar(field) : `standard input, line ${missing.indexOf(field) + 1} (${numberEnvVar(field)} unset)`;
        const checked = checkNumber(field.format, fromEnv ?? lines[missing.indexOf(field)]!);
        if (!checked.ok) throw new UsageError(`${where} ${checked.problem}; e.g. ${field.format.example}`, "install");
        numbers[field.name] = checked.value;
    }
    return numbers;
}

/** Each variable once, with the programs that read it: `RDLS_SIM_AGREEMENT_NUMBER (select, enterprise-agreement, ...)`. */
const variables = () => {
    const programsOf = new Map<string, string[]>();
    for (const p of LICENSE_PROGRAMS) for (const f of numberFieldsOf(p)) programsOf.set(numberEnvVar(f), [...(programsOf.get(numberEnvVar(f)) ?? []), p]);
    return [...programsOf].map(([variable, programs]) => `${variable} (${programs.join(", ")})`).join(", ");
};

export const INSTALL_COMMAND: CommandSpec = {
    group: "Key packs",
    forms: [{ args: "<count> --program <p> --version <v> --type per-user|per-device", summary: "install a pack by hand (numbers: env or stdin)" }],
    help:
        `Installs a key pack as an admin does with the Install Licenses wizard: <count> CALs of program <p> (${LICENSE_PROGRAMS.join(", ")}), ` +
        `CAL version <v> (${PRODUCT_VERSIONS.join(", ")}), license type per-user or per-device, on an activated server. ` +
        `Drift as it happens: a pack no stack declared; adopt it with \`pulumi import rds-licensing:index:CalKeyPack <name> <keyPackId>\`. ` +
        `The program's numbers are secrets and are never arguments (a process listing or the shell history would show them): each is read from its environment variable, ` +
        `${variables()}, else from standard input, one a line in that order. They are never printed. Not counted as a remote execution.`,
    options: ["server", "program", "version", "type", "json"],
    run: async (ctx) => {
        positionals(ctx.p, 1);
        const count = countArg(ctx.p.args[0], "install");
        const program = choice<LicenseProgram>(ctx, "program", LICENSE_PROGRAMS);
        const productVersion = choice<ProductVersion>(ctx, "version", PRODUCT_VERSIONS);
        const licenseType = choice<LicenseType>(ctx, "type", LICENSE_TYPES);
        const numbers = await numbersOf(ctx, program);
        const spec = { program, ...numbers, productVersion, licenseType, count } as InstallSpec;
        const target = ctx.p.values.server === undefined ? {} : { server: ctx.p.values.server };
        const pack = await ctx.sim.install(spec, target);
        ctx.out(
            ctx.p.values.json
                ? `${JSON.stringify(pack, null, 2)}\n`
                : `Installed key pack ${pack.keyPackId}: ${pack.totalLicenses} ${pack.licenseType} CAL(s), ${pack.programName}, Windows Server ${pack.productVersion}\n`,
        );
    },
};
