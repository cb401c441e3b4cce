/**
 * The Microsoft Clearinghouse as the simulator models it: format checks (the same ones as the wizard,
 * each program's numbers from the catalog) and, when a registry of purchases is loaded, entitlement checks. Without a
 * registry every well-formed number is accepted, which is what a real Clearinghouse does with most
 * agreement numbers anyway. Numbers are hashed as soon as they are checked and never kept.
 */
import type { LicenseType, ProductVersion } from "../licensing/codes";
import { checkNumber } from "../licensing/numbers";
import { INSTALL_METHODS, PROGRAMS } from "../licensing/catalog";
import { isLicenseProgram } from "../licensing/programs";
import type { InstallSpec } from "../licensing/operations";
import { refuse } from "./refusal";
import { entitlementKey, requestKeyHash, type NumberDomain } from "./secrets";
import type { Entitlement, Registry, RetailLedgerEntry, StoredServer } from "./state";

/** An install's numbers, reduced to what the rules need. */
export interface PreparedInstall {
    requestHash: string;
    domain: NumberDomain;
    /** Set when a number is malformed (secret-free). */
    formatProblem?: string;
    /** Salted hash of the numbers, when well-formed. */
    entitlementKey?: string;
}

export interface PackShape {
    productVersion: ProductVersion;
    licenseType: LicenseType;
    count: number;
}

type Check = ReturnType<typeof checkNumber>;
const check = (format: Parameters<typeof checkNumber>[0], raw: unknown): Check =>
    typeof raw === "string" ? checkNumber(format, raw) : { ok: false, problem: `is missing: expected ${format.expected}` };

/**
 * Check the numbers' formats and hash them (scrypt is slow on purpose: do this outside any lock).
 * `cache` shares hashes between the installs of one batch that use the same numbers.
 */
export async function prepareInstall(
    spec: InstallSpec,
    requestKey: string,
    salt: string,
    cache: Map<string, Promise<string>> = new Map(),
): Promise<PreparedInstall> {
    const requestHash = requestKeyHash(salt, String(requestKey));
    const s = (spec ?? {}) as unknown as Partial<Record<string, unknown>>;
    // An unknown program is refused before its numbers matter (rules-install.ts): check it as an agreement.
    const domain: NumberDomain = isLicenseProgram(spec?.program) ? PROGRAMS[spec.program].method : "agreement";
    const checks: Check[] = INSTALL_METHODS[domain].fields.map((field) => check(field.format, s[field.name]));
    const bad = checks.find((c): c is Extract<Check, { ok: false }> => !c.ok);
    if (bad) return { requestHash, domain, formatProblem: `the number ${bad.problem}` };
    const normalized = checks.map((c) => (c as Extract<Check, { ok: true }>).value).join("/");
    const id = `${domain}:${normalized}`;
    if (!cache.has(id)) cache.set(id, entitlementKey(salt, domain, normalized));
    return { requestHash, domain, entitlementKey: await cache.get(id)! };
}

export interface EntitlementQuery {
    spec: InstallSpec;
    key: string;
    registry: Registry | undefined;
    /** Licenses currently installed under this key and shape, on every server of the store. */
    installed(key: string, productVersion: ProductVersion, licenseType: LicenseType): number;
}

/** The pack shape the Clearinghouse grants, or an entitlement-refused refusal. */
export function resolveEntitlement(q: EntitlementQuery): PackShape {
    const declared: PackShape = { productVersion: q.spec.productVersion, licenseType: q.spec.licenseType, count: q.spec.count };
    if (!q.registry) return declared;
    if (q.spec.program === "retail") {
        const entry = q.registry.retail.find((e) => e.key === q.key);
        if (!entry) refuse("install", "entitlement-refused", "the Clearinghouse does not know this license code");
        return { productVersion: entry.productVersion, licenseType: entry.licenseType, count: entry.count };
    }
    const agreement = q.spec.program !== "open-license";
    const candidates: Entitlement[] = agreement
        ? q.registry.agreements.filter((e) => e.key === q.key && (!e.program || e.program === q.spec.program))
        : q.registry.openLicenses.filter((e) => e.key === q.key);
    const what = agreement ? `this ${q.spec.program} agreement` : "this open license";
    if (candidates.length === 0) refuse("install", "entitlement-refused", `the Clearinghouse does not know ${what}`);
    const matching = candidates.filter((e) => e.productVersion === declared.productVersion && e.licenseType === declared.licenseType);
    if (matching.length === 0) {
        refuse("install", "entitlement-refused", `${what} does not cover Windows Server ${declared.productVersion} ${declared.licenseType} CALs`);
    }
    const allowed = matching.reduce((sum, e) => sum + e.count, 0);
    const used = q.installed(q.key, declared.productVersion, declared.licenseType);
    if (used + declared.count > allowed) {
        refuse(
            "install",
            "entitlement-refused",
            `${what} covers ${allowed} ${declared.productVersion} ${declared.licenseType} CALs, ${used} are installed; cannot install ${declared.count} more`,
        );
    }
    return declared;
}

/**
 * The Clearinghouse's memory of consumed retail codes, store-wide (retail-codes.json), as one batch
 * sees and changes it. A code is consumed by its first install: another fresh install of it is
 * refused on every server, and only the server that consumed it (by name: the same server, or one
 * rebuilt under its name) may reinstall it. The batch's caller persists it when `changed`.
 */
export class RetailCodeBook {
    changed = false;

    constructor(readonly codes: Record<string, RetailLedgerEntry> = {}) {}

    get(key: string): RetailLedgerEntry | undefined {
        return Object.prototype.hasOwnProperty.call(this.codes, key) ? this.codes[key] : undefined;
    }

    /** A fresh install consumed `key` on `server`, yielding `shape`. */
    consume(key: string, server: string, shape: PackShape, now: Date): void {
        this.codes[key] = { server, recordedAt: now.toISOString(), shape: { ...shape } };
        this.changed = true;
    }

    /**
     * Lazy migration of older stores: codes a server record lists in `retailCodesUsed` (where the
     * simulator kept them before the ledger, and still does, as a second record) that the ledger lacks
     * are taken in as consumed by that server, with no shape.
     */
    absorb(server: StoredServer, now: Date): void {
        for (const key of server.retailCodesUsed) {
            if (this.get(key)) continue;
            this.codes[key] = { server: server.name, recordedAt: now.toISOString() };
            this.changed = true;
        }
    }
}
