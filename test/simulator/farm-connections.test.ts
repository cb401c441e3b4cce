/** Connections: how a session host gets a CAL, per mode, version, server order; grace; refusal; the store's integrity. */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { openSimulator } from "../../src/simulator";
import { DAY_MS } from "../../src/simulator/clock";
import { NO_LICENSE_SERVERS_TEXT } from "../../src/simulator/connections";
import { createSimulatorExecutor } from "../../src/drivers/simulator";
import { CONTACT, NUMBERS, agreement, tempHome } from "./helpers/sim";

const REFUSED = "The remote session was disconnected because there are no Remote Desktop License Servers available to provide a license.";

async function farm(mode: "PerUser" | "PerDevice", hostVersion: "2019" | "2022" | "2025" = "2022") {
    const home = tempHome();
    const sim = openSimulator({ home });
    const exec = createSimulatorExecutor({ home });
    for (const name of ["ls1", "ls2"]) {
        await sim.createServer({ name, windowsServerVersion: "2025" });
        await sim.activate(CONTACT, { server: name });
    }
    await sim.createHost({ name: "SH1", windowsServerVersion: hostVersion });
    await sim.setMode("SH1", mode);
    await sim.setLicenseServers("SH1", ["ls1", "ls2"]);
    const install = async (server: string, over: Parameters<typeof agreement>[0]) => {
        const [r] = await exec.execute(server, [{ op: "install", spec: agreement(over), requestKey: `${server}-${JSON.stringify(over)}` }]);
        if (!r?.ok) throw new Error(JSON.stringify(r));
        return (r.value as { keyPackId: number }).keyPackId;
    };
    const pack = async (server: string, id: number) => (await sim.packs({ server })).find((p) => p.keyPackId === id)!;
    return { home, sim, install, pack };
}

describe("connections", () => {
    it("per user: a CAL from the first listed server with a pack of the right type and version, once per user", async () => {
        const f = await farm("PerUser");
        const old = await f.install("ls1", { productVersion: "2019", count: 5 }); // older than the host: never
        const device = await f.install("ls1", { licenseType: "per-device", count: 5 }); // wrong type: never
        const good = await f.install("ls2", { productVersion: "2025", count: 1 });
        const r = await f.sim.connect("SH1", { user: "alice" });
        expect(r).toMatchObject({ connected: true, license: "per-user-cal", licenseServer: "ls2", keyPackId: good });
        expect((await f.sim.connect("SH1", { user: "ALICE" })).licenseId).toBe(r.licenseId); // same user, same CAL
        expect((await f.pack("ls2", good)).issuedLicenses).toBe(1);
        expect((await f.pack("ls1", old)).issuedLicenses).toBe(0);
        expect((await f.pack("ls1", device)).issuedLicenses).toBe(0);
        // None left: bob still connects, counted as over-allocated; his later CAL replaces that.
        const bob = await f.sim.connect("SH1", { user: "bob" });
        expect(bob).toMatchObject({ connected: true, license: "over-allocated", licenseServer: "ls1" });
        const more = await f.install("ls1", { productVersion: "2022", count: 2, agreementNumber: "1234567" });
        expect(await f.sim.connect("SH1", { user: "bob" })).toMatchObject({ license: "per-user-cal", keyPackId: more, licenseServer: "ls1" });
        const held = await f.sim.issuedLicenses();
        expect(held.map((l) => [l.licenseServer, l.status, l.issuedToUser])).toEqual([
            ["ls1", "active", "bob"],
            ["ls2", "active", "alice"],
        ]);
        // The oldest eligible version first.
        expect(await f.sim.connect("SH1", { user: "carol" })).toMatchObject({ keyPackId: more });
    });

    it("per device: a temporary license at the first connection, a permanent CAL at the next, expiring unused back to the pack", async () => {
        const f = await farm("PerDevice");
        const id = await f.install("ls1", { licenseType: "per-device", count: 1 });
        expect(await f.sim.connect("SH1", { user: "alice", device: "PC7" })).toMatchObject({ connected: true, license: "temporary", licenseServer: "ls1" });
        expect((await f.pack("ls1", id)).issuedLicenses).toBe(0);
        const second = await f.sim.connect("SH1", { user: "alice", device: "PC7" }, () => 0);
        expect(second).toMatchObject({ license: "per-device-cal", keyPackId: id });
        expect(Date.parse(second.expirationDate!) - Date.parse((await f.sim.clock()).now)).toBeGreaterThan(51 * DAY_MS);
        expect((await f.pack("ls1", id)).issuedLicenses).toBe(1);
        expect((await f.sim.issuedLicenses()).map((l) => l.status)).toEqual(["active"]); // the temporary one is replaced
        // PC8: temporary, then no CAL left: its temporary license carries it for 90 days, then the grace period is over too.
        expect((await f.sim.connect("SH1", { user: "bob", device: "PC8" })).license).toBe("temporary");
        expect((await f.sim.connect("SH1", { user: "bob", device: "PC8" })).license).toBe("temporary");
        await f.sim.advanceClock(121 * DAY_MS);
        const refused = await f.sim.connect("SH1", { user: "bob", device: "PC8" });
        // PC7's CAL (52 days) lapsed back to the pack, so PC8 gets it now.
        expect(refused).toMatchObject({ connected: true, license: "per-device-cal", keyPackId: id });
        await expect(f.sim.connect("SH1", { user: "bob" })).rejects.toThrow(/--device/);
    });

    it("grace period: without a license server the connection gets in for 120 days, then is refused with the client's text", async () => {
        const f = await farm("PerUser");
        await f.sim.createHost({ name: "SH2", windowsServerVersion: "2022" }); // NotConfigured
        await f.sim.setLicenseServers("SH1", ["nowhere"]);
        expect(await f.sim.connect("SH1", { user: "alice" })).toMatchObject({ connected: true, license: "grace", graceDaysLeft: 120 });
        expect((await f.sim.connect("SH2", { user: "alice" })).license).toBe("grace");
        await f.sim.advanceClock(119 * DAY_MS);
        expect((await f.sim.connect("SH1", { user: "alice" })).graceDaysLeft).toBe(1);
        await f.sim.advanceClock(DAY_MS);
        const r = await f.sim.connect("SH1", { user: "alice" });
        expect(r).toMatchObject({ connected: false, graceDaysLeft: 0 });
        expect(r.message).toContain(REFUSED);
        expect(r.message).toBe(NO_LICENSE_SERVERS_TEXT);
        expect((await f.sim.connect("SH2", { user: "alice" })).connected).toBe(false);
        // Per user, a valid server licenses the connection after the grace period (over-allocated if need be).
        await f.sim.setLicenseServers("SH1", ["nowhere", "ls2"]);
        expect(await f.sim.connect("SH1", { user: "alice" })).toMatchObject({ connected: true, license: "over-allocated", licenseServer: "ls2" });
    });

    it("only activated servers, not older than the host, issue CALs", async () => {
        const f = await farm("PerUser", "2025");
        await f.install("ls1", { productVersion: "2025", count: 3 });
        await f.sim.deactivate({ server: "ls1" });
        expect(await f.sim.connect("SH1", { user: "alice" })).toMatchObject({ license: "over-allocated", licenseServer: "ls2" });
        await f.sim.createServer({ name: "ls22", windowsServerVersion: "2022" });
        await f.sim.activate(CONTACT, { server: "ls22" });
        await f.sim.setLicenseServers("SH1", ["ls22"]);
        expect((await f.sim.connect("SH1", { user: "bob" })).license).toBe("grace"); // LowerVersion: unusable
    });

    it("keeps nothing secret: the store's farm files hold names and dates only", async () => {
        const f = await farm("PerUser");
        await f.install("ls1", { count: 2 });
        await f.sim.connect("SH1", { user: "alice" });
        const text = fs.readFileSync(path.join(f.home, "servers", "ls1.json"), "utf8");
        expect(text).not.toContain(NUMBERS.agreement);
        expect(JSON.parse(text).licenses[0]).toMatchObject({ status: "active", issuedToUser: "alice", host: "SH1" });
    });
});

describe("the farm's files in the store", () => {
    it("old stores (no hosts/ or deployments/ folder) have no hosts; a corrupt host file or a missing member is an error naming the file", async () => {
        const home = tempHome();
        const sim = openSimulator({ home });
        await sim.createServer({ name: "ls1", windowsServerVersion: "2022" });
        expect(await sim.hosts()).toEqual([]);
        await sim.createHost({ name: "SH1", windowsServerVersion: "2022" });
        await sim.createDeployment({ broker: "rdcb", sessionHosts: ["SH1"] });
        const file = path.join(home, "hosts", "sh1.json");
        const good = fs.readFileSync(file, "utf8");
        fs.writeFileSync(file, "{ not json");
        await expect(sim.hosts()).rejects.toMatchObject({ kind: "failed", message: expect.stringContaining(file) });
        fs.rmSync(file);
        await expect(sim.hosts()).rejects.toMatchObject({ kind: "failed", message: expect.stringContaining(file) });
        fs.writeFileSync(file, good);
        expect((await sim.hosts()).length).toBe(1);
        // config.json gone while farm files exist: damage, never "nothing here".
        fs.rmSync(path.join(home, "servers", "ls1.json"));
        fs.renameSync(path.join(home, "config.json"), path.join(home, "config.bak"));
        await expect(sim.hosts()).rejects.toMatchObject({ kind: "failed", message: expect.stringContaining("config.json is missing") });
        fs.renameSync(path.join(home, "config.bak"), path.join(home, "config.json"));
        await sim.reset();
        expect(fs.existsSync(path.join(home, "hosts"))).toBe(false);
        expect(await sim.hosts()).toEqual([]);
    });
});
