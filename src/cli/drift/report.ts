/**
 * The drift report: what `npm run drift` found, in one JSON-serializable value that every renderer
 * (table, JSON, Markdown, HTML/SVG) reads. It holds names, counts and states, never a property value
 * of a secret kind.
 */

/** Exit codes, after `terraform plan -detailed-exitcode`, plus one for usage warnings. */
export const ExitCode = {
    /** Desired and actual agree, and no pack is at or above --warn-at. */
    InSync: 0,
    /** The command could not tell (bad arguments, backend, passphrase, failed preview). */
    Error: 1,
    /** Desired and actual differ. Wins over usage warnings. */
    Drift: 2,
    /** No drift, but CAL utilisation reached --warn-at on at least one pack. */
    UsageWarning: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const DriftKind = {
    /** A pack holds another number of CALs than the program asks for. */
    PackCount: "pack-count",
    /** A pack of the program is not installed on the server. */
    PackMissing: "pack-missing",
    /** A pack is installed and in state, but the program no longer declares it. */
    PackNotDeclared: "pack-not-declared",
    /** A pack would be reinstalled (program, version, type or number changed). */
    PackReplaced: "pack-replaced",
    /** The license server is not activated with the Clearinghouse. */
    ServerNotActivated: "server-not-activated",
    /** The license server itself is gone. */
    ServerMissing: "server-missing",
    /** The RDS deployment's licensing mode differs. */
    LicensingMode: "licensing-mode",
    /** Anything else that `pulumi up` would change. */
    Other: "other",
} as const;
export type DriftKind = (typeof DriftKind)[keyof typeof DriftKind];

/**
 * Where a difference comes from: `live` when the refresh found the server changed behind Pulumi's
 * back (a person, a script), `program` when state matches the server but the program or config now
 * asks for something else (an unapplied change).
 */
export type DriftSource = "live" | "program";

export interface DriftItem {
    kind: DriftKind;
    source: DriftSource;
    /** The name a person recognises: the pack name of the stack config, or the resource name. */
    name: string;
    /** `CalKeyPack`, `LicenseServerActivation`, ... */
    resourceType: string;
    urn: string;
    server?: string;
    /** What the program asks for, and what is there; `null` when absent. */
    expected: string | number | boolean | null;
    actual: string | number | boolean | null;
    /** The engine's step: update, create, delete, replace. */
    operation: string;
    /** Changed input names (never their values). */
    properties: string[];
    message: string;
}

export interface PackUsage {
    name: string;
    urn: string;
    server: string;
    keyPackIds: number[];
    program?: string;
    productVersion?: string;
    licenseType?: string;
    total: number;
    issued: number;
    available: number;
    /** issued / total in percent, one decimal. */
    utilisation: number;
}

export interface ServerUsage {
    server: string;
    activationStatus?: string;
    packs: number;
    total: number;
    issued: number;
    available: number;
    utilisation: number;
}

export interface UsageWarning {
    pack: string;
    server: string;
    utilisation: number;
    threshold: number;
    message: string;
}

export interface DriftReport {
    schemaVersion: 1;
    project: string;
    stack: string;
    generatedAt: string;
    status: "in-sync" | "drift" | "usage-warning";
    exitCode: ExitCode;
    warnAt?: number;
    drift: DriftItem[];
    usage: { packs: PackUsage[]; servers: ServerUsage[] };
    warnings: UsageWarning[];
}

export function percent(part: number, whole: number): number {
    return whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0;
}

export function exitCodeOf(drift: readonly DriftItem[], warnings: readonly UsageWarning[]): ExitCode {
    if (drift.length > 0) return ExitCode.Drift;
    if (warnings.length > 0) return ExitCode.UsageWarning;
    return ExitCode.InSync;
}

export function statusOf(code: ExitCode): DriftReport["status"] {
    return code === ExitCode.Drift ? "drift" : code === ExitCode.UsageWarning ? "usage-warning" : "in-sync";
}
