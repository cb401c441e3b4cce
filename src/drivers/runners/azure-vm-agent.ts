/**
 * Waiting for a VM's agent, and restarting a VM and waiting for it: managed Run Command needs a
 * ready VM agent, and a VM that restarts (a domain join, a role install) has none for a while. A
 * script sent in that window fails or, worse, is killed halfway by the reboot. The VM's instance
 * view (`virtualMachines.instanceView`) says when the agent is back: vmAgent status
 * `ProvisioningState/succeeded` ("Ready") with the power state `PowerState/running`.
 */
import type { ComputeManagementClient, InstanceViewStatus, VirtualMachineInstanceView } from "@azure/arm-compute";
import { LicensingError, LicensingErrorKind } from "../../licensing";
import { abortableSleep, computeClientFactory, type AzureComputeClientOptions } from "./azure-compute-client";
import { mapAzureError, type AzureTarget } from "./azure-errors";

export interface VmAgentWaitOptions {
    /** How long to wait for the agent, in milliseconds. @default 900_000 (15 minutes) */
    timeoutMs?: number;
    /** Interval between two reads of the instance view, in milliseconds. @default 10_000 */
    pollIntervalMs?: number;
    /** Told after every read that found the agent not ready yet (a progress line). */
    onNotReady?: (status: string, waitedMs: number) => void;
}

export interface AzureVmAgentOptions extends AzureTarget, Omit<AzureComputeClientOptions, "subscriptionId"> {
    /** Interval between long-running-operation polls (the restart) when Azure gives no Retry-After. @default 5000 */
    lroPollIntervalMs?: number;
    /** TESTS: the sleep between polls (fake timers or an instant one). @default setTimeout */
    sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
    /** TESTS: the clock the timeout is measured on. @default Date.now */
    now?: () => number;
}

/** The default bound of one wait for the agent: a Windows restart with updates pending can be slow. */
export const DEFAULT_AGENT_TIMEOUT_MS = 15 * 60_000;
const DEFAULT_AGENT_POLL_MS = 10_000;

/** What the instance view says, reduced to what the wait needs. */
export interface VmAgentState {
    ready: boolean;
    /** For messages: "agent Ready, VM running", "agent Not Ready (VM agent is unresponsive.), VM starting". */
    description: string;
}

/** Ready means: the agent reports ProvisioningState/succeeded (displayed "Ready") and the VM runs. */
export function vmAgentState(view: VirtualMachineInstanceView): VmAgentState {
    const agent = (view.vmAgent?.statuses ?? []).find((s) => s.code?.toLowerCase().startsWith("provisioningstate/"));
    const power = (view.statuses ?? []).find((s) => s.code?.toLowerCase().startsWith("powerstate/"));
    const agentReady = agent?.code?.toLowerCase() === "provisioningstate/succeeded" && (agent.displayStatus ?? "Ready").toLowerCase() === "ready";
    const running = power?.code?.toLowerCase() === "powerstate/running";
    return { ready: agentReady && running, description: `agent ${describe(agent, "not reporting")}, VM ${power?.code?.split("/")[1] ?? "power state unknown"}` };
}

function describe(status: InstanceViewStatus | undefined, missing: string): string {
    if (!status) return missing;
    const label = status.displayStatus ?? status.code ?? "unknown";
    return status.message ? `${label} (${status.message.slice(0, 200)})` : label;
}

/** The VM agent of one VM: wait for it, or restart the VM and wait for it. */
export class AzureVmAgent {
    private readonly client: () => Promise<ComputeManagementClient>;
    private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
    private readonly now: () => number;

    constructor(private readonly options: AzureVmAgentOptions) {
        for (const [key, value] of Object.entries({ subscriptionId: options.subscriptionId, resourceGroupName: options.resourceGroupName, vmName: options.vmName })) {
            if (!value) throw new TypeError(`AzureVmAgent: ${key} is required`);
        }
        this.client = computeClientFactory(options);
        this.sleep = options.sleep ?? abortableSleep;
        this.now = options.now ?? Date.now;
    }

    /**
     * Resolves once the VM's agent reports ready and the VM runs; polls the instance view every
     * `pollIntervalMs`. Rejects with a LicensingError (kind `transient`: a later run may find it
     * ready) naming the VM, how long it waited and what the agent last said, after `timeoutMs`.
     */
    async waitForReady(wait: VmAgentWaitOptions = {}): Promise<void> {
        const timeoutMs = wait.timeoutMs ?? DEFAULT_AGENT_TIMEOUT_MS;
        const pollMs = wait.pollIntervalMs ?? DEFAULT_AGENT_POLL_MS;
        const start = this.now();
        let last = "no instance view read yet";
        for (;;) {
            const state = await this.read();
            if (state.ready) return;
            last = state.description;
            const waited = this.now() - start;
            if (waited >= timeoutMs) throw this.timeout(waited, last);
            wait.onNotReady?.(last, waited);
            await this.sleep(Math.min(pollMs, Math.max(1, timeoutMs - waited)));
        }
    }

    /** Restart the VM (`virtualMachines.restart`, followed to its end), then wait for its agent. */
    async restartAndWait(wait: VmAgentWaitOptions = {}): Promise<void> {
        const { resourceGroupName, vmName } = this.options;
        try {
            const client = await this.client();
            await client.virtualMachines.restart(resourceGroupName, vmName, { updateIntervalInMs: this.options.lroPollIntervalMs ?? 5000 });
        } catch (error) {
            throw this.mapError(error, "restart");
        }
        await this.waitForReady(wait);
    }

    private async read(): Promise<VmAgentState> {
        try {
            const client = await this.client();
            return vmAgentState(await client.virtualMachines.instanceView(this.options.resourceGroupName, this.options.vmName));
        } catch (error) {
            throw this.mapError(error, "read the instance view of");
        }
    }

    private timeout(waitedMs: number, last: string): LicensingError {
        const { vmName, resourceGroupName } = this.options;
        return new LicensingError({
            kind: LicensingErrorKind.Transient,
            message:
                `VM ${vmName} (resource group ${resourceGroupName}): its VM agent was not ready after ${formatDuration(waitedMs)} (last: ${last}). ` +
                "Check the VM's boot diagnostics and the Windows Azure Guest Agent service, then run `pulumi up` again",
        });
    }

    private mapError(error: unknown, action: string): LicensingError {
        const mapped = mapAzureError(error, this.options);
        return new LicensingError({ kind: mapped.kind, retryAfterMs: mapped.retryAfterMs, message: `could not ${action} VM ${this.options.vmName}: ${mapped.detail.replace(/^Azure Run Command on VM [^:]+: /, "")}` });
    }
}

/** "45 s", "15 min", "15 min 30 s". */
export function formatDuration(ms: number): string {
    const seconds = Math.round(ms / 1000);
    if (seconds < 60) return `${seconds} s`;
    const rest = seconds % 60;
    return rest ? `${Math.floor(seconds / 60)} min ${rest} s` : `${seconds / 60} min`;
}

/** {@link AzureVmAgent.waitForReady} for one VM. */
export function waitForVmAgentReady(options: AzureVmAgentOptions, wait?: VmAgentWaitOptions): Promise<void> {
    return new AzureVmAgent(options).waitForReady(wait);
}

/** {@link AzureVmAgent.restartAndWait} for one VM. */
export function restartVmAndWait(options: AzureVmAgentOptions, wait?: VmAgentWaitOptions): Promise<void> {
    return new AzureVmAgent(options).restartAndWait(wait);
}
