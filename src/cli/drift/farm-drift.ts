/**
 * Configuration drift of a farm's licensing: a deployment's (DeploymentLicensing) or a standalone
 * session host's (HostLicensing) mode or license server list changed by hand, or its configuration
 * gone. One plan step can hold both a mode and a list change: each is an item of its own. Pure.
 */
import type { StepEventMetadata } from "@pulumi/pulumi/automation";
import { DriftKind, type DriftItem, type DriftSource } from "./report";
import { changedInputs, liveChanged, shortType, str, type RefreshResult } from "./steps";
import { FARM_TYPES, HOST_LICENSING } from "./farm-types";

const listOf = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === "string") ? [...v] : undefined);
const showList = (servers: readonly string[] | undefined) => (servers === undefined ? "unknown" : servers.length === 0 ? "none" : servers.join(", "));

/** The Group Policy sources the refresh read of a standalone host (its one `hosts` element). */
function policyOf(refresh: RefreshResult | undefined): { modeByGroupPolicy?: unknown; licenseServersByGroupPolicy?: unknown } {
    const hosts = refresh?.after?.outputs?.hosts;
    const host: unknown = Array.isArray(hosts) ? hosts[0] : undefined;
    const policy = host && typeof host === "object" ? (host as { policy?: unknown }).policy : undefined;
    return policy && typeof policy === "object" ? policy : {};
}

/** The drift items of a farm resource's step; undefined when the step is not a farm configuration change. */
export function farmDriftItems(step: StepEventMetadata, refresh: RefreshResult | undefined): DriftItem[] | undefined {
    if (!FARM_TYPES.includes(step.type)) return undefined;
    const isHost = step.type === HOST_LICENSING;
    const wantedInputs = step.new?.inputs ?? {};
    const liveInputs = step.old?.inputs ?? {};
    const target = str(wantedInputs[isHost ? "host" : "broker"]) ?? str(liveInputs[isHost ? "host" : "broker"]) ?? str(refresh?.before?.inputs?.[isHost ? "host" : "broker"]);
    if (!target) return undefined;
    const label = `${isHost ? "session host" : "deployment"} ${target}`;
    const base = {
        name: target,
        resourceType: shortType(step.type),
        urn: step.urn,
        operation: step.op,
        server: target,
        ...(isHost ? { host: target } : { broker: target }),
    };
    const goneLive = !!refresh?.before && !refresh.after;
    const wantedMode = str(wantedInputs.mode) ?? null;
    const wantedServers = listOf(wantedInputs.licenseServers);

    if (step.op === "create") {
        const wants = `${wantedMode ?? "its mode"} with license servers ${showList(wantedServers)}`;
        return [
            {
                ...base,
                kind: DriftKind.LicensingMissing,
                source: goneLive ? "live" : "program",
                expected: wantedMode,
                actual: null,
                properties: [],
                message: goneLive
                    ? `${label}: its licensing configuration is gone (the refresh found no ${isHost ? "such session host" : "deployment on the broker"}); the program wants ${wants}`
                    : `${label}: licensing is declared (${wants}) but not configured yet`,
                fix: goneLive
                    ? `if the ${isHost ? "host" : "deployment"} itself was removed, rebuild it first; then \`pulumi up\` configures its licensing again`
                    : "`pulumi up` configures it",
            },
        ];
    }
    if (step.op !== "update") return undefined;
    const properties = changedInputs(step.old?.inputs, step.new?.inputs);
    const source = (key: string): DriftSource => (liveChanged(refresh, [key]) ? "live" : "program");
    const policy = isHost ? policyOf(refresh) : {};
    const items: DriftItem[] = [];
    if (properties.includes("mode")) {
        const have = str(liveInputs.mode) ?? null;
        items.push({
            ...base,
            kind: DriftKind.LicensingMode,
            source: source("mode"),
            expected: wantedMode,
            actual: have,
            properties,
            message: `${label}: licensing mode is ${have ?? "not set"}, the program wants ${wantedMode ?? "it unset"}`,
            fix:
                policy.modeByGroupPolicy === true
                    ? `Group Policy sets ${target}'s mode ("Set the Remote Desktop licensing mode"): change the policy, \`pulumi up\` cannot override it`
                    : `\`pulumi up\` sets the mode to ${wantedMode ?? "the program's"}`,
        });
    }
    if (properties.includes("licenseServers")) {
        const have = listOf(liveInputs.licenseServers);
        items.push({
            ...base,
            kind: DriftKind.LicenseServers,
            source: source("licenseServers"),
            expected: wantedServers ?? null,
            actual: have ?? null,
            properties,
            message: `${label}: license servers are ${showList(have)}, the program wants ${showList(wantedServers)} (in preference order)`,
            fix:
                policy.licenseServersByGroupPolicy === true
                    ? `Group Policy sets ${target}'s license servers ("Use the specified Remote Desktop license servers"): change the policy, \`pulumi up\` cannot override it`
                    : `\`pulumi up\` sets the list to ${showList(wantedServers)}`,
        });
    }
    return items.length > 0 ? items : undefined;
}
