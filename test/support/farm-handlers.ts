/**
 * What the tests of the farm's dynamic providers (SimulatedDeployment, SimulatedSessionHost,
 * DeploymentLicensing, HostLicensing) call their handlers with: a fresh simulator store per test,
 * and the property bags the engine hands over.
 */
import * as fs from "node:fs";
import { forgetFarmExecutors } from "../../src/providers/farm-registry";
import { openSimulator, type Simulator } from "../../src/simulator";
import { tempHome } from "../simulator/helpers/sim";

type Raw = Record<string, unknown>;

/** The `__provider` input the engine adds to every bag (its text does not matter to the handlers). */
export const PROVIDER = "exports.handler = ...";

/**
 * A new store, and no farm executor cached from another test's store. Progress lines are quiet, and
 * retries of transient failures wait 1 ms.
 */
export function openFarmStore(): { home: string; sim: Simulator } {
    const home = tempHome();
    const sim = openSimulator({ home });
    forgetFarmExecutors();
    process.env.RDS_LICENSING_QUIET = "1";
    process.env.RDS_LICENSING_RETRY_BASE_MS = "1";
    return { home, sim };
}

export function removeFarmStore(home: string): void {
    delete process.env.RDS_LICENSING_QUIET;
    delete process.env.RDS_LICENSING_RETRY_BASE_MS;
    fs.rmSync(home, { recursive: true, force: true });
}

/**
 * A DeploymentLicensing's (`{ broker }`) or HostLicensing's (`{ host }`) inputs on the simulator
 * store `home`: per user from RDLS01, the settings left on delete.
 */
export const licensingSettingsInputs = (home: string, target: { broker: string } | { host: string }, over: Raw = {}): Raw => ({
    providerVersion: "1",
    connection: { kind: "simulator", home },
    ...target,
    mode: "PerUser",
    licenseServers: ["RDLS01"],
    resetOnDelete: false,
    __provider: PROVIDER,
    ...over,
});
