/**
 * Fault injection and the latency model. Faults live in the store so that they reach every process
 * (the Pulumi provider, tests, benchmarks) and count down durably.
 */
import { PRODUCT_VERSIONS, type ProductVersion } from "../licensing/codes";
import { LicensingError } from "../licensing/errors";
import type { Faults, StoreConfig } from "./state";
import type { Store } from "./store";

/** Environment variable that overrides the configured per-execution latency. */
export const LATENCY_ENV = "RDLS_SIM_LATENCY_MS";

/**
 * The largest latency the simulator takes, configured or slow-fault (each): 10 minutes. A real Run
 * Command's floor is about 20 s; longer makes queued executions run into their 30-minute wait, and past
 * 2^31-1 ms setTimeout overflows and fires after about 1 ms.
 */
export const MAX_LATENCY_MS = 600_000;

export interface FaultPatch {
    clearinghouseUnreachable?: boolean;
    transientFailures?: number;
    /** null clears the slow fault; `remaining` absent means every execution from now on. */
    slow?: { extraMs: number; remaining?: number } | null;
    /** null clears it: see Faults.installVersion. */
    installVersion?: ProductVersion | null;
}

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;

export function applyFaultPatch(current: Faults, patch: FaultPatch): Faults {
    const next: Faults = { ...current };
    if (patch.clearinghouseUnreachable !== undefined) {
        if (typeof patch.clearinghouseUnreachable !== "boolean") throw badFault("clearinghouseUnreachable must be true or false");
        next.clearinghouseUnreachable = patch.clearinghouseUnreachable;
    }
    if (patch.transientFailures !== undefined) {
        if (!isCount(patch.transientFailures)) throw badFault("transientFailures must be a whole number >= 0");
        next.transientFailures = patch.transientFailures;
    }
    if (patch.slow === null || (patch.slow && patch.slow.extraMs === 0)) {
        delete next.slow;
    } else if (patch.slow) {
        const { extraMs, remaining } = patch.slow;
        if (!isCount(extraMs) || extraMs > MAX_LATENCY_MS) throw badFault(`slow.extraMs must be a whole number of milliseconds from 0 to ${MAX_LATENCY_MS}`);
        if (remaining !== undefined && (!isCount(remaining) || remaining === 0)) throw badFault("slow.remaining must be a whole number >= 1");
        next.slow = remaining === undefined ? { extraMs } : { extraMs, remaining };
    }
    if (patch.installVersion === null) {
        delete next.installVersion;
    } else if (patch.installVersion !== undefined) {
        if (!PRODUCT_VERSIONS.includes(patch.installVersion)) throw badFault(`installVersion must be one of ${PRODUCT_VERSIONS.join(", ")}`);
        next.installVersion = patch.installVersion;
    }
    return next;
}

function badFault(message: string): LicensingError {
    return new LicensingError({ kind: "invalid-parameter", message });
}

/** Consume one pending transient failure, durably. True when this execution must fail. */
export async function consumeTransientFailure(store: Store): Promise<boolean> {
    // Cheap unlocked peek: the common case has no fault and takes no lock.
    if ((await store.readFaults()).transientFailures === 0) return false;
    return store.transaction(async () => {
        const faults = await store.readFaults();
        if (faults.transientFailures === 0) return false;
        await store.writeFaults({ ...faults, transientFailures: faults.transientFailures - 1 });
        return true;
    });
}

/** The slow fault's extra latency for this execution, counting it down durably. */
export async function consumeSlowExecution(store: Store): Promise<number> {
    if (!(await store.readFaults()).slow) return 0;
    return store.transaction(async () => {
        const faults = await store.readFaults();
        const slow = faults.slow;
        if (!slow) return 0;
        if (slow.remaining !== undefined) {
            const next: Faults = { ...faults };
            if (slow.remaining <= 1) delete next.slow;
            else next.slow = { ...slow, remaining: slow.remaining - 1 };
            await store.writeFaults(next);
        }
        return slow.extraMs;
    });
}

/** The per-execution latency: $RDLS_SIM_LATENCY_MS when set, else the store's config. */
export function effectiveLatencyMs(config: Pick<StoreConfig, "latencyMs">, env: NodeJS.ProcessEnv = process.env): number {
    const raw = env[LATENCY_ENV];
    if (raw === undefined || raw.trim() === "") return config.latencyMs;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0 || value > MAX_LATENCY_MS) {
        throw new LicensingError({ kind: "failed", message: `${LATENCY_ENV} must be a number of milliseconds from 0 to ${MAX_LATENCY_MS}` });
    }
    return value;
}
