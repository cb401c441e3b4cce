import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";

/** zod issues as Pulumi check failures (property + reason); reasons never echo a value. */
export function checkFailures(error: z.ZodError): pulumi.dynamic.CheckFailure[] {
    return error.issues.map((issue) => ({
        property: issue.path.map(String).join(".") || "(inputs)",
        reason: issue.message,
    }));
}

/** The engine's placeholder for a value not known yet (in a preview, or from a resource being replaced). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Whether `value` is, or holds, a value the engine does not know yet. */
export function containsUnknown(value: unknown): boolean {
    if (value === UNKNOWN) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (value && typeof value === "object") return Object.values(value).some(containsUnknown);
    return false;
}

/**
 * `news` with every property that is not known yet taken from `olds`. The engine diffs inputs that
 * are not all known when it plans around a resource being replaced (do its dependents have to be
 * replaced too?): the known properties are compared as usual, an unknown one counts as unchanged
 * there, and the diff reports a change (the engine diffs again once the values are known).
 */
export function knownOrOld(olds: Record<string, unknown>, news: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(news).map(([k, v]) => [k, containsUnknown(v) ? olds[k] : v]));
}

/** Diff with what is known of `news`: the same answer, and `changes` whenever something is unknown. */
export function diffKnown<D extends { changes?: boolean }>(olds: Record<string, unknown>, news: Record<string, unknown>, diff: (news: Record<string, unknown>) => D): D {
    if (!containsUnknown(news)) return diff(news);
    return { ...diff(knownOrOld(olds, news)), changes: true };
}

/**
 * A provider's `diff`: `compare` sees the inputs parsed from `olds` and from what is known of `news`
 * (see {@link diffKnown}); `news` may also be inputs `read` returned, when refresh diffs them.
 */
export function diffParsed<T, D extends { changes?: boolean }>(
    parse: (raw: Record<string, unknown>) => T,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
    compare: (before: T, after: T) => D,
): D {
    const before = parse(olds);
    return diffKnown(olds, news, (known) => compare(before, parse(known)));
}
