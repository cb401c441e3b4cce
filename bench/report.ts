import { formatWrapper, type WrapperOverhead } from "./wrapper";
/** The targets of issue 8 (reported, never asserted) and the table `npm run bench` prints. */
import type { OperationName } from "./options";

export interface Target {
    /** What the target says, e.g. "≤ 1 execution per server". */
    target: string;
    met: boolean;
}

export interface ResultEntry {
    /** Scenario name, e.g. `packs-50`. */
    name: string;
    /** Packs in the stack, over all servers. */
    packs: number;
    servers: number;
    packsPerServer: number;
    /** Farm scenarios: RDS deployments (one), and their session hosts in all. */
    deployments?: number;
    sessionHosts?: number;
    operation: OperationName;
    /** Remote executions with coalescing on, summed over servers. */
    executions: number;
    /** Remote executions with RDS_LICENSING_COALESCE=off. */
    naiveExecutions: number;
    /** Operations the executions carried (installs, reads, …), coalescing on / off. */
    serverOperations: number;
    naiveServerOperations: number;
    /** Wall time of the `pulumi` command (median of the samples), ms. */
    wallMs: number;
    naiveWallMs: number;
    /**
     * The same operation on a program with no resources, ms: for `preview` and `up-noop` the median of
     * `floorWallSamplesMs`, taken alternately with `wallSamplesMs`; else the run's floor.
     */
    floorWallMs: number;
    floorWallSamplesMs?: number[];
    /**
     * The same operation on the same graph of do-nothing `pulumi.dynamic.Resource`s
     * (bench/programs/baseline.ts): what the SDK and engine cost for these resources, ms. Absent in
     * results written before the baseline existed.
     */
    baselineWallMs?: number;
    /**
     * `preview`, `up-noop` and `refresh` of the packs scenarios: the same graph as Pulumi YAML through
     * the provider plugin (bench/plugin.ts), coalescing on: wall ms (median of its samples) and
     * executions. Absent for the other operations, the farm scenario and results written before it.
     */
    pluginWallMs?: number;
    pluginWallSamplesMs?: number[];
    pluginExecutions?: number;
    wallSamplesMs: number[];
    naiveWallSamplesMs: number[];
    /** Executions per machine, coalescing on: each license server and, in a farm scenario, the Connection Broker. */
    executionsPerServer: Record<string, number>;
    targets: Target[];
    /** Set when a pulumi command failed: the figures of that run are not meaningful. */
    error?: string;
}

export interface BenchResults {
    generatedAt: string;
    settings: { latencyMs: number; parallel: number; repeat: number; quick: boolean; scenarios: string[] };
    environment: { pulumi: string; node: string; platform: string; cpus: number; loadAverage: number[] };
    /** How executions are counted (see bench/executions.ts). */
    counting: string;
    /** The engine's floor per operation (median wall ms of a program with no resources). */
    floor: Record<OperationName, number>;
    floorSamplesMs: Record<OperationName, number[]>;
    results: ResultEntry[];
    /** The npm scripts' own cost over the CLI on an unchanged checkout (bench/wrapper.ts). */
    wrapper?: WrapperOverhead;
}

export const COUNTING =
    "Executions are the simulator's durable per-server counters, read before and after each pulumi command and summed over servers. " +
    "destroy deletes the simulated servers, and with them their counters and logs: each server's execution log is hard-linked " +
    "before the command, so its uninstall executions are counted from the log (entries with a sequence number above the counter " +
    "read before) after the server is gone. destroy is one `pulumi destroy` run (packs removed, then servers deleted): its wall " +
    "time includes deleting the servers, which is no remote execution. A farm scenario's Connection Broker is counted the same way " +
    "from its farm execution log (executions/farm/<broker>.jsonl), whose last sequence number is the deployment's counter.";

/** Upper bound of executions per server for an `up` that creates N ≤ 50 packs. */
const UP_PER_SERVER = 3;
const FLOOR_FACTOR = 1.5;
const NAIVE_SHARE = 0.15;

/**
 * Every server within `max` executions (the per-server figures when present, else the sum against
 * servers × max). A farm's broker counts as a server here: its figure is among the per-server ones.
 */
function perServerAtMost(e: Omit<ResultEntry, "targets">, max: number): boolean {
    const counts = Object.values(e.executionsPerServer ?? {});
    return counts.length > 0 ? counts.every((n) => n <= max) : e.executions <= max * e.servers;
}

export function evaluateTargets(e: Omit<ResultEntry, "targets">): Target[] {
    const targets: Target[] = [];
    switch (e.operation) {
        case "refresh":
            targets.push({ target: "≤ 1 execution per server", met: perServerAtMost(e, 1) });
            break;
        case "up":
            if (e.packsPerServer <= 50) {
                targets.push({ target: `≤ ${UP_PER_SERVER} executions per server`, met: perServerAtMost(e, UP_PER_SERVER) });
            }
            if (e.servers === 1 && e.packsPerServer >= 50) {
                targets.push({ target: `≤ ${NAIVE_SHARE * 100} % of naive wall`, met: e.wallMs <= NAIVE_SHARE * e.naiveWallMs });
            }
            break;
        case "preview":
        case "up-noop":
            targets.push({ target: "0 executions", met: e.executions === 0 });
            targets.push({ target: `≤ ${FLOOR_FACTOR}× floor`, met: e.wallMs <= FLOOR_FACTOR * e.floorWallMs });
            break;
        case "destroy":
            break;
    }
    return targets;
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);
const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : "-");

export function formatTable(results: BenchResults): string {
    const header = ["scenario", "operation", "execs", "max/srv", "naive", "wall s", "naive s", "floor s", "×floor", "base s", "×base", "÷naive", "plugin s", "p×floor", "targets"];
    const rows = results.results.map((e) => [
        e.name,
        e.operation,
        String(e.executions),
        String(Math.max(0, ...Object.values(e.executionsPerServer ?? {}))),
        String(e.naiveExecutions),
        seconds(e.wallMs),
        seconds(e.naiveWallMs),
        seconds(e.floorWallMs),
        ratio(e.wallMs, e.floorWallMs),
        e.baselineWallMs === undefined ? "-" : seconds(e.baselineWallMs),
        ratio(e.wallMs, e.baselineWallMs ?? 0),
        ratio(e.wallMs, e.naiveWallMs),
        e.pluginWallMs === undefined ? "-" : seconds(e.pluginWallMs),
        e.pluginWallMs === undefined ? "-" : ratio(e.pluginWallMs, e.floorWallMs),
        e.error ? `ERROR: ${e.error.split("\n")[0]}` : e.targets.map((t) => `${t.met ? "ok" : "MISS"} ${t.target}`).join("; "),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const numeric = new Set([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    const line = (cells: string[]) =>
        cells
            .map((c, i) => (i === cells.length - 1 ? c : numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
            .join("  ")
            .trimEnd();
    const s = results.settings;
    const env = results.environment;
    const farm = results.results.filter((e) => e.sessionHosts !== undefined);
    const farmWidth = Math.max(0, ...farm.map((e) => e.name.length));
    const perMachine = farm.map(
        (e) => `${e.name.padEnd(farmWidth)}  ${e.operation.padEnd(7)}  ${Object.entries(e.executionsPerServer).map(([m, n]) => `${m} ${n}`).join(", ")}`,
    );
    return [
        `latency ${s.latencyMs} ms per execution (one at a time per server), --parallel ${s.parallel}, ${s.repeat} sample(s) of preview/up-noop/floor; ` +
            `pulumi ${env.pulumi}, node ${env.node}, ${env.cpus} CPUs, load ${env.loadAverage.map((l) => l.toFixed(1)).join(" ")}`,
        line(header),
        line(widths.map((w) => "-".repeat(w))),
        ...rows.map(line),
        ...(farm.length > 0 ? ["", "executions per machine (farm scenarios, coalescing on):", ...perMachine] : []),
        ...(results.wrapper ? ["", formatWrapper(results.wrapper)] : []),
        "",
        "execs / naive: remote executions summed over servers, coalescing on / RDS_LICENSING_COALESCE=off; max/srv: the most one server made",
        "(coalescing on). wall s / naive s: wall time of the pulumi command (median of the samples). floor s: the same command on a program",
        "with no resources. base s: the same command on the same resources as do-nothing pulumi.dynamic.Resources (the SDK's and engine's",
        "own cost for them). ×floor = wall / floor; ×base = wall / base; ÷naive = wall / naive wall. plugin s: the same command on the same",
        "resources as Pulumi YAML through the provider plugin (preview, up-noop, refresh of the packs scenarios); p×floor = plugin / floor.",
        "Targets are reported, never asserted (docs/performance.md).",
    ].join("\n");
}
