/**
 * The drift report: what `rds-licensing drift` found, in one JSON-serializable value that every
 * renderer (table, JSON, Markdown, HTML/SVG) reads. It holds names, counts, modes and states, never
 * a property value of a secret kind.
 */
import type { HealthFinding, HostCoverage } from "../../licensing/health";
import type { HostLicensingMode, LicenseServerConnectivity } from "../../licensing/farm";
import type { ProductVersion } from "../../licensing/codes";

/**
 * Exit codes, after `terraform plan -detailed-exitcode`, plus two for findings that `pulumi up`
 * does not fix. One code per run, the first that applies in this order: Error (1), Drift (2),
 * HealthFindings (4), UsageWarning (3), InSync (0).
 */
export const ExitCode = {
    /** Desired and actual agree, no session host has a licensing finding, and no pack is at or above --warn-at. */
    InSync: 0,
    /** The command could not tell (bad arguments, backend, passphrase, failed preview). */
    Error: 1,
    /** Desired and actual differ. Wins over health findings and usage warnings. */
    Drift: 2,
    /** No drift, but CAL utilisation reached --warn-at on at least one pack (and no health finding). */
    UsageWarning: 3,
    /** No drift, but at least one session host has a licensing health finding. Wins over usage warnings. */
    HealthFindings: 4,
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
    /** The licensing mode differs: an RDS deployment's or a standalone session host's (or LicensingConfiguration's). */
    LicensingMode: "licensing-mode",
    /** A deployment's or standalone session host's license server list (preference order included) differs. */
    LicenseServers: "license-servers",
    /** A deployment's or standalone session host's licensing configuration is gone, or not applied yet. */
    LicensingMissing: "licensing-missing",
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

/** An expected or actual value: a count, a state, a mode, a license server list (in preference order); `null` when absent. */
export type DriftValue = string | number | boolean | string[] | null;

export interface DriftItem {
    kind: DriftKind;
    source: DriftSource;
    /** The name a person recognises: the pack name of the stack config, the server, broker or host name. */
    name: string;
    /** `CalKeyPack`, `LicenseServerActivation`, `DeploymentLicensing`, `HostLicensing`, ... */
    resourceType: string;
    urn: string;
    /** The machine the setting lives on: the license server, or the broker / session host of a farm item. */
    server?: string;
    /** A deployment's item: its Connection Broker. */
    broker?: string;
    /** A standalone session host's item: the host. */
    host?: string;
    /** What the program asks for, and what is there. */
    expected: DriftValue;
    actual: DriftValue;
    /** The engine's step: update, create, delete, replace. */
    operation: string;
    /** Changed input names (never their values). */
    properties: string[];
    message: string;
    /** What repairs it (farm items). */
    fix?: string;
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

/** One row of the health table: a session host as its refreshed DeploymentLicensing / HostLicensing state tells it. */
export interface HostHealthRow {
    name: string;
    /** The deployment's Connection Broker; absent for a standalone host. */
    deployment?: string;
    windowsServerVersion: ProductVersion;
    mode: HostLicensingMode;
    /** In preference order, each with how the host sees it (GetTStoLSConnectivityStatus, and its name). */
    licenseServers: { licenseServer: string; status: LicenseServerConnectivity; statusName: string; reachable: boolean }[];
    graceDaysLeft: number;
    /** The packs that can serve it (type of its mode, its version or newer, on a listed server it reaches), with CALs left. */
    coverage: HostCoverage[];
    /** Whether it can license a connection now. */
    licensed: boolean;
}

/** The farm's licensing health (see src/licensing/health.ts): one row per session host, and what is wrong. */
export interface HealthReport {
    /** --grace-days: a grace period ending within this many days is a finding. */
    graceWarningDays: number;
    hosts: HostHealthRow[];
    /** Every host's findings, host by host. */
    findings: HealthFinding[];
}

export type ReportStatus = "in-sync" | "drift" | "health-findings" | "usage-warning";

export interface DriftReport {
    schemaVersion: 1;
    project: string;
    stack: string;
    generatedAt: string;
    status: ReportStatus;
    exitCode: ExitCode;
    warnAt?: number;
    drift: DriftItem[];
    usage: { packs: PackUsage[]; servers: ServerUsage[] };
    warnings: UsageWarning[];
    health: HealthReport;
}

export function percent(part: number, whole: number): number {
    return whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0;
}

/** The exit code of what was found: drift (2) wins over health findings (4), which win over usage warnings (3). */
export function exitCodeOf(found: { drift: readonly unknown[]; findings: readonly unknown[]; warnings: readonly unknown[] }): ExitCode {
    if (found.drift.length > 0) return ExitCode.Drift;
    if (found.findings.length > 0) return ExitCode.HealthFindings;
    if (found.warnings.length > 0) return ExitCode.UsageWarning;
    return ExitCode.InSync;
}

const STATUS: Record<ExitCode, ReportStatus> = {
    [ExitCode.InSync]: "in-sync",
    [ExitCode.Error]: "in-sync",
    [ExitCode.Drift]: "drift",
    [ExitCode.HealthFindings]: "health-findings",
    [ExitCode.UsageWarning]: "usage-warning",
};

export function statusOf(code: ExitCode): ReportStatus {
    return STATUS[code];
}
