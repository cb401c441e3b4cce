/**
 * Entry point of the dynamic providers' code inside the engine's provider process, reached as
 * `require("rds-licensing/provider")` (see components/dynamic-resource.ts for why).
 */
import type { DynamicResourceKind } from "../licensing/resource-types";
import { activationProvider } from "./activation/handlers";
import { calKeyPackProvider } from "./cal-key-pack/handlers";
import { deploymentLicensingProvider } from "./deployment-licensing/handlers";
import { hostLicensingProvider } from "./host-licensing/handlers";
import { requestKeySecretProvider } from "./request-key-secret/handlers";
import { roleInstallationProvider } from "./role-installation/handlers";
import { sessionDeploymentProvider } from "./session-deployment/handlers";
import { simulatedDeploymentProvider } from "./simulated-deployment/handlers";
import { simulatedServerProvider } from "./simulated-server/handlers";
import { simulatedSessionHostProvider } from "./simulated-session-host/handlers";

export const providers = {
    calKeyPack: calKeyPackProvider,
    activation: activationProvider,
    simulatedServer: simulatedServerProvider,
    requestKeySecret: requestKeySecretProvider,
    simulatedDeployment: simulatedDeploymentProvider,
    deploymentLicensing: deploymentLicensingProvider,
    hostLicensing: hostLicensingProvider,
    simulatedSessionHost: simulatedSessionHostProvider,
    roleInstallation: roleInstallationProvider,
    sessionDeployment: sessionDeploymentProvider,
    // Keys are stored in every resource's `__provider` module: one per catalog resource, never renamed.
} satisfies Record<DynamicResourceKind, unknown>;

export type ProviderKind = keyof typeof providers;
