/**
 * Loading the user's registry of purchases (a JSON file with numbers in it) into its stored form,
 * which holds salted hashes only. Error messages name the entry and field, never the value.
 */
import { readFile } from "node:fs/promises";
import { LICENSE_TYPES, PRODUCT_VERSIONS } from "../licensing/codes";
import { INSTALL_METHODS, type NumberField } from "../licensing/catalog";
import { LicensingError } from "../licensing/errors";
import { checkNumber, isValidLicenseCount } from "../licensing/numbers";
import { AGREEMENT_TYPE, isAgreementProgram, isLicenseProgram, type AgreementProgram } from "../licensing/programs";
import { entitlementKey, type NumberDomain } from "./secrets";
import type { Entitlement, Registry } from "./state";

/** Agreements and open licenses count across installs, so their totals may exceed one pack's limit. */
const MAX_ENTITLEMENT = 1_000_000;

/** The registry's lists (the file's keys), each of the numbers of one install method family. */
const LISTS = {
    agreements: { domain: "agreement", numbers: INSTALL_METHODS.agreement.fields },
    retail: { domain: "retail", numbers: INSTALL_METHODS.retail.fields },
    openLicenses: { domain: "open-license", numbers: INSTALL_METHODS["open-license"].fields },
} as const satisfies Record<string, { domain: NumberDomain; numbers: readonly NumberField[] }>;
type ListName = keyof typeof LISTS;

function bad(where: string, problem: string): never {
    throw new LicensingError({ kind: "invalid-parameter", message: `clearinghouse registry: ${where} ${problem}` });
}

async function parseEntry(list: ListName, index: number, raw: unknown, salt: string): Promise<Entitlement & { program?: AgreementProgram }> {
    const where = `${list}[${index}]`;
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) bad(where, "is not an object");
    const e = raw as Record<string, unknown>;
    const spec = LISTS[list];
    const allowed = new Set<string>([...spec.numbers.map((f) => f.name), "productVersion", "licenseType", "count", ...(list === "agreements" ? ["program"] : [])]);
    for (const field of Object.keys(e)) if (!allowed.has(field)) bad(where, `has an unknown field "${field}"`);
    const values: string[] = [];
    for (const { name: field, format } of spec.numbers) {
        const value = e[field];
        if (typeof value !== "string") bad(`${where}.${field}`, "is missing");
        const checked = checkNumber(format, value);
        if (!checked.ok) bad(`${where}.${field}`, checked.problem);
        values.push(checked.value);
    }
    if (!PRODUCT_VERSIONS.includes(e.productVersion as never)) bad(`${where}.productVersion`, `must be one of ${PRODUCT_VERSIONS.join(", ")}`);
    if (!LICENSE_TYPES.includes(e.licenseType as never)) bad(`${where}.licenseType`, `must be ${LICENSE_TYPES.join(" or ")}`);
    const countOk = list === "retail" ? isValidLicenseCount(e.count) : Number.isInteger(e.count) && (e.count as number) >= 1 && (e.count as number) <= MAX_ENTITLEMENT;
    if (!countOk) bad(`${where}.count`, "must be a positive whole number");
    const entry: Entitlement & { program?: AgreementProgram } = {
        key: await entitlementKey(salt, spec.domain, values.join("/")),
        productVersion: e.productVersion as Entitlement["productVersion"],
        licenseType: e.licenseType as Entitlement["licenseType"],
        count: e.count as number,
    };
    if (e.program !== undefined) {
        if (!isLicenseProgram(e.program) || !isAgreementProgram(e.program)) {
            bad(`${where}.program`, `must be an agreement program (${Object.keys(AGREEMENT_TYPE).join(", ")})`);
        }
        entry.program = e.program as AgreementProgram;
    }
    return entry;
}

/** Turn the user's registry document into its hashed, storable form. */
export async function registryFromDocument(doc: unknown, salt: string, now: Date = new Date()): Promise<Registry> {
    if (typeof doc !== "object" || doc === null || Array.isArray(doc)) bad("the document", "must be a JSON object");
    const d = doc as Record<string, unknown>;
    for (const key of Object.keys(d)) if (!(key in LISTS)) bad("the document", `has an unknown list "${key}" (expected agreements, retail, openLicenses)`);
    const registry: Registry = { loadedAt: now.toISOString(), agreements: [], retail: [], openLicenses: [] };
    for (const list of Object.keys(LISTS) as ListName[]) {
        const items = d[list] ?? [];
        if (!Array.isArray(items)) bad(list, "must be an array");
        for (const [i, item] of items.entries()) registry[list].push(await parseEntry(list, i, item, salt));
    }
    return registry;
}

export async function readRegistryFile(file: string, salt: string): Promise<Registry> {
    let doc: unknown;
    try {
        doc = JSON.parse(await readFile(file, "utf8"));
    } catch (err) {
        // Never echo the parser's message: it may quote the file's content.
        const reason = (err as NodeJS.ErrnoException).code ?? "not valid JSON";
        throw new LicensingError({ kind: "invalid-parameter", message: `clearinghouse registry: cannot read ${file} (${reason})` });
    }
    return registryFromDocument(doc, salt);
}
