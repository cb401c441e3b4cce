/**
 * Whether a session host's NIC gets accelerated networking (SR-IOV), decided from the VM size
 * without a live lookup.
 *
 * The rule: Azure supports accelerated networking on most general-purpose and compute-optimized
 * sizes with 2 or more vCPUs, but on sizes with hyperthreading (the v3/v4 D and E series) only from
 * 4 vCPUs; burstable B (v1) and A-series sizes have none. The table below names the sizes the
 * package knows either way. An explicit `acceleratedNetworking` always wins over the table (except
 * `true` on a size known not to support it, which Azure would refuse: an error now instead); a size
 * the table does not know gets it off, since turning it on where unsupported fails the deployment.
 */

/** Sizes known to support accelerated networking (v5 sizes from 2 vCPUs, hyperthreaded v3 from 4). */
export const ACCELERATED_NETWORKING_SIZES: readonly string[] = [
    "Standard_D2s_v5", "Standard_D4s_v5", "Standard_D8s_v5", "Standard_D16s_v5", "Standard_D32s_v5",
    "Standard_D2ds_v5", "Standard_D4ds_v5", "Standard_D8ds_v5", "Standard_D16ds_v5",
    "Standard_D2as_v5", "Standard_D4as_v5", "Standard_D8as_v5", "Standard_D16as_v5",
    "Standard_E2s_v5", "Standard_E4s_v5", "Standard_E8s_v5", "Standard_E16s_v5",
    "Standard_D4s_v3", "Standard_D8s_v3", "Standard_D16s_v3", "Standard_E4s_v3", "Standard_E8s_v3",
    "Standard_F4s_v2", "Standard_F8s_v2", "Standard_F16s_v2",
];

/** Sizes known not to support it: 2 hyperthreaded vCPUs, burstable v1, A-series. */
export const NO_ACCELERATED_NETWORKING_SIZES: readonly string[] = [
    "Standard_D2s_v3", "Standard_D2_v3", "Standard_E2s_v3", "Standard_F2s_v2",
    "Standard_B1s", "Standard_B1ms", "Standard_B2s", "Standard_B2ms", "Standard_B4ms", "Standard_B8ms",
    "Standard_A1_v2", "Standard_A2_v2", "Standard_A4_v2", "Standard_A8_v2",
];

const lower = (list: readonly string[]) => new Set(list.map((s) => s.toLowerCase()));
const SUPPORTED = lower(ACCELERATED_NETWORKING_SIZES);
const UNSUPPORTED = lower(NO_ACCELERATED_NETWORKING_SIZES);

export type AcceleratedNetworkingDecision = { enabled: boolean } | { problem: string };

/** The decision for `vmSize`, given what the caller asked (`undefined`: decide from the table). */
export function acceleratedNetworkingFor(vmSize: string, requested: boolean | undefined): AcceleratedNetworkingDecision {
    const size = vmSize.toLowerCase();
    if (requested === true && UNSUPPORTED.has(size)) {
        return {
            problem: `acceleratedNetworking is true but ${vmSize} does not support accelerated networking: choose a size that does (e.g. Standard_D4s_v5) or remove acceleratedNetworking`,
        };
    }
    return { enabled: requested ?? SUPPORTED.has(size) };
}
