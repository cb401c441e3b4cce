/**
 * Secrets on the provider protocol. The plugin tells the engine it accepts secrets (the SDK's
 * provider server answers `acceptSecrets: true` to Configure), so a secret input arrives as a
 * signature-marked object, `{ [SECRET_SIG]: SECRET_VALUE_SIG, value }`, and an output the plugin
 * returns in that shape is stored as ciphertext. The handlers work on plain values: the dispatch
 * unwraps what it hands them and wraps what they return, so a number is never a plain value in state.
 */
export const SPECIAL_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export type Bag = Record<string, unknown>;

export function isSecret(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Bag)[SPECIAL_SIG_KEY] === SECRET_SIG;
}

export function secret(value: unknown): Bag {
    return isSecret(value) ? (value as Bag) : { [SPECIAL_SIG_KEY]: SECRET_SIG, value };
}

/** `value` without secret markers, however deep. */
export function reveal(value: unknown): unknown {
    if (isSecret(value)) return reveal(value.value);
    if (Array.isArray(value)) return value.map(reveal);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v)]));
    return value;
}

/** Whether `value` is, or holds, a secret. */
function holdsSecret(value: unknown): boolean {
    if (isSecret(value)) return true;
    if (Array.isArray(value)) return value.some(holdsSecret);
    if (value && typeof value === "object") return Object.values(value).some(holdsSecret);
    return false;
}

/** A bag's plain values, and the top-level properties that were (or held) secrets. */
export function unwrapBag(bag: Bag | undefined): { plain: Bag; secrets: Set<string> } {
    const plain: Bag = {};
    const secrets = new Set<string>();
    for (const [k, v] of Object.entries(bag ?? {})) {
        if (holdsSecret(v)) secrets.add(k);
        plain[k] = reveal(v);
    }
    return { plain, secrets };
}

/** `bag` with each of `names` present in it marked secret (a whole property: its parts stay hidden too). */
export function wrapBag(bag: Bag, names: Iterable<string>): Bag {
    const out: Bag = { ...bag };
    for (const name of names) if (out[name] !== undefined) out[name] = secret(reveal(out[name]));
    return out;
}
