/**
 * A seeded pseudo-random source for tests that pick random moments or inputs: the seed comes from
 * an environment variable when set (to replay a run), else from the clock, and the test prints it.
 */

/** mulberry32: a small, fast 32-bit generator; the same seed gives the same sequence in [0, 1). */
export function mulberry32(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

export interface SeededRandom {
    readonly seed: number;
    /** The next number in [0, 1). */
    next(): number;
}

/**
 * The seed from `variable` (a uint32, decimal) when it is set, else a new one; printed on standard
 * output with how to replay it.
 */
export function seededRandom(variable: string, env: NodeJS.ProcessEnv = process.env, log: (line: string) => void = console.log): SeededRandom {
    const given = env[variable]?.trim();
    let seed: number;
    if (given) {
        if (!/^\d+$/.test(given) || Number(given) > 0xffffffff) throw new Error(`${variable} must be a whole number from 0 to 4294967295, not ${JSON.stringify(given)}`);
        seed = Number(given);
    } else {
        seed = (Date.now() ^ (process.pid << 16)) >>> 0;
    }
    log(`random seed ${seed}${given ? ` (from ${variable})` : ""}; replay with ${variable}=${seed}`);
    const next = mulberry32(seed);
    return { seed, next };
}
