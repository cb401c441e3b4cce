/**
 * A fake Azure Resource Manager on https://127.0.0.1 speaking the managed Run Command REST shapes:
 * GET virtualMachines/{vm}; PUT / GET / DELETE virtualMachines/{vm}/runCommands/{name}, PUT and DELETE
 * as long-running operations (201/202 + Azure-AsyncOperation / Location + Retry-After, polled);
 * `$expand=instanceView` with the script's output cut to its last 4,096 bytes as Run Command does.
 * Scripts are executed by a FakeWindowsServer (or by a `scriptHosts` entry that claims them). Every
 * request is recorded.
 *
 * The VM itself: GET virtualMachines/{vm}/instanceView with a VM agent that reports "Not Ready" for
 * `agentNotReadyPolls` more reads (forever with `agentNeverReady`), and POST virtualMachines/{vm}/restart
 * as a long-running operation after which the agent is not ready for `notReadyPollsAfterRestart`
 * reads. A run command PUT while the agent is not ready is refused (409, as Azure refuses a VM
 * whose agent does not answer). `events` is the timeline of those: what ran before what.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { FakeWindowsServer } from "./fake-windows";
import { lastBytes } from "./fake-runner";

export interface RecordedRequest {
    method: string;
    url: string;
    headers: Record<string, string | string[] | undefined>;
    body: string;
}

/** A canned answer to the next request that matches. */
export interface ArmFault {
    method: string;
    pathIncludes: string;
    status: number;
    code: string;
    message: string;
    headers?: Record<string, string>;
}

/** Runs a script it recognizes (returns undefined for one it does not: the FakeWindowsServer gets it). */
export type FakeScriptHost = (script: string, parameters: Readonly<Record<string, string>>) => Promise<{ stdout: string; stderr: string; exitCode: number }> | undefined;

/** The Run Command fields of a PUT that say whom the script runs as. */
export interface RecordedRunAs {
    runCommand: string;
    runAsUser?: string;
    runAsPassword?: string;
}

interface RunCommandState {
    name: string;
    location: string;
    script: string;
    /** Polls left before the execution reports done. */
    pollsLeft: number;
    instanceView?: Record<string, unknown>;
    failure?: { code: string; message: string };
    done: Promise<void>;
}

export class FakeArm {
    readonly requests: RecordedRequest[] = [];
    readonly faults: ArmFault[] = [];
    vmName = "rdls-vm";
    location = "westeurope";
    powerState: "running" | "deallocated" = "running";
    /** The next deployment fails with this error (e.g. the VM agent not ready). */
    nextDeploymentError?: { code: string; message: string };
    /** The next execution times out on the VM. */
    nextExecutionTimesOut = false;
    /** In-progress answers before an operation completes. */
    pollsPerOperation = 1;
    retryAfterSeconds = "0";
    /** Instance view reads left that report the VM agent not ready (then it is ready). */
    agentNotReadyPolls = 0;
    /** The agent never gets ready (for timeout tests). */
    agentNeverReady = false;
    /** What a restart does to the agent: not ready for this many instance view reads. */
    notReadyPollsAfterRestart = 3;
    /** Scripts these recognize run here instead of on the FakeWindowsServer. */
    readonly scriptHosts: FakeScriptHost[] = [];
    /** Told when a restart completes (a fake VM forgets what a reboot clears). */
    readonly onRestart: (() => void)[] = [];
    /** Timeline: `instanceView:not-ready`, `instanceView:ready`, `restart`, `runCommand:<name>`. */
    readonly events: string[] = [];
    /** The runAsUser / runAsPassword of each run command PUT. */
    readonly runAs: RecordedRunAs[] = [];
    private readonly runCommands = new Map<string, RunCommandState>();
    private readonly operations = new Map<string, { runCommand?: string; deleted?: string; restart?: boolean; pollsLeft: number }>();
    private server?: Server;
    url = "";

    constructor(private readonly windows: FakeWindowsServer, private readonly tlsMaterial: { key: string; cert: string }) {}

    async start(): Promise<string> {
        this.server = createServer({ key: this.tlsMaterial.key, cert: this.tlsMaterial.cert }, (req, res) => {
            const chunks: Buffer[] = [];
            req.on("data", (c: Buffer) => chunks.push(c));
            req.on("end", () => {
                const body = Buffer.concat(chunks).toString("utf8");
                this.requests.push({ method: req.method!, url: req.url!, headers: { ...req.headers }, body });
                this.handle(req.method!, new URL(req.url!, this.url), body)
                    .then(({ status, json, headers }) => {
                        res.writeHead(status, { "content-type": "application/json", "x-ms-request-id": randomUUID(), ...headers });
                        res.end(json === undefined ? "" : JSON.stringify(json));
                    })
                    .catch((error: Error) => {
                        res.writeHead(500, { "content-type": "application/json" });
                        res.end(JSON.stringify({ error: { code: "FakeArmBug", message: error.stack } }));
                    });
            });
        });
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
        this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
        return this.url;
    }

    async stop(): Promise<void> {
        await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
    }

    /** Requests to the run command resources (no VM GETs, no polls). */
    runCommandRequests(): RecordedRequest[] {
        return this.requests.filter((r) => /\/runCommands\//.test(r.url));
    }

    private error(status: number, code: string, message: string, headers: Record<string, string> = {}) {
        return { status, json: { error: { code, message } }, headers };
    }

    private async handle(method: string, url: URL, body: string): Promise<{ status: number; json?: unknown; headers?: Record<string, string> }> {
        const fault = this.faults.findIndex((f) => f.method === method && url.pathname.includes(f.pathIncludes));
        if (fault >= 0) {
            const [f] = this.faults.splice(fault, 1);
            return this.error(f!.status, f!.code, f!.message, f!.headers);
        }
        if (!url.searchParams.get("api-version")) return this.error(400, "MissingApiVersionParameter", "The api-version query parameter is required.");
        const op = /\/providers\/Microsoft\.Compute\/locations\/[^/]+\/operations\/([^/]+)$/.exec(url.pathname);
        if (op && method === "GET") return this.pollOperation(op[1]!);
        const vmAction = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Compute\/virtualMachines\/([^/]+)\/(instanceView|restart)$/.exec(url.pathname);
        if (vmAction) return this.vmAction(method, vmAction[1]!, vmAction[2] as "instanceView" | "restart");
        const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/virtualMachines\/([^/]+)(?:\/runCommands\/([^/]+))?$/.exec(url.pathname);
        if (!m) return this.error(404, "InvalidResourceType", `no route for ${url.pathname}`);
        const [, , , vm, runCommand] = m;
        if (vm !== this.vmName) return this.error(404, "ResourceNotFound", `The Resource 'Microsoft.Compute/virtualMachines/${vm}' was not found.`);
        if (!runCommand) {
            if (method !== "GET") return this.error(405, "MethodNotAllowed", method);
            return { status: 200, json: { id: url.pathname, name: vm, type: "Microsoft.Compute/virtualMachines", location: this.location, properties: { provisioningState: "Succeeded" } } };
        }
        if (method === "PUT") return this.put(url, runCommand, body);
        if (method === "GET") return this.get(url, runCommand);
        if (method === "DELETE") return this.delete(url, runCommand);
        return this.error(405, "MethodNotAllowed", method);
    }

    private vmAction(method: string, vm: string, action: "instanceView" | "restart") {
        if (vm !== this.vmName) return this.error(404, "ResourceNotFound", `The Resource 'Microsoft.Compute/virtualMachines/${vm}' was not found.`);
        if (action === "instanceView") {
            if (method !== "GET") return this.error(405, "MethodNotAllowed", method);
            return { status: 200, json: this.instanceView() };
        }
        if (method !== "POST") return this.error(405, "MethodNotAllowed", method);
        this.events.push("restart");
        this.agentNotReadyPolls = this.notReadyPollsAfterRestart;
        for (const hook of this.onRestart) hook();
        const operation = randomUUID();
        this.operations.set(operation, { restart: true, pollsLeft: this.pollsPerOperation });
        return { status: 202, headers: { location: this.operationUrl(operation), "retry-after": this.retryAfterSeconds } };
    }

    /** Whether the VM agent answers (what the next instance view read would say, without reading). */
    get agentReady(): boolean {
        return !this.agentNeverReady && this.agentNotReadyPolls === 0 && this.powerState === "running";
    }

    private instanceView() {
        const ready = this.agentReady;
        if (!ready && this.agentNotReadyPolls > 0) this.agentNotReadyPolls--;
        this.events.push(ready ? "instanceView:ready" : "instanceView:not-ready");
        const time = new Date().toISOString();
        const agentStatus = ready
            ? { code: "ProvisioningState/succeeded", level: "Info", displayStatus: "Ready", message: "GuestAgent is running and processing the extensions.", time }
            : { code: "ProvisioningState/Unavailable", level: "Warning", displayStatus: "Not Ready", message: "VM Agent is unresponsive.", time };
        return {
            computerName: this.vmName,
            osName: "Windows Server 2022 Datacenter",
            vmAgent: { vmAgentVersion: "2.7.41491.1102", statuses: [agentStatus] },
            statuses: [
                { code: "ProvisioningState/succeeded", level: "Info", displayStatus: "Provisioning succeeded", time },
                this.powerState === "running"
                    ? { code: "PowerState/running", level: "Info", displayStatus: "VM running" }
                    : { code: "PowerState/deallocated", level: "Info", displayStatus: "VM deallocated" },
            ],
        };
    }

    /** The runAs fields of the PUTs that carried one. */
    private recordRunAs(name: string, properties: Record<string, unknown> | undefined): void {
        const runAsUser = properties?.runAsUser;
        const runAsPassword = properties?.runAsPassword;
        this.runAs.push({
            runCommand: name,
            ...(typeof runAsUser === "string" ? { runAsUser } : {}),
            ...(typeof runAsPassword === "string" ? { runAsPassword } : {}),
        });
    }

    private operationUrl(id: string): string {
        return `${this.url}/subscriptions/sub/providers/Microsoft.Compute/locations/${this.location}/operations/${id}?api-version=2026-04-01`;
    }

    private put(url: URL, name: string, body: string) {
        if (this.powerState !== "running") {
            return this.error(409, "OperationNotAllowed", "Operation 'runCommands' is not allowed on VM 'rdls-vm' since the VM is deallocated. Start the VM and retry.");
        }
        if (!this.agentReady) {
            this.events.push(`refused:${name}`);
            return this.error(409, "VMAgentStatusCommunicationError", `VM '${this.vmName}' has not reported status for VM agent or extensions. Verify the VM has a running VM agent.`);
        }
        const resource = JSON.parse(body) as {
            location?: string;
            properties?: { source?: { script?: string }; protectedParameters?: { name: string; value: string }[]; parameters?: unknown[]; runAsUser?: string; runAsPassword?: string };
        };
        this.events.push(`runCommand:${name}`);
        this.recordRunAs(name, resource.properties);
        if (!resource.location) return this.error(400, "LocationRequired", "The location property is required for this definition.");
        const script = resource.properties?.source?.script;
        if (!script) return this.error(400, "InvalidParameter", "source.script is required");
        const parameters = Object.fromEntries((resource.properties?.protectedParameters ?? []).map((p) => [p.name, p.value]));
        const state: RunCommandState = { name, location: resource.location, script, pollsLeft: this.pollsPerOperation, done: Promise.resolve() };
        if (this.nextDeploymentError) {
            state.failure = this.nextDeploymentError;
            this.nextDeploymentError = undefined;
        } else if (this.nextExecutionTimesOut) {
            this.nextExecutionTimesOut = false;
            state.instanceView = { executionState: "TimedOut", executionMessage: "Execution timed out", output: "", error: "", exitCode: -1 };
        } else {
            const host = this.scriptHosts.map((run) => run(script, parameters)).find((r) => r !== undefined);
            state.done = (host ?? this.windows.run(script, parameters)).then((result) => {
                state.instanceView = {
                    executionState: result.exitCode === 0 ? "Succeeded" : "Failed",
                    executionMessage: "",
                    exitCode: result.exitCode,
                    output: lastBytes(result.stdout, 4096),
                    error: lastBytes(result.stderr, 4096),
                    startTime: new Date().toISOString(),
                    endTime: new Date().toISOString(),
                };
            });
        }
        this.runCommands.set(name, state);
        const operation = randomUUID();
        this.operations.set(operation, { runCommand: name, pollsLeft: this.pollsPerOperation });
        return {
            status: 201,
            json: this.resourceBody(url, state, false, "Creating"),
            headers: { "azure-asyncoperation": this.operationUrl(operation), "retry-after": this.retryAfterSeconds },
        };
    }

    private async pollOperation(id: string) {
        const operation = this.operations.get(id);
        if (!operation) return this.error(404, "NotFound", "operation not found");
        const byLocation = operation.deleted !== undefined || operation.restart === true;
        if (operation.pollsLeft-- > 0) return { status: byLocation ? 202 : 200, json: { status: "InProgress" }, headers: { "retry-after": this.retryAfterSeconds, ...(byLocation ? { location: this.operationUrl(id) } : {}) } };
        // A finished DELETE answers 204; a finished POST action (restart) 200, as its deserializer expects.
        if (byLocation) return { status: operation.restart ? 200 : 204 };
        const state = this.runCommands.get(operation.runCommand!)!;
        await state.done;
        if (state.failure) return { status: 200, json: { status: "Failed", error: state.failure } };
        return { status: 200, json: { status: "Succeeded" } };
    }

    private resourceBody(url: URL, state: RunCommandState, withView: boolean, provisioningState: string) {
        // ARM never returns protectedParameters.
        const properties: Record<string, unknown> = {
            source: { script: state.script },
            asyncExecution: false,
            treatFailureAsDeploymentFailure: false,
            provisioningState,
        };
        if (withView && state.instanceView) properties.instanceView = state.instanceView;
        return { id: url.pathname, name: state.name, type: "Microsoft.Compute/virtualMachines/runCommands", location: state.location, properties };
    }

    private async get(url: URL, name: string) {
        const state = this.runCommands.get(name);
        if (!state) return this.error(404, "ResourceNotFound", `Run command ${name} not found`);
        await state.done;
        const withView = url.searchParams.get("$expand") === "instanceView";
        return { status: 200, json: this.resourceBody(url, state, withView, state.failure ? "Failed" : "Succeeded") };
    }

    private delete(_url: URL, name: string) {
        if (!this.runCommands.delete(name)) return { status: 204 };
        const operation = randomUUID();
        this.operations.set(operation, { deleted: name, pollsLeft: this.pollsPerOperation });
        return { status: 202, headers: { location: this.operationUrl(operation), "retry-after": this.retryAfterSeconds } };
    }

    /** Run commands still present on the VM. */
    get remaining(): string[] {
        return [...this.runCommands.keys()];
    }
}
