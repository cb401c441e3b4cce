/**
 * The OperationExecutor over rdls-sim: one execute() call is one simulated remote execution (counted
 * once, latency paid once, one at a time per server). Loaded inside the Pulumi dynamic provider, so it
 * imports only the execution path (Node built-ins underneath), never the CLI.
 */
import type { Operation, OperationExecutor, OperationResult } from "../licensing/operations";
import { executeOnSimulator } from "../simulator/execution";
import { resolveHome } from "../simulator/paths";

export interface SimulatorExecutorOptions {
    /** Store directory; default $RDLS_SIM_HOME, else .rdls-sim in the current directory. */
    home?: string;
}

export function createSimulatorExecutor(options: SimulatorExecutorOptions = {}): OperationExecutor {
    // Resolved once: a later chdir of the provider process must not move the store.
    const home = resolveHome(options.home);
    return {
        execute(server: string, operations: readonly Operation[]): Promise<OperationResult[]> {
            return executeOnSimulator(home, server, operations);
        },
    };
}
