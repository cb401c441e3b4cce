/**
 * ScriptRunner over Azure *managed* Run Command (Microsoft.Compute/virtualMachines/runCommands):
 * unlike the action Run Command it has protectedParameters, the only place a secret may travel.
 * Each execution creates a uniquely named run command, waits for it (asyncExecution false), reads
 * its instance view and deletes it.
 */
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import type { TokenCredential } from "@azure/core-auth";
import type { ComputeManagementClient, VirtualMachineRunCommand, VirtualMachineRunCommandInstanceView } from "@azure/arm-compute";
import { LicensingError, LicensingErrorKind } from "../../licensing";
import { mapAzureError, type AzureTarget } from "./azure-errors";
import { assertParameterName, type RunOptions, type RunOutput, type ScriptRunner } from "./script-runner";

export interface AzureRunCommandRunnerOptions extends AzureTarget {
    /**
     * Region of the VM; the run command resource needs it. @default read once from the VM
     */
    location?: string;
    /**
     * Credential for Azure Resource Manager. @default DefaultAzureCredential (environment,
     * workload identity in pipelines, managed identity, Azure CLI), created when first needed
     */
    credential?: TokenCredential;
    /** ARM endpoint. @default https://management.azure.com */
    endpoint?: string;
    /** Interval between long-running-operation polls when Azure gives no Retry-After. @default 5000 */
    pollIntervalMs?: number;
    /** Retries of the SDK itself (429 with Retry-After, 5xx, network). @default 3 */
    maxRetries?: number;
    /** Prefix of the run command names. @default "rdls" */
    namePrefix?: string;
    /** Extra time over the script timeout for provisioning and polling. @default 300_000 */
    provisioningGraceMs?: number;
    /** Told when a run command could not be deleted afterwards (it holds no secret). */
    onCleanupError?: (error: LicensingError) => void;
}

const TERMINAL_STATES = new Set(["Succeeded", "Failed", "TimedOut", "Canceled"]);

export class AzureRunCommandRunner implements ScriptRunner {
    readonly transport = "azure-run-command";
    private clientPromise?: Promise<ComputeManagementClient>;
    private location?: string;

    constructor(private readonly options: AzureRunCommandRunnerOptions) {
        for (const [key, value] of Object.entries({ subscriptionId: options.subscriptionId, resourceGroupName: options.resourceGroupName, vmName: options.vmName })) {
            if (!value) throw new TypeError(`AzureRunCommandRunner: ${key} is required`);
        }
        this.location = options.location;
    }

    async run(script: string, secretParameters: Readonly<Record<string, string>>, options: RunOptions): Promise<RunOutput> {
        Object.keys(secretParameters).forEach(assertParameterName);
        const { resourceGroupName, vmName } = this.options;
        const name = `${this.options.namePrefix ?? "rdls"}-${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;
        const abort = AbortSignal.timeout(options.timeoutMs + (this.options.provisioningGraceMs ?? 300_000));
        const poll = { updateIntervalInMs: this.options.pollIntervalMs ?? 5000, abortSignal: abort };
        let created = false;
        try {
            const client = await this.client();
            const runCommand: VirtualMachineRunCommand = {
                location: await this.vmLocation(client, abort),
                source: { script },
                protectedParameters: Object.entries(secretParameters).map(([n, value]) => ({ name: n, value })),
                asyncExecution: false,
                treatFailureAsDeploymentFailure: false,
                timeoutInSeconds: Math.max(1, Math.ceil(options.timeoutMs / 1000)),
            };
            const poller = client.virtualMachineRunCommands.createOrUpdate(resourceGroupName, vmName, name, runCommand, poll);
            await poller.submitted();
            created = true;
            await poller;
            return await this.waitForOutput(client, name, options, abort);
        } catch (error) {
            throw mapAzureError(error, this.options);
        } finally {
            if (created) await this.delete(name);
        }
    }

    /** Read the instance view; poll while the script still runs (should asyncExecution be ignored). */
    private async waitForOutput(client: ComputeManagementClient, name: string, options: RunOptions, abort: AbortSignal): Promise<RunOutput> {
        const { resourceGroupName, vmName } = this.options;
        for (;;) {
            const current = await client.virtualMachineRunCommands.getByVirtualMachine(resourceGroupName, vmName, name, { expand: "instanceView", abortSignal: abort });
            const view = current.instanceView;
            if (view?.executionState && TERMINAL_STATES.has(view.executionState)) return this.toOutput(view, options);
            await sleep(this.options.pollIntervalMs ?? 5000, abort);
        }
    }

    private toOutput(view: VirtualMachineRunCommandInstanceView, options: RunOptions): RunOutput {
        const where = `Azure Run Command on VM ${this.options.vmName}`;
        if (view.executionState === "TimedOut") {
            throw new LicensingError({ kind: LicensingErrorKind.Transient, message: `${where}: the script did not finish within ${Math.ceil(options.timeoutMs / 1000)} s` });
        }
        if (view.executionState === "Canceled") {
            throw new LicensingError({ kind: LicensingErrorKind.Transient, message: `${where}: the execution was canceled` });
        }
        const stderr = [view.error ?? "", view.executionMessage ?? ""].filter(Boolean).join("\n");
        return { stdout: view.output ?? "", stderr, exitCode: view.exitCode ?? -1 };
    }

    private async delete(name: string): Promise<void> {
        try {
            const client = await this.client();
            await client.virtualMachineRunCommands.delete(this.options.resourceGroupName, this.options.vmName, name, {
                updateIntervalInMs: this.options.pollIntervalMs ?? 5000,
            });
        } catch (error) {
            this.options.onCleanupError?.(mapAzureError(error, this.options));
        }
    }

    private async vmLocation(client: ComputeManagementClient, abort: AbortSignal): Promise<string> {
        if (!this.location) {
            const vm = await client.virtualMachines.get(this.options.resourceGroupName, this.options.vmName, { abortSignal: abort });
            this.location = vm.location;
        }
        return this.location;
    }

    /** Heavy modules load on first use, so importing the driver stays cheap. */
    private client(): Promise<ComputeManagementClient> {
        this.clientPromise ??= (async () => {
            // require (not import()) keeps the CommonJS build's types and works under test runners too.
            const load = createRequire(__filename);
            const { ComputeManagementClient } = load("@azure/arm-compute") as typeof import("@azure/arm-compute");
            const credential =
                this.options.credential ?? new (load("@azure/identity") as typeof import("@azure/identity")).DefaultAzureCredential();
            return new ComputeManagementClient(credential, this.options.subscriptionId, {
                endpoint: this.options.endpoint,
                retryOptions: { maxRetries: this.options.maxRetries ?? 3 },
            });
        })();
        return this.clientPromise;
    }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason);
        const timer = setTimeout(resolve, ms);
        signal.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason)), { once: true });
    });
}
