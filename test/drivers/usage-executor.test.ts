/**
 * The usage operations on a real license server's side: the PowerShell usage executor runs the
 * rendered script on the fake Windows double (which acts on what the script says: GenerateReportEx,
 * Fetch*Entries paged to LSERVER_I_NO_MORE_DATA, DeleteReport in a finally, Revoke on the license),
 * decodes the documented property names into the report's tables, and reaches an Azure VM over the
 * fake ARM endpoint through the CLI's executor lookup. One execution per server per call.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { executorOf } from "../../src/cli/report-servers";
import { buildUsageDocument, ReportExitCode } from "../../src/cli/report-model";
import { setAzureTestOverrides } from "../../src/drivers/connect-azure";
import { PowerShellUsageExecutor } from "../../src/drivers/powershell/usage-executor";
import { WbemCode } from "../../src/licensing";
import { licenseUsage } from "../../src/licensing/usage-server";
import type { UsageOperationResult } from "../../src/licensing/usage-server";
import type { RevokeOutcome, ServerUsageReport } from "../../src/licensing/usage";
import { FakeArm } from "./support/fake-arm";
import { FakeRunner } from "./support/fake-runner";
import { FakeUsageServer } from "./support/fake-windows";
import { selfSignedCertificate, trustCertificate } from "./support/tls";
import { FAKE_ARM_CREDENTIAL, FAKE_RESOURCE_GROUP, FAKE_SUBSCRIPTION } from "../support/azure-fixture";

let server: FakeUsageServer;
let runner: FakeRunner;
let executor: PowerShellUsageExecutor;

/** A 2022 farm: 10 per-device CALs (limit 2 revoked at a time), 2 per-user CALs and 3 users (one beyond). */
function licensedServer(): FakeUsageServer {
    const s = new FakeUsageServer();
    s.addPack({ total: 10, productType: 0, description: "Windows Server 2022 - RDS Per Device CAL" });
    s.addPack({ total: 2, productType: 1 });
    s.connectDevice("PC1", { hardwareId: "0x11-0x1" });
    s.connectDevice("PC2", { hardwareId: "0x22-0x2" });
    s.connectDevice("PC3", { hardwareId: "0x33-0x3" });
    s.connectDevice("KIOSK", { temporary: true, hardwareId: "0x44-0x4" });
    for (const user of ["CONTOSO\\alice", "CONTOSO\\bob", "CONTOSO\\carol"]) s.connectUser(user);
    s.failedPerUser.push({ User: "CONTOSO\\dave", TriedIssuanceOn: new Date("2026-05-30T12:00:00Z"), versionId: 7 });
    return s;
}

beforeEach(() => {
    server = licensedServer();
    runner = new FakeRunner(server);
    executor = new PowerShellUsageExecutor({ runner });
});

function ok<T>(result: UsageOperationResult | undefined): T {
    if (!result?.ok) throw new Error(`expected success, got ${JSON.stringify(result)}`);
    return result.value as T;
}

const reportRuns = () => runner.calls.filter((c) => c.script.includes("GenerateReportEx"));

describe("a usage report on a Windows license server", () => {
    it("is one execution: GenerateReportEx, every table paged to 0x4001, DeleteReport; tables decoded by their documented names", async () => {
        const report = ok<ServerUsageReport>((await executor.execute("rdls01", [{ op: "usage-report", pageSize: 2 }]))[0]);
        expect(runner.calls).toHaveLength(1);
        // Three per-user entries in pages of two: StartIndex 0, 2, then 3 answers LSERVER_I_NO_MORE_DATA.
        const perUserFetches = server.usageCalls.filter((c) => c.method === "FetchReportEntries");
        expect(perUserFetches).toEqual([0, 2, 3].map((StartIndex) => ({ method: "FetchReportEntries", StartIndex, Count: 2 })));
        expect(new Set(server.usageCalls.map((c) => c.method))).toEqual(
            new Set(["GenerateReportEx", "FetchReportEntries", "FetchReportPerDeviceEntries", "FetchReportSummaryEntries", "FetchReportFailedPerUserEntries", "FetchReportFailedPerUserSummaryEntries", "DeleteReport"]),
        );
        expect(server.usageCalls.at(-1)?.method).toBe("DeleteReport");
        expect(server.reports.size).toBe(0);

        expect(report.fileName).toMatch(/^RDSLicenseReport-\d+\.xml$/);
        expect(report.warnings).toBeUndefined();
        expect(report.perUser.map((e) => [e.user, e.productVersion, e.status])).toEqual([
            ["CONTOSO\\alice", "2022", "active"],
            ["CONTOSO\\bob", "2022", "active"],
            ["CONTOSO\\carol", "2022", "active"],
        ]);
        expect(report.perUser[0]!.expirationDate).toBe("2026-07-31T08:00:00Z");
        const pc1 = server.licenses.find((l) => l.sIssuedToComputer === "PC1")!;
        expect(report.perDevice.find((e) => e.device === "PC1")).toEqual({
            licenseServer: "rdls01",
            licenseId: pc1.LicenseId,
            device: "PC1",
            hardwareId: "0x11-0x1",
            status: "active",
            licenseStatus: 2,
            keyPackId: pc1.KeyPackId,
            productVersion: "2022",
            host: "",
            issueDate: "2026-06-01T08:00:00Z",
            expirationDate: "2026-07-31T08:00:00Z",
        });
        expect(report.perDevice.find((e) => e.device === "KIOSK")).toMatchObject({ status: "temporary", licenseStatus: 1 });
        expect(report.perDevice).toHaveLength(4);
        // Installed / issued from the packs; the third user is counted beyond the two per-user CALs.
        expect(report.summary).toEqual([
            { licenseServer: "rdls01", productVersion: "2022", licenseType: "per-device", installed: 10, issued: 3, available: 7, overAllocated: 0 },
            { licenseServer: "rdls01", productVersion: "2022", licenseType: "per-user", installed: 2, issued: 2, available: 0, overAllocated: 1 },
        ]);
        expect(report.failedPerUser).toEqual([{ licenseServer: "rdls01", user: "CONTOSO\\dave", domain: "CONTOSO", host: "", date: "2026-05-30T12:00:00Z", reason: "not issued: RDS Per User CAL, Windows Server 2022" }]);
        expect(report.failedPerUserSummary).toEqual([{ licenseServer: "rdls01", domain: "CONTOSO", failedIssuanceCount: 1 }]);

        const doc = buildUsageDocument([report], "stack prod");
        expect(doc.exitCode).toBe(ReportExitCode.OverAllocated);
        expect(doc.findings.map((f) => f.kind)).toEqual(["over-allocated", "failed-issuances"]);
    });

    it("pageSize 0 asks for every entry in one Fetch call per table, then reads the end", async () => {
        ok((await executor.execute("rdls01", [{ op: "usage-report" }]))[0]);
        expect(server.usageCalls.filter((c) => c.method === "FetchReportEntries")).toEqual([
            { method: "FetchReportEntries", StartIndex: 0, Count: 0 },
            { method: "FetchReportEntries", StartIndex: 3, Count: 0 },
        ]);
    });

    it("a Fetch that fails fails the report, and the report is deleted all the same (DeleteReport in the finally)", async () => {
        server.faults.push({ method: "FetchReportPerDeviceEntries", returnValue: WbemCode.Failed });
        const [result] = await executor.execute("rdls01", [{ op: "usage-report" }]);
        expect(result).toMatchObject({ ok: false, error: { kind: "failed", returnValue: WbemCode.Failed } });
        expect(result!.ok ? "" : result!.error.message).toMatch(/rdls01: usage-report: FetchReportPerDeviceEntries returned 0x80041001/);
        expect(server.usageCalls.at(-1)?.method).toBe("DeleteReport");
        expect(server.reports.size).toBe(0);
    });

    it("a DeleteReport that fails leaves the report complete, with a warning naming the report left on the server", async () => {
        server.faults.push({ method: "DeleteReport", returnValue: WbemCode.Failed });
        const report = ok<ServerUsageReport>((await executor.execute("rdls01", [{ op: "usage-report" }]))[0]);
        expect(report.perUser).toHaveLength(3);
        expect(server.reports.size).toBe(1);
        expect(report.warnings).toEqual([`DeleteReport did not remove report ${report.fileName} from rdls01: delete it by hand (Win32_TSLicenseReport.DeleteReport)`]);
    });

    it("a report larger than the output budget is spooled and read back; the report itself runs once", async () => {
        for (let n = 0; n < 6; n++) server.connectDevice(`THIN-CLIENT-${String(n).padStart(3, "0")}`);
        const small = new PowerShellUsageExecutor({ runner, outputBudget: 200 });
        const report = ok<ServerUsageReport>((await small.execute("rdls01", [{ op: "usage-report" }]))[0]);
        expect(report.perDevice).toHaveLength(10);
        expect(runner.calls.length).toBeGreaterThan(1);
        expect(reportRuns()).toHaveLength(1);
        expect(server.usageCalls.filter((c) => c.method === "GenerateReportEx")).toHaveLength(1);
    });
});

describe("revoking a device's CAL on a Windows license server", () => {
    const revoke = async (target: { device: string } | { user: string }, dryRun = false) => licenseUsage("rdls01", executor).revoke(target, { dryRun });
    const perDevicePack = () => server.packs.find((p) => p.productType === 0 && p.total === 10)!;

    it("within the limit it revokes (the pack gets the CAL back); past it, it is refused with the next allowed date", async () => {
        const dry = await revoke({ device: "pc1" }, true);
        expect(dry).toMatchObject({ revoked: false, dryRun: true, limit: 2, revokableCals: 2, productVersion: "2022" });
        expect(perDevicePack().issued).toBe(3);
        expect(server.usageCalls.some((c) => c.method === "Revoke")).toBe(false);

        const first = await revoke({ device: "PC1" });
        expect(first).toMatchObject({ revoked: true, limit: 2, revokableCals: 1 });
        expect(first.refusal).toBeUndefined();
        expect(perDevicePack()).toMatchObject({ issued: 2, available: 8 });
        expect(server.licenses.find((l) => l.sIssuedToComputer === "PC1")!.LicenseStatus).toBe(4);
        expect((await revoke({ device: "PC2" })).revokableCals).toBe(0);

        const refused: RevokeOutcome = await revoke({ device: "PC3" });
        expect(refused).toMatchObject({ revoked: false, refusal: "limit", nextRevokeAllowedOn: "2026-07-31T08:00:00Z" });
        expect(refused.message).toContain("2026-07-31T08:00:00Z");
        expect(perDevicePack().issued).toBe(1);
        expect(await revoke({ device: "PC3" }, true)).toMatchObject({ refusal: "limit", nextRevokeAllowedOn: "2026-07-31T08:00:00Z" });

        // When the revoked CALs expire, the limit frees up.
        server.now = new Date("2026-08-01T00:00:00Z");
        expect(await revoke({ device: "PC3" })).toMatchObject({ revoked: true });
        // Each call was its own single execution.
        expect(runner.calls).toHaveLength(6);
    });

    it("refuses per-user CALs with the reason, and says when a device holds no permanent CAL", async () => {
        const user = await revoke({ user: "CONTOSO\\alice" });
        expect(user).toMatchObject({ refusal: "per-user", revoked: false });
        expect(user.message).toMatch(/per-user CAL: only per-device CALs can be revoked/);
        expect(await revoke({ device: "KIOSK" })).toMatchObject({ refusal: "not-found" });
        expect(await revoke({ device: "NOPE" })).toMatchObject({ refusal: "not-found" });
        expect(server.usageCalls.some((c) => c.method === "Revoke")).toBe(false);
    });

    it("device names travel in the protected input only, never in the script text", async () => {
        const odd = "PC'; Remove-Item C:\\ -Recurse #";
        server.connectDevice(odd);
        expect(await revoke({ device: odd })).toMatchObject({ revoked: true });
        for (const call of runner.calls) expect(call.script).not.toContain("Remove-Item C:");
    });
});

describe("malformed usage operations", () => {
    it("fail before the server is asked, naming the setting and the fix", async () => {
        const results = await executor.execute("rdls01", [
            { op: "usage-report", pageSize: -1 },
            { op: "revoke-cal", device: "PC1", user: "alice" },
            { op: "revoke-cal", device: "  " },
        ]);
        expect(runner.calls).toHaveLength(0);
        expect(results.map((r) => (r.ok ? "ok" : r.error.kind))).toEqual(["invalid-parameter", "invalid-parameter", "invalid-parameter"]);
        expect(results[0]!.ok ? "" : results[0]!.error.message).toMatch(/pageSize must be a whole number .* got -1; e\.g\. --page-size 500/);
        expect(results[2]!.ok ? "" : results[2]!.error.message).toMatch(/device name is empty/);
    });

    it("an SSH or Azure connection the provider would not accept is refused by name, before any server is asked", () => {
        expect(() => executorOf({ server: "rdls02", connection: { kind: "ssh", host: "rdls02", username: "admin", hostKeySha256: "nope" } }, "/tmp")).toThrow(
            /license server rdls02: its connection in the stack's state \(kind "ssh"\) is not one the provider accepts \(hostKeySha256: must be a SHA-256 host key fingerprint/,
        );
        expect(() => executorOf({ server: "rdls03", connection: { kind: "azure-run-command", vmName: "rdls03" } }, "/tmp")).toThrow(/rdls03: .*subscriptionId/);
    });
});

describe("a usage report on an Azure VM (managed Run Command, fake ARM endpoint)", () => {
    let tlsMaterial: { key: string; cert: string };
    let arm: FakeArm;
    let vm: FakeUsageServer;

    beforeAll(() => {
        tlsMaterial = selfSignedCertificate();
        trustCertificate(tlsMaterial.cert);
    });
    beforeEach(async () => {
        vm = licensedServer();
        arm = new FakeArm(vm, tlsMaterial);
        await arm.start();
        setAzureTestOverrides({ credential: FAKE_ARM_CREDENTIAL, pollIntervalMs: 10 });
    });
    afterEach(async () => {
        setAzureTestOverrides({});
        await arm.stop();
    });

    it("runs one run command per report, the input as a protected parameter, through the CLI's executor for the stack's connection", async () => {
        const connection = { kind: "azure-run-command", subscriptionId: FAKE_SUBSCRIPTION, resourceGroupName: FAKE_RESOURCE_GROUP, vmName: arm.vmName, endpoint: arm.url };
        const warnings: string[] = [];
        const usage = licenseUsage("rdls01", executorOf({ server: "rdls01", connection }, "/tmp", { env: {}, warn: (line) => warnings.push(line) }));
        const report = await usage.report({ pageSize: 2 });
        expect(report.summary.find((r) => r.licenseType === "per-user")).toMatchObject({ installed: 2, overAllocated: 1 });
        expect(report.perDevice.map((e) => e.device).sort()).toEqual(["KIOSK", "PC1", "PC2", "PC3"]);
        expect(vm.reports.size).toBe(0);

        const puts = arm.requests.filter((r) => r.method === "PUT" && r.url.includes("/runCommands/"));
        expect(puts).toHaveLength(1);
        const properties = JSON.parse(puts[0]!.body).properties;
        expect(properties.source.script).toContain("GenerateReportEx");
        expect(properties.protectedParameters.map((p: { name: string }) => p.name)).toEqual(["RdlsInput"]);
        expect(properties.parameters ?? []).toEqual([]);
        expect(warnings).toEqual([]);

        const revoked = await usage.revoke({ device: "PC2" });
        expect(revoked).toMatchObject({ revoked: true, licenseServer: "rdls01" });
        expect(vm.licenses.find((l) => l.sIssuedToComputer === "PC2")!.LicenseStatus).toBe(4);
        expect(arm.requests.filter((r) => r.method === "PUT" && r.url.includes("/runCommands/"))).toHaveLength(2);
    });
});
