/**
 * The comparison as a plain function: recorded-shape engine events in, drift items, usage and exit
 * code out. The real-engine runs are in engine.test.ts.
 */
import { describe, expect, it } from "vitest";
import { buildReport } from "../../src/cli/drift/compare";
import { DriftKind, ExitCode } from "../../src/cli/drift/report";
import { PROJECT, STACK, T, activationState, packInputs, packState, refresh, state, step, urnOf } from "./events";

const options = { project: PROJECT, stack: STACK, now: new Date("2026-11-28T00:00:00Z") };
const server = state(T.server, "rds-server", "RDLS-T1", { serverName: "RDLS-T1", windowsServerVersion: "2022" });

/** Every resource read back unchanged, and every plan step `same`. */
function inSync() {
    const ea = packState("rds-ea-users", 3, 20, { issued: 12 });
    const open = packState("rds-open-devices", 4, 10, { issued: 1, ids: [4, 6] });
    return [
        ...refresh(server, server),
        ...refresh(activationState(true), activationState(true)),
        ...refresh(ea, ea),
        ...refresh(open, open),
        ...step("same", ea, ea),
        ...step("same", open, open),
    ];
}

describe("buildReport", () => {
    it("reports nothing when every step is `same`, and exits 0", () => {
        const report = buildReport(inSync(), options);
        expect(report.drift).toEqual([]);
        expect(report.exitCode).toBe(ExitCode.InSync);
        expect(report.status).toBe("in-sync");
        expect(report.generatedAt).toBe("2026-11-28T00:00:00.000Z");
    });

    it("computes usage per pack (all of its key packs) and per server", () => {
        const report = buildReport(inSync(), options);
        expect(report.usage.packs).toEqual([
            expect.objectContaining({ name: "ea-users", server: "RDLS-T1", keyPackIds: [3], total: 20, issued: 12, available: 8, utilisation: 60 }),
            expect.objectContaining({ name: "open-devices", keyPackIds: [4, 6], total: 10, issued: 1, available: 9, utilisation: 10 }),
        ]);
        expect(report.usage.servers).toEqual([
            { server: "RDLS-T1", activationStatus: "activated", packs: 2, total: 30, issued: 13, available: 17, utilisation: 43.3 },
        ]);
    });

    it("warns at --warn-at (inclusive) and exits 3 when nothing drifted", () => {
        const report = buildReport(inSync(), { ...options, warnAt: 60 });
        expect(report.warnings).toEqual([expect.objectContaining({ pack: "ea-users", server: "RDLS-T1", utilisation: 60, threshold: 60 })]);
        expect(report.exitCode).toBe(ExitCode.UsageWarning);
        expect(buildReport(inSync(), { ...options, warnAt: 60.1 }).exitCode).toBe(ExitCode.InSync);
    });

    it("names a pack whose count changed on the server, with expected and actual", () => {
        const before = packState("rds-ea-users", 3, 20);
        const after = packState("rds-ea-users", 3, 15);
        const events = [...refresh(before, after), ...step("update", after, state(T.pack, "rds-ea-users", "", packInputs(20)))];
        const report = buildReport(events, { ...options, warnAt: 1 });
        expect(report.drift).toEqual([
            expect.objectContaining({ kind: DriftKind.PackCount, name: "ea-users", server: "RDLS-T1", expected: 20, actual: 15, source: "live", properties: ["count"] }),
        ]);
        // Drift wins over usage warnings.
        expect(report.exitCode).toBe(ExitCode.Drift);
    });

    it("tells an unapplied config change (source: program) from a change on the server", () => {
        const same = packState("rds-ea-users", 3, 20);
        const events = [...refresh(same, same), ...step("update", same, state(T.pack, "rds-ea-users", "", packInputs(30)))];
        expect(buildReport(events, options).drift).toEqual([expect.objectContaining({ kind: DriftKind.PackCount, expected: 30, actual: 20, source: "program" })]);
    });

    it("reports a pack the refresh found gone as missing", () => {
        const before = packState("rds-retail-users", 5, 5);
        const events = [...refresh(before, undefined), ...step("create", undefined, state(T.pack, "rds-retail-users", "", packInputs(5)))];
        const report = buildReport(events, options);
        expect(report.drift).toEqual([expect.objectContaining({ kind: DriftKind.PackMissing, name: "retail-users", expected: 5, actual: null, source: "live" })]);
        expect(report.usage.packs).toEqual([]);
    });

    it("reports a declared pack that was never installed, and an installed pack no longer declared", () => {
        const orphan = packState("rds-old-pack", 7, 3);
        const events = [
            ...refresh(orphan, orphan),
            ...step("create", undefined, state(T.pack, "rds-new-pack", "", packInputs(4))),
            ...step("delete", orphan, undefined),
        ];
        expect(buildReport(events, options).drift).toEqual([
            expect.objectContaining({ kind: DriftKind.PackMissing, name: "new-pack", source: "program", expected: 4 }),
            expect.objectContaining({ kind: DriftKind.PackNotDeclared, name: "old-pack", expected: null, actual: 3 }),
        ]);
    });

    it("reports a deactivated server", () => {
        const events = [...refresh(activationState(true), activationState(false)), ...step("update", activationState(false), activationState(true))];
        const report = buildReport(events, options);
        expect(report.drift).toEqual([
            expect.objectContaining({ kind: DriftKind.ServerNotActivated, name: "RDLS-T1", expected: "activated", actual: "not activated", source: "live" }),
        ]);
        expect(report.usage.servers).toEqual([expect.objectContaining({ server: "RDLS-T1", activationStatus: "not-activated", packs: 0 })]);
    });

    it("reports a vanished server and a changed licensing mode", () => {
        const config = (mode: string) => state("pulumi-nodejs:dynamic/licensing:LicensingConfiguration", "rds-licensing-config", "cfg", { licensingMode: mode, server: "RDLS-T1" });
        const events = [
            ...refresh(server, undefined),
            ...step("create", undefined, server),
            ...refresh(config("PerUser"), config("PerDevice")),
            ...step("update", config("PerDevice"), config("PerUser")),
        ];
        expect(buildReport(events, options).drift).toEqual([
            expect.objectContaining({ kind: DriftKind.LicensingMode, expected: "PerUser", actual: "PerDevice", source: "live" }),
            expect.objectContaining({ kind: DriftKind.ServerMissing, name: "RDLS-T1", source: "live" }),
        ]);
    });

    it("lists changed input names of replaced packs, never their values", () => {
        const old = packState("rds-ea-users", 3, 20);
        const next = state(T.pack, "rds-ea-users", "", packInputs(20, { program: "campus", agreementNumber: { ciphertext: "[secret]", other: 1 } }));
        const [item] = buildReport([...refresh(old, old), ...step("replace", old, next), ...step("create-replacement", old, next)], options).drift;
        expect(item).toMatchObject({ kind: DriftKind.PackReplaced, properties: ["agreementNumber", "program"], source: "program" });
        expect(JSON.stringify(item)).not.toContain("ciphertext");
    });

    it("ignores the stack, components, providers and provider-version bumps", () => {
        const stack = { ...state("pulumi:pulumi:Stack", "rds-licensing-test", "", {}), custom: false, urn: "urn:pulumi:test::rds-licensing::pulumi:pulumi:Stack::rds-licensing-test" };
        const component = { ...state("rds-licensing:index:RdsLicensing", "rds", "", {}), custom: false };
        const provider = state("pulumi:providers:pulumi-nodejs", "default", "x", {});
        const old = packState("rds-ea-users", 3, 20);
        const bumped = state(T.pack, "rds-ea-users", "", { ...packInputs(20), providerVersion: "2" });
        const events = [...step("create", undefined, stack), ...step("create", undefined, component), ...step("update", undefined, provider), ...step("update", old, bumped)];
        expect(buildReport(events, options).drift).toEqual([]);
    });

    it("sorts drift by kind, then name, and keeps urns", () => {
        const a = packState("rds-b-pack", 3, 2);
        const b = packState("rds-a-pack", 4, 2);
        const events = [
            ...refresh(a, packState("rds-b-pack", 3, 1)),
            ...step("update", packState("rds-b-pack", 3, 1), a),
            ...refresh(b, packState("rds-a-pack", 4, 1)),
            ...step("update", packState("rds-a-pack", 4, 1), b),
        ];
        const report = buildReport(events, options);
        expect(report.drift.map((d) => d.name)).toEqual(["a-pack", "b-pack"]);
        expect(report.drift[0].urn).toBe(urnOf(T.pack, "rds-a-pack"));
    });
});
