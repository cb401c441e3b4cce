/**
 * The license servers a report or a revocation talks to, and the UsageExecutor of each:
 * - `--home`: every server of a simulator store;
 * - `--stack`: the servers the stack's state holds (each licensing resource's `server` and
 *   `connection` inputs), read with `pulumi stack export` through the Automation API, in the
 *   environment the drift command gives the Pulumi CLI (./drift/environment.ts). Nothing is written.
 * Simulator connections are supported; Azure and SSH connections are refused by name until the
 * usage script (src/drivers/powershell/report-script.ts) is wired to the runners.
 */
import * as path from "path";
import type * as Automation from "@pulumi/pulumi/automation";
import type { UsageExecutor } from "../licensing/usage-server";
import { DYNAMIC_RESOURCES, dynamicTypeToken } from "../licensing/resource-types";
import { createSimulatorUsageExecutor } from "../drivers/simulator-usage";
import { Store } from "../simulator/store";
import { DriftError, explainFailure, findPulumi } from "./drift/engine";
import { previewEnvironment } from "./drift/environment";
import type { ServerSource } from "./report-args";

export interface UsageTarget {
    /** The license server's name, as its resources name it. */
    server: string;
    executor: UsageExecutor;
}

/** A licensing resource's inputs in an exported deployment: the server and how it is reached. */
export interface StateServer {
    server: string;
    connection: { kind: string; home?: string };
}

const LICENSING_TYPES: readonly string[] = [dynamicTypeToken(DYNAMIC_RESOURCES.activation), dynamicTypeToken(DYNAMIC_RESOURCES.calKeyPack)];

/** The distinct (connection, server) pairs of an exported deployment's licensing resources. */
export function serversOfState(deployment: unknown): StateServer[] {
    const resources = (deployment as { deployment?: { resources?: unknown[] } })?.deployment?.resources ?? [];
    const seen = new Map<string, StateServer>();
    for (const r of resources as { type?: string; inputs?: { server?: unknown; connection?: { kind?: unknown; home?: unknown } } }[]) {
        if (!LICENSING_TYPES.includes(r?.type ?? "")) continue;
        const server = r.inputs?.server;
        const kind = r.inputs?.connection?.kind;
        if (typeof server !== "string" || typeof kind !== "string") continue;
        const home = typeof r.inputs?.connection?.home === "string" ? r.inputs.connection.home : undefined;
        const key = `${kind}:${home ?? ""}:${server.toLowerCase()}`;
        if (!seen.has(key)) seen.set(key, { server, connection: { kind, ...(home ? { home } : {}) } });
    }
    return [...seen.values()];
}

/** A UsageExecutor for a state connection; the project folder anchors a relative simulator home. */
export function executorOf(s: StateServer, projectDir: string): UsageExecutor {
    if (s.connection.kind === "simulator" && s.connection.home) return createSimulatorUsageExecutor({ home: path.resolve(projectDir, s.connection.home) });
    throw new DriftError(
        `license server ${s.server} is reached by ${s.connection.kind}: usage reports run on simulator connections for now (the PowerShell usage script is rendered, not yet wired to the ${s.connection.kind} runner)`,
    );
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

/** The servers to ask, filtered by name (case-insensitive) when `only` is given. */
export async function usageTargets(source: ServerSource, only: readonly string[] | undefined, env: NodeJS.ProcessEnv): Promise<UsageTarget[]> {
    let targets: UsageTarget[];
    if (source.kind === "simulator") {
        const store = new Store(source.home);
        if (!(await store.readConfig())) throw new DriftError(`no simulator store at ${source.home}; check --home (create one with \`rds-licensing sim create-server\`)`);
        const executor = createSimulatorUsageExecutor({ home: source.home });
        targets = (await store.readServers()).map((s) => ({ server: s.name, executor }));
    } else {
        const servers = serversOfState(await exportStack(source.stack, source.cwd, env));
        if (servers.length === 0) throw new DriftError(`stack ${source.stack} holds no license server (no LicenseServerActivation or CalKeyPack in its state); run \`pulumi up\` first`);
        targets = servers.map((s) => ({ server: s.server, executor: executorOf(s, source.cwd) }));
    }
    if (!only) return targets;
    const wanted = new Set(only.map((n) => n.toLowerCase()));
    const missing = only.filter((n) => !targets.some((t) => t.server.toLowerCase() === n.toLowerCase()));
    if (missing.length > 0) throw new DriftError(`--server ${missing.join(", ")}: not among the license servers (${targets.map((t) => t.server).join(", ") || "none"})`);
    return targets.filter((t) => wanted.has(t.server.toLowerCase()));
}
