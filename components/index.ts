import type { SECRET_NUMBER_INPUTS } from "./cal-key-pack";

export * from "./cal-key-pack";
export type { Connection, SimulatorConnection, SshConnection } from "./connection";
export * from "./request-key-secret";
export * from "./license-server-activation";
export * from "./simulated-license-server";
export * from "./simulated-deployment";
export * from "./deployment-licensing";
export * from "./session-deployment";
export { SimulatedSessionHost, type SimulatedSessionHostArgs } from "./simulated-session-host";
export * from "./host-licensing";
export * from "./rds-licensing";
export { PROVIDER_VERSION } from "./dynamic-resource";
export * from "./azure";

// Every type a public signature above names, so a program can name it too (`import type { HostHealth }
// from "rds-licensing"`); test/package/public-types.test.ts walks the signatures and fails on one missing.
// The base class of the dynamic resources: to name them together (its constructor is protected).
export type { DynamicResource } from "./dynamic-resource";
export { LicenseType, PRODUCT_VERSIONS, type ProductVersion } from "../src/licensing/codes";
export { LicenseProgram, LICENSE_PROGRAMS } from "../src/licensing/programs";
export {
    HostLicensingMode,
    LicenseServerConnectivity,
    type LicensingSettings,
    type PolicySources,
    type SessionHostLicensing,
} from "../src/licensing/farm";
export { HealthFindingKind, type HealthFinding, type HostCoverage, type HostHealth } from "../src/licensing/health";
export type { FarmSpec, PlanFinding, PlannedLicenseServer } from "../src/licensing/farm-checks";
export type { LicenseServerConfig, ParsedStackConfig, StackConfig } from "../src/config/schema";
export type { RolesScriptOptions } from "../src/drivers/powershell/roles-script";
/** The names of the inputs that hold a program's numbers (`agreementNumber`, `licenseCode`...): always secrets. */
export type SecretNumberInput = (typeof SECRET_NUMBER_INPUTS)[number];
