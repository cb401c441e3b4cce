/**
 * rdls-sim: the RD License Server + Microsoft Clearinghouse simulator.
 * - openSimulator(): the admin API (servers, packs, drift actions, faults, registry, stats)
 * - executeOnSimulator(): one remote execution (what src/drivers/simulator.ts wraps)
 */
export { openSimulator, Simulator, type NewServer, type ServerTarget, type SimulatorOptions } from "./admin";
export type { ExecutionStats, LatencyConfig, RegistrySummary } from "./controls";
export { executeOnSimulator, type ExecuteOptions } from "./execution";
export { LATENCY_ENV, effectiveLatencyMs, type FaultPatch } from "./faults";
export { DEFAULT_HOME_DIR, HOME_ENV, resolveHome } from "./paths";
export { REVOCABLE_SHARE } from "./rules-packs";
export { SPLA_VALIDITY_DAYS } from "./rules-install";
export type { ExecutionLogEntry, Faults } from "./state";
export { BUILT_IN_KEY_PACK_ID } from "./state";
export type { ServerSummary, SimulatorPack } from "./views";
// The farm: session hosts, deployments, connections, the simulated clock.
export type { IssuedLicenseView, NewDeployment, NewHost } from "./admin-farm";
export type { ClockView } from "./clock";
export { NO_LICENSE_SERVERS_TEXT, type ConnectRequest, type ConnectResult } from "./connections";
export { executeFarm, readFarmExecutionLog } from "./farm-execution";
export { GRACE_PERIOD_DAYS } from "./rules-farm";
