import { beforeEach, describe, expect, it } from "vitest";
import { PowerShellFarmExecutor } from "../../src/drivers/powershell";
import { INPUT_PARAMETER } from "../../src/drivers/powershell/script-prelude";
import { WbemCode, type DeploymentLicensing, type SessionHostLicensing } from "../../src/licensing";
import type { FarmOperation, FarmOperationResult } from "../../src/licensing/farm";
import type { LicensingErrorData } from "../../src/licensing";
import { FakeFarm, fakeSessionHost } from "./support/fake-farm";
import { FakeRunner } from "./support/fake-runner";
import { FakeWindowsServer } from "./support/fake-windows";

function ok<T>(result: FarmOperationResult | undefined): T {
    if (!result?.ok) throw new Error(`expected success, got ${JSON.stringify(result)}`);
    return result.value as T;
}

function failure(result: FarmOperationResult | undefined): LicensingErrorData {
    if (!result || result.ok) throw new Error(`expected failure, got ${JSON.stringify(result)}`);
    return result.error;
}

let server: FakeWindowsServer;
let farm: FakeFarm;
let runner: FakeRunner;
let executor: PowerShellFarmExecutor;

function input(call = runner.calls.at(-1)!): unknown {
    return JSON.parse(Buffer.from(call.secretParameters[INPUT_PARAMETER]!, "base64").toString("utf8"));
}

beforeEach(() => {
    server = new FakeWindowsServer();
    farm = new FakeFarm();
    server.farm = farm;
    runner = new FakeRunner(server);
    executor = new PowerShellFarmExecutor({ runner });
});

function withDeployment(): void {
    farm.deployment = {
        mode: "NotConfigured",
        servers: [],
        hosts: [fakeSessionHost("sh1.contoso.test", { build: 20348 }), fakeSessionHost("sh2.contoso.test", { build: 26100, graceDays: 37 })],
    };
}

describe("the deployment's licensing configuration (on a broker)", () => {
    it("reads it, sets it and returns the read-back, in one execution", async () => {
        withDeployment();
        const results = await executor.execute("rdcb01", [
            { op: "get-deployment-licensing" },
            { op: "set-deployment-licensing", mode: "PerUser", licenseServers: ["rdls01.contoso.test", "rdls02.contoso.test"] },
            { op: "get-deployment-licensing" },
        ]);
        expect(runner.calls).toHaveLength(1);
        expect(ok<DeploymentLicensing>(results[0])).toEqual({ broker: "rdcb01.contoso.test", mode: "NotConfigured", licenseServers: [], sessionHosts: ["sh1.contoso.test", "sh2.contoso.test"] });
        const set = ok<DeploymentLicensing>(results[1]);
        expect(set).toMatchObject({ mode: "PerUser", licenseServers: ["rdls01.contoso.test", "rdls02.contoso.test"] });
        expect(ok(results[2])).toEqual(set);
        expect(farm.deployment!.hosts.every((h) => h.licensingType === 4)).toBe(true);
    });

    it("fails with not-found when the broker has no deployment, never a silent success", async () => {
        const results = await executor.execute("rdcb01", [
            { op: "get-deployment-licensing" },
            { op: "set-deployment-licensing", mode: "PerUser", licenseServers: ["rdls01"] },
        ]);
        for (const r of results) {
            expect(failure(r)).toMatchObject({ kind: "not-found" });
            expect(failure(r).message).toMatch(/no RDS deployment on this server/);
        }
    });

    it("fails loudly when the read-back differs from what was asked", async () => {
        withDeployment();
        farm.ignoreSets = true;
        const [set] = await executor.execute("rdcb01", [{ op: "set-deployment-licensing", mode: "PerDevice", licenseServers: ["rdls01"] }]);
        expect(failure(set)).toMatchObject({ kind: "failed" });
        expect(failure(set).message).toMatch(/reads back NotConfigured/);
    });

    it("reports a failing cmdlet as a failure", async () => {
        withDeployment();
        farm.faults.push({ method: "Set-RDLicenseConfiguration", exception: "The license server rdls09 is not in the deployment" });
        const [set] = await executor.execute("rdcb01", [{ op: "set-deployment-licensing", mode: "PerUser", licenseServers: ["rdls09"] }]);
        expect(failure(set)).toMatchObject({ kind: "failed" });
        expect(failure(set).message).toMatch(/not in the deployment/);
    });
});

describe("a standalone session host's settings (Win32_TerminalServiceSetting)", () => {
    beforeEach(() => {
        farm.fqdn = "sh9.contoso.test";
        farm.self = fakeSessionHost("sh9.contoso.test", { licensingType: 2, servers: ["old-ls"], graceDays: 12, connectivity: { "old-ls": 6 } });
    });

    it("reads mode, list, grace days, connectivity and policy sources", async () => {
        const [read] = await executor.execute("sh9", [{ op: "get-host-licensing" }]);
        expect(ok<SessionHostLicensing>(read)).toEqual({
            name: "sh9.contoso.test",
            windowsServerVersion: "2022",
            mode: "PerDevice",
            licenseServers: ["old-ls"],
            graceDaysLeft: 12,
            connectivity: [{ licenseServer: "old-ls", status: 6 }],
            policy: { modeByGroupPolicy: false, licenseServersByGroupPolicy: false },
        });
    });

    it("sets mode and list, and returns the read-back", async () => {
        const [set] = await executor.execute("sh9", [{ op: "set-host-licensing", mode: "PerUser", licenseServers: ["rdls01", "rdls02"] }]);
        expect(ok<SessionHostLicensing>(set)).toMatchObject({ mode: "PerUser", licenseServers: ["rdls01", "rdls02"] });
        expect(farm.self!).toMatchObject({ licensingType: 4, servers: ["rdls01", "rdls02"] });
        // Idempotent: nothing differs, no setter runs.
        farm.calls = [];
        await executor.execute("sh9", [{ op: "set-host-licensing", mode: "PerUser", licenseServers: ["RDLS01", "rdls02"] }]);
        expect(farm.calls.filter((c) => /ChangeMode|SetSpecified/.test(c))).toEqual([]);
    });

    it("refuses a mode set by Group Policy with invalid-parameter, changing nothing", async () => {
        farm.self!.modeByGroupPolicy = true;
        const [set] = await executor.execute("sh9", [{ op: "set-host-licensing", mode: "PerUser", licenseServers: ["rdls01"] }]);
        expect(failure(set)).toMatchObject({ kind: "invalid-parameter" });
        expect(failure(set).message).toMatch(/set by Group Policy \(PolicySourceLicensingType = 1\)/);
        expect(farm.self!).toMatchObject({ licensingType: 2, servers: ["old-ls"] });
    });

    it("refuses a license server list set by Group Policy", async () => {
        farm.self!.serversByGroupPolicy = true;
        const [set] = await executor.execute("sh9", [{ op: "set-host-licensing", mode: "PerDevice", licenseServers: ["rdls01"] }]);
        expect(failure(set)).toMatchObject({ kind: "invalid-parameter" });
        expect(failure(set).message).toMatch(/PolicySourceConfiguredLicenseServers = 1/);
    });

    it("maps a setter's WBEM_E_INVALID_OPERATION to invalid-parameter with the Group Policy reason", async () => {
        farm.faults.push({ method: "ChangeMode", returnValue: WbemCode.InvalidOperation });
        const [set] = await executor.execute("sh9", [{ op: "set-host-licensing", mode: "PerUser", licenseServers: ["old-ls"] }]);
        expect(failure(set)).toMatchObject({ kind: "invalid-parameter", returnValue: WbemCode.InvalidOperation });
        expect(failure(set).message).toMatch(/Group Policy/);
    });

    it("maps any other non-zero ReturnValue through the WMI code table", async () => {
        farm.faults.push({ method: "SetSpecifiedLicenseServerList", returnValue: WbemCode.InvalidParameter });
        farm.faults.push({ method: "GetGracePeriodDays", returnValue: WbemCode.AccessDenied });
        const [set, read] = await executor.execute("sh9", [
            { op: "set-host-licensing", mode: "PerDevice", licenseServers: ["rdls01"] },
            { op: "get-host-licensing" },
        ]);
        expect(failure(set)).toMatchObject({ kind: "invalid-parameter", returnValue: WbemCode.InvalidParameter });
        expect(failure(read)).toMatchObject({ kind: "failed", returnValue: WbemCode.AccessDenied });
    });

    it("fails loudly when the read-back differs", async () => {
        farm.ignoreSets = true;
        const [set] = await executor.execute("sh9", [{ op: "set-host-licensing", mode: "PerUser", licenseServers: ["rdls01"] }]);
        expect(failure(set)).toMatchObject({ kind: "failed" });
        expect(failure(set).message).toMatch(/reads back LicensingType 2/);
    });

    it("refuses NotConfigured and bad lists before anything runs", async () => {
        const results = await executor.execute("sh9", [
            { op: "set-host-licensing", mode: "NotConfigured", licenseServers: ["rdls01"] },
            { op: "set-host-licensing", mode: "PerUser", licenseServers: [] },
            { op: "set-host-licensing", mode: "PerUser", licenseServers: ["a", "A"] },
            { op: "set-deployment-licensing", mode: "Sometimes" as never, licenseServers: ["a"] },
        ]);
        expect(runner.calls).toHaveLength(0);
        for (const r of results) expect(failure(r)).toMatchObject({ kind: "invalid-parameter" });
    });
});

describe("the licensing health read (read-host-licensing)", () => {
    it("reads every session host of the deployment from the broker in one execution, closing each CIM session", async () => {
        withDeployment();
        await executor.execute("rdcb01", [{ op: "set-deployment-licensing", mode: "PerUser", licenseServers: ["rdls01", "rdls02"] }]);
        farm.deployment!.hosts[1]!.connectivity = { rdls02: 6 };
        farm.deployment!.hosts[0]!.modeByGroupPolicy = true;
        const [health] = await executor.execute("rdcb01", [{ op: "read-host-licensing" }]);
        expect(runner.calls).toHaveLength(2);
        const hosts = ok<SessionHostLicensing[]>(health);
        expect(hosts.map((h) => [h.name, h.windowsServerVersion, h.mode, h.graceDaysLeft, h.deployment])).toEqual([
            ["sh1.contoso.test", "2022", "PerUser", 120, "rdcb01.contoso.test"],
            ["sh2.contoso.test", "2025", "PerUser", 37, "rdcb01.contoso.test"],
        ]);
        expect(hosts[1]!.connectivity).toEqual([
            { licenseServer: "rdls01", status: 11 },
            { licenseServer: "rdls02", status: 6 },
        ]);
        expect(hosts[0]!.policy).toEqual({ modeByGroupPolicy: true, licenseServersByGroupPolicy: false });
        expect(farm.sessions).toEqual({ opened: 2, closed: 2 });
    });

    it("reads 50 hosts in one execution", async () => {
        farm.deployment = { mode: "PerUser", servers: ["rdls01"], hosts: Array.from({ length: 50 }, (_, i) => fakeSessionHost(`sh${i}.contoso.test`, { licensingType: 4, servers: ["rdls01"] })) };
        const [health] = await executor.execute("rdcb01", [{ op: "read-host-licensing" }]);
        expect(ok<SessionHostLicensing[]>(health)).toHaveLength(50);
        // Spooled follow-ups read a large result back; the hosts were read once.
        expect(runner.calls.filter((c) => c.script.includes("Invoke-RdlsStep"))).toHaveLength(1);
    });

    it("on a standalone session host, reads itself", async () => {
        farm.fqdn = "sh9.contoso.test";
        farm.self = fakeSessionHost("sh9.contoso.test", { licensingType: 4, servers: ["rdls01"] });
        const [health] = await executor.execute("sh9", [{ op: "read-host-licensing" }]);
        expect(ok<SessionHostLicensing[]>(health).map((h) => [h.name, h.deployment])).toEqual([["sh9.contoso.test", undefined]]);
    });

    it("fails with not-found on a broker without deployment that is no session host", async () => {
        const [health] = await executor.execute("rdcb01", [{ op: "read-host-licensing" }]);
        expect(failure(health)).toMatchObject({ kind: "not-found" });
        expect(failure(health).message).toMatch(/no RDS deployment/);
    });

    it("fails naming the host that cannot be read, never a partial success", async () => {
        withDeployment();
        farm.faults.push({ method: "GetTStoLSConnectivityStatus", host: "sh2.contoso.test", returnValue: WbemCode.AccessDenied });
        farm.deployment!.hosts[1]!.servers = ["rdls01"];
        const [first] = await executor.execute("rdcb01", [{ op: "read-host-licensing" }]);
        expect(failure(first)).toMatchObject({ returnValue: WbemCode.AccessDenied });
        expect(failure(first).message).toMatch(/session host sh2\.contoso\.test/);
        farm.deployment!.hosts[0]!.reachable = false;
        const [second] = await executor.execute("rdcb01", [{ op: "read-host-licensing" }]);
        expect(failure(second)).toMatchObject({ kind: "failed" });
        expect(failure(second).message).toMatch(/session host sh1\.contoso\.test: WinRM/);
    });
});

describe("user values travel as input, never in the script text", () => {
    const awkward = ["ls one.contoso.test", "o'brien-ls", 'say "hi"; Remove-Item C:\\ -Recurse', "$(Stop-Computer)", "ls\u00e9"];

    it("server names with quotes, spaces and PowerShell syntax neither break the script nor appear in it", async () => {
        withDeployment();
        farm.self = fakeSessionHost("rdcb01.contoso.test");
        const ops: FarmOperation[] = [
            { op: "set-deployment-licensing", mode: "PerDevice", licenseServers: awkward },
            { op: "set-host-licensing", mode: "PerUser", licenseServers: awkward },
        ];
        const results = await executor.execute("rdcb01", ops);
        expect(ok<DeploymentLicensing>(results[0]).licenseServers).toEqual(awkward);
        expect(ok<SessionHostLicensing>(results[1]).licenseServers).toEqual(awkward);
        const script = runner.calls[0]!.script;
        for (const name of awkward) expect(script).not.toContain(name);
        expect(script).not.toContain("o''brien");
        expect(input()).toEqual({ o: [{ s: awkward }, { s: awkward }] });
    });

    it("renders the same script whatever the names", async () => {
        withDeployment();
        const fixed = new PowerShellFarmExecutor({ runner, nonce: () => "0123456789abcdef01234567" });
        await fixed.execute("rdcb01", [{ op: "set-deployment-licensing", mode: "PerUser", licenseServers: ["a"] }]);
        await fixed.execute("rdcb01", [{ op: "set-deployment-licensing", mode: "PerUser", licenseServers: awkward }]);
        expect(runner.calls[0]!.script).toBe(runner.calls[1]!.script);
    });
});
