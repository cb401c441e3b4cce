/**
 * The farm's licensing health from the refreshed states: the session hosts that DeploymentLicensing
 * and HostLicensing read (their `hosts` output), the packs the CalKeyPacks hold, and the rules of
 * src/licensing/health.ts over both. Pure.
 */
import type { StepEventStateMetadata } from "@pulumi/pulumi/automation";
import { z } from "zod";
import { LICENSE_TYPES, PRODUCT_VERSIONS } from "../../licensing/codes";
import { HostLicensingMode, type SessionHostLicensing } from "../../licensing/farm";
import { connectivityName, farmHealth, type HostHealth, type PackHolding } from "../../licensing/health";
import { RESOURCE_TYPES } from "../../licensing/resource-types";
import type { HealthReport, HostHealthRow } from "./report";
import { displayName, num, refreshedStates, str, type RefreshResult } from "./steps";
import { FARM_TYPES } from "./farm-types";

const sessionHostSchema = z.object({
    name: z.string().min(1),
    windowsServerVersion: z.enum(PRODUCT_VERSIONS),
    deployment: z.string().min(1).optional(),
    mode: z.enum(Object.values(HostLicensingMode) as [HostLicensingMode, ...HostLicensingMode[]]),
    licenseServers: z.array(z.string()),
    graceDaysLeft: z.number(),
    connectivity: z.array(z.object({ licenseServer: z.string(), status: z.number().int() })),
    policy: z.object({ modeByGroupPolicy: z.boolean(), licenseServersByGroupPolicy: z.boolean() }),
});

/** The session hosts a farm resource's refreshed state holds; a deployment's hosts name its broker. */
function hostsOf(state: StepEventStateMetadata): SessionHostLicensing[] {
    const hosts = state.outputs?.hosts;
    if (!Array.isArray(hosts)) return [];
    const broker = state.type === RESOURCE_TYPES.deploymentLicensing ? str(state.inputs?.broker) : undefined;
    return hosts.flatMap((h) => {
        const parsed = sessionHostSchema.safeParse(h);
        if (!parsed.success) return [];
        const host = parsed.data as SessionHostLicensing;
        return [host.deployment === undefined && broker ? { ...host, deployment: broker } : host];
    });
}

/** A CalKeyPack's refreshed state as a holding: on its `server` input, with the CALs it has left. */
function holdingOf(urn: string, state: StepEventStateMetadata): PackHolding | undefined {
    const inputs = state.inputs ?? {};
    const outputs = state.outputs ?? {};
    const licenseServer = str(inputs.server);
    const licenseType = LICENSE_TYPES.find((t) => t === inputs.licenseType);
    const productVersion = PRODUCT_VERSIONS.find((v) => v === inputs.productVersion);
    const totalLicenses = num(outputs.totalLicenses);
    const issuedLicenses = num(outputs.issuedLicenses);
    const availableLicenses = num(outputs.availableLicenses);
    if (!licenseServer || !licenseType || !productVersion || totalLicenses === undefined || issuedLicenses === undefined || availableLicenses === undefined) {
        return undefined;
    }
    return { licenseServer, pack: displayName(urn, state.parent), licenseType, productVersion, totalLicenses, issuedLicenses, availableLicenses };
}

export function packHoldings(refreshes: ReadonlyMap<string, RefreshResult>): PackHolding[] {
    return refreshedStates(refreshes, [RESOURCE_TYPES.calKeyPack])
        .map(([urn, state]) => holdingOf(urn, state))
        .filter((p): p is PackHolding => p !== undefined);
}

export function farmHosts(refreshes: ReadonlyMap<string, RefreshResult>): SessionHostLicensing[] {
    return refreshedStates(refreshes, FARM_TYPES).flatMap(([, state]) => hostsOf(state));
}

function rowOf(h: HostHealth): HostHealthRow {
    return {
        name: h.name,
        ...(h.deployment ? { deployment: h.deployment } : {}),
        windowsServerVersion: h.windowsServerVersion,
        mode: h.mode,
        licenseServers: h.connectivity.map((c) => ({ licenseServer: c.licenseServer, status: c.status, statusName: connectivityName(c.status), reachable: c.reachable })),
        graceDaysLeft: h.graceDaysLeft,
        coverage: h.coverage,
        licensed: h.licensed,
    };
}

/** Every session host's health, sorted by deployment (standalone hosts last) and name. */
export function healthReport(refreshes: ReadonlyMap<string, RefreshResult>, graceWarningDays: number): HealthReport {
    const hosts = farmHealth(farmHosts(refreshes), packHoldings(refreshes), { graceWarningDays }).sort(
        (a, b) => Number(!a.deployment) - Number(!b.deployment) || (a.deployment ?? "").localeCompare(b.deployment ?? "") || a.name.localeCompare(b.name),
    );
    return { graceWarningDays, hosts: hosts.map(rowOf), findings: hosts.flatMap((h) => h.findings) };
}
