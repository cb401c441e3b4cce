/** Usage reports: Win32_TSLicenseReport's methods in the simulator, paging, and the report against the simulator's own records. */
import { describe, expect, it } from "vitest";
import { createSimulatorUsageExecutor } from "../../src/drivers/simulator-usage";
import { LSERVER_I_NO_MORE_DATA, WbemCode } from "../../src/licensing/codes";
import { licenseUsage } from "../../src/licensing/usage-server";
import { deleteReport, fetchReportEntries, generateReportEx } from "../../src/simulator/report";
import { usageFarm } from "../support/usage-farm";

/** ls1 (2025) with 2 per-user and 5 per-device CALs of 2022; SH1 per user, SH2 per device. */
async function farm() {
    const f = await usageFarm({
        serverVersion: "2025",
        packs: [{ productVersion: "2022", licenseType: "per-user", count: 2 }, { productVersion: "2022", licenseType: "per-device", count: 5, agreementNumber: "1234567" }],
    });
    const [userPack, devicePack] = f.keyPackIds as [number, number];
    return { ...f, userPack, devicePack };
}

/** Users alice, bob (CALs) and CONTOSO\carol (over-allocated, twice); devices PC1, PC2 (permanent) and PC3 (temporary). */
async function connectEveryone(f: Awaited<ReturnType<typeof farm>>) {
    for (const user of ["alice", "bob", "CONTOSO\\carol", "CONTOSO\\carol"]) await f.sim.connect("SH1", { user });
    for (const device of ["PC1", "PC1", "PC2", "PC2", "PC3"]) await f.sim.connect("SH2", { user: "kiosk", device }, () => 0.5);
}

describe("usage report against the simulator's records", () => {
    it("per-user and per-device tables equal what the server issued; summary and failed issuances agree; one execution; the report is deleted", async () => {
        const f = await farm();
        await connectEveryone(f);
        const before = (await f.readServer()).executions;
        const report = await f.usage.report({ pageSize: 2 });
        const records = await f.sim.issuedLicenses();
        const version = (keyPackId?: number) => (keyPackId === f.userPack || keyPackId === f.devicePack ? { productVersion: "2022" } : {});
        const expectedUsers = records
            .filter((l) => l.issuedToUser !== undefined)
            .map((l) => ({ licenseServer: "ls1", licenseId: l.licenseId, user: l.issuedToUser, status: l.status, ...(l.keyPackId === undefined ? {} : { keyPackId: l.keyPackId }), ...version(l.keyPackId), host: l.host, issueDate: l.issueDate }));
        const expectedDevices = records
            .filter((l) => l.issuedToComputer !== undefined)
            .map((l) => ({
                licenseServer: "ls1",
                licenseId: l.licenseId,
                device: l.issuedToComputer,
                hardwareId: l.hardwareId,
                status: l.status,
                licenseStatus: { temporary: 1, active: 2, revoked: 4 }[l.status as "temporary"],
                ...(l.keyPackId === undefined ? {} : { keyPackId: l.keyPackId }),
                ...version(l.keyPackId),
                host: l.host,
                issueDate: l.issueDate,
                expirationDate: l.expirationDate,
            }));
        expect(JSON.parse(JSON.stringify(report.perUser))).toEqual(expectedUsers);
        expect(JSON.parse(JSON.stringify(report.perDevice))).toEqual(expectedDevices);
        expect(report.perUser.map((e) => [e.user, e.status])).toEqual([
            ["alice", "active"],
            ["bob", "active"],
            ["CONTOSO\\carol", "over-allocated"],
        ]);
        expect(report.perDevice.map((e) => [e.device, e.status])).toEqual([
            ["PC1", "active"],
            ["PC2", "active"],
            ["PC3", "temporary"],
        ]);
        expect(report.summary).toEqual([
            { licenseServer: "ls1", productVersion: "2022", licenseType: "per-device", installed: 5, issued: 2, available: 3, overAllocated: 0 },
            { licenseServer: "ls1", productVersion: "2022", licenseType: "per-user", installed: 2, issued: 2, available: 0, overAllocated: 1 },
        ]);
        expect(report.failedPerUser.map((e) => [e.user, e.domain, e.host])).toEqual([
            ["CONTOSO\\carol", "CONTOSO", "SH1"],
            ["CONTOSO\\carol", "CONTOSO", "SH1"],
        ]);
        expect(report.failedPerUserSummary).toEqual([{ licenseServer: "ls1", domain: "CONTOSO", failedIssuanceCount: 2 }]);
        const after = await f.readServer();
        expect(after.executions).toBe(before + 1);
        expect(after.reports ?? []).toEqual([]);
        expect(report.fileName).toMatch(/^rdls-report-\d{6}$/);
    });

    it("every page size gives the same tables", async () => {
        const f = await farm();
        await connectEveryone(f);
        const strip = (r: Awaited<ReturnType<typeof f.usage.report>>) => ({ ...r, fileName: "", generatedAt: "" });
        const all = strip(await f.usage.report());
        for (const pageSize of [1, 2, 3, 50]) expect(strip(await f.usage.report({ pageSize }))).toEqual(all);
        expect(all.perDevice).toHaveLength(3);
    });

    it("sHardwareId is stable per device, whatever the case of its name, and differs between devices", async () => {
        const f = await farm();
        await f.sim.connect("SH2", { user: "kiosk", device: "PC1" });
        await f.sim.connect("SH2", { user: "kiosk", device: "PC2" });
        const first = (await f.usage.report()).perDevice;
        expect(first.map((e) => e.status)).toEqual(["temporary", "temporary"]);
        expect(first[0]!.hardwareId).toMatch(/^0x[0-9a-f]{8}(-0x[0-9a-f]{8}){4}$/);
        expect(first[1]!.hardwareId).not.toBe(first[0]!.hardwareId);
        // pc1 is PC1: its temporary license is replaced by a CAL carrying the same hardware ID.
        await f.sim.connect("SH2", { user: "kiosk", device: "pc1" });
        const cal = (await f.usage.report()).perDevice.find((e) => e.status === "active");
        expect(cal).toMatchObject({ device: "pc1", hardwareId: first[0]!.hardwareId });
    });
});

describe("Win32_TSLicenseReport methods", () => {
    it("(StartIndex, Count) pages, Count 0 = all from StartIndex, 0x4001 from the end on; DeleteReport; frozen at generation", async () => {
        const f = await farm();
        await connectEveryone(f);
        const s = await f.readServer();
        const name = generateReportEx(s, new Date("2026-01-01T00:00:00Z"));
        const all = fetchReportEntries(s, name, "perUser", 0, 0);
        expect(all).toMatchObject({ returnValue: 0, count: 3 });
        const users = (r: { entries: unknown[] }) => r.entries.map((e) => (e as { user: string }).user);
        expect(users(fetchReportEntries(s, name, "perUser", 1, 1))).toEqual(["bob"]);
        expect(users(fetchReportEntries(s, name, "perUser", 1, 0))).toEqual(["bob", "CONTOSO\\carol"]);
        expect(fetchReportEntries(s, name, "perUser", 2, 5)).toMatchObject({ returnValue: 0, count: 1 });
        expect(fetchReportEntries(s, name, "perUser", 3, 1)).toEqual({ returnValue: LSERVER_I_NO_MORE_DATA, count: 0, entries: [] });
        expect(fetchReportEntries(s, name, "perUser", 99, 0).returnValue).toBe(0x4001);
        expect(fetchReportEntries(s, name, "perUser", -1, 0).returnValue).toBe(WbemCode.InvalidParameter);
        // A report holds what the server held when it was generated.
        s.licenses = [];
        expect(fetchReportEntries(s, name, "perUser", 0, 0).count).toBe(3);
        const second = generateReportEx(s, new Date("2026-01-02T00:00:00Z"));
        expect(second).not.toBe(name);
        expect(fetchReportEntries(s, second, "perUser", 0, 0).returnValue).toBe(LSERVER_I_NO_MORE_DATA);
        expect(deleteReport(s, name)).toBe(0);
        expect(fetchReportEntries(s, name, "perUser", 0, 0).returnValue).toBe(WbemCode.NotFound);
        expect(deleteReport(s, name)).toBe(WbemCode.NotFound);
        expect(s.reports?.map((r) => r.fileName)).toEqual([second]);
    });

    it("a server that is not in the store: not-found, nothing counted", async () => {
        const f = await farm();
        await expect(licenseUsage("nope", createSimulatorUsageExecutor({ home: f.home })).report()).rejects.toMatchObject({ kind: "not-found" });
        const [bad] = await createSimulatorUsageExecutor({ home: f.home }).execute("ls1", [{ op: "usage-report", pageSize: -1 }]);
        expect(bad).toMatchObject({ ok: false, error: { kind: "invalid-parameter" } });
    });
});
