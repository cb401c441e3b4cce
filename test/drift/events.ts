/**
 * Engine events shaped like those `pulumi preview --refresh` sends through the Automation API (the
 * shapes were read from a real run on rdls-sim), for unit tests of the comparison.
 */
import type { EngineEvent, StepEventMetadata, StepEventStateMetadata } from "@pulumi/pulumi/automation";

export const STACK = "test";
export const PROJECT = "rds-licensing";
const PREFIX = `urn:pulumi:${STACK}::${PROJECT}::`;
export const COMPONENT_URN = `${PREFIX}rds-licensing:index:RdsLicensing::rds`;
const SECRET = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "[secret]" };

export const T = {
    pack: "pulumi-nodejs:dynamic/licensing:CalKeyPack",
    activation: "pulumi-nodejs:dynamic/licensing:LicenseServerActivation",
    server: "pulumi-nodejs:dynamic/simulator:SimulatedLicenseServer",
};

export const urnOf = (type: string, name: string) => `${PREFIX}rds-licensing:index:RdsLicensing$${type}::${name}`;

export function state(type: string, name: string, id: string, inputs: Record<string, unknown>, outputs: Record<string, unknown> = inputs): StepEventStateMetadata {
    return { type, urn: urnOf(type, name), custom: true, id, parent: COMPONENT_URN, inputs, outputs, provider: "" };
}

export function packInputs(count: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        __provider: "exports.handler = __f0;",
        agreementNumber: SECRET,
        connection: { home: ".rdls-sim", kind: "simulator" },
        count,
        licenseType: "per-user",
        productVersion: "2022",
        program: "enterprise-agreement",
        providerVersion: "1",
        server: "RDLS-T1",
        ...extra,
    };
}

/** A CalKeyPack's state; `usage.inputs` overrides inputs (server, licenseType, productVersion). */
export function packState(name: string, id: number, count: number, usage: { issued: number; ids?: number[]; inputs?: Record<string, unknown> } = { issued: 0 }): StepEventStateMetadata {
    const inputs = packInputs(count, usage.inputs);
    return state(T.pack, name, String(id), inputs, {
        ...inputs,
        keyPackIds: usage.ids ?? [id],
        totalLicenses: count,
        issuedLicenses: usage.issued,
        availableLicenses: count - usage.issued,
    });
}

export function activationState(activated: boolean): StepEventStateMetadata {
    const inputs = { activated, server: "RDLS-T1", providerVersion: "1", contact: { firstName: "A", lastName: "B", company: "C", countryRegion: "NL" } };
    return state(T.activation, "rds-activation", "RDLS-T1/activation", inputs, { ...inputs, activationStatus: activated ? "activated" : "not-activated" });
}

let sequence = 0;
const event = (body: Partial<EngineEvent>): EngineEvent => ({ sequence: sequence++, timestamp: 0, ...body });

/** The refresh step of one resource: `after` undefined means the read found it gone. */
export function refresh(before: StepEventStateMetadata, after: StepEventStateMetadata | undefined): EngineEvent[] {
    const metadata = { op: "refresh", urn: before.urn, type: before.type, old: before, new: after, provider: "" } as unknown as StepEventMetadata;
    return [event({ resourcePreEvent: { metadata: { ...metadata, new: undefined } } }), event({ resOutputsEvent: { metadata } })];
}

/** A plan step after the refresh. */
export function step(op: string, old: StepEventStateMetadata | undefined, next: StepEventStateMetadata | undefined): EngineEvent[] {
    const s = (next ?? old)!;
    const metadata = { op, urn: s.urn, type: s.type, old, new: next, provider: "" } as unknown as StepEventMetadata;
    return [event({ resourcePreEvent: { metadata } }), event({ resOutputsEvent: { metadata } })];
}

export const FARM = {
    deployment: "pulumi-nodejs:dynamic/licensing:DeploymentLicensing",
    host: "pulumi-nodejs:dynamic/licensing:HostLicensing",
};

/** What a broker or host reads of one session host (SessionHostLicensing); every listed server Valid unless told. */
export function sessionHost(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const licenseServers = (extra.licenseServers as string[] | undefined) ?? ["RDLS-T1"];
    return {
        name,
        windowsServerVersion: "2022",
        mode: "PerUser",
        licenseServers,
        graceDaysLeft: 120,
        connectivity: licenseServers.map((licenseServer) => ({ licenseServer, status: 11 })),
        policy: { modeByGroupPolicy: false, licenseServersByGroupPolicy: false },
        ...extra,
    };
}

const farmInputs = (extra: Record<string, unknown>) => ({ __provider: "exports.handler = __f0;", providerVersion: "1", connection: { home: ".rdls-sim", kind: "simulator" }, resetOnDelete: false, ...extra });

/** A DeploymentLicensing state: inputs as `read` returns them (the live settings), outputs with the hosts it read. */
export function deploymentState(broker: string, mode: string, licenseServers: string[], hosts: Record<string, unknown>[] = []): StepEventStateMetadata {
    const inputs = farmInputs({ broker, mode, licenseServers });
    return state(FARM.deployment, `rds-${broker.toLowerCase()}-licensing`, broker, inputs, { ...inputs, sessionHosts: hosts.map((h) => h.name), hosts });
}

/** A HostLicensing state of a standalone session host: its one `hosts` element. */
export function hostLicensingState(host: string, mode: string, licenseServers: string[], read: Record<string, unknown> = sessionHost(host, { mode, licenseServers })): StepEventStateMetadata {
    const inputs = farmInputs({ host, mode, licenseServers });
    return state(FARM.host, `rds-${host.toLowerCase()}-licensing`, host, inputs, { ...inputs, hosts: [read] });
}

