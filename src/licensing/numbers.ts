/**
 * Formats of the numbers each licensing program asks for, as the Install Licenses wizard and the
 * WMI methods take them. Shared by the stack config (refuse early), the simulator's Clearinghouse
 * model and the drivers. Functions here never echo a number back in their messages.
 */

export interface NumberFormat {
    /** What the number is called in messages. */
    readonly label: string;
    /** The accepted form, in words, for error messages. */
    readonly expected: string;
    /** Strip what users commonly type (hyphens, spaces) and upper-case. */
    normalize(raw: string): string;
    /** True when the normalized value has the right form. */
    test(normalized: string): boolean;
    /** A fictitious example, safe to print. */
    readonly example: string;
}

const stripSeparators = (raw: string) => raw.replace(/[\s-]/g, "").toUpperCase();

export const AGREEMENT_NUMBER: NumberFormat = {
    label: "agreement number",
    expected: "7 digits",
    normalize: (raw) => raw.trim(),
    test: (v) => /^\d{7}$/.test(v),
    example: "1234567",
};

export const RETAIL_LICENSE_CODE: NumberFormat = {
    label: "license code",
    expected: "25 letters or digits (hyphens between groups of 5 are allowed)",
    normalize: stripSeparators,
    test: (v) => /^[A-Z0-9]{25}$/.test(v),
    example: "ABCDE-12345-FGHIJ-67890-KLMNO",
};

export const OPEN_LICENSE_NUMBER: NumberFormat = {
    label: "license number",
    expected: "8 digits",
    normalize: (raw) => raw.trim(),
    test: (v) => /^\d{8}$/.test(v),
    example: "12345678",
};

export const OPEN_LICENSE_AUTHORIZATION: NumberFormat = {
    label: "authorization number",
    expected: "15 letters or digits",
    normalize: stripSeparators,
    test: (v) => /^[A-Z0-9]{15}$/.test(v),
    example: "ABCDE12345FGHIJ",
};

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
