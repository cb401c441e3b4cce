import { expect } from "vitest";
import { SECRETS } from "./config-fixtures";

/** Every form a secret could leak in: as typed, normalized (no hyphens), lower case. */
export function secretForms(values: readonly string[] = Object.values(SECRETS)): string[] {
    return [...new Set(values.flatMap((v) => [v, v.replace(/-/g, ""), v.toLowerCase()]))];
}

/** Fail naming where a secret appeared (without printing the surrounding text). */
export function expectNoSecrets(text: string, where: string, extra: readonly string[] = []): void {
    for (const secret of secretForms([...Object.values(SECRETS), ...extra])) {
        expect(text.includes(secret), `a secret appeared in ${where}`).toBe(false);
    }
}
