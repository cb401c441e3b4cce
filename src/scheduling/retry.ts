/** Retry with exponential backoff for transient failures (transport blips, Clearinghouse outages). */
export interface RetryPolicy {
    /** Total attempts including the first. */
    attempts: number;
    /** Delay before the second attempt; doubles each time. */
    baseDelayMs: number;
    maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 1000, maxDelayMs: 15_000 };

/** Delay before attempt `attempt + 1`; a server-given Retry-After wins when it is longer. */
export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfterMs?: number): number {
    const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    return Math.max(exponential, retryAfterMs ?? 0);
}

/** The policy, with overrides from RDS_LICENSING_RETRY_ATTEMPTS / RDS_LICENSING_RETRY_BASE_MS. */
export function retryPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): RetryPolicy {
    const int = (v: string | undefined, fallback: number) => {
        const n = v === undefined ? NaN : Number(v);
        return Number.isInteger(n) && n >= 0 ? n : fallback;
    };
    return {
        attempts: Math.max(1, int(env.RDS_LICENSING_RETRY_ATTEMPTS, DEFAULT_RETRY.attempts)),
        baseDelayMs: int(env.RDS_LICENSING_RETRY_BASE_MS, DEFAULT_RETRY.baseDelayMs),
        maxDelayMs: DEFAULT_RETRY.maxDelayMs,
    };
}
