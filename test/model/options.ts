import fc from "fast-check";

/** Knobs of the model-based tests: a printed seed (replay with RDS_LICENSING_MODEL_SEED) and a run count. */
export function modelSeed(env: NodeJS.ProcessEnv = process.env): number {
    const given = Number(env.RDS_LICENSING_MODEL_SEED);
    return Number.isInteger(given) ? given : Math.floor(Math.random() * 2 ** 31);
}

/**
 * The number of sequences: `variable` overrides `fallback` (`npm run soak` raises both
 * RDS_LICENSING_MODEL_RUNS, in-process, and RDS_LICENSING_ENGINE_MODEL_RUNS, real engine).
 */
export function modelRuns(fallback: number, variable = "RDS_LICENSING_MODEL_RUNS", env: NodeJS.ProcessEnv = process.env): number {
    const given = Number(env[variable]);
    return Number.isInteger(given) && given > 0 ? given : fallback;
}

/** A model's world: set up once per sequence; each command applied to it, checked inside `apply`. */
export interface ModelWorld {
    init(): Promise<void>;
}

export interface SequencesSpec<C, W extends ModelWorld> {
    /** For the printed lines: `[model] <label>: seed …`. */
    label: string;
    /** Sequences when RDS_LICENSING_MODEL_RUNS is not set. */
    runs: number;
    maxLength: number;
    command: fc.Arbitrary<C>;
    /** The command that applies the program (run first and last in every sequence). */
    up: C;
    world(): W;
    /** Apply one command and check the world against the model; append what ran to `log`. */
    apply(world: W, command: C, log: string[]): Promise<void>;
}

/**
 * Random sequences of commands, each between two `up`s, with a printed seed (replay it with
 * RDS_LICENSING_MODEL_SEED); resolves to the number of operations run. A mismatch fails fc.assert
 * with the shrunk sequence.
 */
export async function checkSequences<C, W extends ModelWorld>(spec: SequencesSpec<C, W>): Promise<{ runs: number; operations: number }> {
    const seed = modelSeed();
    const runs = modelRuns(spec.runs);
    process.stdout.write(`[model] ${spec.label}: seed ${seed}, ${runs} sequences\n`);
    let operations = 0;
    await fc.assert(
        fc.asyncProperty(fc.array(spec.command, { minLength: 4, maxLength: spec.maxLength }), async (commands) => {
            const world = spec.world();
            await world.init();
            const log: string[] = [];
            await spec.apply(world, spec.up, log);
            for (const cmd of commands) await spec.apply(world, cmd, log);
            await spec.apply(world, spec.up, log);
            operations += log.length;
        }),
        { seed, numRuns: runs },
    );
    process.stdout.write(`[model] ${spec.label}: ${runs} sequences, ${operations} operations, 0 mismatches\n`);
    return { runs, operations };
}
