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
