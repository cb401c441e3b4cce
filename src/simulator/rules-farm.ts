/**
 * The farm's licensing rules, pure functions over stored state (like rules-packs.ts): a session
 * host's settings and where they come from (itself, its deployment, Group Policy), its grace period,
 * and how it sees each license server it lists (GetTStoLSConnectivityStatus).
 */
import { WbemCode, type ProductVersion } from "../licensing/codes";
import { LicensingError, returnValueOf, type LicensingErrorKind } from "../licensing/errors";
import {
    HostLicensingMode,
    LicenseServerConnectivity,
    type DeploymentLicensing,
    type LicensingSettings,
    type SessionHostLicensing,
} from "../licensing/farm";
import { serverServesHost } from "../licensing/health";
import { DAY_MS } from "./clock";
import { FARM_FORMAT_VERSION, NO_POLICY, type StoredDeployment, type StoredHost } from "./farm-state";
import { serverKey } from "./paths";
import type { StoredServer } from "./state";

/** Days a session host accepts connections without a license server (Windows Server 2008 and later). */
export const GRACE_PERIOD_DAYS = 120;

/** The license servers of the store by file key (what a host can reach). */
export type ServerLookup = (key: string) => StoredServer | undefined;

/** A refusal of a farm setter or reader ("configure" return codes; messages hold no secrets). */
export function refuseFarm(kind: LicensingErrorKind, message: string, returnValue?: number): never {
    throw new LicensingError({ kind, returnValue: returnValue ?? returnValueOf("configure", kind), message });
}

const MODE_NAMES = Object.values(HostLicensingMode) as string[];

/** The server a license server list entry names: a computer name or an FQDN whose first label is one. */
export function licenseServerKey(entry: string): string | undefined {
    const labels = entry.split(".");
    if (labels.some((l) => serverKey(l) === undefined)) return undefined;
    return serverKey(labels[0]);
}

/** Check and normalize settings given to a setter (mode by name, names trimmed, no duplicates). */
export function checkSettings(input: unknown): LicensingSettings {
    const s = input as Partial<LicensingSettings> | undefined;
    if (typeof s?.mode !== "string" || !MODE_NAMES.includes(s.mode)) {
        refuseFarm("invalid-parameter", `the licensing mode must be one of ${MODE_NAMES.join(", ")} (got ${JSON.stringify(s?.mode ?? null)})`);
    }
    if (!Array.isArray(s.licenseServers)) refuseFarm("invalid-parameter", "licenseServers must be a list of license server names");
    const seen = new Set<string>();
    const licenseServers: string[] = [];
    for (const raw of s.licenseServers as unknown[]) {
        const name = typeof raw === "string" ? raw.trim() : "";
        const key = licenseServerKey(name);
        if (!key) refuseFarm("invalid-parameter", `${JSON.stringify(raw)} is not a license server name (a computer name or an FQDN)`);
        if (seen.has(name.toLowerCase())) refuseFarm("invalid-parameter", `license server ${name} is listed twice`);
        seen.add(name.toLowerCase());
        licenseServers.push(name);
    }
    return { mode: s.mode as HostLicensingMode, licenseServers };
}

export function newHost(name: string, windowsServerVersion: ProductVersion, now: Date): StoredHost {
    const at = now.toISOString();
    return {
        formatVersion: FARM_FORMAT_VERSION,
        name,
        windowsServerVersion,
        createdAt: at,
        graceStartedAt: at,
        mode: HostLicensingMode.NotConfigured,
        licenseServers: [],
        policy: { ...NO_POLICY },
        executions: 0,
    };
}

export function newDeployment(broker: string, now: Date): StoredDeployment {
    return {
        formatVersion: FARM_FORMAT_VERSION,
        broker,
        createdAt: now.toISOString(),
        mode: HostLicensingMode.NotConfigured,
        licenseServers: [],
        sessionHosts: [],
        executions: 0,
    };
}

/** When the host's grace period ends (120 days after it started). */
export function graceEndsAt(host: StoredHost): number {
    return Date.parse(host.graceStartedAt) + GRACE_PERIOD_DAYS * DAY_MS;
}

/** GetGracePeriodDays: whole days left, rounded up (120 at the start, 0 once it has ended). */
export function graceDaysLeft(host: StoredHost, now: Date): number {
    return Math.max(0, Math.ceil((graceEndsAt(host) - now.getTime()) / DAY_MS));
}

export function inGracePeriod(host: StoredHost, now: Date): boolean {
    return now.getTime() < graceEndsAt(host);
}

/**
 * GetTStoLSConnectivityStatus of one listed server: not in the farm → NotConnectable (6); running an
 * older Windows Server than the host → LowerVersion (4); there but not activated → UnknownValidity
 * (7: it answers, but without the Clearinghouse's certificate it is not a valid license server);
 * else Valid (11).
 */
export function connectivity(host: StoredHost, entry: string, servers: ServerLookup): LicenseServerConnectivity {
    const key = licenseServerKey(entry);
    const server = key === undefined ? undefined : servers(key);
    if (!server) return LicenseServerConnectivity.NotConnectable;
    if (!serverServesHost(server.windowsServerVersion, host.windowsServerVersion)) return LicenseServerConnectivity.LowerVersion;
    if (server.activation !== "activated") return LicenseServerConnectivity.UnknownValidity;
    return LicenseServerConnectivity.Valid;
}

/** One row of the Licensing Diagnoser: what the host's Win32_TerminalServiceSetting says. */
export function hostLicensing(host: StoredHost, deployment: StoredDeployment | undefined, servers: ServerLookup, now: Date): SessionHostLicensing {
    const view: SessionHostLicensing = {
        name: host.name,
        windowsServerVersion: host.windowsServerVersion,
        mode: host.mode,
        licenseServers: [...host.licenseServers],
        graceDaysLeft: graceDaysLeft(host, now),
        connectivity: host.licenseServers.map((licenseServer) => ({ licenseServer, status: connectivity(host, licenseServer, servers) })),
        policy: { ...host.policy },
    };
    if (deployment) view.deployment = deployment.broker;
    return view;
}

export function deploymentLicensing(d: StoredDeployment): DeploymentLicensing {
    return { broker: d.broker, mode: d.mode, licenseServers: [...d.licenseServers], sessionHosts: [...d.sessionHosts] };
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x.toLowerCase() === b[i]!.toLowerCase());

/**
 * ChangeMode + SetSpecifiedLicenseServerList on the host itself. A setting made by Group Policy
 * cannot be changed: the setter fails with WBEM_E_INVALID_OPERATION (kind `invalid-parameter`) and
 * nothing changes. Setting a locked value to what it already is calls no setter, so it succeeds.
 */
export function setHostSettings(host: StoredHost, input: Partial<LicensingSettings>): void {
    const next = checkSettings({ mode: input.mode ?? host.mode, licenseServers: input.licenseServers ?? host.licenseServers });
    if (next.mode !== host.mode && host.policy.modeByGroupPolicy) {
        refuseFarm("invalid-parameter", `the licensing mode of ${host.name} is set by Group Policy (PolicySourceLicensingType 1); change the policy instead`, WbemCode.InvalidOperation);
    }
    if (!sameList(next.licenseServers, host.licenseServers) && host.policy.licenseServersByGroupPolicy) {
        refuseFarm(
            "invalid-parameter",
            `the license servers of ${host.name} are set by Group Policy (PolicySourceConfiguredLicenseServers 1); change the policy instead`,
            WbemCode.InvalidOperation,
        );
    }
    host.mode = next.mode;
    host.licenseServers = next.licenseServers;
}

/**
 * The deployment's configuration applied to one of its hosts (what Set-RDLicenseConfiguration does to
 * each): a setting locked by Group Policy on that host keeps the policy's value, which the host's
 * read-back then shows.
 */
export function applyDeploymentTo(host: StoredHost, d: StoredDeployment): void {
    if (!host.policy.modeByGroupPolicy) host.mode = d.mode;
    if (!host.policy.licenseServersByGroupPolicy) host.licenseServers = [...d.licenseServers];
}

/** Set-RDLicenseConfiguration on the broker: the deployment's settings, then each host's. */
export function setDeploymentSettings(d: StoredDeployment, members: StoredHost[], input: unknown): void {
    const next = checkSettings(input);
    d.mode = next.mode;
    d.licenseServers = next.licenseServers;
    for (const host of members) applyDeploymentTo(host, d);
}

/** Mark settings as made by Group Policy (or no longer); the values stay what they are. */
export function lockPolicy(host: StoredHost, lock: { mode?: boolean; licenseServers?: boolean }): void {
    if (lock.mode !== undefined) host.policy.modeByGroupPolicy = lock.mode;
    if (lock.licenseServers !== undefined) host.policy.licenseServersByGroupPolicy = lock.licenseServers;
}
