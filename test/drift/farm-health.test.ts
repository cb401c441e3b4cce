/**
 * The farm's licensing health in the drift report, from recorded-shape engine events: the session
 * hosts of the refreshed DeploymentLicensing / HostLicensing states against the CalKeyPacks' CALs,
 * and the exit code precedence (drift 2 > health findings 4 > usage 3 > in sync 0).
 */
import { describe, expect, it } from "vitest";
import { buildReport } from "../../src/cli/drift/compare";
import { ExitCode, exitCodeOf, statusOf } from "../../src/cli/drift/report";
import { PROJECT, STACK, deploymentState, hostLicensingState, packState, refresh, sessionHost, step } from "./events";
import type { StepEventStateMetadata } from "@pulumi/pulumi/automation";
import type { EngineEvent } from "@pulumi/pulumi/automation";

const options = { project: PROJECT, stack: STACK, now: new Date("2026-11-28T00:00:00Z") };

/** Resources the refresh read unchanged, with nothing to do. */
const unchanged = (...states: StepEventStateMetadata[]): EngineEvent[] => states.flatMap((s) => [...refresh(s, s), ...step("same", s, s)]);

const userPack = (issued = 12) => packState("rds-ea-users", 3, 20, { issued });
const farm = (...hosts: Record<string, unknown>[]) => deploymentState("RDCB01", "PerUser", ["RDLS-T1"], hosts);

describe("farm health", () => {
    it("a healthy farm: one row per host with servers, reachability, grace and the packs covering it; no finding, exit 0", () => {
        const report = buildReport(unchanged(userPack(), farm(sessionHost("RDSH01", { deployment: "RDCB01" }))), options);
        expect(report.health).toEqual({
            graceWarningDays: 14,
            hosts: [
                {
                    name: "RDSH01",
                    deployment: "RDCB01",
                    windowsServerVersion: "2022",
                    mode: "PerUser",
                    licenseServers: [{ licenseServer: "RDLS-T1", status: 11, statusName: "Valid", reachable: true }],
                    graceDaysLeft: 120,
                    coverage: [{ licenseServer: "RDLS-T1", pack: "ea-users", productVersion: "2022", availableLicenses: 8 }],
                    licensed: true,
                },
            ],
            findings: [],
        });
        expect(report.exitCode).toBe(ExitCode.InSync);
    });

    it("a host not configured, its grace period ending within the window: both findings, exit 4 and status health-findings", () => {
        const host = sessionHost("RDSH01", { mode: "NotConfigured", licenseServers: [], graceDaysLeft: 10 });
        const report = buildReport(unchanged(userPack(), farm(host)), options);
        expect(report.health.findings).toEqual([
            { host: "RDSH01", kind: "not-configured", severity: "error", message: "RDSH01: the licensing mode is not configured", fix: "set the deployment's licensing (broker RDCB01) to PerUser or PerDevice" },
            expect.objectContaining({ host: "RDSH01", kind: "grace-period-ending", severity: "warning", message: "RDSH01: its grace period ends in 10 days" }),
        ]);
        expect(report.health.hosts[0]).toMatchObject({ deployment: "RDCB01", licensed: false, coverage: [] });
        expect(report.exitCode).toBe(ExitCode.HealthFindings);
        expect(report.status).toBe("health-findings");
        // --grace-days below the days left: only the cause is a finding.
        expect(buildReport(unchanged(userPack(), farm(host)), { ...options, graceWarningDays: 9 }).health.findings.map((f) => f.kind)).toEqual(["not-configured"]);
        expect(buildReport(unchanged(userPack(), farm(host)), { ...options, graceWarningDays: 9 }).health.graceWarningDays).toBe(9);
    });

    it("no reachable license server, and an ended grace period", () => {
        const host = sessionHost("RDSH01", { connectivity: [{ licenseServer: "RDLS-T1", status: 6 }], graceDaysLeft: 0 });
        const report = buildReport(unchanged(userPack(), farm(host)), options);
        expect(report.health.findings.map((f) => [f.kind, f.severity])).toEqual([
            ["no-reachable-license-server", "error"],
            ["grace-period-ended", "error"],
        ]);
        expect(report.health.findings[0].message).toBe("RDSH01: no listed license server can license it (RDLS-T1 NotConnectable)");
        expect(report.health.hosts[0].licenseServers).toEqual([{ licenseServer: "RDLS-T1", status: 6, statusName: "NotConnectable", reachable: false }]);
    });

    it("packs cover a host only by its mode's type, its version or newer, on a server it lists: a `server` input elsewhere does not count", () => {
        const device = packState("rds-open-devices", 4, 10, { issued: 0, inputs: { licenseType: "per-device" } });
        const old = packState("rds-old-users", 5, 10, { issued: 0, inputs: { productVersion: "2019" } });
        const elsewhere = packState("rds-far-users", 6, 10, { issued: 0, inputs: { server: "RDLS-T9" } });
        const report = buildReport(unchanged(device, old, elsewhere, farm(sessionHost("RDSH01"))), options);
        expect(report.health.findings).toEqual([
            expect.objectContaining({ kind: "no-coverage", severity: "error", message: "RDSH01: no pack of per-user CALs of Windows Server 2022 or newer is on a license server it reaches" }),
        ]);
        const moved = packState("rds-far-users", 6, 10, { issued: 0, inputs: { server: "RDLS-T9" } });
        const listing = farm(sessionHost("RDSH01", { licenseServers: ["RDLS-T9"] }));
        expect(buildReport(unchanged(moved, listing), options).health.hosts[0].coverage).toEqual([
            { licenseServer: "RDLS-T9", pack: "far-users", productVersion: "2022", availableLicenses: 10 },
        ]);
    });

    it("used-up per-user CALs are a warning (users still get in), and still exit 4", () => {
        const report = buildReport(unchanged(userPack(20), farm(sessionHost("RDSH01"))), options);
        expect(report.health.findings).toEqual([expect.objectContaining({ kind: "no-coverage", severity: "warning" })]);
        expect(report.health.hosts[0]).toMatchObject({ licensed: true, coverage: [expect.objectContaining({ availableLicenses: 0 })] });
        expect(report.exitCode).toBe(ExitCode.HealthFindings);
    });

    it("reads the refreshed states: a host repaired since the last update, a pack gone from its server", () => {
        const broken = farm(sessionHost("RDSH01", { mode: "NotConfigured" }));
        const fixed = farm(sessionHost("RDSH01"));
        const report = buildReport([...refresh(userPack(), userPack()), ...refresh(broken, fixed)], options);
        expect(report.health.findings).toEqual([]);
        const packGone = buildReport([...refresh(userPack(), undefined), ...refresh(fixed, fixed)], options);
        expect(packGone.health.findings.map((f) => f.kind)).toEqual(["no-coverage"]);
    });

    it("standalone hosts (HostLicensing) after the deployments' hosts; a deployment's host without `deployment` gets its broker", () => {
        const standalone = hostLicensingState("RDSH09", "PerUser", ["RDLS-T1"]);
        const report = buildReport(unchanged(userPack(), standalone, farm(sessionHost("RDSH02"), sessionHost("RDSH01", { deployment: "RDCB01" }))), options);
        expect(report.health.hosts.map((h) => [h.name, h.deployment])).toEqual([
            ["RDSH01", "RDCB01"],
            ["RDSH02", "RDCB01"],
            ["RDSH09", undefined],
        ]);
        expect(report.health.hosts[2]).not.toHaveProperty("deployment");
    });

    it("states without a readable `hosts` output (older state, malformed elements) give no rows", () => {
        const older = { ...farm(), outputs: { broker: "RDCB01", sessionHosts: ["RDSH01"] } };
        const malformed = farm({ ...sessionHost("RDSH01"), windowsServerVersion: "2003" }, { name: "RDSH02" }, sessionHost("RDSH03"));
        expect(buildReport(unchanged(older), options).health.hosts).toEqual([]);
        expect(buildReport(unchanged(malformed), options).health.hosts.map((h) => h.name)).toEqual(["RDSH03"]);
        expect(buildReport([], options).health).toEqual({ graceWarningDays: 14, hosts: [], findings: [] });
    });
});

describe("exit code precedence", () => {
    const finding = sessionHost("RDSH01", { mode: "NotConfigured" });

    it("drift (2) wins over health findings (4), which win over usage warnings (3)", () => {
        const live = deploymentState("RDCB01", "PerDevice", ["RDLS-T1"], [finding]);
        const drifted = [...refresh(farm(finding), live), ...step("update", live, farm(finding)), ...unchanged(userPack(19))];
        const all = buildReport(drifted, { ...options, warnAt: 90 });
        expect([all.drift.length > 0, all.health.findings.length > 0, all.warnings.length > 0]).toEqual([true, true, true]);
        expect([all.exitCode, all.status]).toEqual([ExitCode.Drift, "drift"]);
        const noDrift = buildReport(unchanged(userPack(19), farm(finding)), { ...options, warnAt: 90 });
        expect(noDrift.warnings).toHaveLength(1);
        expect([noDrift.exitCode, noDrift.status]).toEqual([ExitCode.HealthFindings, "health-findings"]);
        const usageOnly = buildReport(unchanged(userPack(19), farm(sessionHost("RDSH01"))), { ...options, warnAt: 90 });
        expect([usageOnly.exitCode, usageOnly.status]).toEqual([ExitCode.UsageWarning, "usage-warning"]);
    });

    it("exitCodeOf and statusOf, case by case", () => {
        const one = [{}];
        expect(exitCodeOf({ drift: [], findings: [], warnings: [] })).toBe(0);
        expect(exitCodeOf({ drift: [], findings: [], warnings: one })).toBe(3);
        expect(exitCodeOf({ drift: [], findings: one, warnings: one })).toBe(4);
        expect(exitCodeOf({ drift: one, findings: one, warnings: one })).toBe(2);
        expect(exitCodeOf({ drift: one, findings: [], warnings: [] })).toBe(2);
        expect([0, 2, 3, 4].map((c) => statusOf(c as ExitCode))).toEqual(["in-sync", "drift", "usage-warning", "health-findings"]);
    });
});
