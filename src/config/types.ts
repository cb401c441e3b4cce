/**
 * Wrong-typed and missing config values, told so that the suggested command fixes them.
 *
 * What `pulumi config set` stores (CLI 3.274, `pulumi config set --help`): with `--path`, a value
 * `true`/`false` becomes a boolean and an integer becomes a number (except one with a leading zero);
 * anything else is a string. `--type string|int|bool|float` stores the given type instead, with or
 * without `--path`; it cannot be combined with `--secret` or `--plaintext`, and a secret is always a
 * string. So a company named `1234` needs `--type string` (without it, the same command stores a
 * number again). And setting a key that holds a string keeps it a string whatever `--type` says (the
 * CLI edits the YAML node in place, quotes and all: `count: '10'` stays `'10'`), so a count typed
 * `"10"` needs `pulumi config rm` first, then `--type int`. Both verified on the 3.274.1 CLI
 * (test/integration/config-corpus.test.ts runs every such fix).
 */

/** The kinds zod reports as `expected` in an `invalid_type` issue, as the problem names them. */
const EXPECTED: Record<string, { noun: string; cliType?: "string" | "int" | "bool"; placeholder: string }> = {
    string: { noun: "a string", cliType: "string", placeholder: "<value>" },
    number: { noun: "a number", cliType: "int", placeholder: "<number>" },
    int: { noun: "a whole number", cliType: "int", placeholder: "<number>" },
    boolean: { noun: "a boolean (true or false)", cliType: "bool", placeholder: "<true-or-false>" },
    array: { noun: "a list", placeholder: "<value>" },
    object: { noun: "a map of settings", placeholder: "<value>" },
    record: { noun: "a map", placeholder: "<value>" },
};

/** What a value is, in the words of a config file. */
export function typeName(value: unknown): string {
    if (value === null) return "an empty value";
    if (Array.isArray(value)) return "a list";
    switch (typeof value) {
        case "string":
            return "a string";
        case "number":
            return "a number";
        case "boolean":
            return "a boolean";
        case "object":
            return "a map";
        default:
            return `a ${typeof value}`;
    }
}

/** A value as the user wrote it (strings quoted, so `"10"` and `10` differ), cut when long. */
export function shown(value: unknown): string {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 48 ? `${text.slice(0, 45)}...` : text;
}

/** A command-line word: bare when safe, else single-quoted. */
export function shellWord(text: string): string {
    return /^[A-Za-z0-9_.,:@%+=/-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The value of `found` in the expected type, when it converts without guessing. */
export function converted(expected: string, found: unknown): { ok: true; value: string | number | boolean } | { ok: false } {
    if (expected === "string" && (typeof found === "number" || typeof found === "boolean")) return { ok: true, value: String(found) };
    if ((expected === "number" || expected === "int") && typeof found === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(found)) {
        return { ok: true, value: Number(found) };
    }
    if (expected === "boolean" && typeof found === "string" && /^\s*(true|false)\s*$/i.test(found)) {
        return { ok: true, value: found.trim().toLowerCase() === "true" };
    }
    return { ok: false };
}

export interface SettingFacts {
    /** `calPacks[0].count`, the form `--path` takes. */
    path: string;
    /** What zod expected (`string`, `number`, `boolean`, `array`, `object`, ...). */
    expected: string;
    /** A setting that must be a stack secret (CAL numbers, passwords): set with `--secret`. */
    secretSetting: boolean;
    /** Whether the value is set as a secret now: it is never shown then. */
    secretNow: boolean;
    /** A value is there now (of the wrong type). */
    present?: boolean;
    /** A string is there now: setting over it keeps a string, so the fix removes it first. */
    stringThere?: boolean;
}

/** `pulumi config set ...` storing the right type at `path`, with `value` or a placeholder. */
export function typedSetCommand(facts: SettingFacts, value?: string | number | boolean): string {
    const kind = EXPECTED[facts.expected] ?? { noun: `a ${facts.expected}`, placeholder: "<value>" };
    const path = `'${facts.path}'`;
    if (facts.secretSetting) {
        // Secrets are always strings: --secret stores the right type.
        return `pulumi config set --secret --path ${path} ${kind.placeholder}`;
    }
    if (!kind.cliType) {
        const sub = facts.expected === "array" ? `${facts.path}[0]` : `${facts.path}.<setting>`;
        const set = `set its entries one by one: pulumi config set --path '${sub}' <value>`;
        return facts.present ? `${set} (remove the wrong value first: pulumi config rm --path ${path})` : set;
    }
    const cliType = kind.cliType === "int" && typeof value === "number" && !Number.isInteger(value) ? "float" : kind.cliType;
    const word = value === undefined || facts.secretNow ? kind.placeholder : shellWord(String(value));
    const set = `pulumi config set --type ${cliType} --path ${path} ${word}`;
    // Removing a list item would shift the ones after it: only a map entry is removed first.
    const removeFirst = facts.stringThere && cliType !== "string" && !facts.path.endsWith("]");
    return removeFirst ? `pulumi config rm --path ${path} && ${set}` : set;
}

/** "must be a number, found a string ("10")"; the value only when it is not (and need not be) a secret. */
export function wrongTypeProblem(facts: SettingFacts, found: unknown): string {
    const kind = EXPECTED[facts.expected]?.noun ?? `a ${facts.expected}`;
    const value = facts.secretSetting || facts.secretNow ? "" : ` (${shown(found)})`;
    return `must be ${kind}, found ${typeName(found)}${value}`;
}
