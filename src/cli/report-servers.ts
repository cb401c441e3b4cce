/**
 * The license servers a report or a revocation talks to, and the UsageExecutor of each:
 * - `--home`: every server of a simulator store;
 * - `--stack`: the servers the stack's state holds (each licensing resource's `server` and
 *   `connection` inputs), read with `pulumi stack export` through the Automation API, in the
 *   environment the drift command gives the Pulumi CLI (./drift/environment.ts). Nothing is written.
 * Every connection kind the provider knows works: the simulator, and the PowerShell usage script
 * (src/drivers/powershell/usage-executor.ts) over Azure Run Command or SSH, each driver loaded on
 * first use, as the provider's registries do. One machine is one target, whatever its resources call it.
 */
import * as path from "path";
import type * as Automation from "@pulumi/pulumi/automation";
import type { UsageExecutor } from "../licensing/usage-server";
import { DYNAMIC_RESOURCES, dynamicTypeToken } from "../licensing/resource-types";
import { createSimulatorUsageExecutor } from "../drivers/simulator-usage";
import { connectionKey, connectionSchema, type Connection } from "../providers/connection";
import { Store } from "../simulator/store";
import { DriftError, explainFailure, findPulumi } from "./drift/engine";
import { previewEnvironment } from "./drift/environment";
import type { ServerSource } from "./report-args";
import { loadOnFirstUse } from "../providers/load-on-first-use";

export interface UsageTarget {
    /** The license server's name, as its resources name it. */
    server: string;
    executor: UsageExecutor;
}

/** A licensing resource's inputs in an exported deployment: the server and how it is reached (as stored). */
export interface StateServer {
    server: string;
    connection: { kind: string; home?: string; [setting: string]: unknown };
}

/** How a report reaches a machine: where a warning goes (a run command left behind), and the environment of SSH credentials. */
export interface UsageReach {
    env: NodeJS.ProcessEnv;
    warn?: (line: string) => void;
}

const LICENSING_TYPES: readonly string[] = [dynamicTypeToken(DYNAMIC_RESOURCES.activation), dynamicTypeToken(DYNAMIC_RESOURCES.calKeyPack)];

/** A simulator store holds many servers (the name tells them apart); any other connection is one machine. */
function machineKey(server: string, connection: StateServer["connection"]): string {
    if (connection.kind === "simulator") return `simulator:${connection.home ?? ""}:${server.toLowerCase()}`;
    const parsed = connectionSchema.safeParse(connection);
    return parsed.success ? connectionKey(parsed.data) : `${connection.kind}:${JSON.stringify(connection)}`;
}

/** The distinct license servers of an exported deployment's licensing resources, first name seen kept. */
export function serversOfState(deployment: unknown): StateServer[] {
    const resources = (deployment as { deployment?: { resources?: unknown[] } })?.deployment?.resources ?? [];
    const seen = new Map<string, StateServer>();
    for (const r of resources as { type?: string; inputs?: { server?: unknown; connection?: unknown } }[]) {
        if (!LICENSING_TYPES.includes(r?.type ?? "")) continue;
        const server = r.inputs?.server;
        const connection = r.inputs?.connection as StateServer["connection"] | undefined;
        if (typeof server !== "string" || typeof connection?.kind !== "string") continue;
        const key = machineKey(server, connection);
        if (!seen.has(key)) seen.set(key, { server, connection: { ...connection } });
    }
    return [...seen.values()];
}


function powerShellUsageExecutor(connection: Exclude<Connection, { kind: "simulator" }>, reach: UsageReach): UsageExecutor {
    return loadOnFirstUse(async () => {
        const [{ PowerShellUsageExecutor }, { productVersionIdsFromEnv }] = await Promise.all([import("../drivers/powershell/usage-executor.js"), import("../drivers/connect-env.js")]);
        const productVersionIds = productVersionIdsFromEnv(reach.env);
        if (connection.kind === "ssh") {
            const { sshRunner } = await import("../drivers/connect-ssh.js");
            return new PowerShellUsageExecutor({ runner: sshRunner(connection, reach.env), productVersionIds });
        }
        const { azureRunner } = await import("../drivers/connect-azure.js");
        const onCleanupError = (error: Error) => reach.warn?.(`${connection.vmName}: a finished run command could not be deleted (it holds no secret): ${error.message}`);
        return new PowerShellUsageExecutor({ runner: azureRunner({ ...connection, onCleanupError }), productVersionIds });
    });
}

/**
 * A UsageExecutor for a state connection; the project folder anchors a relative simulator home.
 * A connection the provider would not accept is refused by name, before any server is asked.
 */
export function executorOf(s: StateServer, projectDir: string, reach: UsageReach = { env: process.env }): UsageExecutor {
    const parsed = connectionSchema.safeParse(s.connection);
    if (!parsed.success) {
        const problem = parsed.error.issues.map((i) => `${i.path.join(".") || "connection"}: ${i.message}`).join("; ");
        throw new DriftError(`license server ${s.server}: its connection in the stack's state (kind ${JSON.stringify(s.connection.kind)}) is not one the provider accepts (${problem}); run \`pulumi up\` with a valid connection`);
    }
    const connection = parsed.data;
    if (connection.kind === "simulator") return createSimulatorUsageExecutor({ home: path.resolve(projectDir, connection.home) });
    return powerShellUsageExecutor(connection, reach);
}

async function exportStack(stack: string, cwd: string, env: NodeJS.ProcessEnv): Promise<unknown> {
    const environment = previewEnvironment(cwd, env);
    const pulumi = findPulumi(environment.env.PATH ?? env.PATH);
    if (!pulumi) throw new DriftError("the Pulumi CLI is neither on PATH nor in $PULUMI_HOME/versions/<version>/bin; install it, or run `npm run bootstrap` in a clone of rds-licensing");
    // Loaded here: the Automation API is heavy, and argument errors should not wait for it.
    const auto = require("@pulumi/pulumi/automation") as typeof Automation;
    try {
        const pulumiCommand = await auto.PulumiCommand.get({ ...(pulumi.root ? { root: pulumi.root } : {}), skipVersionCheck: true });
        const workspace = await auto.LocalWorkspace.create({ workDir: cwd, pulumiCommand, envVars: environment.env });
        return await workspace.exportStack(stack);
    } catch (err) {
        throw new DriftError(explainFailure(stack, err instanceof Error ? err.message : String(err)));
    }
}

/**
 * The servers to ask, filtered by name (case-insensitive) when `only` is given. Executors are made
 * for the servers asked only: a server left out by `only` is not checked, nor loaded.
 */
export async function usageTargets(source: ServerSource, only: readonly string[] | undefined, env: NodeJS.ProcessEnv, warn?: (line: string) => void): Promise<UsageTarget[]> {
    let candidates: { server: string; executor: () => UsageExecutor }[];
    if (source.kind === "simulator") {
        const store = new Store(source.home);
        if (!(await store.readConfig())) throw new DriftError(`no simulator store at ${source.home}; check --home (create one with \`rds-licensing sim create-server\`)`);
        const executor = createSimulatorUsageExecutor({ home: source.home });
        candidates = (await store.readServers()).map((s) => ({ server: s.name, executor: () => executor }));
    } else {
        const servers = serversOfState(await exportStack(source.stack, source.cwd, env));
        if (servers.length === 0) throw new DriftError(`stack ${source.stack} holds no license server (no LicenseServerActivation or CalKeyPack in its state); run \`pulumi up\` first`);
        candidates = servers.map((s) => ({ server: s.server, executor: () => executorOf(s, source.cwd, { env, ...(warn ? { warn } : {}) }) }));
    }
    if (only) {
        const missing = only.filter((n) => !candidates.some((t) => t.server.toLowerCase() === n.toLowerCase()));
        if (missing.length > 0) throw new DriftError(`--server ${missing.join(", ")}: not among the license servers (${candidates.map((t) => t.server).join(", ") || "none"})`);
        const wanted = new Set(only.map((n) => n.toLowerCase()));
        candidates = candidates.filter((t) => wanted.has(t.server.toLowerCase()));
    }
    return candidates.map((t) => ({ server: t.server, executor: t.executor() }));
}
