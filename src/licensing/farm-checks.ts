/**
 * What a farm's plan gets wrong before anything is touched: CALs that will never be issued, hosts no
 * CAL can serve, CALs a license server cannot hold, hosts pointed at servers the stack does not
 * manage. Pure, over the plan as declared (names, versions, types, modes; never a number): the farm
 * component refuses errors at preview, the stack config loader reports them with the config's key
 * paths (the same paths: the config mirrors the component's arguments), the policy pack applies the
 * same rules to the resources of any program.
 */
import { serverAcceptsCalVersion, type LicenseType, type ProductVersion } from "./codes";
import { calServesHost, licenseTypeOfMode, serverServesHost } from "./health";
import type { HostLicensingMode } from "./farm";

export interface PlannedLicenseServer {
    name: string;
    windowsServerVersion: ProductVersion;
}

export interface PlannedPack {
    name: string;
    /** The license server it is installed on (a name of `licenseServers`). */
    licenseServer: string;
    licenseType: LicenseType;
    productVersion: ProductVersion;
    /** Where the pack is declared, e.g. `calPacks[2]`. */
    setting: string;
}

/** A deployment or a standalone session host: who asks the license servers for CALs. */
export interface PlannedConsumer {
    /** `deployment RDCB01` or `session host RDSH09`. */
    label: string;
    mode: HostLicensingMode;
    /** License servers in preference order (names or FQDNs). */
    licenseServers: string[];
    hosts: { name: string; windowsServerVersion: ProductVersion; setting: string }[];
    /** Where its mode is set, e.g. `licensingMode` or `sessionHosts[0].mode`. */
    modeSetting: string;
    /** Where its license server list is set. */
    licenseServersSetting: string;
}

export interface FarmPlan {
    licenseServers: PlannedLicenseServer[];
    packs: PlannedPack[];
    consumers: PlannedConsumer[];
}

export interface PlanFinding {
    /** error: refused before anything is touched; warning: reported, the plan goes ahead. */
    severity: "error" | "warning";
    /** The setting to change (a path of the component's arguments and of the stack config). */
    setting: string;
    message: string;
    fix: string;
}

const key = (name: string) => name.trim().split(".")[0]!.toLowerCase();

/** Every finding of `plan`, errors and warnings, in the order of the settings. */
export function farmPlanFindings(plan: FarmPlan): PlanFinding[] {
    const findings: PlanFinding[] = [];
    const servers = new Map(plan.licenseServers.map((s) => [key(s.name), s]));

    for (const pack of plan.packs) {
        const server = servers.get(key(pack.licenseServer));
        if (server && !serverAcceptsCalVersion(server.windowsServerVersion, pack.productVersion)) {
            findings.push({
                severity: "error",
                setting: `${pack.setting}.productVersion`,
                message: `pack "${pack.name}" has ${pack.productVersion} CALs, newer than its license server ${server.name} (Windows Server ${server.windowsServerVersion}); a license server only holds CALs of its own version or older`,
                fix: `use CALs of ${server.windowsServerVersion} or older, or put the pack on a license server of Windows Server ${pack.productVersion} or newer`,
            });
        }
        // Consumers that ask this pack's server: a pack none of them can use is never issued.
        const askers = plan.consumers.filter((c) => c.licenseServers.some((n) => key(n) === key(pack.licenseServer)));
        if (askers.length > 0 && !askers.some((c) => licenseTypeOfMode(c.mode) === pack.licenseType)) {
            const modes = [...new Set(askers.map((c) => `${c.label} is ${c.mode}`))].join(", ");
            findings.push({
                severity: "error",
                setting: `${pack.setting}.licenseType`,
                message: `pack "${pack.name}" holds ${pack.licenseType} CALs, which ${pack.licenseServer}'s clients never ask for (${modes}): they would never be issued`,
                fix: `install ${askers.map((c) => licenseTypeOfMode(c.mode)).find(Boolean) ?? "matching"} CALs instead, or change ${askers[0]!.modeSetting}`,
            });
        }
    }

    for (const consumer of plan.consumers) {
        const type = licenseTypeOfMode(consumer.mode);
        const listed = consumer.licenseServers.map((n) => ({ name: n, server: servers.get(key(n)) }));
        const unmanaged = listed.filter((l) => !l.server);
        for (const u of unmanaged) {
            findings.push({
                severity: "warning",
                setting: consumer.licenseServersSetting,
                message: `${consumer.label} lists license server ${u.name}, which this stack does not manage: its activation and CALs are not checked`,
                fix: `add ${u.name} to licenseServers to manage it, or remove it from ${consumer.licenseServersSetting}`,
            });
        }
        // With an unmanaged server in the list, it may hold what the managed ones lack: no verdict.
        if (type === undefined || unmanaged.length > 0) continue;
        const managed = listed.map((l) => l.server!);
        const packs = plan.packs.filter((p) => p.licenseType === type && managed.some((s) => key(s.name) === key(p.licenseServer)));
        for (const host of consumer.hosts) {
            const servesHost = managed.filter((s) => serverServesHost(s.windowsServerVersion, host.windowsServerVersion));
            if (managed.length > 0 && servesHost.length === 0) {
                findings.push({
                    severity: "error",
                    setting: `${host.setting}.windowsServerVersion`,
                    message: `session host ${host.name} runs Windows Server ${host.windowsServerVersion}, newer than every license server of ${consumer.label} (${managed.map((s) => `${s.name} ${s.windowsServerVersion}`).join(", ")}): it cannot get CALs from them`,
                    fix: `list a license server of Windows Server ${host.windowsServerVersion} or newer in ${consumer.licenseServersSetting}`,
                });
                continue;
            }
            const serving = packs.filter((p) => calServesHost(p.productVersion, host.windowsServerVersion) && servesHost.some((s) => key(s.name) === key(p.licenseServer)));
            if (serving.length === 0) {
                const have = packs.length > 0 ? `its license servers hold ${type} CALs of ${[...new Set(packs.map((p) => p.productVersion))].sort().join(", ")} only` : `its license servers hold no ${type} CALs`;
                findings.push({
                    severity: "error",
                    setting: `${host.setting}.windowsServerVersion`,
                    message: `session host ${host.name} (Windows Server ${host.windowsServerVersion}, ${consumer.mode}) gets no CAL: ${have}`,
                    fix: `add a ${type} pack of ${host.windowsServerVersion} or newer on ${servesHost.map((s) => s.name).join(" or ") || "a listed license server"} to calPacks`,
                });
            }
        }
    }
    return findings;
}

/**
 * A farm as the stack config and RdsLicensing's arguments declare it (the same shape, so the same
 * setting paths): the plan the checks read, with the defaults applied (a pack on the first server;
 * a deployment or host listing every server, in order; a host in `licensingMode`).
 */
export interface FarmSpec {
    licenseServers: readonly PlannedLicenseServer[];
    calPacks: readonly { name: string; licenseServer?: string; licenseType: LicenseType; productVersion: ProductVersion }[];
    licensingMode?: HostLicensingMode;
    deployment?: { broker: string; sessionHosts: readonly { name: string; windowsServerVersion: ProductVersion }[]; licenseServers?: readonly string[] };
    sessionHosts?: readonly { name: string; windowsServerVersion: ProductVersion; mode?: HostLicensingMode; licenseServers?: readonly string[] }[];
}

export function planOfFarm(spec: FarmSpec): FarmPlan {
    const all = spec.licenseServers.map((s) => s.name);
    const consumers: PlannedConsumer[] = [];
    if (spec.deployment && spec.licensingMode) {
        const d = spec.deployment;
        consumers.push({
            label: `deployment ${d.broker}`,
            mode: spec.licensingMode,
            licenseServers: [...(d.licenseServers ?? all)],
            hosts: d.sessionHosts.map((h, i) => ({ ...h, setting: `deployment.sessionHosts[${i}]` })),
            modeSetting: "licensingMode",
            licenseServersSetting: "deployment.licenseServers",
        });
    }
    (spec.sessionHosts ?? []).forEach((h, i) => {
        const mode = h.mode ?? spec.licensingMode;
        if (!mode) return;
        consumers.push({
            label: `session host ${h.name}`,
            mode,
            licenseServers: [...(h.licenseServers ?? all)],
            hosts: [{ name: h.name, windowsServerVersion: h.windowsServerVersion, setting: `sessionHosts[${i}]` }],
            modeSetting: h.mode ? `sessionHosts[${i}].mode` : "licensingMode",
            licenseServersSetting: `sessionHosts[${i}].licenseServers`,
        });
    });
    return {
        licenseServers: [...spec.licenseServers],
        packs: spec.calPacks.map((p, i) => ({
            name: p.name,
            licenseServer: p.licenseServer ?? all[0] ?? "",
            licenseType: p.licenseType,
            productVersion: p.productVersion,
            setting: `calPacks[${i}]`,
        })),
        consumers,
    };
}

/**
 * What is wrong with the farm's names before the rules can even run: servers named twice, a pack on
 * a server the farm does not have, a session host named twice or like a server or the broker.
 */
export function farmSpecProblems(spec: FarmSpec): PlanFinding[] {
    const problems: PlanFinding[] = [];
    const servers = new Map<string, number>();
    spec.licenseServers.forEach((s, i) => {
        const first = servers.get(key(s.name));
        if (first !== undefined) {
            problems.push({ severity: "error", setting: `licenseServers[${i}].name`, message: `license server ${s.name} is listed twice (licenseServers[${first}])`, fix: "give each license server its own name" });
        } else servers.set(key(s.name), i);
    });
    const names = spec.licenseServers.map((s) => s.name).join(", ");
    spec.calPacks.forEach((p, i) => {
        if (p.licenseServer !== undefined && !servers.has(key(p.licenseServer))) {
            problems.push({
                severity: "error",
                setting: `calPacks[${i}].licenseServer`,
                message: `pack "${p.name}" names license server ${p.licenseServer}, which is not one of licenseServers (${names})`,
                fix: `name one of ${names}, or add ${p.licenseServer} to licenseServers`,
            });
        }
    });
    const machines = new Map<string, string>([...servers.keys()].map((k) => [k, "a license server"]));
    if (spec.deployment) {
        const b = key(spec.deployment.broker);
        // The broker may be a license server too (one VM with both roles, as on the Azure target).
        if (!machines.has(b)) machines.set(b, "the Connection Broker");
    }
    const hosts: { name: string; setting: string }[] = [
        ...(spec.deployment?.sessionHosts ?? []).map((h, i) => ({ name: h.name, setting: `deployment.sessionHosts[${i}].name` })),
        ...(spec.sessionHosts ?? []).map((h, i) => ({ name: h.name, setting: `sessionHosts[${i}].name` })),
    ];
    for (const h of hosts) {
        const taken = machines.get(key(h.name));
        if (taken) {
            problems.push({ severity: "error", setting: h.setting, message: `session host ${h.name} has the name of ${taken}`, fix: "give each machine of the farm its own name" });
        } else machines.set(key(h.name), `session host ${h.setting.replace(/\.name$/, "")}`);
    }
    if (spec.deployment && !spec.licensingMode) {
        problems.push({ severity: "error", setting: "licensingMode", message: "the deployment needs a licensing mode", fix: "set licensingMode to PerUser or PerDevice" });
    }
    (spec.sessionHosts ?? []).forEach((h, i) => {
        if (!h.mode && !spec.licensingMode) {
            problems.push({ severity: "error", setting: `sessionHosts[${i}].mode`, message: `session host ${h.name} needs a licensing mode`, fix: `set sessionHosts[${i}].mode (or licensingMode) to PerUser or PerDevice` });
        }
    });
    return problems;
}

/** Every finding of a declared farm: its name problems, else the plan's rules. */
export function farmSpecFindings(spec: FarmSpec): PlanFinding[] {
    const problems = farmSpecProblems(spec);
    return problems.length > 0 ? problems : farmPlanFindings(planOfFarm(spec));
}
