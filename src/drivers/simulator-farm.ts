/**
 * The FarmExecutor over rdls-sim: one execute() call is one simulated remote execution on a broker
 * or a session host (counted once, latency paid once, one at a time per machine). Loaded inside the
 * Pulumi dynamic provider, so it imports only the execution path, never the CLI.
 */
import type { FarmExecutor, FarmOperation, FarmOperationResult } from "../licensing/farm";
import { executeFarm } from "../simulator/farm-execution";
import { resolveHome } from "../simulator/paths";

export interface SimulatorFarmExecutorOptions {
    /** Store directory; default $RDLS_SIM_HOME, else .rdls-sim in the current directory. */
    home?: string;
}

export function createSimulatorFarmExecutor(options: SimulatorFarmExecutorOptions = {}): FarmExecutor {
    // Resolved once: a later chdir of the provider process must not move the store.
    const home = resolveHome(options.home);
    return {
        execute(target: string, operations: readonly FarmOperation[]): Promise<FarmOperationResult[]> {
            return executeFarm(home, target, operations);
        },
    };
}
