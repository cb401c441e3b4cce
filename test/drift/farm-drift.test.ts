/**
 * Configuration drift of the farm's licensing, from recorded-shape engine events: a deployment's or
 * standalone session host's mode or license server list changed by hand, or its licensing gone.
 */
import { describe, expect, it } from "vitest";
import { buildReport } from "../../src/cli/drift/compare";
import { DriftKind, ExitCode } from "../../src/cli/drift/report";
import { FARM, PROJECT, STACK, deploymentState, hostLicensingState, refresh, sessionHost, step, urnOf } from "./events";

const options = { project: PROJECT, stack: STACK, now: new Date("2026-11-28T00:00:00Z") };
const SERVERS = ["RDLS-T1", "RDLS-T2"];

/** The refresh reads `live`, and the plan updates it back to `declared`. */
const changedByHand = (declared: ReturnType<typeof deploymentState>, live: ReturnType<typeof deploymentState>) => [...refresh(declared, live), ...step("update", live, declared)];

describe("farm configuration drift", () => {
    it("a deployment's mode changed on the broker: licensing-mode, naming the broker, desired and live mode, and the fix", () => {
        const report = buildReport(changedByHand(deploymentState("RDCB01", "PerUser", SERVERS), deploymentState("RDCB01", "PerDevice", SERVERS)), options);
        expect(report.drift).toEqual([
            {
                kind: DriftKind.LicensingMode,
                source: "live",
                name: "RDCB01",
                resourceType: "DeploymentLicensing",
                urn: urnOf(FARM.deployment, "rds-rdcb01-licensing"),
                operation: "update",
                server: "RDCB01",
                broker: "RDCB01",
                expected: "PerUser",
                actual: "PerDevice",
                properties: ["mode"],
                message: "deployment RDCB01: licensing mode is PerDevice, the program wants PerUser",
                fix: "`pulumi up` sets the mode to PerUser",
            },
        ]);
        expect(report.exitCode).toBe(ExitCode.Drift);
        expect(report.status).toBe("drift");
    });

    it("a reordered license server list is drift (order is preference): license-servers, with both lists", () => {
        const report = buildReport(changedByHand(deploymentState("RDCB01", "PerUser", SERVERS), deploymentState("RDCB01", "PerUser", ["RDLS-T2", "RDLS-T1"])), options);
        expect(report.drift).toEqual([
            expect.objectContaining({
                kind: DriftKind.LicenseServers,
                source: "live",
                name: "RDCB01",
                expected: ["RDLS-T1", "RDLS-T2"],
                actual: ["RDLS-T2", "RDLS-T1"],
                properties: ["licenseServers"],
                message: "deployment RDCB01: license servers are RDLS-T2, RDLS-T1, the program wants RDLS-T1, RDLS-T2 (in preference order)",
                fix: "`pulumi up` sets the list to RDLS-T1, RDLS-T2",
            }),
        ]);
    });

    it("mode and list changed in one step are two items; a deployment left NotConfigured with no server says so", () => {
        const report = buildReport(changedByHand(deploymentState("RDCB01", "PerUser", SERVERS), deploymentState("RDCB01", "NotConfigured", [])), options);
        expect(report.drift.map((d) => [d.kind, d.expected, d.actual])).toEqual([
            [DriftKind.LicenseServers, SERVERS, []],
            [DriftKind.LicensingMode, "PerUser", "NotConfigured"],
        ]);
        expect(report.drift[0].message).toBe("deployment RDCB01: license servers are none, the program wants RDLS-T1, RDLS-T2 (in preference order)");
        expect(report.drift.every((d) => d.source === "live" && d.properties.join() === "licenseServers,mode")).toBe(true);
    });

    it("a change of the program not applied yet is source program", () => {
        const live = deploymentState("RDCB01", "PerUser", SERVERS);
        const events = [...refresh(live, live), ...step("update", live, deploymentState("RDCB01", "PerDevice", SERVERS))];
        expect(buildReport(events, options).drift).toEqual([
            expect.objectContaining({ kind: DriftKind.LicensingMode, source: "program", expected: "PerDevice", actual: "PerUser" }),
        ]);
    });

    it("a deployment whose licensing is gone is licensing-missing (live); one declared but never applied is program", () => {
        const declared = deploymentState("RDCB01", "PerUser", SERVERS);
        const gone = buildReport([...refresh(declared, undefined), ...step("create", undefined, declared)], options);
        expect(gone.drift).toEqual([
            expect.objectContaining({
                kind: DriftKind.LicensingMissing,
                source: "live",
                name: "RDCB01",
                broker: "RDCB01",
                expected: "PerUser",
                actual: null,
                message: "deployment RDCB01: its licensing configuration is gone (the refresh found no deployment on the broker); the program wants PerUser with license servers RDLS-T1, RDLS-T2",
            }),
        ]);
        expect(gone.drift[0].fix).toContain("`pulumi up` configures its licensing again");
        expect(gone.exitCode).toBe(ExitCode.Drift);
        const fresh = buildReport(step("create", undefined, hostLicensingState("RDSH09", "PerDevice", ["RDLS-T1"])), options);
        expect(fresh.drift).toEqual([
            expect.objectContaining({ kind: DriftKind.LicensingMissing, source: "program", name: "RDSH09", host: "RDSH09", expected: "PerDevice", fix: "`pulumi up` configures it" }),
        ]);
        expect(fresh.drift[0]).not.toHaveProperty("broker");
    });

    it("a standalone host's changes name the host; a setting made by Group Policy says `pulumi up` cannot fix it", () => {
        const declared = hostLicensingState("RDSH09", "PerUser", ["RDLS-T1"]);
        const byHand = hostLicensingState("RDSH09", "PerDevice", ["RDLS-T2"]);
        const [servers, mode] = buildReport([...refresh(declared, byHand), ...step("update", byHand, declared)], options).drift;
        expect(mode).toMatchObject({ kind: DriftKind.LicensingMode, name: "RDSH09", host: "RDSH09", resourceType: "HostLicensing", fix: "`pulumi up` sets the mode to PerUser" });
        expect(mode.message).toBe("session host RDSH09: licensing mode is PerDevice, the program wants PerUser");
        expect(servers).toMatchObject({ kind: DriftKind.LicenseServers, fix: "`pulumi up` sets the list to RDLS-T1" });

        const policy = { modeByGroupPolicy: true, licenseServersByGroupPolicy: false };
        const byPolicy = hostLicensingState("RDSH09", "PerDevice", ["RDLS-T2"], sessionHost("RDSH09", { mode: "PerDevice", licenseServers: ["RDLS-T2"], policy }));
        const [servers2, mode2] = buildReport([...refresh(declared, byPolicy), ...step("update", byPolicy, declared)], options).drift;
        expect(mode2.fix).toBe('Group Policy sets RDSH09\'s mode ("Set the Remote Desktop licensing mode"): change the policy, `pulumi up` cannot override it');
        expect(servers2.fix).toBe("`pulumi up` sets the list to RDLS-T1");
    });

    it("other changes of a farm resource (resetOnDelete, no longer declared) stay generic `other` items", () => {
        const live = deploymentState("RDCB01", "PerUser", SERVERS);
        const reset = { ...live, inputs: { ...live.inputs, resetOnDelete: true } };
        const report = buildReport([...refresh(live, live), ...step("update", live, reset), ...step("delete", hostLicensingState("RDSH09", "PerUser", []), undefined)], options);
        expect(report.drift.map((d) => [d.kind, d.resourceType, d.operation])).toEqual([
            [DriftKind.Other, "DeploymentLicensing", "update"],
            [DriftKind.Other, "HostLicensing", "delete"],
        ]);
        expect(report.drift[0].properties).toEqual(["resetOnDelete"]);
    });
});
