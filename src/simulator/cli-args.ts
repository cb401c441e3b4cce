/**
 * Argument parsing of the rdls-sim CLI. Everything is checked before the store is opened, so a
 * usage error (exit 2) can never change the store.
 */
import { parseArgs } from "node:util";
import { isValidLicenseCount, MAX_LICENSE_COUNT } from "../licensing/numbers";

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
    "first-name": { type: "string" },
    "last-name": { type: "string" },
    company: { type: "string" },
    country: { type: "string" },
    email: { type: "string" },
    help: { type: "boolean", short: "h" },
} as const;
export type OptionName = keyof typeof OPTIONS;
export type Values = { [K in OptionName]?: (typeof OPTIONS)[K]["type"] extends "boolean" ? boolean : string };

export interface Parsed {
    command: string | undefined;
    args: string[];
    values: Values;
}

export function parse(argv: readonly string[]): Parsed {
    let parsed;
    try {
        parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
    } catch (err) {
        throw new UsageError((err as Error).message.replace(/\. To specify a positional argument.*$/s, ""));
    }
    const [command, ...args] = parsed.positionals;
    return { command, args, values: parsed.values as Values };
}

/** Refuse options the command does not take, and a wrong number of positional arguments. */
export function expect(p: Parsed, allowed: readonly OptionName[], minArgs: number, maxArgs = minArgs): void {
    const permitted = new Set<string>([...allowed, "home", "help"]);
    for (const name of Object.keys(p.values)) {
        if (!permitted.has(name)) throw new UsageError(`${p.command} does not take --${name}`, p.command);
    }
    if (p.args.length < minArgs) throw new UsageError(`${p.command} needs ${minArgs} argument(s), got ${p.args.length}`, p.command);
    if (p.args.length > maxArgs) throw new UsageError(`${p.command} takes at most ${maxArgs} argument(s), got ${p.args.length}`, p.command);
}

/** A whole number >= 0 written in digits only. */
export function wholeNumber(raw: string | undefined, what: string, command?: string): number {
    if (raw === undefined || !/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
        throw new UsageError(`${what} must be a whole number >= 0`, command);
    }
    return Number(raw);
}

export function keyPackIdArg(raw: string | undefined, command: string): number {
    const id = wholeNumber(raw, "keyPackId", command);
    if (id > 0xffffffff) throw new UsageError("keyPackId must fit in 32 bits", command);
    return id;
}

export function countArg(raw: string | undefined, command: string): number {
    const count = wholeNumber(raw, "count", command);
    if (!isValidLicenseCount(count)) throw new UsageError(`count must be from 1 to ${MAX_LICENSE_COUNT}`, command);
    return count;
}
