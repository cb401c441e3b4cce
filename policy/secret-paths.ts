/**
 * Which resource properties are secrets. @pulumi/policy 1.21 hands validation policies fully
 * unwrapped values, so a policy cannot tell a secret from plain text. The engine does send that
 * information (secret values arrive wrapped in Pulumi's secret signature); this module keeps it: it
 * wraps the framework's `deserializeProperties` so each deserialized property bag carries, under a
 * hidden symbol, the paths of the values that arrived as secrets. Values themselves are untouched.
 *
 * The wrapper relies on one internal of @pulumi/policy (the `deserialize` module's export, looked up
 * at each call by its server), which is why the version is pinned; `installSecretTracking()` fails
 * loudly if that internal ever moves, instead of letting the policy pass silently.
 */

/** Pulumi's wire signature of a secret value: `{ [SIG_KEY]: SECRET_SIG, value }`. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

const SECRET_PATHS = Symbol.for("rds-licensing.policy.secretPaths");
const INSTALLED = Symbol.for("rds-licensing.policy.secretTracking");

/** Paths (`a`, `a.b`, `a[0]`) of the secret values in a raw, wire-format property bag. */
export function secretPathsOf(raw: unknown, prefix = ""): string[] {
    if (Array.isArray(raw)) return raw.flatMap((v, i) => secretPathsOf(v, `${prefix}[${i}]`));
    if (raw === null || typeof raw !== "object") return [];
    const record = raw as Record<string, unknown>;
    if (record[SIG_KEY] === SECRET_SIG) return [prefix];
    return Object.entries(record).flatMap(([k, v]) => secretPathsOf(v, prefix ? `${prefix}.${k}` : k));
}

/** Attach the secret paths to a property bag (hidden: not enumerable, not serialized). */
export function markSecretPaths<T extends object>(props: T, paths: readonly string[]): T {
    Object.defineProperty(props, SECRET_PATHS, { value: Object.freeze([...paths]), enumerable: false, writable: false, configurable: false });
    return props;
}

/** The secret paths of a property bag, or `undefined` when nobody recorded them. */
export function secretPaths(props: object): ReadonlySet<string> | undefined {
    const paths = (props as Record<symbol, unknown>)[SECRET_PATHS];
    return Array.isArray(paths) ? new Set(paths as string[]) : undefined;
}

interface DeserializeModule {
    deserializeProperties(struct: { toJavaScript(): unknown }, proxySecrets: boolean): object;
    [INSTALLED]?: boolean;
}

/** Make every property bag the framework deserializes carry its secret paths. Idempotent. */
export function installSecretTracking(): void {
    const mod = require("@pulumi/policy/deserialize") as DeserializeModule;
    if (mod[INSTALLED]) return;
    const original = mod.deserializeProperties;
    if (typeof original !== "function") {
        throw new Error("rds-licensing policy pack: @pulumi/policy changed its internals (deserializeProperties); pin @pulumi/policy 1.21.0");
    }
    mod.deserializeProperties = (struct, proxySecrets) => markSecretPaths(original(struct, proxySecrets), secretPathsOf(struct.toJavaScript()));
    mod[INSTALLED] = true;
}
