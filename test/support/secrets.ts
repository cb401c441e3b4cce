import { expect } from "vitest";
import { SECRETS } from "./config-fixtures";

/**
 * Every spelling a secret could leak in: as typed, trimmed, without separators (hyphens, spaces:
 * what the provider normalizes to), each of those in upper and lower case.
 */
export function secretForms(values: readonly string[] = Object.values(SECRETS)): string[] {
    const spellings = (v: string) => [v, v.trim(), v.replace(/[\s-]/g, ""), v.replace(/-/g, "")];
    return [...new Set(values.flatMap((v) => spellings(v).flatMap((s) => [s, s.toUpperCase(), s.toLowerCase()])))].filter((s) => s.length >= 6);
}

/** Fail naming where a secret appeared (without printing the surrounding text). */
export function expectNoSecrets(text: string, where: string, extra: readonly string[] = []): void {
    for (const secret of secretForms([...Object.values(SECRETS), ...extra])) {
        expect(text.includes(secret), `a secret appeared in ${where} (a spelling of ${secret.length} characters)`).toBe(false);
    }
}
