/**
 * From the engine events of `pulumi preview --refresh` to a drift report. The refresh steps say what
 * the servers hold now (and whether that changed since the last update); the plan steps after them
 * say what `pulumi up` would change to get back to the program. Pure: unit-tested on recorded events.
 */
import type { EngineEvent, StepEventMetadata } from "@pulumi/pulumi/automation";
import { DEFAULT_GRACE_WARNING_DAYS } from "../../licensing/health";
import {
    DriftKind,
    exitCodeOf,
    percent,
    statusOf,
    type DriftItem,
    type DriftReport,
    type DriftSource,
    type PackUsage,
    type ServerUsage,
    type UsageWarning,
} from "./report";
import { RESOURCE_TYPES } from "../../licensing/resource-types";
import { farmDriftItems } from "./farm-drift";
import { healthReport } from "./farm-health";
import { changedInputs, collect, displayName, isKnown, liveChanged, num, shortType, str, type RefreshResult } from "./steps";

export { changedInputs, displayName } from "./steps";
export const TYPES = RESOURCE_TYPES;

export interface CompareOptions {
    project: string;
    stack: string;
    warnAt?: number;
    /** A grace period ending within this many days is a health finding. @default DEFAULT_GRACE_WARNING_DAYS */
    graceWarningDays?: number;
    now?: Date;
}

function itemFor(step: StepEventMetadata, refresh: RefreshResult | undefined): DriftItem | undefined {
    const state = step.new ?? step.old;
    const inputs = { ...(step.old?.inputs ?? {}), ...(step.new?.inputs ?? {}) };
    const name = displayName(step.urn, state?.parent);
    const server = str(inputs.server) ?? str(inputs.serverName) ?? str(refresh?.before?.inputs?.server);
    const base = { name, resourceType: shortType(step.type), urn: step.urn, operation: step.op, ...(server ? { server } : {}) };
    const goneLive = !!refresh?.before && !refresh.after;
    const properties = changedInputs(step.old?.inputs, step.new?.inputs);
    const source = (keys: readonly string[] = properties): DriftSource => (goneLive || liveChanged(refresh, keys) ? "live" : "program");

    if (step.type === TYPES.calKeyPack) {
        const wanted = num(step.new?.inputs?.count);
        const have = num(step.old?.inputs?.count);
        if (step.op === "create") {
            return {
                ...base,
                kind: DriftKind.PackMissing,
                source: goneLive ? "live" : "program",
                expected: wanted ?? null,
                actual: null,
                properties: [],
                message: goneLive
                    ? `pack ${name} is no longer installed on ${server ?? "its server"} (the program wants ${wanted ?? "?"} CALs)`
                    : `pack ${name} is declared but not installed yet (${wanted ?? "?"} CALs)`,
            };
        }
        if (step.op === "delete") {
            return {
                ...base,
                kind: DriftKind.PackNotDeclared,
                source: "program",
                expected: null,
                actual: have ?? null,
                properties: [],
                message: `pack ${name} (${have ?? "?"} CALs) is installed but no longer declared: \`pulumi up\` would uninstall it`,
            };
        }
        if (step.op === "update" && properties.includes("count")) {
            return {
                ...base,
                kind: DriftKind.PackCount,
                source: source(["count"]),
                expected: wanted ?? null,
                actual: have ?? null,
                properties,
                message: `pack ${name} holds ${have ?? "?"} CALs, the program wants ${wanted ?? "?"}`,
            };
        }
        if (step.op === "replace") {
            return {
                ...base,
                kind: DriftKind.PackReplaced,
                source: source(),
                expected: wanted ?? null,
                actual: have ?? null,
                properties,
                message: `pack ${name} would be reinstalled (changed: ${properties.join(", ") || "provider settings"})`,
            };
        }
    }
    if (step.type === TYPES.activation && step.op === "update" && properties.includes("activated")) {
        const wanted = step.new?.inputs?.activated;
        const have = step.old?.inputs?.activated;
        return {
            ...base,
            name: server ?? name,
            kind: DriftKind.ServerNotActivated,
            source: source(["activated"]),
            expected: wanted === true ? "activated" : "deactivated",
            actual: have === true ? "activated" : "not activated",
            properties,
            message: `license server ${server ?? name} is ${have === true ? "activated" : "not activated"}; the program wants it ${wanted === true ? "activated" : "deactivated"}`,
        };
    }
    if (step.type === TYPES.simulatedServer && step.op === "create" && goneLive) {
        return {
            ...base,
            name: server ?? name,
            kind: DriftKind.ServerMissing,
            source: "live",
            expected: "present",
            actual: null,
            properties: [],
            message: `license server ${server ?? name} no longer exists`,
        };
    }
    if (properties.includes("licensingMode") && step.op === "update") {
        const wanted = str(step.new?.inputs?.licensingMode) ?? null;
        const have = str(step.old?.inputs?.licensingMode) ?? null;
        return {
            ...base,
            kind: DriftKind.LicensingMode,
            source: source(["licensingMode"]),
            expected: wanted,
            actual: have,
            properties,
            message: `licensing mode is ${have ?? "not set"}, the program wants ${wanted ?? "it unset"}`,
        };
    }
    if (properties.length === 0 && step.op === "update") return undefined;
    return {
        ...base,
        kind: DriftKind.Other,
        source: step.op === "create" ? (goneLive ? "live" : "program") : source(),
        expected: null,
        actual: null,
        properties,
        message: `${shortType(step.type)} ${name}: \`pulumi up\` would ${step.op} it${properties.length ? ` (changed: ${properties.join(", ")})` : ""}`,
    };
}

/** Only custom resources count; the stack, components and provider resources are bookkeeping. */
function reportable(step: StepEventMetadata): boolean {
    const state = step.new ?? step.old;
    return state?.custom !== false && !step.type.startsWith("pulumi:providers:") && step.type !== "pulumi:pulumi:Stack";
}

function packUsage(urn: string, refresh: RefreshResult): PackUsage | undefined {
    const after = refresh.after;
    if (!after) return undefined;
    const o = after.outputs ?? {};
    const total = num(o.totalLicenses);
    const issued = num(o.issuedLicenses);
    const available = num(o.availableLicenses);
    if (total === undefined || issued === undefined || available === undefined) return undefined;
    const ids = Array.isArray(o.keyPackIds) ? o.keyPackIds.map(Number).filter(Number.isFinite) : [Number(after.id)];
    return {
        name: displayName(urn, after.parent),
        urn,
        server: str(o.server) ?? str(after.inputs?.server) ?? "",
        keyPackIds: ids,
        ...(str(o.program) ? { program: str(o.program) } : {}),
        ...(str(o.productVersion) ? { productVersion: str(o.productVersion) } : {}),
        ...(str(o.licenseType) ? { licenseType: str(o.licenseType) } : {}),
        total,
        issued,
        available,
        utilisation: percent(issued, total),
    };
}

function serverUsage(packs: readonly PackUsage[], refreshes: Map<string, RefreshResult>): ServerUsage[] {
    const activation = new Map<string, string>();
    for (const r of refreshes.values()) {
        if (r.after?.type === TYPES.activation) {
            const server = str(r.after.inputs?.server);
            const status = str(r.after.outputs?.activationStatus);
            if (server && status) activation.set(server, status);
        }
    }
    const servers = [...new Set([...packs.map((p) => p.server), ...activation.keys()])].sort();
    return servers.map((server) => {
        const mine = packs.filter((p) => p.server === server);
        const total = mine.reduce((n, p) => n + p.total, 0);
        const issued = mine.reduce((n, p) => n + p.issued, 0);
        const available = mine.reduce((n, p) => n + p.available, 0);
        const status = activation.get(server);
        return { server, ...(status ? { activationStatus: status } : {}), packs: mine.length, total, issued, available, utilisation: percent(issued, total) };
    });
}

export function buildReport(events: readonly EngineEvent[], options: CompareOptions): DriftReport {
    const { refreshes, steps } = collect(events);
    const drift = [...steps.values()]
        .filter(reportable)
        .flatMap((step) => farmDriftItems(step, refreshes.get(step.urn)) ?? [itemFor(step, refreshes.get(step.urn))])
        .filter((d): d is DriftItem => d !== undefined)
        .sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
    const packs = [...refreshes.entries()]
        .filter(([, r]) => r.after?.type === TYPES.calKeyPack && isKnown(r.after.id))
        .map(([urn, r]) => packUsage(urn, r))
        .filter((p): p is PackUsage => p !== undefined)
        .sort((a, b) => a.server.localeCompare(b.server) || a.name.localeCompare(b.name));
    const warnAt = options.warnAt;
    const warnings: UsageWarning[] =
        warnAt === undefined
            ? []
            : packs
                  .filter((p) => p.total > 0 && p.utilisation >= warnAt)
                  .map((p) => ({
                      pack: p.name,
                      server: p.server,
                      utilisation: p.utilisation,
                      threshold: warnAt,
                      message: `pack ${p.name} on ${p.server}: ${p.issued} of ${p.total} CALs issued (${p.utilisation}%), at or above ${warnAt}%`,
                  }));
    const health = healthReport(refreshes, options.graceWarningDays ?? DEFAULT_GRACE_WARNING_DAYS);
    const exitCode = exitCodeOf({ drift, findings: health.findings, warnings });
    return {
        schemaVersion: 1,
        project: options.project,
        stack: options.stack,
        generatedAt: (options.now ?? new Date()).toISOString(),
        status: statusOf(exitCode),
        exitCode,
        ...(warnAt !== undefined ? { warnAt } : {}),
        drift,
        usage: { packs, servers: serverUsage(packs, refreshes) },
        warnings,
        health,
    };
}
