/**
 * The farm's licensing health rules (src/licensing/health.ts): which packs cover a host, and each
 * finding, firing and not firing.
 */
import { describe, expect, it } from "vitest";
import { LicenseServerConnectivity as C, type SessionHostLicensing } from "../../src/licensing/farm";
import { calServesHost, coverageOf, farmHealth, hostHealth, serverServesHost, type PackHolding } from "../../src/licensing/health";

const host = (patch: Partial<SessionHostLicensing> = {}): SessionHostLicensing => ({
    name: "RDSH01",
    windowsServerVersion: "2019",
    deployment: "RDCB01",
    mode: "PerUser",
    licenseServers: ["RDLS01", "RDLS02.contoso.com"],
    graceDaysLeft: 100,
    connectivity: [
        { licenseServer: "RDLS01", status: C.Valid },
        { licenseServer: "RDLS02.contoso.com", status: C.Valid },
    ],
    policy: { modeByGroupPolicy: false, licenseServersByGroupPolicy: false },
    ...patch,
});
const pack = (patch: Partial<PackHolding> = {}): PackHolding => ({
    licenseServer: "RDLS01",
    pack: "ea-users",
    licenseType: "per-user",
    productVersion: "2022",
    totalLicenses: 10,
    issuedLicenses: 2,
    availableLicenses: 8,
    ...patch,
});
const kinds = (h: SessionHostLicensing, packs: PackHolding[], warn?: number) => hostHealth(h, packs, { graceWarningDays: warn }).findings.map((f) => [f.kind, f.severity]);

describe("version rules", () => {
    it.each([
        ["2022", "2019", true],
        ["2019", "2019", true],
        ["2019", "2022", false],
    ] as const)("a %s CAL serves a %s host: %s (and so does a server of that version)", (cal, hostVersion, serves) => {
        expect(calServesHost(cal, hostVersion)).toBe(serves);
        expect(serverServesHost(cal, hostVersion)).toBe(serves);
    });
});

describe("coverage", () => {
    it("is the packs of the host's mode, its version or newer, on a listed server it reaches (FQDN or name)", () => {
        const packs = [
            pack(),
            pack({ pack: "devices", licenseType: "per-device" }),
            pack({ pack: "old", productVersion: "2016" }),
            pack({ pack: "elsewhere", licenseServer: "RDLS09" }),
            pack({ pack: "second", licenseServer: "rdls02" }),
            pack({ pack: "empty", availableLicenses: 0 }),
        ];
        const { all, available } = coverageOf(host(), packs);
        expect(all.map((c) => c.pack)).toEqual(["ea-users", "second", "empty"]);
        expect(available.map((c) => c.pack)).toEqual(["ea-users", "second"]);
    });

    it("leaves out a server the host cannot reach as valid", () => {
        const h = host({ connectivity: [{ licenseServer: "RDLS01", status: C.UnknownValidity }, { licenseServer: "RDLS02.contoso.com", status: C.Valid }] });
        expect(coverageOf(h, [pack(), pack({ pack: "second", licenseServer: "RDLS02" })]).all.map((c) => c.pack)).toEqual(["second"]);
    });

    it("is empty for a host whose mode is not configured", () => {
        expect(coverageOf(host({ mode: "NotConfigured" }), [pack()]).all).toEqual([]);
    });
});

describe("findings", () => {
    it("none for a covered host", () => {
        const h = hostHealth(host(), [pack()]);
        expect([h.licensed, h.findings]).toEqual([true, []]);
    });

    it.each([
        ["mode not configured", host({ mode: "NotConfigured" }), "not-configured"],
        ["no license server", host({ licenseServers: [], connectivity: [] }), "no-license-server"],
        ["no server reachable", host({ connectivity: [{ licenseServer: "RDLS01", status: C.LowerVersion }] }), "no-reachable-license-server"],
        ["no pack of its type", host({ mode: "PerDevice" }), "no-coverage"],
        ["no pack of its version", host({ windowsServerVersion: "2025" }), "no-coverage"],
    ])("%s: an error, and the host is not licensed", (_name, h, kind) => {
        const health = hostHealth(h, [pack()]);
        expect(health.licensed).toBe(false);
        expect(health.findings.map((f) => [f.kind, f.severity])).toEqual([[kind, "error"]]);
        expect(health.findings[0]!.message).toMatch(/^RDSH01: /);
    });

    it("per-user CALs used up are a warning only: the host still licenses users (over-allocation)", () => {
        const health = hostHealth(host(), [pack({ availableLicenses: 0, issuedLicenses: 10 })]);
        expect([health.licensed, health.findings.map((f) => [f.kind, f.severity])]).toEqual([true, [["no-coverage", "warning"]]]);
    });

    it("per-device CALs used up are an error: new devices are refused after the grace period", () => {
        expect(kinds(host({ mode: "PerDevice" }), [pack({ licenseType: "per-device", availableLicenses: 0 })])).toEqual([["no-coverage", "error"]]);
    });

    it("the grace period: ending within the warning window, or ended, for a host that cannot get CALs", () => {
        const unlicensed = host({ mode: "NotConfigured" });
        expect(kinds({ ...unlicensed, graceDaysLeft: 15 }, [], 14)).toEqual([["not-configured", "error"]]);
        expect(kinds({ ...unlicensed, graceDaysLeft: 14 }, [], 14)).toEqual([["not-configured", "error"], ["grace-period-ending", "warning"]]);
        expect(kinds({ ...unlicensed, graceDaysLeft: 0 }, [])).toEqual([["not-configured", "error"], ["grace-period-ended", "error"]]);
        // A licensed host's grace period does not matter.
        expect(kinds(host({ graceDaysLeft: 0 }), [pack()])).toEqual([]);
    });

    it("farmHealth is every host's", () => {
        expect(farmHealth([host(), host({ name: "RDSH02", mode: "PerDevice" })], [pack()]).map((h) => [h.name, h.licensed])).toEqual([
            ["RDSH01", true],
            ["RDSH02", false],
        ]);
    });
});
