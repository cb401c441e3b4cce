/**
 * FarmExecutors for a broker or session host reached like a license server: the PowerShell farm
 * scripts over the same runners (Azure Run Command, SSH). Loaded by the provider's farm executor
 * lookup only for those connection kinds, so a simulator run never loads them.
 */
import type { FarmExecutor } from "../licensing/farm";
import { azureRunner, type AzureConnectOptions } from "./connect-azure";
import { sshRunner, type SshConnectOptions } from "./connect-ssh";
import { PowerShellFarmExecutor } from "./powershell";

/** The VM the connection names is the broker (or the standalone host) the scripts run on. */
export function createAzureFarmExecutor(options: AzureConnectOptions): FarmExecutor {
    return new PowerShellFarmExecutor({ runner: azureRunner(options) });
}

/** Credentials are read from `env` at each execution (RDLS_SSH_* variables), as for license servers. */
export function createSshFarmExecutor(options: SshConnectOptions, env: NodeJS.ProcessEnv = process.env): FarmExecutor {
    return new PowerShellFarmExecutor({ runner: sshRunner(options, env) });
}
