/**
 * The UsageExecutor over rdls-sim: one execute() call is one simulated remote execution on a
 * license server (counted once, latency paid once, one at a time per server).
 */
import type { UsageOperation } from "../licensing/usage";
import type { UsageExecutor, UsageOperationResult } from "../licensing/usage-server";
import { resolveHome } from "../simulator/paths";
import { executeUsage } from "../simulator/report-execution";

export interface SimulatorUsageOptions {
    /** Store directory; default $RDLS_SIM_HOME, else .rdls-sim in the current directory. */
    home?: string;
}

export function createSimulatorUsageExecutor(options: SimulatorUsageOptions = {}): UsageExecutor {
    const home = resolveHome(options.home);
    return {
        execute(server: string, operations: readonly UsageOperation[]): Promise<UsageOperationResult[]> {
            return executeUsage(home, server, operations);
        },
    };
}
