/**
 * Checks of what is read back from disk, so a hand-edited or foreign file is reported clearly
 * instead of corrupting further writes. Also the invariants tests use to call a store "valid".
 */
import { PRODUCT_VERSIONS } from "../licensing/codes";
import { isLicenseProgram } from "../licensing/programs";
import { isLanguageTag } from "./countries";
import { invalid, isCount, obj, type Obj } from "./file-checks";
import type { Faults, Registry, RetailLedger, RetailLedgerEntry, StoreConfig, StoredServer } from "./state";
import { NO_FAULTS, RETAIL_LEDGER_FORMAT_VERSION } from "./state";
import { checkIssuedLicenses } from "./farm-state";

export function parseConfig(raw: unknown, file: string): StoreConfig {
    const c = obj(raw, file, "config");
    if (typeof c.salt !== "string" || c.salt.length < 16) invalid(file, "salt is missing");
    if (typeof c.latencyMs !== "number" || !(c.latencyMs >= 0)) invalid(file, "latencyMs must be a number >= 0");
    return c as unknown as StoreConfig;
}

export function parseFaults(raw: unknown, file: string): Faults {
    if (raw === undefined) return { ...NO_FAULTS };
    const f = obj(raw, file, "faults");
    if (typeof f.clearinghouseUnreachable !== "boolean") invalid(file, "clearinghouseUnreachable must be a boolean");
    if (!isCount(f.transientFailures)) invalid(file, "transientFailures must be a count");
    if (f.slow !== undefined) {
        const s = obj(f.slow, file, "slow");
        if (!isCount(s.extraMs)) invalid(file, "slow.extraMs must be a count");
        if (s.remaining !== undefined && !isCount(s.remaining)) invalid(file, "slow.remaining must be a count");
    }
    if (f.installVersion !== undefined && !(PRODUCT_VERSIONS as readonly unknown[]).includes(f.installVersion)) {
        invalid(file, `installVersion must be one of ${PRODUCT_VERSIONS.join(", ")}`);
    }
    return f as unknown as Faults;
}

export function parseRegistry(raw: unknown, file: string): Registry | undefined {
    if (raw === undefined) return undefined;
    const r = obj(raw, file, "registry");
    for (const list of ["agreements", "retail", "openLicenses"] as const) {
        if (!Array.isArray(r[list])) invalid(file, `${list} must be an array`);
        for (const e of r[list] as unknown[]) {
            const entry = obj(e, file, list);
            if (typeof entry.key !== "string" || !isCount(entry.count)) invalid(file, `${list} entry is malformed`);
        }
    }
    return r as unknown as Registry;
}

function checkPack(p: Obj, file: string): void {
    const id = p.keyPackId;
    if (!isCount(id)) invalid(file, "a pack has no keyPackId");
    const where = `pack ${String(id)}`;
    if (!isLicenseProgram(p.program)) invalid(file, `${where} has an unknown program`);
    if (!PRODUCT_VERSIONS.includes(p.productVersion as never)) invalid(file, `${where} has an unknown productVersion`);
    if (p.licenseType !== "per-user" && p.licenseType !== "per-device") invalid(file, `${where} has an unknown licenseType`);
    for (const k of ["totalLicenses", "issuedLicenses", "availableLicenses", "revokedLicenses"]) {
        if (!isCount(p[k])) invalid(file, `${where}: ${k} must be a count`);
    }
    if ((p.issuedLicenses as number) + (p.availableLicenses as number) !== p.totalLicenses) {
        invalid(file, `${where}: issued + available differs from total`);
    }
}

export function parseServer(raw: unknown, file: string): StoredServer {
    const s = obj(raw, file, "server");
    if (typeof s.name !== "string") invalid(file, "name is missing");
    if (!PRODUCT_VERSIONS.includes(s.windowsServerVersion as never)) invalid(file, "windowsServerVersion is unknown");
    if (s.language !== undefined && !isLanguageTag(s.language)) invalid(file, "language must be a language tag such as fr-FR");
    if (s.activation !== "activated" && s.activation !== "not-activated") invalid(file, "activation is unknown");
    if (!isCount(s.nextKeyPackId) || !isCount(s.executions)) invalid(file, "counters are malformed");
    if (!Array.isArray(s.packs) || !Array.isArray(s.retailCodesUsed)) invalid(file, "packs are malformed");
    obj(s.requests, file, "requests");
    obj(s.contact, file, "contact");
    const ids = new Set<number>();
    for (const p of s.packs as unknown[]) {
        const pack = obj(p, file, "pack");
        checkPack(pack, file);
        const id = pack.keyPackId as number;
        if (ids.has(id) || id >= (s.nextKeyPackId as number)) invalid(file, `pack id ${id} is duplicated or not below nextKeyPackId`);
        ids.add(id);
    }
    checkIssuedLicenses(s, file);
    return s as unknown as StoredServer;
}

/**
 * The retail ledger of this store generation: empty when the file is absent, or when it was left by
 * a store that has been reset since (its `saltId` is another salt's).
 */
export function parseRetailLedger(raw: unknown, file: string, saltId: string): RetailLedger {
    const empty: RetailLedger = { formatVersion: RETAIL_LEDGER_FORMAT_VERSION, saltId, codes: {} };
    if (raw === undefined) return empty;
    const l = obj(raw, file, "retail ledger");
    if (l.formatVersion !== RETAIL_LEDGER_FORMAT_VERSION) invalid(file, `formatVersion must be ${RETAIL_LEDGER_FORMAT_VERSION}`);
    if (typeof l.saltId !== "string") invalid(file, "saltId is missing");
    if (l.saltId !== saltId) return empty;
    const codes = obj(l.codes, file, "codes");
    for (const e of Object.values(codes)) {
        const entry = obj(e, file, "a ledger entry");
        if (typeof entry.server !== "string" || !entry.server || typeof entry.recordedAt !== "string") invalid(file, "a ledger entry has no server");
        if (entry.shape !== undefined) {
            const shape = obj(entry.shape, file, "a ledger entry's shape");
            if (!PRODUCT_VERSIONS.includes(shape.productVersion as never)) invalid(file, "a ledger entry has an unknown productVersion");
            if (shape.licenseType !== "per-user" && shape.licenseType !== "per-device") invalid(file, "a ledger entry has an unknown licenseType");
            if (!isCount(shape.count) || (shape.count as number) < 1) invalid(file, "a ledger entry's count must be a positive count");
        }
    }
    return { formatVersion: RETAIL_LEDGER_FORMAT_VERSION, saltId, codes: codes as Record<string, RetailLedgerEntry> };
}
