/**
 * The executor for a license server that is an Azure VM, over managed Run Command. The provider
 * registry loads this module only for an `azure-run-command` connection, so a simulator run never
 * loads it (and the Azure SDK itself loads only when the first script runs).
 */
import type { LicensingError } from "../licensing";
import { productVersionIdsFromEnv } from "./connect-env";
import { PowerShellExecutor } from "./powershell";
import { AzureRunCommandRunner, type AzureRunCommandRunnerOptions, type RunAsIdentity } from "./runners/azure-run-command";
import { AzureVmAgent, type AzureVmAgentOptions } from "./runners/azure-vm-agent";

export interface AzureConnectOptions {
    subscriptionId: string;
    resourceGroupName: string;
    vmName: string;
    /** ARM endpoint. @default https://management.azure.com */
    endpoint?: string;
    /** Told when a run command could not be deleted after its execution (it holds no secret). */
    onCleanupError?: (error: LicensingError) => void;
    /**
     * Run the scripts as this domain account instead of SYSTEM (`runAsUser` / `runAsPassword`).
     * Comes from a resource's secret `runAs` input (src/providers/run-as.ts), never from `connection`.
     * @default undefined (SYSTEM)
     */
    runAs?: RunAsIdentity;
}

/**
 * What a test may change about the runners and VM agents created here: the credential, the poll
 * interval, and the VM agent wait's sleep and clock (so no test sleeps for real).
 */
export type AzureTestOverrides = Pick<AzureRunCommandRunnerOptions, "credential" | "pollIntervalMs"> & Pick<AzureVmAgentOptions, "sleep" | "now">;

let overridesForTests: AzureTestOverrides = {};

/**
 * TESTS ONLY: executors created after this call use `overrides` (a credential instead of
 * DefaultAzureCredential, a shorter poll interval); `{}` restores the defaults. Production code never
 * calls it: credentials come from the environment (service principal, workload identity, managed
 * identity, Azure CLI), never from resource inputs.
 */
export function setAzureTestOverrides(overrides: AzureTestOverrides): void {
    overridesForTests = { ...overrides };
}

/** The Run Command runner of the VM `options` names: license server, broker or session host alike. */
export function azureRunner(options: AzureConnectOptions): AzureRunCommandRunner {
    const { credential, pollIntervalMs } = overridesForTests;
    return new AzureRunCommandRunner({
        subscriptionId: options.subscriptionId,
        resourceGroupName: options.resourceGroupName,
        vmName: options.vmName,
        endpoint: options.endpoint,
        onCleanupError: options.onCleanupError,
        runAs: options.runAs,
        ...(credential ? { credential } : {}),
        ...(pollIntervalMs !== undefined ? { pollIntervalMs } : {}),
    });
}

/** The VM agent of the VM `options` names (waits for it; restarts the VM), with the same ARM client settings. */
export function azureVmAgent(options: Pick<AzureConnectOptions, "subscriptionId" | "resourceGroupName" | "vmName" | "endpoint">): AzureVmAgent {
    const { credential, pollIntervalMs, sleep, now } = overridesForTests;
    return new AzureVmAgent({
        subscriptionId: options.subscriptionId,
        resourceGroupName: options.resourceGroupName,
        vmName: options.vmName,
        endpoint: options.endpoint,
        ...(credential ? { credential } : {}),
        ...(pollIntervalMs !== undefined ? { lroPollIntervalMs: pollIntervalMs } : {}),
        ...(sleep ? { sleep } : {}),
        ...(now ? { now } : {}),
    });
}

/** Reads RDS_LICENSING_VERSION_ID_2025 (connect-env.ts) from `env`. */
export function createAzureExecutor(options: AzureConnectOptions, env: NodeJS.ProcessEnv = process.env): PowerShellExecutor {
    return new PowerShellExecutor({ runner: azureRunner(options), productVersionIds: productVersionIdsFromEnv(env) });
}
