/** Settings of the real-server executors that come from the provider's environment, not from inputs. */
import { DEFAULT_PRODUCT_VERSION_IDS, type ProductVersion } from "../licensing";

/**
 * Windows Server 2025's ProductVersion code is undocumented (the default, 8, is an assumption). Once a
 * real 2025 license server shows its code, it is set here, without a new release of this package.
 */
export const VERSION_ID_2025_ENV = "RDS_LICENSING_VERSION_ID_2025";

/** The `productVersionIds` override of PowerShellExecutor; throws, naming the variable, on a bad value. */
export function productVersionIdsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<Record<ProductVersion, number>> | undefined {
    const raw = env[VERSION_ID_2025_ENV]?.trim();
    if (!raw) return undefined;
    const id = Number(raw);
    if (!/^\d{1,10}$/.test(raw) || id > 0xffffffff) {
        throw new TypeError(`${VERSION_ID_2025_ENV} must be a whole number (the uint32 ProductVersion code of Windows Server 2025), not ${JSON.stringify(raw)}`);
    }
    // A code of an older version would make packs of that version read back as 2025 ones.
    const taken = (Object.keys(DEFAULT_PRODUCT_VERSION_IDS) as ProductVersion[]).find((v) => v !== "2025" && DEFAULT_PRODUCT_VERSION_IDS[v] === id);
    if (taken) throw new TypeError(`${VERSION_ID_2025_ENV}=${id} is Windows Server ${taken}'s ProductVersion code`);
    return { "2025": id };
}
