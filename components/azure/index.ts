export { AzureWindowsServerVersion, OsDiskType, type AzureDomainJoinArgs, type AzureLicenseServerArgs, type AzureNetworkArgs } from "./args";
export { resolveAzureLicenseServerArgs, type ResolvedAzureLicenseServerArgs } from "./resolve-args";
export { AzureLicenseServer } from "./azure-license-server";
export { type AzureRunCommandConnection, parseVmId, roleFeatures } from "./build";
export { azureLicenseServerArgsFromConfig } from "./from-config";
export {
    LicensingConfiguration,
    LicensingMode,
    licensingConfigurationScripts,
    type LicensingConfigurationArgs,
    type LicensingConfigurationTarget,
} from "./licensing-configuration";
export { RdsRoleFeature, RolesScriptExit, renderRolesScript } from "../../src/drivers/powershell/roles-script";
