import { PRODUCT_VERSIONS, type ProductVersion } from "../../licensing";

/**
 * First build number of each Windows Server release (Win32_OperatingSystem.BuildNumber), newest
 * first. Builds in between (Annual Channel releases) count as the release before them.
 */
const FIRST_BUILD: ReadonlyArray<readonly [ProductVersion, number]> = [
    ["2025", 26100],
    ["2022", 20348],
    ["2019", 17763],
    ["2016", 14393],
];

export function windowsServerVersionFromBuild(build: number): ProductVersion | undefined {
    return FIRST_BUILD.find(([, first]) => build >= first)?.[0];
}

/** "Windows Server 2022", "Windows Server 2025 - RDS Per User CAL", ... → the version named. */
export function productVersionFromText(text: string): ProductVersion | undefined {
    const match = /\b(20\d\d)\b/.exec(text);
    return PRODUCT_VERSIONS.find((v) => v === match?.[1]);
}
