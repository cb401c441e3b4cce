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

export function packState(name: string, id: number, count: number, usage: { issued: number; ids?: number[] } = { issued: 0 }): StepEventStateMetadata {
    const inputs = packInputs(count);
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
