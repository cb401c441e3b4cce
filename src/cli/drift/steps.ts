/**
 * The engine events of `pulumi preview --refresh`, sorted out: per resource, what the refresh read
 * (before and after) and the one plan step `pulumi up` would take; and the small readers of state
 * values every part of the comparison shares. Pure.
 */
import type { EngineEvent, StepEventMetadata, StepEventStateMetadata } from "@pulumi/pulumi/automation";

/** The engine's placeholder for a value only known after the update. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** Inputs that are bookkeeping, not a setting of the server: never reported. */
const IGNORED_INPUTS = new Set(["__provider", "providerVersion"]);
/** Ops that change nothing. */
const NO_CHANGE = new Set(["same", "refresh", "read", "discard-replaced", "remove-pending-replace"]);

export interface RefreshResult {
    before?: StepEventStateMetadata;
    /** Undefined when the resource no longer exists. */
    after?: StepEventStateMetadata;
}

export const shortType = (type: string) => type.slice(type.lastIndexOf(":") + 1);
const nameOfUrn = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);
const exists = (s: StepEventStateMetadata | undefined): s is StepEventStateMetadata => !!s && !!s.id && !s.delete;
export const isKnown = (v: unknown) => v !== undefined && v !== UNKNOWN;
export const str = (v: unknown): string | undefined => (typeof v === "string" && v !== UNKNOWN ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** The pack name of the stack config: `rds-ea-users` under component `rds` is `ea-users`. */
export function displayName(urn: string, parentUrn?: string): string {
    const name = nameOfUrn(urn);
    const parent = parentUrn ? nameOfUrn(parentUrn) : undefined;
    return parent && name.startsWith(`${parent}-`) ? name.slice(parent.length + 1) : name;
}

/** Input names whose values differ (a secret compares by its masked envelope, so it only differs when changed). */
export function changedInputs(before: Record<string, unknown> = {}, after: Record<string, unknown> = {}): string[] {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys].filter((k) => !IGNORED_INPUTS.has(k) && JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}

/** The refresh result of every resource, and the one plan step of each resource that would change. */
export function collect(events: readonly EngineEvent[]) {
    const refreshes = new Map<string, RefreshResult>();
    const steps = new Map<string, StepEventMetadata>();
    for (const event of events) {
        const pre = event.resourcePreEvent?.metadata;
        const out = event.resOutputsEvent?.metadata;
        if (out && out.op === "refresh") {
            refreshes.set(out.urn, { before: out.old ?? undefined, after: exists(out.new ?? undefined) ? out.new : undefined });
        }
        const step = pre ?? out;
        if (!step || NO_CHANGE.has(step.op)) continue;
        // A replacement shows as replace plus create-/delete-replacement steps: keep one.
        const op = step.op === "create-replacement" || step.op === "delete-replaced" ? "replace" : step.op;
        if (!steps.has(step.urn) || op === "replace") steps.set(step.urn, { ...step, op } as StepEventMetadata);
    }
    return { refreshes, steps };
}

/** Whether the refresh found the resource gone, or any of `keys` (all inputs when empty) changed live. */
export function liveChanged(refresh: RefreshResult | undefined, keys: readonly string[]): boolean {
    if (!refresh?.before) return false;
    if (!refresh.after) return true;
    return changedInputs(refresh.before.inputs, refresh.after.inputs).some((k) => keys.length === 0 || keys.includes(k));
}

/** The refreshed states of the resources of `type` that still exist, in event order. */
export function refreshedStates(refreshes: ReadonlyMap<string, RefreshResult>, types: readonly string[]): [string, StepEventStateMetadata][] {
    return [...refreshes.entries()]
        .filter(([, r]) => r.after !== undefined && types.includes(r.after.type) && isKnown(r.after.id))
        .map(([urn, r]) => [urn, r.after!]);
}
