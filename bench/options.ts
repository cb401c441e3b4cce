/** Scenarios, operations and the command line of `npm run bench`. */

export interface Scenario {
    name: string;
    servers: number;
    packsPerServer: number;
    /**
     * A farm scenario (bench/programs/farm.ts): besides its one server and pack, an RDS deployment of
     * `sessionHosts` hosts on Connection Broker `broker`, licensed per user by the server.
     */
    farm?: { broker: string; sessionHosts: number };
}

/**
 * N = 1, 10, 50 packs on one server, 20 packs on each of 5 servers, and a farm: one server with one
 * per-user pack, one deployment of 50 session hosts licensed by it.
 */
export const SCENARIOS: readonly Scenario[] = [
    { name: "packs-1", servers: 1, packsPerServer: 1 },
    { name: "packs-10", servers: 1, packsPerServer: 10 },
    { name: "packs-50", servers: 1, packsPerServer: 50 },
    { name: "servers-5x20", servers: 5, packsPerServer: 20 },
    { name: "farm-1x50", servers: 1, packsPerServer: 1, farm: { broker: "BENCH-RDCB1", sessionHosts: 50 } },
];
export const QUICK_SCENARIOS = ["packs-1", "packs-10"];

/**
 * What each scenario runs, in this order, on a fresh stack:
 *  - up       `pulumi up` creating everything (servers, activations, packs; a farm's deployment and its licensing);
 *  - preview  `pulumi preview` of the unchanged stack (must be empty);
 *  - up-noop  `pulumi up` of the unchanged stack (must change nothing);
 *  - refresh  `pulumi refresh` (reads every resource back);
 *  - destroy  `pulumi destroy` (uninstalls the packs, then deletes the simulated servers).
 */
export const OPERATIONS = ["up", "preview", "up-noop", "refresh", "destroy"] as const;
export type OperationName = (typeof OPERATIONS)[number];
/** Operations that make no remote execution: cheap, so measured `repeat` times (median reported). */
export const REPEATED: ReadonlySet<OperationName> = new Set(["preview", "up-noop"]);

export interface BenchOptions {
    /** Simulated latency of one remote execution (one at a time per server). */
    latencyMs: number;
    quick: boolean;
    scenarios: Scenario[];
    /** `--parallel` of every pulumi operation. */
    parallel: number;
    /** Samples of the cheap operations and of the floor; the median is reported. */
    repeat: number;
    /** Where results.json goes. */
    out: string;
    /** Keep the throwaway projects (under bench/.work/) for inspection. */
    keep: boolean;
    /** Run nothing: print the table of the results file `out` (targets evaluated again). */
    reportOnly: boolean;
}

export const DEFAULTS = { latencyMs: 2000, quickLatencyMs: 200, parallel: 64, repeat: 3, quickRepeat: 1 } as const;

export const USAGE = `usage: npm run bench -- [options]

  --latency-ms N     latency of one remote execution, ms (default ${DEFAULTS.latencyMs}; --quick: ${DEFAULTS.quickLatencyMs})
  --quick            fast smoke run: latency ${DEFAULTS.quickLatencyMs} ms, scenarios ${QUICK_SCENARIOS.join(", ")}, 1 sample
  --scenarios A,B    only these scenarios (${SCENARIOS.map((s) => s.name).join(", ")}); wins over --quick's choice
  --parallel N       pulumi --parallel of every operation (default ${DEFAULTS.parallel})
  --repeat N         samples of the no-execution operations and of the floor, median kept (default ${DEFAULTS.repeat}; --quick: ${DEFAULTS.quickRepeat})
  --out FILE         results file (default bench/results.json)
  --keep             keep the throwaway projects under bench/.work/
  --report           run nothing: print the table of the results file (--out) again
  --help             this text`;

export class UsageError extends Error {}

function positiveInt(flag: string, value: string | undefined, min: number): number {
    const n = Number(value);
    if (value === undefined || !Number.isInteger(n) || n < min) throw new UsageError(`${flag} takes a whole number ≥ ${min}`);
    return n;
}

/** Parse argv; `defaultOut` is the repository's bench/results.json. Returns undefined for --help. */
export function parseArgs(argv: string[], defaultOut: string): BenchOptions | undefined {
    let quick = false;
    let keep = false;
    let reportOnly = false;
    let latencyMs: number | undefined;
    let parallel: number = DEFAULTS.parallel;
    let repeat: number | undefined;
    let names: string[] | undefined;
    let out = defaultOut;
    for (let i = 0; i < argv.length; i++) {
        const [flag, inline] = argv[i].startsWith("--") && argv[i].includes("=") ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
        const value = () => inline ?? argv[++i];
        switch (flag) {
            case "--help":
            case "-h":
                return undefined;
            case "--quick":
                quick = true;
                break;
            case "--keep":
                keep = true;
                break;
            case "--report":
                reportOnly = true;
                break;
            case "--latency-ms":
                latencyMs = positiveInt(flag, value(), 0);
                break;
            case "--parallel":
                parallel = positiveInt(flag, value(), 1);
                break;
            case "--repeat":
                repeat = positiveInt(flag, value(), 1);
                break;
            case "--scenarios": {
                const v = value();
                if (!v) throw new UsageError("--scenarios takes a comma-separated list of scenario names");
                names = v.split(",").map((s) => s.trim()).filter(Boolean);
                break;
            }
            case "--out": {
                const v = value();
                if (!v) throw new UsageError("--out takes a file name");
                out = v;
                break;
            }
            default:
                throw new UsageError(`unknown option ${argv[i]}`);
        }
    }
    return {
        quick,
        keep,
        reportOnly,
        parallel,
        out,
        latencyMs: latencyMs ?? (quick ? DEFAULTS.quickLatencyMs : DEFAULTS.latencyMs),
        repeat: repeat ?? (quick ? DEFAULTS.quickRepeat : DEFAULTS.repeat),
        scenarios: selectScenarios(names ?? (quick ? QUICK_SCENARIOS : undefined)),
    };
}

export function selectScenarios(names?: string[]): Scenario[] {
    if (!names) return [...SCENARIOS];
    const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
    if (unknown.length > 0) throw new UsageError(`unknown scenario ${unknown.join(", ")}; known: ${SCENARIOS.map((s) => s.name).join(", ")}`);
    if (names.length === 0) throw new UsageError("--scenarios selected nothing");
    return SCENARIOS.filter((s) => names.includes(s.name));
}
