/** The farm's rules through the admin API and farm executions: settings, Group Policy, connectivity, grace, clock. */
import { describe, expect, it } from "vitest";
import { createSimulatorFarmExecutor } from "../../src/drivers/simulator-farm";
import { WbemCode } from "../../src/licensing/codes";
import { LicenseServerConnectivity as C, type SessionHostLicensing } from "../../src/licensing/farm";
import { openSimulator } from "../../src/simulator";
import { DAY_MS, parseDuration } from "../../src/simulator/clock";
import { executeFarm, readFarmExecutionLog } from "../../src/simulator/farm-execution";
import { CONTACT, tempHome } from "./helpers/sim";

async function farm() {
    const home = tempHome();
    const sim = openSimulator({ home });
    await sim.createServer({ name: "ls22", windowsServerVersion: "2022" });
    await sim.activate(CONTACT, { server: "ls22" });
    await sim.createServer({ name: "ls19", windowsServerVersion: "2019" });
    await sim.activate(CONTACT, { server: "ls19" });
    await sim.createServer({ name: "ls25off", windowsServerVersion: "2025" });
    return { home, sim, exec: createSimulatorFarmExecutor({ home }) };
}

describe("session hosts and deployments", () => {
    it("a new host is NotConfigured, lists no server, has 120 grace days and no Group Policy", async () => {
        const { sim } = await farm();
        const h = await sim.createHost({ name: "SH1", windowsServerVersion: "2022" });
        expect(h).toEqual({
            name: "SH1",
            windowsServerVersion: "2022",
            mode: "NotConfigured",
            licenseServers: [],
            graceDaysLeft: 120,
            connectivity: [],
            policy: { modeByGroupPolicy: false, licenseServersByGroupPolicy: false },
        });
        await expect(sim.createHost({ name: "sh1", windowsServerVersion: "2022" })).rejects.toThrow(/already exists/);
    });

    it("a deployment's licensing applies to all its hosts, and hosts joining later get it", async () => {
        const { sim, exec } = await farm();
        await sim.createHost({ name: "SH1", windowsServerVersion: "2022" });
        await sim.createHost({ name: "SH2", windowsServerVersion: "2019" });
        await sim.createDeployment({ broker: "rdcb", sessionHosts: ["SH1", "SH2"] });
        const [set] = await exec.execute("rdcb", [{ op: "set-deployment-licensing", mode: "PerUser", licenseServers: ["ls22", "ls19.contoso.com"] }]);
        expect(set).toEqual({ ok: true, value: { broker: "rdcb", mode: "PerUser", licenseServers: ["ls22", "ls19.contoso.com"], sessionHosts: ["SH1", "SH2"] } });
        await sim.createHost({ name: "SH3", windowsServerVersion: "2025", deployment: "rdcb" });
        const hosts = await sim.hosts();
        expect(hosts.map((h) => [h.name, h.deployment, h.mode, h.licenseServers])).toEqual([
            ["SH1", "rdcb", "PerUser", ["ls22", "ls19.contoso.com"]],
            ["SH2", "rdcb", "PerUser", ["ls22", "ls19.contoso.com"]],
            ["SH3", "rdcb", "PerUser", ["ls22", "ls19.contoso.com"]],
        ]);
        const [read] = await exec.execute("rdcb", [{ op: "read-host-licensing" }]);
        expect(read?.ok && (read.value as SessionHostLicensing[]).map((h) => h.name)).toEqual(["SH1", "SH2", "SH3"]);
        expect((await sim.deployments())[0]?.sessionHosts).toEqual(["SH1", "SH2", "SH3"]);
        await expect(sim.createDeployment({ broker: "rdcb2", sessionHosts: ["SH1"] })).rejects.toThrow(/already belongs to the deployment of rdcb/);
    });

    it("a host changed by hand differs from its deployment (drift) until the deployment is applied again", async () => {
        const { sim, exec } = await farm();
        await sim.createHost({ name: "SH1", windowsServerVersion: "2022" });
        await sim.createDeployment({ broker: "rdcb", sessionHosts: ["SH1"] });
        await sim.setMode("rdcb", "PerUser");
        await sim.setLicenseServers("rdcb", ["ls22"]);
        await sim.setMode("SH1", "PerDevice");
        const [dep, hosts] = await exec.execute("rdcb", [{ op: "get-deployment-licensing" }, { op: "read-host-licensing" }]);
        expect(dep?.ok && dep.value).toMatchObject({ mode: "PerUser" });
        expect(hosts?.ok && (hosts.value as SessionHostLicensing[])[0]?.mode).toBe("PerDevice");
        await exec.execute("rdcb", [{ op: "set-deployment-licensing", mode: "PerUser", licenseServers: ["ls22"] }]);
        expect((await sim.host("SH1")).mode).toBe("PerUser");
    });

    it("Group Policy: setting a locked setting fails with WBEM_E_INVALID_OPERATION and changes nothing; a deployment cannot override it", async () => {
        const { sim, exec } = await farm();
        await sim.createHost({ name: "SH1", windowsServerVersion: "2022" });
        await sim.lockPolicy("SH1", { mode: true });
        const [r] = await exec.execute("SH1", [{ op: "set-host-licensing", mode: "PerUser", licenseServers: ["ls22"] }]);
        expect(r?.ok).toBe(false);
        if (r?.ok !== false) throw new Error();
        expect(r.error).toMatchObject({ kind: "invalid-parameter", returnValue: WbemCode.InvalidOperation });
        expect(r.error.message).toMatch(/Group Policy/);
        expect((await sim.host("SH1")).licenseServers).toEqual([]); // the whole set is refused
        await expect(sim.setMode("SH1", "PerDevice")).rejects.toMatchObject({ kind: "invalid-parameter", returnValue: WbemCode.InvalidOperation });
        // The list is not locked: setting it alone works; the same (locked) mode is no change.
        const [ok] = await exec.execute("SH1", [{ op: "set-host-licensing", mode: "NotConfigured", licenseServers: ["ls22"] }]);
        expect(ok?.ok && ok.value).toMatchObject({ mode: "NotConfigured", licenseServers: ["ls22"], policy: { modeByGroupPolicy: true, licenseServersByGroupPolicy: false } });
        await sim.createDeployment({ broker: "rdcb", sessionHosts: ["SH1"] });
        await exec.execute("rdcb", [{ op: "set-deployment-licensing", mode: "PerUser", licenseServers: ["ls19"] }]);
        expect(await sim.host("SH1")).toMatchObject({ mode: "NotConfigured", licenseServers: ["ls19"] });
        await sim.lockPolicy("SH1", { mode: false });
        expect((await sim.setMode("SH1", "PerDevice")) as SessionHostLicensing).toMatchObject({ mode: "PerDevice" });
    });

    it("connectivity: activated = Valid (11), older server = LowerVersion (4), not activated = UnknownValidity (7), unknown = NotConnectable (6)", async () => {
        const { sim } = await farm();
        await sim.createHost({ name: "SH1", windowsServerVersion: "2022" });
        await sim.setLicenseServers("SH1", ["LS22.contoso.com", "ls19", "ls25off", "nowhere"]);
        expect((await sim.host("SH1")).connectivity).toEqual([
            { licenseServer: "LS22.contoso.com", status: C.Valid },
            { licenseServer: "ls19", status: C.LowerVersion },
            { licenseServer: "ls25off", status: C.UnknownValidity },
            { licenseServer: "nowhere", status: C.NotConnectable },
        ]);
        await sim.activate(CONTACT, { server: "ls25off" });
        expect((await sim.host("SH1")).connectivity[2]?.status).toBe(C.Valid);
    });

    it("bad settings are refused as invalid-parameter: unknown mode, bad name, duplicates", async () => {
        const { sim, exec } = await farm();
        await sim.createHost({ name: "SH1", windowsServerVersion: "2022" });
        const rs = await exec.execute("SH1", [
            { op: "set-host-licensing", mode: "PerSeat" as never, licenseServers: [] },
            { op: "set-host-licensing", mode: "PerUser", licenseServers: ["bad name"] },
            { op: "set-host-licensing", mode: "PerUser", licenseServers: ["ls22", "LS22"] },
            { op: "get-host-licensing" },
        ]);
        expect(rs.slice(0, 3).map((r) => !r.ok && r.error.kind)).toEqual(["invalid-parameter", "invalid-parameter", "invalid-parameter"]);
        expect(rs[3]?.ok && rs[3].value).toMatchObject({ mode: "NotConfigured", licenseServers: [] });
    });
});

describe("the simulated clock and the grace period", () => {
    it("grace days count down with the clock from the host's creation and reach 0 at 120 days", async () => {
        const { sim } = await farm();
        await sim.createHost({ name: "SH1", windowsServerVersion: "2022" });
        await sim.advanceClock(100 * DAY_MS);
        expect((await sim.host("SH1")).graceDaysLeft).toBe(20);
        await sim.createHost({ name: "SH2", windowsServerVersion: "2022" });
        expect((await sim.host("SH2")).graceDaysLeft).toBe(120);
        await sim.advanceClock(20 * DAY_MS);
        expect((await sim.host("SH1")).graceDaysLeft).toBe(0);
        const c = await sim.clock();
        expect(c.offsetDays).toBe(120);
        expect(Date.parse(c.now) - Date.now()).toBeGreaterThan(119 * DAY_MS);
    });

    it("parses <N>d and <N>h only", () => {
        expect(parseDuration("100d")).toBe(100 * DAY_MS);
        expect(parseDuration("5h")).toBe(5 * 3_600_000);
        for (const bad of ["0d", "1w", "-1d", "d", "1.5d", ""]) expect(parseDuration(bad)).toBeUndefined();
    });
});

describe("farm executions", () => {
    it("one execution per call, counted on the broker, whatever the number of hosts; unknown targets are not-found", async () => {
        const { home, sim, exec } = await farm();
        const names = Array.from({ length: 50 }, (_, i) => `SH${i}`);
        for (const n of names) await sim.createHost({ name: n, windowsServerVersion: "2022" });
        await sim.createDeployment({ broker: "rdcb", sessionHosts: names });
        const [r] = await exec.execute("rdcb", [{ op: "read-host-licensing" }]);
        expect(r?.ok && (r.value as unknown[]).length).toBe(50);
        expect((await readFarmExecutionLog(home, "rdcb")).map((e) => e.operations)).toEqual([["read-host-licensing"]]);
        const [missing] = await exec.execute("nobody", [{ op: "get-host-licensing" }]);
        expect(missing?.ok === false && missing.error.kind).toBe("not-found");
        const [noDep] = await exec.execute("SH1", [{ op: "get-deployment-licensing" }]);
        expect(noDep?.ok === false && noDep.error).toMatchObject({ kind: "not-found", returnValue: WbemCode.NotFound });
    });

    it("pays the latency once per execution, holding the per-machine lock", async () => {
        const { home, sim } = await farm();
        await sim.createHost({ name: "SH1", windowsServerVersion: "2022" });
        await sim.setConfig({ latencyMs: 5000 }, {});
        const slept: number[] = [];
        await executeFarm(home, "SH1", [{ op: "get-host-licensing" }], { env: {}, sleep: async (ms: number) => void slept.push(ms) });
        expect(slept).toEqual([5000]);
    });
});
