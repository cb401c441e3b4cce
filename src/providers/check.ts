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
 * The diff of inputs that are not all known yet: the engine asks it when it plans around a resource
 * being replaced (do its dependents have to be replaced too?). Only known properties can be compared;
 * the others count as changed in place, and the engine diffs again once they are known.
 */
export function diffWithUnknowns(olds: Record<string, unknown>, news: Record<string, unknown>, replaceOnChange: readonly string[]): { changes: true; replaces: string[] } {
    const replaces = replaceOnChange.filter((k) => !containsUnknown(news[k]) && JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
    return { changes: true, replaces };
}
