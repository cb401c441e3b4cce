/** What the rules need from outside one server: Clearinghouse state, registry, usage on other servers. */
import { randomUUID } from "node:crypto";
import type { LicenseType, ProductVersion } from "../licensing/codes";
import { installedHere, type InstallEnv } from "./rules-install";
import type { StoredServer } from "./state";
import type { Store } from "./store";

/** Read under the store lock, so usage counts cannot race with another install. */
export async function installEnv(store: Store, key: string, installing: boolean): Promise<InstallEnv> {
    const [faults, registry] = await Promise.all([store.readFaults(), store.readRegistry()]);
    // Usage on other servers matters only for counted entitlements (agreements, open licenses).
    const counted = registry && (registry.agreements.length > 0 || registry.openLicenses.length > 0);
    const others: StoredServer[] =
        counted && installing ? (await store.readServers()).filter((s) => s.name.toLowerCase() !== key) : [];
    return {
        clearinghouseReachable: !faults.clearinghouseUnreachable,
        now: new Date(),
        newLicenseServerId: () => randomUUID().toUpperCase(),
        registry,
        installedElsewhere: (k: string, v: ProductVersion, t: LicenseType) => others.reduce((sum, s) => sum + installedHere(s, k, v, t), 0),
    };
}
