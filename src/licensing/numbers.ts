/**
 * How a licensing number is checked: its form, the spellings users type (hyphens, spaces) and the
 * secret-free messages about it. The numbers themselves (which program asks for which) are in
 * catalog.ts. Functions here never echo a number back in their messages.
 */

export interface NumberFormat {
    /** What the number is called in messages. */
    readonly label: string;
    /** The accepted form, in words, for error messages. */
    readonly expected: string;
    /**
     * Hyphen handling. `strip`: spaces and hyphens between groups are removed and letters
     * upper-cased before the check (the wizard shows such codes in groups). `keep`: only surrounding
     * whitespace is trimmed, so a hyphen or a space inside fails the check.
     */
    readonly separators: "strip" | "keep";
    /** The normalized form. */
    readonly pattern: RegExp;
    /** A fictitious example, safe to print. */
    readonly example: string;
    /** The normalized spelling, as the WMI method takes it. */
    normalize(raw: string): string;
    /** True when the normalized value has the right form. */
    test(normalized: string): boolean;
}

/** A format from its description: normalize and test follow `separators` and `pattern`. */
export function numberFormat(spec: Omit<NumberFormat, "normalize" | "test">): NumberFormat {
    const normalize = spec.separators === "strip" ? (raw: string) => raw.replace(/[\s-]/g, "").toUpperCase() : (raw: string) => raw.trim();
    return { ...spec, normalize, test: (v) => spec.pattern.test(v) };
}

/** Normalize and check a number; returns the normalized value or a secret-free problem statement. */
export function checkNumber(format: NumberFormat, raw: string): { ok: true; value: string } | { ok: false; problem: string } {
    const value = format.normalize(raw);
    if (format.test(value)) return { ok: true, value };
    return {
        ok: false,
        problem: `is not a valid ${format.label}: expected ${format.expected} (got ${value.length} characters)`,
    };
}

/** The largest license count one install or removal takes (the project's bound on the wizard's quantity). */
export const MAX_LICENSE_COUNT = 9999;

/** A license count an install or removal accepts: an integer from 1 to MAX_LICENSE_COUNT. */
export function isValidLicenseCount(count: unknown): count is number {
    return typeof count === "number" && Number.isInteger(count) && count >= 1 && count <= MAX_LICENSE_COUNT;
}
