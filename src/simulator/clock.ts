/**
 * The simulated clock: real time plus an offset kept in the store (clock.json), so a rehearsal can
 * move a whole farm forward (`clock advance 100d`) and every process reads the same time. It only
 * moves forward. The farm's rules (grace periods, license expiry) read it; the license server's own
 * rules (activation dates, SPLA expiry) still use real time.
 */
import { LicensingError } from "../licensing/errors";
import { FARM_FORMAT_VERSION, type StoredClock } from "./farm-state";
import type { FarmStore } from "./farm-store";

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
/** The most a single advance may move the clock: 100 years. */
export const MAX_ADVANCE_MS = 36_525 * DAY_MS;

export function nowOf(clock: StoredClock, realNow: number = Date.now()): Date {
    return new Date(realNow + clock.offsetMs);
}

/** `<N>d` or `<N>h` (N a whole number >= 1) as milliseconds; undefined when it is not one. */
export function parseDuration(text: unknown): number | undefined {
    const m = typeof text === "string" ? /^(\d{1,9})([dh])$/.exec(text.trim()) : null;
    if (!m) return undefined;
    const n = Number(m[1]);
    if (n < 1) return undefined;
    const ms = n * (m[2] === "d" ? DAY_MS : HOUR_MS);
    return ms <= MAX_ADVANCE_MS ? ms : undefined;
}

export interface ClockView {
    /** The simulated time now. */
    now: string;
    /** How far it is ahead of real time. */
    offsetMs: number;
    offsetDays: number;
}

export function clockView(clock: StoredClock, realNow: number = Date.now()): ClockView {
    return { now: nowOf(clock, realNow).toISOString(), offsetMs: clock.offsetMs, offsetDays: Math.round((clock.offsetMs / DAY_MS) * 1000) / 1000 };
}

/** The simulated time now, as the farm's rules see it. */
export async function simulatedNow(farm: FarmStore): Promise<Date> {
    return nowOf(await farm.readClock());
}

/** Move the clock forward by `ms` (one store transaction). */
export async function advanceClock(farm: FarmStore, ms: number): Promise<ClockView> {
    if (!Number.isSafeInteger(ms) || ms <= 0 || ms > MAX_ADVANCE_MS) {
        throw new LicensingError({ kind: "invalid-parameter", message: `the clock moves forward by 1 hour to 36525 days at a time (got ${String(ms)} ms)` });
    }
    await farm.store.init();
    return farm.store.transaction(async () => {
        const clock = await farm.readClock();
        const next: StoredClock = { formatVersion: FARM_FORMAT_VERSION, offsetMs: clock.offsetMs + ms };
        await farm.writeClock(next);
        return clockView(next);
    });
}
