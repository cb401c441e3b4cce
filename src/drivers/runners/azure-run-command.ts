/**
 * ScriptRunner over Azure *managed* Run Command (Microsoft.Compute/virtualMachines/runCommands):
 * unlike the action Run Command it has protectedParameters, the only place a secret may travel.
 * Each execution creates a uniquely named run command, waits for it (asyncExecution false), reads
 * its instance view and deletes it. With `runAs`, the script runs as that account (`runAsUser` /
 * `runAsPassword` of the request body) instead of SYSTEM; the password goes nowhere else, and every
 * error and output this runner hands back has it redacted.
 */
import { randomBytes } from "node:crypto";
import type { ComputeManagementClient, VirtualMachineRunCommand, VirtualMachineRunCommandInstanceView } from "@azure/arm-compute";
import { LicensingError, LicensingErrorKind } from "../../licensing";
import { abortableSleep, computeClientFactory, type AzureComputeClientOptions } from "./azure-compute-client";
import { mapAzureError, type AzureTarget } from "./azure-errors";
import { assertParameterName, type RunOptions, type RunOutput, type ScriptRunner } from "./script-runner";

/** The account a script runs as, instead of SYSTEM. */
export interface RunAsIdentity {
    /** @example "CORP\\svc-rds" */
    user: string;
    /** A secret: sent only as the request's `runAsPassword`. */
    password: string;
}

export interface AzureRunCommandRunnerOptions extends AzureTarget, Omit<AzureComputeClientOptions, "subscriptionId"> {
    /**
     * Region of the VM; the run command resource needs it. @default read once from the VM
     */
    location?: string;
    /** Interval between long-running-operation polls when Azure gives no Retry-After. @default 5000 */
    pollIntervalMs?: number;
    /**
     * Run the scripts as this account (a domain identity for the RemoteDesktop cmdlets).
     * @default undefined (SYSTEM)
     */
    runAs?: RunAsIdentity;
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
    private readonly client: () => Promise<ComputeManagementClient>;
    private location?: string;

    constructor(private readonly options: AzureRunCommandRunnerOptions) {
        for (const [key, value] of Object.entries({ subscriptionId: options.subscriptionId, resourceGroupName: options.resourceGroupName, vmName: options.vmName })) {
            if (!value) throw new TypeError(`AzureRunCommandRunner: ${key} is required`);
        }
        if (options.runAs && (!options.runAs.user || !options.runAs.password)) {
            throw new TypeError("AzureRunCommandRunner: runAs needs both user and password (or leave runAs out to run as SYSTEM)");
        }
        this.location = options.location;
        this.client = computeClientFactory(options);
    }

    async run(script: string, secretParameters: Readonly<Record<string, string>>, options: RunOptions): Promise<RunOutput> {
        const password = this.options.runAs?.password;
        try {
            const output = await this.runOnce(script, secretParameters, options);
            // Masked to the same length: the framed result block states its length, and must still parse.
            return password ? { ...output, stdout: mask(output.stdout, password), stderr: redact(output.stderr, password) } : output;
        } catch (error) {
            throw password ? redactError(error, password) : error;
        }
    }

    private async runOnce(script: string, secretParameters: Readonly<Record<string, string>>, options: RunOptions): Promise<RunOutput> {
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
                // Top-level properties of the request, never parameters: the script cannot read them.
                ...(this.options.runAs ? { runAsUser: this.options.runAs.user, runAsPassword: this.options.runAs.password } : {}),
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
            await abortableSleep(this.options.pollIntervalMs ?? 5000, abort);
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
            const mapped = mapAzureError(error, this.options);
            const password = this.options.runAs?.password;
            this.options.onCleanupError?.(password ? (redactError(mapped, password) as LicensingError) : mapped);
        }
    }

    private async vmLocation(client: ComputeManagementClient, abort: AbortSignal): Promise<string> {
        if (!this.location) {
            const vm = await client.virtualMachines.get(this.options.resourceGroupName, this.options.vmName, { abortSignal: abort });
            this.location = vm.location;
        }
        return this.location;
    }
}

/** `text` with every occurrence of `secret` replaced. */
function redact(text: string, secret: string): string {
    return text.split(secret).join("***");
}

/** `text` with every occurrence of `secret` replaced by as many asterisks. */
function mask(text: string, secret: string): string {
    return text.split(secret).join("*".repeat(secret.length));
}

/**
 * The error with the password cut out of its message (an SDK error may quote the request). A
 * LicensingError keeps its kind; anything else becomes a failed LicensingError, as mapAzureError
 * would make it.
 */
function redactError(error: unknown, secret: string): unknown {
    if (!(error instanceof Error) || !error.message.includes(secret)) {
        if (error instanceof Error && error.stack?.includes(secret)) error.stack = redact(error.stack, secret);
        return error;
    }
    const kind = error instanceof LicensingError ? error.kind : LicensingErrorKind.Failed;
    const retryAfterMs = error instanceof LicensingError ? error.retryAfterMs : undefined;
    const returnValue = error instanceof LicensingError ? error.returnValue : undefined;
    const message = redact(error instanceof LicensingError ? error.detail : error.message, secret);
    return new LicensingError({ kind, message, retryAfterMs, returnValue });
}
