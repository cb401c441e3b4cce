/**
 * Argument parsing of the simulator's admin CLI (`rds-licensing sim`). Everything is checked before
 * the store is opened, so a usage error (exit 2) can never change the store.
 */
import { parseArgs } from "node:util";
import { isValidLicenseCount, MAX_LICENSE_COUNT } from "../licensing/numbers";
import type { ContactInfo } from "../licensing/operations";
import { HOME_ENV } from "./paths";

export class UsageError extends Error {
    constructor(message: string, readonly command?: string) {
        super(message);
        this.name = "UsageError";
    }
}

export const OPTIONS = {
    home: { type: "string" },
    server: { type: "string" },
    version: { type: "string" },
    json: { type: "boolean" },
    all: { type: "boolean" },
    "latency-ms": { type: "string" },
    clearinghouse: { type: "string" },
    transient: { type: "string" },
    "slow-ms": { type: "string" },
    "slow-count": { type: "string" },
    "install-version": { type: "string" },
    program: { type: "string" },
    type: { type: "string" },
    language: { type: "string" },
    "first-name": { type: "string" },
    "last-name": { type: "string" },
    company: { type: "string" },
    country: { type: "string" },
    email: { type: "string" },
    host: { type: "string" },
    user: { type: "string" },
    device: { type: "string" },
    deployment: { type: "string" },
    hosts: { type: "string" },
    mode: { type: "boolean" },
    "license-servers": { type: "boolean" },
    unlock: { type: "boolean" },
    help: { type: "boolean", short: "h" },
} as const;
export type OptionName = keyof typeof OPTIONS;
export type Values = { [K in OptionName]?: (typeof OPTIONS)[K]["type"] extends "boolean" ? boolean : string };

export interface Parsed {
    command: string | undefined;
    args: string[];
    values: Values;
}

/** node's parseArgs messages, in this CLI's words: the flag, what was found, the fix. */
function explainParseError(message: string): string {
    const unknown = /Unknown option '([^']+)'/.exec(message);
    if (unknown) return `unknown option ${unknown[1]}`;
    const missing = /Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(message);
    if (missing) return `${missing[1]} needs a value (got nothing)`;
    const ambiguous = /Option '(?:-\w, )?(--[\w-]+)' argument is ambiguous/.exec(message);
    if (ambiguous) return `${ambiguous[1]} needs a value (got the next option instead); to give a value that starts with "-", write ${ambiguous[1]}=<value>`;
    const flag = /Option '(?:-\w, )?(--[\w-]+)' does not take an argument/.exec(message);
    if (flag) return `${flag[1]} takes no value (got ${flag[1]}=...): write ${flag[1]} alone`;
    return message.replace(/\. To specify a positional argument.*$/s, "");
}

export function parse(argv: readonly string[]): Parsed {
    let parsed;
    try {
        parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
    } catch (err) {
        // The command, when one can be made out, so that the message can say what it takes.
        const loose = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: false });
        throw new UsageError(explainParseError((err as Error).message), loose.positionals[0]);
    }
    const [command, ...args] = parsed.positionals;
    const values = parsed.values as Values;
    if (values.home !== undefined && values.home.trim() === "") {
        // path.resolve("") is the current folder: the store's files would land among the user's.
        throw new UsageError(`--home is empty (got ${JSON.stringify(values.home)}): give the store folder, e.g. --home .rdls-sim, or leave --home out for $${HOME_ENV}, else ./.rdls-sim`, command);
    }
    return { command, args, values };
}

/** The contact options, each checked as the stack config checks its contact (src/config/schema.ts). */
const CONTACT_FLAGS = {
    "first-name": "firstName",
    "last-name": "lastName",
    company: "company",
    country: "countryRegion",
    email: "email",
} as const satisfies Partial<Record<OptionName, keyof ContactInfo>>;

export async function contactArgs(p: Parsed): Promise<Partial<ContactInfo>> {
    const contact: Partial<ContactInfo> = {};
    if (!Object.keys(CONTACT_FLAGS).some((flag) => p.values[flag as OptionName] !== undefined)) return contact;
    // Loaded only when needed: zod and the config schema would slow every other command's start.
    const { contactSchema } = await import("../config/schema.js");
    for (const [flag, field] of Object.entries(CONTACT_FLAGS) as [keyof typeof CONTACT_FLAGS, keyof ContactInfo][]) {
        const raw = p.values[flag];
        if (raw === undefined) continue;
        const checked = contactSchema.shape[field].safeParse(raw);
        if (!checked.success) {
            const upper = raw.trim().toUpperCase();
            const hint = field === "countryRegion" && contactSchema.shape.countryRegion.safeParse(upper).success ? `: use ${upper}` : "";
            // The schema's messages end with what the field is, e.g. "(first name)": the flag says it here.
            const problem = (checked.error.issues[0]?.message ?? "is invalid").replace(/ \([^)]*\)$/, "");
            throw new UsageError(`--${flag} ${problem} (got ${JSON.stringify(raw)}${hint})`, p.command);
        }
        if (checked.data !== undefined) contact[field] = checked.data;
    }
    return contact;
}

/** Options every command takes. */
export const GLOBAL_OPTIONS = ["home", "help"] as const satisfies readonly OptionName[];

/** Refuse options the command (or its action, e.g. "faults show") does not take, naming the ones it does. */
export function refuseOptions(p: Parsed, allowed: readonly OptionName[], what: string = p.command ?? ""): void {
    const permitted = new Set<string>([...allowed, ...GLOBAL_OPTIONS]);
    for (const name of Object.keys(p.values)) {
        if (!permitted.has(name)) {
            const takes = [...allowed, "home"].map((o) => `--${o}`).join(", ");
            throw new UsageError(`${what} does not take --${name} (it takes ${takes})`, p.command);
        }
    }
}

/** Refuse a wrong number of positional arguments. */
export function positionals(p: Parsed, minArgs: number, maxArgs = minArgs): void {
    if (p.args.length < minArgs) throw new UsageError(`${p.command} needs ${minArgs} argument(s), got ${p.args.length}`, p.command);
    if (p.args.length > maxArgs) throw new UsageError(`${p.command} takes at most ${maxArgs} argument(s), got ${p.args.length}`, p.command);
}

const got = (raw: string | undefined) => (raw === undefined ? "nothing" : JSON.stringify(raw));

/** A whole number >= 0 written in digits only, at most `max` when given. */
export function wholeNumber(raw: string | undefined, what: string, command?: string, max?: { value: number; meaning?: string }): number {
    if (raw === undefined || !/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
        const range = max ? `from 0 to ${max.value}` : ">= 0";
        throw new UsageError(`${what} must be a whole number ${range}, written in digits (got ${got(raw)})`, command);
    }
    const value = Number(raw);
    if (max && value > max.value) {
        throw new UsageError(`${what} must be at most ${max.value}${max.meaning ? ` (${max.meaning})` : ""} (got ${raw})`, command);
    }
    return value;
}

export function keyPackIdArg(raw: string | undefined, command: string): number {
    return wholeNumber(raw, "keyPackId", command, { value: 0xffffffff, meaning: "a 32-bit key pack id" });
}

export function countArg(raw: string | undefined, command: string): number {
    const count = wholeNumber(raw, "count", command);
    if (!isValidLicenseCount(count)) throw new UsageError(`count must be from 1 to ${MAX_LICENSE_COUNT} (got ${raw})`, command);
    return count;
}
