/** What the rules need from outside one server: Clearinghouse state, registry, usage on other servers. */
import { randomUUID } from "node:crypto";
import type { LicenseType, ProductVersion } from "../licensing/codes";
import { RetailCodeBook } from "./clearinghouse";
import { installedHere, type InstallEnv } from "./rules-install";
import { ledgerSaltId } from "./secrets";
import { RETAIL_LEDGER_FORMAT_VERSION, type StoredServer } from "./state";
import type { Store } from "./store";

export interface InstallEnvOptions {
    /**
     * Whether a retail install may run (default: whenever `installing`). Then the store's retail
     * ledger is read, and every server too: to take in older stores' per-server codes and to see
     * where a pack of a code is installed right now.
     */
    retail?: boolean;
}

/** Read under the store lock, so usage counts and the retail ledger cannot race with another install. */
export async function installEnv(store: Store, key: string, installing: boolean, options: InstallEnvOptions = {}): Promise<InstallEnv> {
    const retail = installing && (options.retail ?? true);
    const now = new Date();
    const [faults, registry, config] = await Promise.all([store.readFaults(), store.readRegistry(), retail ? store.readConfig() : undefined]);
    // Usage on other servers matters only for counted entitlements (agreements, open licenses).
    const counted = registry && (registry.agreements.length > 0 || registry.openLicenses.length > 0);
    const all: StoredServer[] = (counted && installing) || retail ? await store.readServers() : [];
    const others = all.filter((s) => s.name.toLowerCase() !== key);
    const book = new RetailCodeBook(config ? (await store.readRetailLedger(config.salt)).codes : {});
    for (const s of all) book.absorb(s, now);
    return {
        clearinghouseReachable: !faults.clearinghouseUnreachable,
        now,
        newLicenseServerId: () => randomUUID().toUpperCase(),
        registry,
        installedElsewhere: (k: string, v: ProductVersion, t: LicenseType) => others.reduce((sum, s) => sum + installedHere(s, k, v, t), 0),
        retailCodes: book,
        retailPackElsewhere: (k: string) => {
            for (const s of others) {
                const pack = s.packs.find((p) => p.entitlementKey === k);
                if (pack) return { server: s.name, keyPackId: pack.keyPackId };
            }
            return undefined;
        },
        ...(config ? { ledgerSaltId: ledgerSaltId(config.salt) } : {}),
        ...(faults.installVersion ? { installVersion: faults.installVersion } : {}),
    };
}

/**
 * Write the retail ledger when the batch changed it (a code consumed, or older stores' codes taken
 * in). Inside the same transaction, before the server file: a crash in between leaves a code
 * consumed with no pack, which a reinstall on that server repairs, never a pack whose code is free.
 */
export async function saveRetailLedger(store: Store, env: InstallEnv): Promise<void> {
    if (!env.retailCodes.changed || !env.ledgerSaltId) return;
    await store.writeRetailLedger({ formatVersion: RETAIL_LEDGER_FORMAT_VERSION, saltId: env.ledgerSaltId, codes: env.retailCodes.codes });
    env.retailCodes.changed = false;
}

/**
 * Take a server's consumed retail codes into the ledger (no-op when it has none the ledger lacks).
 * For deleting a server of an older store: call it inside the delete's transaction, before the
 * server file goes, so its codes outlive it.
 */
export async function keepRetailCodesOf(store: Store, server: StoredServer): Promise<void> {
    if (server.retailCodesUsed.length === 0) return;
    const config = await store.readConfig();
    if (!config) return;
    const book = new RetailCodeBook((await store.readRetailLedger(config.salt)).codes);
    book.absorb(server, new Date());
    if (book.changed) await store.writeRetailLedger({ formatVersion: RETAIL_LEDGER_FORMAT_VERSION, saltId: ledgerSaltId(config.salt), codes: book.codes });
}
