/**
 * Check each farm operation locally and turn it into a step the farm script renders. Modes are
 * checked against the vocabulary and rendered as literals; license server names are user values:
 * they are checked here, then travel in the input parameter (`$I.s`), never in the script text.
 */
import { LicensingErrorKind, type LicensingErrorData } from "../../licensing";
import { HostLicensingMode, type FarmOperation } from "../../licensing/farm";
import { LICENSING_TYPE_CODE } from "../../licensing/modes";

export type FarmStepShape =
    | { kind: "get-deployment-licensing" }
    /** `withServers`: -LicenseServer is passed (always, except NotConfigured with an empty list). */
    | { kind: "set-deployment-licensing"; mode: HostLicensingMode; withServers: boolean }
    | { kind: "get-host-licensing" }
    /** `licensingType`: the ChangeMode code of the mode (2 per device, 4 per user). */
    | { kind: "set-host-licensing"; mode: "PerUser" | "PerDevice"; licensingType: number }
    | { kind: "read-host-licensing" };

export interface FarmStep {
    /** Position in the caller's batch. */
    index: number;
    op: FarmOperation;
    label: string;
    shape: FarmStepShape;
    /** What the script reads from its input for this step: `s`, the license servers in order. */
    input: { s?: string[] };
}

export type FarmPlanned = { ok: true; step: FarmStep } | { ok: false; error: LicensingErrorData };

/** At most this many license servers in a list (a host tries them in order). */
export const MAX_LICENSE_SERVERS = 16;

const MODES: readonly string[] = Object.values(HostLicensingMode);

function invalid(message: string): FarmPlanned {
    return { ok: false, error: { kind: LicensingErrorKind.InvalidParameter, message } };
}

/** The list as it will be set, or the reason it cannot be. */
function checkServers(label: string, raw: unknown): { ok: true; servers: string[] } | { ok: false; planned: FarmPlanned } {
    if (!Array.isArray(raw)) return { ok: false, planned: invalid(`${label}: licenseServers must be a list of server names`) };
    if (raw.length > MAX_LICENSE_SERVERS) return { ok: false, planned: invalid(`${label}: at most ${MAX_LICENSE_SERVERS} license servers`) };
    const servers: string[] = [];
    const seen = new Set<string>();
    for (const [at, value] of raw.entries()) {
        const name = typeof value === "string" ? value.trim() : "";
        // The name travels as data, so any printable text is safe for the script; control characters are refused.
        if (!name || name.length > 255 || /[\u0000-\u001f\u007f]/.test(name)) {
            return { ok: false, planned: invalid(`${label}: license server ${at + 1} must be a non-empty name of at most 255 printable characters`) };
        }
        if (seen.has(name.toLowerCase())) return { ok: false, planned: invalid(`${label}: license server ${JSON.stringify(name)} is listed twice`) };
        seen.add(name.toLowerCase());
        servers.push(name);
    }
    return { ok: true, servers };
}

export function planFarmStep(index: number, op: FarmOperation): FarmPlanned {
    switch (op.op) {
        case "get-deployment-licensing":
            return { ok: true, step: { index, op, label: "read the deployment's licensing configuration", shape: { kind: op.op }, input: {} } };
        case "get-host-licensing":
            return { ok: true, step: { index, op, label: "read the host's licensing settings", shape: { kind: op.op }, input: {} } };
        case "read-host-licensing":
            return { ok: true, step: { index, op, label: "read the session hosts' licensing", shape: { kind: op.op }, input: {} } };
        case "set-deployment-licensing": {
            const label = `set the deployment's licensing to ${String(op.mode)}`;
            if (!MODES.includes(op.mode)) return invalid(`${label}: mode must be one of ${MODES.join(", ")}`);
            const checked = checkServers(label, op.licenseServers);
            if (!checked.ok) return checked.planned;
            if (checked.servers.length === 0 && op.mode !== HostLicensingMode.NotConfigured) {
                return invalid(`${label}: a ${op.mode} deployment needs at least one license server`);
            }
            const shape: FarmStepShape = { kind: op.op, mode: op.mode, withServers: checked.servers.length > 0 };
            return { ok: true, step: { index, op, label, shape, input: { s: checked.servers } } };
        }
        case "set-host-licensing": {
            const label = `set the host's licensing to ${String(op.mode)}`;
            if (op.mode !== HostLicensingMode.PerUser && op.mode !== HostLicensingMode.PerDevice) {
                // ChangeMode documents no code for "not configured": refusing beats pretending.
                return invalid(`${label}: a standalone host's mode can be set to PerUser or PerDevice only (ChangeMode has no code for NotConfigured)`);
            }
            const checked = checkServers(label, op.licenseServers);
            if (!checked.ok) return checked.planned;
            if (checked.servers.length === 0) return invalid(`${label}: at least one license server is required`);
            const shape: FarmStepShape = { kind: op.op, mode: op.mode, licensingType: LICENSING_TYPE_CODE[op.mode] };
            return { ok: true, step: { index, op, label, shape, input: { s: checked.servers } } };
        }
        default:
            return { ok: false, error: { kind: LicensingErrorKind.InvalidParameter, message: `unknown farm operation ${JSON.stringify((op as { op?: unknown }).op)}` } };
    }
}
