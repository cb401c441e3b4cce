/**
 * Country/region at activation. The documentation gives CountryRegion no format; the Activate Server
 * wizard offers country *names*, a script that set an ISO code is reported to fail with "Invalid
 * parameter", and the provider is said to check the value against the OS's own, localized, list.
 * The simulator plays both sides as the PowerShell driver and a real server do: the stack's ISO
 * 3166 code is resolved to the name in the server's display language (the driver does it on the
 * server, with RegionInfo), the server takes only a name from its own list, and a status reads
 * the name back as the code, so the translation never shows as drift.
 */
import { ISO_3166_ALPHA2 } from "../licensing/countries";
import { refuse } from "./refusal";

/** A server's display language when it has none recorded. */
export const DEFAULT_LANGUAGE = "en-US";

export function isLanguageTag(value: unknown): value is string {
    if (typeof value !== "string" || !/^[a-z]{2,3}(-[A-Z]{2})?$/.test(value)) return false;
    try {
        return Intl.DisplayNames.supportedLocalesOf([value]).length === 1;
    } catch {
        return false;
    }
}

const names = (language: string) => new Intl.DisplayNames([language], { type: "region", fallback: "none" });

/** The ISO code's country/region name in `language`, as RegionInfo.DisplayName gives it; undefined for an unknown code. */
export function countryName(code: string, language: string = DEFAULT_LANGUAGE): string | undefined {
    const upper = code.trim().toUpperCase();
    return ISO_3166_ALPHA2.has(upper) ? names(language).of(upper) : undefined;
}

/** The ISO code of a country/region name in one of `languages` (case-insensitive), if any. */
export function countryCodeOf(name: string, languages: readonly string[]): string | undefined {
    const wanted = name.trim().toLocaleLowerCase();
    if (!wanted) return undefined;
    for (const language of languages) {
        const list = names(language);
        for (const code of ISO_3166_ALPHA2) if (list.of(code)?.toLocaleLowerCase() === wanted) return code;
    }
    return undefined;
}

/** The driver's side: an ISO code becomes the name in the server's language; anything else is passed on as it is. */
export function resolveCountry(value: string | undefined, language: string = DEFAULT_LANGUAGE): string | undefined {
    if (value === undefined || !/^[A-Za-z]{2}$/.test(value.trim())) return value;
    return countryName(value, language) ?? value;
}

/** The server's side: CountryRegion must be a name from its own list, in its language. */
export function requireCountryName(value: string, language: string = DEFAULT_LANGUAGE): void {
    if (countryCodeOf(value, [language])) return;
    const example = countryName("NL", language);
    refuse(
        "activate",
        "invalid-parameter",
        `Invalid parameter: CountryRegion ${JSON.stringify(value)} is not a country/region of this server's list (${language}); it takes names such as ${JSON.stringify(example)}, not ISO codes`,
    );
}

/** The read-back: a stored name (the server's language or English) as its ISO code, else the value unchanged. */
export function countryCodeForStatus(value: string, language: string = DEFAULT_LANGUAGE): string {
    return countryCodeOf(value, [language, DEFAULT_LANGUAGE]) ?? value;
}
