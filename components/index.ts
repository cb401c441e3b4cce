export * from "./cal-key-pack";
export type { Connection, SimulatorConnection, SshConnection } from "./connection";
export * from "./request-key-secret";
export * from "./license-server-activation";
export * from "./simulated-license-server";
export * from "./rds-licensing";
export { PROVIDER_VERSION } from "./dynamic-resource";
export * from "./azure";
