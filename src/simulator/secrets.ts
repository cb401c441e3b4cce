/**
 * Salted hashes instead of numbers. The store needs to recognise a number again (registry lookups,
 * "this retail code was already used", entitlement usage) but never to read it back, so it keeps
 * scrypt(number, per-store salt) only. Numbers are short (7 or 8 digits): whoever holds the store
 * and its salt can still brute-force them, scrypt only makes that slow. Use fictitious numbers.
 */
import { createHmac, randomBytes, scrypt } from "node:crypto";
import type { InstallMethodFamily } from "../licensing/catalog";

/** The family of numbers a hash is of: the catalog's install method family. */
export type NumberDomain = InstallMethodFamily;

// ~50 ms per hash: cheap per install, expensive per guess.
const SCRYPT = { N: 2 ** 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export function newSalt(): string {
    return randomBytes(16).toString("hex");
}

/** The entitlement key of a normalized number (domain-separated so equal digits in two programs differ). */
export function entitlementKey(salt: string, domain: NumberDomain, normalized: string): Promise<string> {
    return new Promise((resolve, reject) => {
        scrypt(`${domain}:${normalized}`, salt, 32, SCRYPT, (err, key) => (err ? reject(err) : resolve(`s1:${key.toString("hex")}`)));
    });
}

/** Request keys are not secrets by contract, but callers may derive them from anything: hash them too. */
export function requestKeyHash(salt: string, requestKey: string): string {
    return createHmac("sha256", salt).update(requestKey).digest("hex");
}

/** Names the store generation a retail ledger belongs to (reset draws a new salt), without revealing the salt. */
export function ledgerSaltId(salt: string): string {
    return createHmac("sha256", salt).update("retail-ledger").digest("hex").slice(0, 32);
}
