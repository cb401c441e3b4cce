/**
 * `npm run bench`: the real engine against the simulator with a latency model. For each scenario,
 * a fresh stack runs up, preview, up-noop, refresh and destroy twice — coalescing on, then off
 * (RDS_LICENSING_COALESCE=off, the naive mode) — then on the baseline (the same graph of do-nothing
 * resources), then, for the packs scenarios, through the provider plugin (the same graph as Pulumi
 * YAML: bench/plugin.ts), and a program with no resources gives the engine's floor. Executions are counted per
 * machine: each license server, and a farm scenario's Connection Broker. Figures go to a table and a
 * JSON file; nothing here asserts a timing.
 */
import { spawnSync } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ExecutionCounter } from "./executions";
import { OPERATIONS, REPEATED, type BenchOptions, type OperationName, type Scenario } from "./options";
import { BenchProject, WORK_DIR, pulumiBinDir, tail, type ProgramName } from "./project";
import { COUNTING, evaluateTargets, type BenchResults, type ResultEntry } from "./report";
import { ensurePluginTools, hasPluginVariant, pluginProgram, type PluginTools } from "./plugin";
import { measureWrapper } from "./wrapper";

/**
 * Our program with coalescing on or off, the same graph of do-nothing dynamic resources
 * (programs/baseline.ts), or our resources through the provider plugin from Pulumi YAML (plugin.ts).
 */
type Mode = "coalesced" | "naive" | "baseline" | "plugin";

/** The operations the plugin variant's figures are reported for (its up and destroy only set the stack up and down). */
export const PLUGIN_OPERATIONS: ReadonlySet<OperationName> = new Set(["preview", "up-noop", "refresh"]);

interface Measurement {
    wallMs: number;
    samplesMs: number[];
    executions: number;
    serverOperations: number;
    perServer: Record<string, number>;
    /** The floor's samples of the same operation, each taken just before one of `samplesMs`. */
    floorSamplesMs?: number[];
    error?: string;
}

/** The no-resource program, left up so that its preview and up-noop can run between a scenario's samples. */
interface FloorProject {
    project: BenchProject;
    counter: ExecutionCounter;
}

export type Log = (line: string) => void;

function pulumiArgs(operation: OperationName, parallel: number): string[] {
    const p = ["--parallel", String(parallel)];
    switch (operation) {
        case "up":
            return ["up", "--yes", "--skip-preview", ...p];
        case "preview":
            return ["preview", "--expect-no-changes", ...p];
        case "up-noop":
            return ["up", "--yes", "--skip-preview", "--expect-no-changes", ...p];
        case "refresh":
            return ["refresh", "--yes", "--skip-preview", ...p];
        case "destroy":
            return ["destroy", "--yes", "--skip-preview", ...p];
    }
}

export function median(values: number[]): number {
    if (values.length === 0) return 0;
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * One operation, `samples` times: median wall time, the most executions any sample made. With
 * `floor`, the same operation on the no-resource program runs before each sample, so that the pair
 * sees the same machine load (a floor measured minutes apart can differ by a second here).
 */
async function measure(
    project: BenchProject,
    counter: ExecutionCounter,
    operation: OperationName,
    samples: number,
    options: BenchOptions,
    env: NodeJS.ProcessEnv,
    floor?: FloorProject,
): Promise<Measurement> {
    const m: Measurement = { wallMs: 0, samplesMs: [], executions: 0, serverOperations: 0, perServer: {} };
    for (let i = 0; i < samples; i++) {
        if (floor) {
            const f = await measure(floor.project, floor.counter, operation, 1, options, {});
            if (f.error) throw new Error(`floor: ${f.error}`);
            (m.floorSamplesMs ??= []).push(f.wallMs);
        }
        const before = await counter.before();
        const result = await project.pulumi(pulumiArgs(operation, options.parallel), env);
        const count = await counter.after(before);
        m.samplesMs.push(Math.round(result.wallMs));
        if (count.executions >= m.executions) {
            m.executions = count.executions;
            m.serverOperations = count.operations;
            m.perServer = count.perServer;
        }
        if (result.code !== 0) {
            m.error = `pulumi ${operation} exited ${result.code}: ${tail(`${result.stdout}\n${result.stderr}`, 15)}`;
            break;
        }
    }
    m.wallMs = Math.round(median(m.samplesMs));
    return m;
}

/** The failures of one operation's runs, if any, as the entry's `error`. */
function errorOf(runs: Partial<Record<Mode, Measurement>>): { error?: string } {
    const failures = Object.entries(runs).flatMap(([mode, m]) => (m?.error ? [`${mode}: ${m.error}`] : []));
    return failures.length > 0 ? { error: failures.join("\n") } : {};
}

const serverNames = (scenario: Scenario) => Array.from({ length: scenario.servers }, (_, i) => `BENCH${i + 1}`);

/** The program a scenario runs in a mode, and its stack config (bench/programs/shape.ts reads it). */
function programOf(scenario: Scenario, mode: Mode): { program: ProgramName; config: Record<string, string | number> } {
    const config = { servers: scenario.servers, packsPerServer: scenario.packsPerServer };
    if (!scenario.farm) return { program: mode === "baseline" ? "baseline" : "packs", config };
    return { program: mode === "baseline" ? "baseline-farm" : "farm", config: { ...config, ...scenario.farm } };
}

/** `BENCH1 1, BENCH-RDCB1 1`: the executions of each machine, when there is more than one. */
const perMachine = (m: Measurement) => {
    const entries = Object.entries(m.perServer);
    return entries.length > 1 ? ` (${entries.map(([name, n]) => `${name} ${n}`).join(", ")})` : "";
};

async function runScenario(
    scenario: Scenario,
    mode: Mode,
    options: BenchOptions,
    parent: string,
    log: Log,
    floor?: FloorProject,
    plugin?: PluginTools,
): Promise<Record<OperationName, Measurement>> {
    const env: NodeJS.ProcessEnv = {
        RDLS_SIM_LATENCY_MS: String(options.latencyMs),
        RDS_LICENSING_COALESCE: mode === "naive" ? "off" : "on",
        RDS_LICENSING_QUIET: "1",
    };
    const label = `${scenario.name}-${mode}`;
    const project =
        mode === "plugin"
            ? await BenchProject.createYaml({ parent, label, program: pluginProgram(scenario), plugin: plugin!, env })
            : await BenchProject.create({ parent, label, ...programOf(scenario, mode), env });
    const counter =
        mode === "baseline"
            ? new ExecutionCounter(project.simHome, [], path.join(project.dir, ".log-links"))
            : new ExecutionCounter(project.simHome, serverNames(scenario), path.join(project.dir, ".log-links"), scenario.farm ? [scenario.farm.broker] : []);
    const out = {} as Record<OperationName, Measurement>;
    let failed: string | undefined;
    try {
        for (const operation of OPERATIONS) {
            if (failed) {
                out[operation] = { wallMs: 0, samplesMs: [], executions: 0, serverOperations: 0, perServer: {}, error: `skipped: ${failed} failed` };
                continue;
            }
            const repeated = REPEATED.has(operation);
            const m = await measure(project, counter, operation, repeated ? options.repeat : 1, options, env, repeated ? floor : undefined);
            out[operation] = m;
            log(
                `${scenario.name} ${mode.padEnd(9)} ${operation.padEnd(7)} ${(m.wallMs / 1000).toFixed(1).padStart(6)} s  ` +
                    `${m.executions} execution(s)${perMachine(m)}${m.error ? `  FAILED: ${m.error.split("\n")[0]}` : ""}`,
            );
            if (m.error) failed = operation;
        }
    } finally {
        if (failed && failed !== "destroy") await project.pulumi(pulumiArgs("destroy", options.parallel), { ...env, RDLS_SIM_LATENCY_MS: "0" }).catch(() => undefined);
        if (!options.keep) project.remove();
    }
    return out;
}

/**
 * The engine's floor: every operation on a program with no resources, `repeat` cycles. The project
 * is then left up, for the preview and up-noop samples taken next to each scenario's (see `measure`).
 */
async function runFloor(options: BenchOptions, parent: string, log: Log): Promise<{ samples: Record<OperationName, number[]>; floor: FloorProject }> {
    const project = await BenchProject.create({ parent, label: "floor", program: "empty" });
    const floor = { project, counter: new ExecutionCounter(project.simHome, [], path.join(project.dir, ".log-links")) };
    const samples = Object.fromEntries(OPERATIONS.map((op) => [op, [] as number[]])) as Record<OperationName, number[]>;
    for (let cycle = 0; cycle < options.repeat; cycle++) {
        for (const operation of OPERATIONS) {
            const m = await measure(project, floor.counter, operation, 1, options, {});
            if (m.error) throw new Error(`floor: ${m.error}`);
            samples[operation].push(m.wallMs);
        }
    }
    await project.pulumiOk(pulumiArgs("up", options.parallel));
    log(`floor: ${OPERATIONS.map((op) => `${op} ${(median(samples[op]) / 1000).toFixed(1)} s`).join(", ")}`);
    return { samples, floor };
}

function pulumiVersion(): string {
    const result = spawnSync("pulumi", ["version"], { encoding: "utf8" });
    return result.status === 0 ? result.stdout.trim() : "unknown";
}

/** Run the bench, write `options.out`, and return what it wrote. */
export async function runBench(options: BenchOptions, log: Log = (line) => process.stderr.write(`[bench] ${line}\n`)): Promise<BenchResults> {
    const binDir = await pulumiBinDir();
    process.env.PATH = [binDir, process.env.PATH].join(path.delimiter);
    const parent = path.join(WORK_DIR, `run-${new Date().toISOString().replace(/[:.]/g, "-")}-${randomBytes(2).toString("hex")}`);
    fs.mkdirSync(parent, { recursive: true });
    log(
        `latency ${options.latencyMs} ms, --parallel ${options.parallel}, scenarios ${options.scenarios.map((s) => s.name).join(", ")}` +
            (options.keep ? `, projects kept in ${parent}` : ""),
    );
    try {
        const { samples: floorSamples, floor: floorProject } = await runFloor(options, parent, log);
        const floor = Object.fromEntries(OPERATIONS.map((op) => [op, Math.round(median(floorSamples[op]))])) as Record<OperationName, number>;
        const results: ResultEntry[] = [];
        const tools = options.scenarios.some(hasPluginVariant) ? await ensurePluginTools(binDir) : undefined;
        for (const scenario of options.scenarios) {
            const coalesced = await runScenario(scenario, "coalesced", options, parent, log, floorProject);
            const naive = await runScenario(scenario, "naive", options, parent, log);
            const baseline = await runScenario(scenario, "baseline", options, parent, log);
            const plugin = tools && hasPluginVariant(scenario) ? await runScenario(scenario, "plugin", options, parent, log, undefined, tools) : undefined;
            for (const operation of OPERATIONS) {
                const c = coalesced[operation];
                const n = naive[operation];
                const p = plugin?.[operation];
                const entry: Omit<ResultEntry, "targets"> = {
                    name: scenario.name,
                    packs: scenario.servers * scenario.packsPerServer,
                    servers: scenario.servers,
                    packsPerServer: scenario.packsPerServer,
                    ...(scenario.farm ? { deployments: 1, sessionHosts: scenario.farm.sessionHosts } : {}),
                    operation,
                    executions: c.executions,
                    naiveExecutions: n.executions,
                    serverOperations: c.serverOperations,
                    naiveServerOperations: n.serverOperations,
                    wallMs: c.wallMs,
                    naiveWallMs: n.wallMs,
                    // preview / up-noop: the floor samples taken between this entry's samples.
                    floorWallMs: c.floorSamplesMs?.length ? Math.round(median(c.floorSamplesMs)) : floor[operation],
                    ...(c.floorSamplesMs?.length ? { floorWallSamplesMs: c.floorSamplesMs } : {}),
                    baselineWallMs: baseline[operation].wallMs,
                    wallSamplesMs: c.samplesMs,
                    naiveWallSamplesMs: n.samplesMs,
                    executionsPerServer: c.perServer,
                    ...(p && PLUGIN_OPERATIONS.has(operation) ? { pluginWallMs: p.wallMs, pluginWallSamplesMs: p.samplesMs, pluginExecutions: p.executions } : {}),
                    ...errorOf({ coalesced: c, naive: n, baseline: baseline[operation], ...(p ? { plugin: p } : {}) }),
                };
                results.push({ ...entry, targets: evaluateTargets(entry) });
            }
        }
        const out: BenchResults = {
            generatedAt: new Date().toISOString(),
            settings: {
                latencyMs: options.latencyMs,
                parallel: options.parallel,
                repeat: options.repeat,
                quick: options.quick,
                scenarios: options.scenarios.map((s) => s.name),
            },
            environment: { pulumi: pulumiVersion(), node: process.version, platform: `${os.platform()} ${os.arch()}`, cpus: os.cpus().length, loadAverage: os.loadavg() },
            counting: COUNTING,
            floor,
            floorSamplesMs: floorSamples,
            results,
            wrapper: measureWrapper(binDir),
        };
        fs.mkdirSync(path.dirname(path.resolve(options.out)), { recursive: true });
        fs.writeFileSync(options.out, `${JSON.stringify(out, null, 2)}\n`);
        return out;
    } finally {
        if (!options.keep) fs.rmSync(parent, { recursive: true, force: true });
    }
}
