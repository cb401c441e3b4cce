/** The type tokens of the farm's licensing resources, as the drift command reads them. */
import { RESOURCE_TYPES } from "../../licensing/resource-types";

/** A standalone session host's licensing (HostLicensing). */
export const HOST_LICENSING: string = RESOURCE_TYPES.hostLicensing;

/** The resources whose state holds session hosts (`hosts` output) and a mode and license server list (inputs). */
export const FARM_TYPES: readonly string[] = [RESOURCE_TYPES.deploymentLicensing, HOST_LICENSING];
