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
export { RoleInstallation, createRolesStep, type RoleInstallationArgs, type RolesStepArgs } from "./roles-step";
export { AzureSessionHostPool, type AzureSessionHost } from "./session-host-pool";
export type { AzureAvailabilitySetArgs, AzureSessionHostPoolArgs } from "./session-host-pool-args";
export { resolveAzureSessionHostPoolArgs, type ResolvedAzureSessionHostPoolArgs } from "./session-host-pool-resolve";
export { acceleratedNetworkingFor, ACCELERATED_NETWORKING_SIZES, NO_ACCELERATED_NETWORKING_SIZES, type AcceleratedNetworkingDecision } from "./accelerated-networking";
export { planSessionHosts, sessionHostName, type PlannedSessionHost } from "./session-host-names";
export {
    CalNumbersVault,
    NumbersDelivery,
    KEY_VAULT_SECRETS_USER_ROLE_ID,
    type CalNumbersVaultArgs,
    type CalNumbersVaultNetworkArgs,
    type CalNumbersVaultPack,
} from "./numbers-vault";
