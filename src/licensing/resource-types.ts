/**
 * The type tokens of every resource the package registers, in one place: the components, the
 * policy pack and the drift CLI use these. Tokens are stored in every stack's state: never change one.
 */

/**
 * The dynamic resources, keyed by provider kind (the key the stored `__provider` module names, see
 * components/dynamic-resource.ts): the engine's token is `pulumi-nodejs:dynamic/<module>:<name>`.
 */
export const DYNAMIC_RESOURCES = {
    calKeyPack: { module: "licensing", name: "CalKeyPack" },
    activation: { module: "licensing", name: "LicenseServerActivation" },
    requestKeySecret: { module: "licensing", name: "RequestKeySecret" },
    simulatedServer: { module: "simulator", name: "SimulatedLicenseServer" },
    simulatedDeployment: { module: "simulator", name: "SimulatedDeployment" },
    deploymentLicensing: { module: "licensing", name: "DeploymentLicensing" },
    hostLicensing: { module: "licensing", name: "HostLicensing" },
    simulatedSessionHost: { module: "simulator", name: "SimulatedSessionHost" },
    roleInstallation: { module: "azure", name: "RoleInstallation" },
    // Module "rds": the RDS deployment itself, under the licensing resources; not Azure-only (SSH too).
    sessionDeployment: { module: "rds", name: "SessionDeployment" },
} as const;
export type DynamicResourceKind = keyof typeof DYNAMIC_RESOURCES;
export type DynamicResourceType = (typeof DYNAMIC_RESOURCES)[DynamicResourceKind];

type DynamicToken<T extends DynamicResourceType> = `pulumi-nodejs:dynamic/${T["module"]}:${T["name"]}`;

export function dynamicTypeToken<T extends DynamicResourceType>(type: T): DynamicToken<T> {
    return `pulumi-nodejs:dynamic/${type.module}:${type.name}` as DynamicToken<T>;
}

const dynamic = <K extends DynamicResourceKind>(kind: K) => dynamicTypeToken(DYNAMIC_RESOURCES[kind] as (typeof DYNAMIC_RESOURCES)[K]);

export const RESOURCE_TYPES = {
    calKeyPack: dynamic("calKeyPack"),
    activation: dynamic("activation"),
    requestKeySecret: dynamic("requestKeySecret"),
    simulatedServer: dynamic("simulatedServer"),
    simulatedDeployment: dynamic("simulatedDeployment"),
    deploymentLicensing: dynamic("deploymentLicensing"),
    hostLicensing: dynamic("hostLicensing"),
    simulatedSessionHost: dynamic("simulatedSessionHost"),
    roleInstallation: dynamic("roleInstallation"),
    sessionDeployment: dynamic("sessionDeployment"),
    rdsLicensing: "rds-licensing:index:RdsLicensing",
    azureLicenseServer: "rds-licensing:azure:AzureLicenseServer",
    azureSessionHostPool: "rds-licensing:azure:AzureSessionHostPool",
    calNumbersVault: "rds-licensing:azure:CalNumbersVault",
    licensingConfiguration: "rds-licensing:azure:LicensingConfiguration",
    /** The engine's own root resource. */
    stack: "pulumi:pulumi:Stack",
} as const;

/** The provider plugin's package name: its tokens are `rds-licensing:index:<name>` (docs/plugin.md). */
export const PLUGIN_PACKAGE = "rds-licensing";

type PluginToken<T extends DynamicResourceType> = `${typeof PLUGIN_PACKAGE}:index:${T["name"]}`;

/** A dynamic resource's token in the provider plugin: the same name, in the package's `index` module. */
export function pluginTypeToken<T extends DynamicResourceType>(type: T): PluginToken<T> {
    return `${PLUGIN_PACKAGE}:index:${type.name}` as PluginToken<T>;
}

/** Every dynamic resource's plugin token, by provider kind (derived: never written twice). */
export const PLUGIN_RESOURCE_TYPES = Object.fromEntries(
    Object.entries(DYNAMIC_RESOURCES).map(([kind, type]) => [kind, pluginTypeToken(type)]),
) as { [K in DynamicResourceKind]: PluginToken<(typeof DYNAMIC_RESOURCES)[K]> };
