/**
 * A fake Azure Resource Manager on https://127.0.0.1 speaking the managed Run Command REST shapes:
 * GET virtualMachines/{vm}; PUT / GET / DELETE virtualMachines/{vm}/runCommands/{name}, PUT and DELETE
 * as long-running operations (201/202 + Azure-AsyncOperation / Location + Retry-After, polled);
 * `$expand=instanceView` with the script's output cut to its last 4,096 bytes as Run Command does.
 * Scripts are executed by a FakeWindowsServer. Every request is recorded.
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
    private readonly runCommands = new Map<string, RunCommandState>();
    private readonly operations = new Map<string, { runCommand?: string; deleted?: string; pollsLeft: number }>();
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

    private operationUrl(id: string): string {
        return `${this.url}/subscriptions/sub/providers/Microsoft.Compute/locations/${this.location}/operations/${id}?api-version=2026-04-01`;
    }

    private put(url: URL, name: string, body: string) {
        if (this.powerState !== "running") {
            return this.error(409, "OperationNotAllowed", "Operation 'runCommands' is not allowed on VM 'rdls-vm' since the VM is deallocated. Start the VM and retry.");
        }
        const resource = JSON.parse(body) as {
            location?: string;
            properties?: { source?: { script?: string }; protectedParameters?: { name: string; value: string }[]; parameters?: unknown[] };
        };
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
            state.done = this.windows.run(script, parameters).then((result) => {
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
        if (operation.pollsLeft-- > 0) return { status: operation.deleted ? 202 : 200, json: { status: "InProgress" }, headers: { "retry-after": this.retryAfterSeconds, ...(operation.deleted ? { location: this.operationUrl(id) } : {}) } };
        if (operation.deleted) return { status: 204 };
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
