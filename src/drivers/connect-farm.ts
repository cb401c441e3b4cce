/**
 * FarmExecutors for a broker or session host reached like a license server: the PowerShell farm
 * scripts over the same runners (Azure Run Command, SSH). Loaded by the provider's farm executor
 * lookup only for those connection kinds, so a simulator run never loads them.
 */
import type { LicensingError } from "../licensing";
import type { FarmExecutor } from "../licensing/farm";
import { PowerShellFarmExecutor } from "./powershell";
import { AzureRunCommandRunner } from "./runners/azure-run-command";
import { SshRunner } from "./runners/ssh";
import { sshCredentialsFromEnv } from "./runners/ssh-credentials";
import type { AzureConnectOptions } from "./connect-azure";
import type { SshConnectOptions } from "./connect-ssh";

/** The VM the connection names is the broker (or the standalone host) the scripts run on. */
export function createAzureFarmExecutor(options: AzureConnectOptions & { onCleanupError?: (error: LicensingError) => void }): FarmExecutor {
    const runner = new AzureRunCommandRunner({
        subscriptionId: options.subscriptionId,
        resourceGroupName: options.resourceGroupName,
        vmName: options.vmName,
        endpoint: options.endpoint,
        onCleanupError: options.onCleanupError,
    });
    return new PowerShellFarmExecutor({ runner });
}

/** Credentials are read from `env` at each execution (RDLS_SSH_* variables), as for license servers. */
export function createSshFarmExecutor(options: SshConnectOptions, env: NodeJS.ProcessEnv = process.env): FarmExecutor {
    const runner = new SshRunner({
        host: options.host,
        port: options.port ?? 22,
        username: options.username,
        hostKeySha256: options.hostKeySha256,
        credentials: () => sshCredentialsFromEnv(env),
    });
    return new PowerShellFarmExecutor({ runner });
}
