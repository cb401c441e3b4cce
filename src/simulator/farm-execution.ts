/**
 * One remote execution of farm operations on a broker (its deployment and every session host of it,
 * reached from there) or on a session host, in the shared execution frame (execution-frame.ts): one
 * at a time per machine across processes (the same per-name execution lock, so a broker that is
 * also a license server runs one thing at a time), the same latency and faults, a durable counter
 * (in the deployment's or the host's file) and a log (executions/farm/<name>.jsonl).
 */
import * as fsp from "node:fs/promises";
import { LicensingError } from "../licensing/errors";
import type { FarmOperation, FarmOperationResult } from "../licensing/farm";
import { simulatedNow } from "./clock";
import { appendLine } from "./fs-atomic";
import { executionLogEntry, runInExecutionFrame, type ExecuteOptions } from "./execution-frame";
import type { StoredDeployment, StoredHost } from "./farm-state";
import { FarmStore } from "./farm-store";
import { farmExecutionLogFile, serverKey } from "./paths";
import { deploymentLicensing, hostLicensing, refuseFarm, setDeploymentSettings, setHostSettings, type ServerLookup } from "./rules-farm";
import type { ExecutionLogEntry, StoredServer } from "./state";
import { Store } from "./store";

/** What one execution sees: the target's deployment (when it is a broker) or host, and the servers. */
interface FarmDraft {
    deployment?: StoredDeployment;
    /** The target itself when it is a session host. */
    host?: StoredHost;
    /** The deployment's hosts (broker target). */
    members: StoredHost[];
    /** The deployment the target host belongs to, when it is a member. */
    memberOf?: StoredDeployment;
}

function errorResult(err: unknown): FarmOperationResult {
    if (err instanceof LicensingError) return { ok: false, error: err.toData() };
    throw err;
}

function notATarget(target: string): never {
    refuseFarm("not-found", `${target} is neither the Connection Broker of a deployment nor a session host in the simulator`);
}

function runOne(draft: FarmDraft, op: FarmOperation, target: string, servers: ServerLookup, now: Date): unknown {
    const needDeployment = () => draft.deployment ?? refuseFarm("not-found", `${target} is not the Connection Broker of an RDS deployment in the simulator`);
    const needHost = () => draft.host ?? refuseFarm("not-found", `${target} is not a session host in the simulator`);
    switch (op?.op) {
        case "get-deployment-licensing":
            return deploymentLicensing(needDeployment());
        case "set-deployment-licensing": {
            const d = needDeployment();
            setDeploymentSettings(d, draft.members, op);
            return deploymentLicensing(d);
        }
        case "get-host-licensing": {
            const h = needHost();
            return hostLicensing(h, draft.memberOf, servers, now);
        }
        case "set-host-licensing": {
            const h = needHost();
            setHostSettings(h, { mode: op.mode, licenseServers: op.licenseServers });
            return hostLicensing(h, draft.memberOf, servers, now);
        }
        case "read-host-licensing":
            if (draft.deployment) return draft.members.map((h) => hostLicensing(h, draft.deployment, servers, now));
            return [hostLicensing(needHost(), draft.memberOf, servers, now)];
        default:
            return refuseFarm("invalid-parameter", `unknown farm operation ${JSON.stringify((op as { op?: unknown })?.op ?? null)}`);
    }
}

/** Apply a batch in order; each operation runs on a copy kept only when it succeeds. */
export function applyFarmOperations(
    draft: FarmDraft,
    operations: readonly FarmOperation[],
    target: string,
    servers: ServerLookup,
    now: Date,
): { draft: FarmDraft; results: FarmOperationResult[] } {
    let current = draft;
    const results: FarmOperationResult[] = [];
    for (const op of operations) {
        const copy = structuredClone(current);
        try {
            const value = runOne(copy, op, target, servers, now);
            current = copy;
            results.push({ ok: true, value } as FarmOperationResult);
        } catch (err) {
            results.push(errorResult(err));
        }
    }
    return { draft: current, results };
}

async function loadDraft(farm: FarmStore, key: string): Promise<FarmDraft | undefined> {
    const deployment = await farm.readDeployment(key);
    const host = await farm.readHost(key);
    if (!deployment && !host) return undefined;
    const draft: FarmDraft = { members: deployment ? await farm.readMembers(deployment) : [] };
    if (deployment) draft.deployment = deployment;
    if (host) {
        draft.host = host;
        const memberOf = await farm.deploymentOf(host.name);
        if (memberOf) draft.memberOf = memberOf;
    }
    return draft;
}

async function readServers(store: Store): Promise<ServerLookup> {
    const servers = new Map<string, StoredServer>((await store.readServers()).map((s) => [s.name.toLowerCase(), s]));
    return (key) => servers.get(key);
}

function notFoundResults(target: string, operations: readonly FarmOperation[]): FarmOperationResult[] {
    return operations.map(() => {
        try {
            notATarget(target);
        } catch (err) {
            return errorResult(err);
        }
    });
}

export async function executeFarm(
    home: string,
    target: string,
    operations: readonly FarmOperation[],
    options: ExecuteOptions = {},
): Promise<FarmOperationResult[]> {
    if (!Array.isArray(operations)) throw new LicensingError({ kind: "invalid-parameter", message: "operations must be an array" });
    const store = new Store(home);
    const farm = new FarmStore(store);
    const key = serverKey(target);
    const config = await store.readConfig();
    if (!config || !key || !(await loadDraft(farm, key))) return notFoundResults(String(target), operations);

    return runInExecutionFrame({ store, key, name: target, config, options }, async (start) => {
        const draft = await loadDraft(farm, key);
        if (!draft) return notFoundResults(String(target), operations);
        const now = await simulatedNow(farm);
        const applied = applyFarmOperations(draft, operations, String(target), await readServers(store), now);
        const out = applied.draft;
        // The counter goes with the target's own file: the deployment on a broker, else the host.
        if (out.deployment) out.deployment.executions = (draft.deployment?.executions ?? 0) + 1;
        else if (out.host) out.host.executions = (draft.host?.executions ?? 0) + 1;
        // Hosts first, the deployment (its settings and counter) last: a crash in between leaves
        // hosts already set and the deployment as it was, which the next apply repairs.
        for (const h of out.members) await farm.writeHost(h.name.toLowerCase(), h);
        if (out.host && !out.members.some((m) => m.name.toLowerCase() === key)) await farm.writeHost(key, out.host);
        if (out.deployment) await farm.writeDeployment(key, out.deployment);
        const entry = executionLogEntry(out.deployment?.executions ?? out.host!.executions, start, operations);
        await fsp.mkdir(store.paths.farmExecutionsDir, { recursive: true, mode: 0o700 });
        await appendLine(farmExecutionLogFile(store.paths, key), JSON.stringify(entry));
        return applied.results;
    });
}

/** The execution log of a broker or host (oldest first; a killed execution may be missing). */
export async function readFarmExecutionLog(home: string, target: string): Promise<ExecutionLogEntry[]> {
    const key = serverKey(target);
    if (!key) return [];
    const store = new Store(home);
    let text: string;
    try {
        text = await fsp.readFile(farmExecutionLogFile(store.paths, key), "utf8");
    } catch {
        return [];
    }
    return text
        .split("\n")
        .filter((l) => l.trim())
        .flatMap((l) => {
            try {
                return [JSON.parse(l) as ExecutionLogEntry];
            } catch {
                return [];
            }
        });
}
