/**
 * A farm's licensing health, as RD Licensing Diagnoser would tell it, from what a deployment's broker
 * reads of its session hosts (SessionHostLicensing) and what the license servers hold (their packs).
 * Pure: the farm component's outputs, the drift command and the demo's table all derive from these
 * rules, and so does the simulator's choice of a CAL for a connection (calServesHost).
 */
import type { LicenseType, ProductVersion } from "./codes";
import { CONNECTABLE, HostLicensingMode, LicenseServerConnectivity, type SessionHostLicensing } from "./farm";

/** The license type of the CALs a session host in `mode` asks for (none when not configured). */
export function licenseTypeOfMode(mode: HostLicensingMode): LicenseType | undefined {
    if (mode === HostLicensingMode.PerUser) return "per-user";
    if (mode === HostLicensingMode.PerDevice) return "per-device";
    return undefined;
}

/** A CAL serves a session host of its own Windows Server version or an older one. */
export function calServesHost(calVersion: ProductVersion, hostVersion: ProductVersion): boolean {
    return Number(calVersion) >= Number(hostVersion);
}

/** A license server hands out CALs to hosts of its own Windows Server version or older (LowerVersion otherwise). */
export function serverServesHost(serverVersion: ProductVersion, hostVersion: ProductVersion): boolean {
    return Number(serverVersion) >= Number(hostVersion);
}

/** A CAL pack as health needs it: where it is, what it licenses, how many are left. */
export interface PackHolding {
    /** The license server holding it (computer name). */
    licenseServer: string;
    /** The pack's name in the program (or its key pack ID). */
    pack: string;
    licenseType: LicenseType;
    productVersion: ProductVersion;
    totalLicenses: number;
    issuedLicenses: number;
    availableLicenses: number;
}

/** A pack that can serve a host: type of its mode, its version or newer, on a server it lists and reaches. */
export interface HostCoverage {
    licenseServer: string;
    pack: string;
    productVersion: ProductVersion;
    availableLicenses: number;
}

export const HealthFindingKind = {
    /** Mode NotConfigured: the host only lets users in during its grace period. */
    NotConfigured: "not-configured",
    /** No license server in the host's list. */
    NoLicenseServer: "no-license-server",
    /** No listed license server answers as valid (GetTStoLSConnectivityStatus). */
    NoReachableLicenseServer: "no-reachable-license-server",
    /** No pack of the right type and version on a reachable listed server, or none with CALs left. */
    NoCoverage: "no-coverage",
    /** The grace period ends within the warning window, and the host cannot get CALs. */
    GracePeriodEnding: "grace-period-ending",
    /** The grace period is over and the host cannot get CALs: connections are refused. */
    GracePeriodEnded: "grace-period-ended",
} as const;
export type HealthFindingKind = (typeof HealthFindingKind)[keyof typeof HealthFindingKind];

export interface HealthFinding {
    host: string;
    kind: HealthFindingKind;
    /** error: users are (or will be, at the end of the grace period) refused; warning: act soon. */
    severity: "error" | "warning";
    message: string;
    fix: string;
}

/** One row of the farm's health table. */
export interface HostHealth {
    name: string;
    deployment?: string;
    windowsServerVersion: ProductVersion;
    mode: HostLicensingMode;
    licenseServers: string[];
    graceDaysLeft: number;
    connectivity: { licenseServer: string; status: LicenseServerConnectivity; reachable: boolean }[];
    coverage: HostCoverage[];
    /** Whether the host can license a connection now (a reachable server with a pack that serves it). */
    licensed: boolean;
    findings: HealthFinding[];
}

export interface HealthOptions {
    /** Warn when the grace period ends within this many days. @default 14 */
    graceWarningDays?: number;
}

export const DEFAULT_GRACE_WARNING_DAYS = 14;

const key = (name: string) => name.trim().split(".")[0]!.toLowerCase();

/** The packs that can serve `host`: on a listed server it reaches, of its mode's type, its version or newer. */
export function coverageOf(host: SessionHostLicensing, packs: readonly PackHolding[]): { all: HostCoverage[]; available: HostCoverage[] } {
    const type = licenseTypeOfMode(host.mode);
    const reachable = new Set(host.connectivity.filter((c) => CONNECTABLE.has(c.status)).map((c) => key(c.licenseServer)));
    const all = packs
        .filter((p) => type !== undefined && p.licenseType === type && calServesHost(p.productVersion, host.windowsServerVersion) && reachable.has(key(p.licenseServer)))
        .map((p) => ({ licenseServer: p.licenseServer, pack: p.pack, productVersion: p.productVersion, availableLicenses: p.availableLicenses }));
    return { all, available: all.filter((c) => c.availableLicenses > 0) };
}

const CONNECTIVITY_NAMES = Object.fromEntries(Object.entries(LicenseServerConnectivity).map(([k, v]) => [v, k])) as Record<number, string>;
export const connectivityName = (status: number): string => CONNECTIVITY_NAMES[status] ?? `code ${status}`;

/** The health of one session host given the packs of the farm's license servers. */
export function hostHealth(host: SessionHostLicensing, packs: readonly PackHolding[], options: HealthOptions = {}): HostHealth {
    const warnDays = options.graceWarningDays ?? DEFAULT_GRACE_WARNING_DAYS;
    const connectivity = host.connectivity.map((c) => ({ ...c, reachable: CONNECTABLE.has(c.status) }));
    const coverage = coverageOf(host, packs);
    const findings: HealthFinding[] = [];
    const add = (kind: HealthFindingKind, severity: HealthFinding["severity"], message: string, fix: string) =>
        findings.push({ host: host.name, kind, severity, message: `${host.name}: ${message}`, fix });
    const where = host.deployment ? `the deployment's licensing (broker ${host.deployment})` : "the host's licensing";
    const type = licenseTypeOfMode(host.mode);

    if (host.mode === HostLicensingMode.NotConfigured) {
        add(HealthFindingKind.NotConfigured, "error", "the licensing mode is not configured", `set ${where} to PerUser or PerDevice`);
    } else if (host.licenseServers.length === 0) {
        add(HealthFindingKind.NoLicenseServer, "error", "no license server is specified", `list the farm's license servers in ${where}`);
    } else if (!connectivity.some((c) => c.reachable)) {
        const seen = connectivity.map((c) => `${c.licenseServer} ${connectivityName(c.status)}`).join(", ");
        add(
            HealthFindingKind.NoReachableLicenseServer,
            "error",
            `no listed license server can license it (${seen})`,
            "activate the license servers, use servers of the host's Windows Server version or newer, and check the host reaches them",
        );
    } else if (coverage.available.length === 0) {
        const what = `${type} CALs of Windows Server ${host.windowsServerVersion} or newer`;
        add(
            HealthFindingKind.NoCoverage,
            type === "per-user" && coverage.all.length > 0 ? "warning" : "error",
            coverage.all.length > 0 ? `every pack of ${what} on its license servers is used up` : `no pack of ${what} is on a license server it reaches`,
            `install ${what} on one of its license servers (${host.licenseServers.join(", ")}), or raise a pack's count`,
        );
    }
    // Without a way to license connections, the grace period is all that keeps users in.
    const licensed = findings.length === 0 || findings.every((f) => f.kind === HealthFindingKind.NoCoverage && f.severity === "warning");
    if (!licensed) {
        if (host.graceDaysLeft <= 0) {
            add(HealthFindingKind.GracePeriodEnded, "error", "its grace period has ended: connections are refused", "fix the finding above; the grace period does not come back");
        } else if (host.graceDaysLeft <= warnDays) {
            add(
                HealthFindingKind.GracePeriodEnding,
                "warning",
                `its grace period ends in ${host.graceDaysLeft} day${host.graceDaysLeft === 1 ? "" : "s"}`,
                "fix the finding above before then, or users will be refused",
            );
        }
    }
    const health: HostHealth = {
        name: host.name,
        windowsServerVersion: host.windowsServerVersion,
        mode: host.mode,
        licenseServers: [...host.licenseServers],
        graceDaysLeft: host.graceDaysLeft,
        connectivity,
        coverage: coverage.all,
        licensed,
        findings,
    };
    if (host.deployment) health.deployment = host.deployment;
    return health;
}

/** The health of every host of a farm. */
export function farmHealth(hosts: readonly SessionHostLicensing[], packs: readonly PackHolding[], options: HealthOptions = {}): HostHealth[] {
    return hosts.map((h) => hostHealth(h, packs, options));
}
