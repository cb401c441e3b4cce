/**
 * The farm plan's preview checks (src/licensing/farm-checks.ts) as policy rules, over the resources of
 * any program: the stack's license servers, CAL key packs, deployment and session host licensing are
 * read into a `FarmPlan`, and `farmPlanFindings` judges it. Its errors are mandatory violations, its
 * warnings advisory ones; each is reported on the resource whose property to change, by the resource's
 * name (the plan's setting paths are the farm component's, not the program's).
 *
 * What the plan cannot know is left out rather than guessed: session hosts of unknown version (no
 * simulated host resource, e.g. on Azure) are not judged, and a rule family whose verdict a value
 * still unknown in preview could change stays quiet until the update. Nothing secret is read: a
 * property that arrived as a secret counts as unknown, so a violation never prints it.
 */
import type { PolicyResource, ReportViolation, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { LICENSE_TYPES, type LicenseType } from "../src/licensing/codes";
import { HostLicensingMode } from "../src/licensing/farm";
import { farmPlanFindings, type FarmPlan, type PlanFinding, type PlannedConsumer, type PlannedLicenseServer, type PlannedPack } from "../src/licensing/farm-checks";
import { RESOURCE_TYPES } from "../src/licensing/resource-types";
import { displayName, productVersionOf, serverOfPack } from "./resources";
import { secretPaths } from "./secret-paths";

/** The farm's resource types. */
export const FARM_TYPES = {
    licenseServer: RESOURCE_TYPES.simulatedServer,
    azureLicenseServer: RESOURCE_TYPES.azureLicenseServer,
    activation: RESOURCE_TYPES.activation,
    calKeyPack: RESOURCE_TYPES.calKeyPack,
    deployment: RESOURCE_TYPES.simulatedDeployment,
    deploymentLicensing: RESOURCE_TYPES.deploymentLicensing,
    hostLicensing: RESOURCE_TYPES.hostLicensing,
    simulatedSessionHost: RESOURCE_TYPES.simulatedSessionHost,
} as const;

/** Computer names compare like the farm checks compare them: case-insensitive, FQDN or not. */
const machineKey = (name: string) => name.trim().split(".")[0]!.toLowerCase();

/** A value not known yet: unknown during preview, or a secret (never printed, so never judged). */
const UNKNOWN = Symbol("unknown");

/** A property of a resource, or UNKNOWN. */
function read(resource: PolicyResource, property: string): unknown {
    const secrets = secretPaths(resource.props);
    if (secrets && [...secrets].some((p) => p === property || p.startsWith(`${property}.`) || p.startsWith(`${property}[`))) return UNKNOWN;
    try {
        return resource.props[property];
    } catch {
        return UNKNOWN;
    }
}

/** An element or field of a value read from a resource, or UNKNOWN. */
function readIn(value: unknown, key: string | number): unknown {
    try {
        return (value as Record<string | number, unknown>)[key];
    } catch {
        return UNKNOWN;
    }
}

const text = (v: unknown) => (typeof v === "string" ? v : undefined);
const isLicenseType = (v: unknown): v is LicenseType => (LICENSE_TYPES as readonly unknown[]).includes(v);
const isMode = (v: unknown): v is HostLicensingMode => (Object.values(HostLicensingMode) as unknown[]).includes(v);

/**
 * The rule families. The plan's third error, CALs newer than their license server, is not one: it is
 * server-version-covers-cals's, which also knows license servers of other kinds.
 */
type Family = "cal-types" | "hosts" | "unmanaged";
/** Where a finding's setting points: its family, the resource and the property to change. */
interface Target {
    family: Family;
    resource: PolicyResource;
    property: string;
}

interface FarmRead {
    plan: FarmPlan;
    /**
     * The plan with the servers the stack manages but whose version it does not state (an Azure license
     * server) taken out of the consumers' lists: its warnings name only servers the stack has no
     * resource for. (In `plan` such a server rightly counts as unmanaged: no verdict on its hosts.)
     */
    unmanagedPlan: FarmPlan;
    /** Finding setting → what to report it on. */
    targets: Map<string, Target>;
    /** Which families can be judged: false when an unknown value could change their verdict. */
    judgeable: Record<Family, boolean>;
}

/** The name a resource goes by in messages: its display name, its full name if two share one. */
function labeller(resources: readonly PolicyResource[]): (r: PolicyResource) => string {
    const counts = new Map<string, number>();
    const key = (r: PolicyResource) => `${r.type} ${displayName(r)}`;
    for (const r of resources) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1);
    return (r) => (counts.get(key(r))! > 1 ? r.name : displayName(r));
}

/** `CalKeyPack` for `pulumi-nodejs:dynamic/licensing:CalKeyPack`. */
const kindOf = (r: PolicyResource) => r.type.slice(r.type.lastIndexOf(":") + 1);

/** The one resource of `candidates` that `resource`'s `property` names: through its dependency, or by name. */
function linked(resource: PolicyResource, property: string, candidates: readonly PolicyResource[], nameOf: (r: PolicyResource) => string | undefined) {
    const viaProperty = (resource.propertyDependencies?.[property] ?? []).filter((r) => candidates.includes(r));
    if (viaProperty.length === 1) return viaProperty[0];
    const name = text(read(resource, property));
    if (name === undefined) return undefined;
    const byName = candidates.filter((c) => {
        const other = nameOf(c);
        return other !== undefined && machineKey(other) === machineKey(name);
    });
    return byName.length === 1 ? byName[0] : undefined;
}

/** Read the stack's farm: its plan, where each finding goes, and which verdicts unknown values keep open. */
function readFarm(resources: readonly PolicyResource[]): FarmRead {
    const ofType = (type: string) => resources.filter((r) => r.type === type);
    const label = labeller(resources);
    const targets = new Map<string, Target>();
    let serversKnown = true;
    let packsKnown = true;
    let consumersKnown = true;

    // License servers: a simulated one states its version; any server resource or activation names one the stack manages.
    const serverResources = ofType(FARM_TYPES.licenseServer);
    const serverName = (s: PolicyResource) => text(read(s, "serverName"));
    const licenseServers: PlannedLicenseServer[] = [];
    const managed = new Set<string>();
    for (const s of serverResources) {
        const name = read(s, "serverName");
        if (name === UNKNOWN) serversKnown = false;
        if (typeof name !== "string") continue;
        managed.add(machineKey(name));
        const version = productVersionOf(read(s, "windowsServerVersion"));
        if (version) licenseServers.push({ name, windowsServerVersion: version });
    }
    for (const s of ofType(FARM_TYPES.azureLicenseServer)) {
        for (const property of ["computerName", "licenseServerFqdn"]) {
            const name = text(read(s, property));
            if (name) managed.add(machineKey(name));
        }
    }
    /** The license server a `server` input names (a server's output, unknown in preview, through its dependency). */
    const serverOf = (r: PolicyResource): unknown => {
        const name = read(r, "server");
        if (name !== UNKNOWN) return name;
        const server = serverOfPack(r, serverResources);
        return (server && serverName(server)) ?? UNKNOWN;
    };
    for (const a of ofType(FARM_TYPES.activation)) {
        const name = serverOf(a);
        if (name === UNKNOWN) serversKnown = false;
        else if (typeof name === "string") managed.add(machineKey(name));
    }

    const packs: PlannedPack[] = [];
    for (const p of ofType(FARM_TYPES.calKeyPack)) {
        const server = serverOf(p);
        const licenseType = read(p, "licenseType");
        const productVersion = read(p, "productVersion");
        if ([server, licenseType, productVersion].includes(UNKNOWN)) {
            packsKnown = false;
            continue;
        }
        const version = productVersionOf(productVersion);
        // A pack with no server, type or version of the catalog is the provider's to refuse.
        if (typeof server !== "string" || !isLicenseType(licenseType) || !version) continue;
        packs.push({ name: label(p), licenseServer: server, licenseType, productVersion: version, setting: p.urn });
        targets.set(`${p.urn}.licenseType`, { family: "cal-types", resource: p, property: "licenseType" });
    }

    /** A consumer's license server list: unknown elements are filled from the servers it depends on. */
    const serverList = (r: PolicyResource): string[] | typeof UNKNOWN | undefined => {
        const list = read(r, "licenseServers");
        if (list === UNKNOWN) return UNKNOWN;
        if (!Array.isArray(list)) return undefined;
        const elements: unknown[] = [];
        for (let i = 0; i < list.length; i++) elements.push(readIn(list, i)); // not map: the proxy throws on an unknown element
        const names = elements.filter((e): e is string => typeof e === "string");
        const unknowns = elements.filter((e) => e === UNKNOWN).length;
        if (unknowns === 0) return names;
        const fromDependencies = (r.propertyDependencies?.licenseServers ?? [])
            .filter((d) => serverResources.includes(d))
            .map(serverName)
            .filter((n): n is string => n !== undefined && !names.some((m) => machineKey(m) === machineKey(n)));
        return fromDependencies.length === unknowns ? [...names, ...fromDependencies] : UNKNOWN;
    };

    const consumers: PlannedConsumer[] = [];
    /** Add `r` (a DeploymentLicensing or HostLicensing) to the consumers; one whose mode or servers are unknown leaves the CAL types unjudged. */
    const consumerOf = (r: PolicyResource, describe: () => { label: string; hosts: PlannedConsumer["hosts"] }) => {
        const mode = read(r, "mode");
        const list = serverList(r);
        if (mode === UNKNOWN || list === UNKNOWN) {
            consumersKnown = false;
            return;
        }
        if (!isMode(mode) || !list) return; // the provider's to refuse
        const resource = `${kindOf(r)} '${label(r)}'`;
        const licenseServersSetting = `the licenseServers of ${resource}`;
        targets.set(licenseServersSetting, { family: "unmanaged", resource: r, property: "licenseServers" });
        consumers.push({ ...describe(), mode, licenseServers: list, modeSetting: `the mode of ${resource}`, licenseServersSetting });
    };

    const deployments = ofType(FARM_TYPES.deployment);
    const broker = (d: PolicyResource) => text(read(d, "broker"));
    for (const l of ofType(FARM_TYPES.deploymentLicensing)) {
        consumerOf(l, () => {
            const deployment = linked(l, "broker", deployments, broker);
            const name = broker(l) ?? (deployment && broker(deployment));
            const hosts: PlannedConsumer["hosts"] = [];
            const sessionHosts = deployment ? read(deployment, "sessionHosts") : undefined;
            if (deployment && Array.isArray(sessionHosts)) {
                for (let i = 0; i < sessionHosts.length; i++) {
                    const host = readIn(sessionHosts, i);
                    const hostName = text(readIn(host, "name"));
                    const version = productVersionOf(readIn(host, "windowsServerVersion"));
                    if (!hostName || !version) continue;
                    const setting = `${deployment.urn}.sessionHosts[${i}]`;
                    hosts.push({ name: hostName, windowsServerVersion: version, setting });
                    targets.set(`${setting}.windowsServerVersion`, { family: "hosts", resource: deployment, property: `sessionHosts[${i}].windowsServerVersion` });
                }
            }
            return { label: name ? `deployment ${name}` : `${kindOf(l)} '${label(l)}'`, hosts };
        });
    }

    const sessionHosts = ofType(FARM_TYPES.simulatedSessionHost);
    const hostName = (h: PolicyResource) => text(read(h, "name"));
    for (const l of ofType(FARM_TYPES.hostLicensing)) {
        consumerOf(l, () => {
            const host = linked(l, "host", sessionHosts, hostName);
            const name = text(read(l, "host")) ?? (host && hostName(host));
            const version = host && productVersionOf(read(host, "windowsServerVersion"));
            const hosts: PlannedConsumer["hosts"] = [];
            if (host && name && version) {
                hosts.push({ name, windowsServerVersion: version, setting: host.urn });
                targets.set(`${host.urn}.windowsServerVersion`, { family: "hosts", resource: host, property: "windowsServerVersion" });
            }
            return { label: name ? `session host ${name}` : `${kindOf(l)} '${label(l)}'`, hosts };
        });
    }

    const stated = new Set(licenseServers.map((s) => machineKey(s.name)));
    const unstated = (name: string) => managed.has(machineKey(name)) && !stated.has(machineKey(name));
    return {
        plan: { licenseServers, packs, consumers },
        unmanagedPlan: { licenseServers, packs: [], consumers: consumers.map((c) => ({ ...c, hosts: [], licenseServers: c.licenseServers.filter((n) => !unstated(n)) })) },
        targets,
        judgeable: {
            // A consumer not known yet may ask for the pack's type.
            "cal-types": consumersKnown,
            // A pack not known yet may serve the host.
            hosts: packsKnown,
            // A server whose name is not known yet may be the one listed.
            unmanaged: serversKnown,
        },
    };
}

/** The findings of one family, each with the resource and property it is about (others have no target of the family). */
function farmFindings(resources: readonly PolicyResource[], family: Family): { finding: PlanFinding; target: Target }[] {
    const farm = readFarm(resources);
    if (!farm.judgeable[family]) return [];
    const findings = farmPlanFindings(family === "unmanaged" ? farm.unmanagedPlan : farm.plan);
    return findings.flatMap((finding) => {
        const target = farm.targets.get(finding.setting);
        return target && target.family === family ? [{ finding, target }] : [];
    });
}

/** `CalKeyPack 'open-2019-devices': licenseType — <what is wrong>. Fix: <what to do>.` */
function farmViolationMessage(finding: PlanFinding, target: Target, resources: readonly PolicyResource[]): string {
    // The checks' fixes name the farm component's `calPacks`; a program declares CalKeyPack resources.
    const fix = finding.fix.replace(/ to calPacks$/, " as a CalKeyPack");
    return `${kindOf(target.resource)} '${labeller(resources)(target.resource)}': ${target.property} — ${finding.message}. Fix: ${fix}.`;
}

function farmPolicy(name: string, family: Family, enforcementLevel: "mandatory" | "advisory", description: string): StackValidationPolicy {
    return {
        name,
        description,
        enforcementLevel,
        validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
            for (const { finding, target } of farmFindings(args.resources, family)) {
                reportViolation(farmViolationMessage(finding, target, args.resources), target.resource.urn);
            }
        },
    };
}

export const farmCalTypesMatchModes = farmPolicy(
    "farm-cal-types-match-modes",
    "cal-types",
    "mandatory",
    "A CAL key pack's license type must be one its license server's clients ask for: per-user CALs for a PerUser deployment or session host, per-device for PerDevice.",
);

export const farmHostsGetCals = farmPolicy(
    "farm-hosts-get-cals",
    "hosts",
    "mandatory",
    "Every simulated session host of a licensed deployment or host must be able to get a CAL: a listed license server of its Windows Server version or newer, holding packs of its mode's type and of its version or newer.",
);

export const farmLicenseServersManaged = farmPolicy(
    "farm-license-servers-managed",
    "unmanaged",
    "advisory",
    "The license servers a deployment or session host is pointed at should be managed by the stack, so their activation and CALs are checked too.",
);

export const FARM_POLICIES = [farmCalTypesMatchModes, farmHostsGetCals, farmLicenseServersManaged];
