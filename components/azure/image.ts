/**
 * Which marketplace image a Windows Server version gets, and whether it can use Trusted Launch.
 * Defaults are Gen2 images (Azure Edition for 2022/2025, `gensecond` for 2019), so Trusted Launch
 * is on unless a Gen1 SKU is chosen.
 */
import { DEFAULT_IMAGE_SKU, isGen2Sku } from "../../src/config/azure";
import type { AzureWindowsServerVersion } from "./args";

export interface ImageChoice {
    imageReference: { publisher: string; offer: string; sku: string; version: string };
    trustedLaunch: boolean;
}

export function imageFor(version: AzureWindowsServerVersion, sku?: string, trustedLaunch?: boolean): ImageChoice {
    const chosen = sku ?? DEFAULT_IMAGE_SKU[version];
    if (!chosen.startsWith(`${version}-`)) {
        throw new Error(`image SKU ${chosen} is not a Windows Server ${version} image`);
    }
    const gen2 = isGen2Sku(chosen);
    if (trustedLaunch && !gen2) throw new Error(`image SKU ${chosen} is a Gen1 image: it cannot use Trusted Launch`);
    return {
        imageReference: { publisher: "MicrosoftWindowsServer", offer: "WindowsServer", sku: chosen, version: "latest" },
        trustedLaunch: trustedLaunch ?? gen2,
    };
}
