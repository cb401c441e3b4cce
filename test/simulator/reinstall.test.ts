/**
 * Reinstall*LicenseKeyPack as the simulator reads the documentation: a retail code is consumed
 * store-wide by its first install; with `allowReinstall`, the server that consumed it (by name: the
 * same one, or one rebuilt under its name) gets the code's whole pack back once no pack of it is
 * installed anywhere. The ledger outlives servers; `reset` forgets it; older stores keep working.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { WbemCode } from "../../src/licensing/codes";
import type { InstalledKeyPack, Operation } from "../../src/licensing/operations";
import { keepRetailCodesOf } from "../../src/simulator/install-env";
import { Store } from "../../src/simulator/store";
import { CONTACT, NUMBERS, agreement, fixture, ok, openLicense, refused, retail, snapshot, type Fixture } from "./helpers/sim";

const LEDGER = "retail-codes.json";

const installOp = (requestKey: string, spec = retail(), allowReinstall?: boolean): Operation =>
    ({ op: "install", spec, requestKey, ...(allowReinstall === undefined ? {} : { allowReinstall }) }) as Operation;

async function addServer(f: Fixture, name: string, version: "2016" | "2019" | "2022" | "2025" = "2022"): Promise<void> {
    await f.sim.createServer({ name, windowsServerVersion: version });
    await f.sim.activate(CONTACT, { server: name });
}

/** The store as an rdls-sim from before the ledger left it: codes only in the server records. */
function makeOldFormat(home: string): void {
    fs.rmSync(path.join(home, LEDGER), { force: true });
    for (const file of fs.readdirSync(path.join(home, "servers"))) {
        const server = JSON.parse(fs.readFileSync(path.join(home, "servers", file), "utf8"));
        expect(server.formatVersion).toBe(1);
        expect(Array.isArray(server.retailCodesUsed)).toBe(true);
    }
}

describe("the same server, after the pack was uninstalled by hand", () => {
    it("refuses a fresh install, and reinstalls the code's whole pack with allowReinstall", async () => {
        const f = await fixture();
        const first = ok<InstalledKeyPack>(await f.run(installOp("rk-1")));
        expect(first.reinstalled).toBeUndefined();
        await f.sim.uninstall(first.keyPackId);

        const fresh = refused(await f.run(installOp("rk-2")), "entitlement-refused");
        expect(fresh.returnValue).toBe(WbemCode.AccessDenied);
        expect(fresh.message).toBe("this license code has already been installed on rdls01");
        refused(await f.run(installOp("rk-2", retail(), false)), "entitlement-refused");

        // The code yields its pack as first installed, whatever the declaration says now.
        const again = ok<InstalledKeyPack>(await f.run(installOp("rk-2", retail({ count: 5 }), true)));
        expect(again).toMatchObject({ reinstalled: true, keyPackType: 1, productVersion: "2019", licenseType: "per-device", totalLicenses: 20, availableLicenses: 20 });
        expect(again.keyPackId).toBeGreaterThan(first.keyPackId);
        expect((await f.sim.packs()).map((p) => [p.keyPackId, p.totalLicenses, p.program])).toEqual([[again.keyPackId, 20, "retail"]]);

        // Its request key now names that pack: a retry returns it and installs nothing.
        const retry = ok<InstalledKeyPack>(await f.run(installOp("rk-2", retail(), true)));
        expect(retry.keyPackId).toBe(again.keyPackId);
        expect(await f.sim.packs()).toHaveLength(1);

        // And the reinstalled pack can go and come back again.
        await f.sim.uninstall(again.keyPackId);
        expect(ok<InstalledKeyPack>(await f.run(installOp("rk-3", retail(), true))).reinstalled).toBe(true);
    });

    it("with a registry, the reinstalled pack has the registered shape", async () => {
        const f = await fixture();
        await f.sim.loadRegistryDocument({ retail: [{ licenseCode: NUMBERS.retail, productVersion: "2016", licenseType: "per-user", count: 7 }] });
        const first = ok<InstalledKeyPack>(await f.run(installOp("a")));
        await f.sim.uninstall(first.keyPackId);
        const again = ok<InstalledKeyPack>(await f.run(installOp("b", retail({ productVersion: "2022", count: 99 }), true)));
        expect(again).toMatchObject({ reinstalled: true, productVersion: "2016", licenseType: "per-user", totalLicenses: 7 });
    });

    it("still needs an activated server and the Clearinghouse", async () => {
        const f = await fixture();
        await f.sim.uninstall(ok<InstalledKeyPack>(await f.run(installOp("a"))).keyPackId);
        await f.sim.setFaults({ clearinghouseUnreachable: true });
        refused(await f.run(installOp("b", retail(), true)), "clearinghouse-unreachable");
        await f.sim.clearFaults();
        await f.sim.deactivate();
        refused(await f.run(installOp("b", retail(), true)), "not-activated");
    });
});

describe("a pack of the code still installed", () => {
    it("is refused, naming the key pack, even with its licenses removed by hand", async () => {
        const f = await fixture();
        const first = ok<InstalledKeyPack>(await f.run(installOp("a")));
        await f.sim.removeLicenses(first.keyPackId, 15);
        const error = refused(await f.run(installOp("b", retail(), true)), "entitlement-refused");
        expect(error.returnValue).toBe(WbemCode.AccessDenied);
        expect(error.message).toContain(`is still installed as key pack ${first.keyPackId} on rdls01`);
        expect((await f.sim.packs()).map((p) => p.totalLicenses)).toEqual([5]);
    });

    it("is refused for a second install of the code in the same batch", async () => {
        const f = await fixture();
        const [a, b] = await f.exec.execute("rdls01", [installOp("a", retail(), true), installOp("b", retail(), true)]);
        expect(ok<InstalledKeyPack>(a).reinstalled).toBeUndefined();
        expect(refused(b, "entitlement-refused").message).toContain(`still installed as key pack ${ok<InstalledKeyPack>(a).keyPackId}`);
        expect(await f.sim.packs()).toHaveLength(1);
    });
});

describe("a rebuilt server of the same name", () => {
    it("gets the code's pack back by reinstall after delete + create, and only by reinstall", async () => {
        const f = await fixture();
        const first = ok<InstalledKeyPack>(await f.run(installOp("a")));
        await f.sim.deleteServer("rdls01");
        await addServer(f, "RDLS01"); // a computer name is case-insensitive

        const fresh = refused(await f.run(installOp("b"), "RDLS01"), "entitlement-refused");
        expect(fresh.message).toBe("this license code has already been installed on rdls01");
        const again = ok<InstalledKeyPack>(await f.run(installOp("b", retail(), true), "RDLS01"));
        expect(again).toMatchObject({ reinstalled: true, totalLicenses: 20, productVersion: "2019" });
        expect(again.keyPackId).toBe(first.keyPackId); // a new server numbers its packs from 3 again
        expect(await f.sim.packs({ server: "RDLS01" })).toHaveLength(1);
    });

    it("cannot take a pack newer than its Windows Server version", async () => {
        const f = await fixture();
        await f.run(installOp("a", retail({ productVersion: "2022" })));
        await f.sim.deleteServer("rdls01");
        await addServer(f, "rdls01", "2019");
        refused(await f.run(installOp("b", retail(), true)), "version-not-supported");
    });
});

describe("another server", () => {
    it("is refused a consumed code, fresh or by reinstall, even once its first server is gone", async () => {
        const f = await fixture();
        await addServer(f, "rdls02");
        const first = ok<InstalledKeyPack>(await f.run(installOp("a")));
        for (const allowReinstall of [undefined, true]) {
            const error = refused(await f.run(installOp("b", retail(), allowReinstall), "rdls02"), "entitlement-refused");
            expect(error.message).toMatch(/^this license code has already been installed on rdls01/);
        }
        await f.sim.uninstall(first.keyPackId, { server: "rdls01" });
        await f.sim.deleteServer("rdls01");
        refused(await f.run(installOp("c", retail(), true), "rdls02"), "entitlement-refused");
        expect(await f.sim.packs({ server: "rdls02" })).toEqual([]);
        // Another code is fine there.
        ok(await f.run(installOp("d", retail({ licenseCode: NUMBERS.otherRetail } as never)), "rdls02"));
    });

    it("is refused a code installed by hand through the admin API", async () => {
        const f = await fixture();
        await addServer(f, "rdls02");
        await f.sim.install(retail(), { server: "rdls01" });
        refused(await f.run(installOp("a", retail(), true), "rdls02"), "entitlement-refused");
    });
});

describe("the ledger", () => {
    it("holds salted hashes only, never a code", async () => {
        const f = await fixture();
        await f.run(installOp("a"));
        const ledger = JSON.parse(fs.readFileSync(path.join(f.home, LEDGER), "utf8"));
        const entries = Object.entries(ledger.codes) as [string, { server: string; shape: unknown }][];
        expect(entries).toHaveLength(1);
        expect(entries[0]![0]).toMatch(/^s1:[0-9a-f]{64}$/);
        expect(entries[0]![1]).toMatchObject({ server: "rdls01", shape: { productVersion: "2019", licenseType: "per-device", count: 20 } });
        for (const [file, text] of Object.entries(snapshot(f.home))) {
            for (const n of [NUMBERS.retail, NUMBERS.retailNormalized, NUMBERS.retailNormalized.toLowerCase()]) expect(text, file).not.toContain(n);
        }
    });

    it("is cleared by reset: the code installs fresh again", async () => {
        const f = await fixture();
        await f.run(installOp("a"));
        await f.sim.reset();
        await addServer(f, "rdls01");
        const fresh = ok<InstalledKeyPack>(await f.run(installOp("b")));
        expect(fresh.reinstalled).toBeUndefined();
        await addServer(f, "rdls02");
        refused(await f.run(installOp("c"), "rdls02"), "entitlement-refused");
    });

    it("agreements and open licenses install fresh as long as the entitlement allows; allowReinstall changes nothing", async () => {
        const f = await fixture();
        await f.sim.loadRegistryDocument({
            agreements: [{ agreementNumber: NUMBERS.agreement, productVersion: "2022", licenseType: "per-user", count: 30 }],
            openLicenses: [{ licenseNumber: NUMBERS.openNumber, authorizationNumber: NUMBERS.openAuthorization, productVersion: "2016", licenseType: "per-device", count: 10 }],
        });
        for (const [spec, again] of [
            [agreement({ count: 30 }), agreement({ count: 31 })],
            [openLicense(), openLicense()],
        ] as const) {
            const first = ok<InstalledKeyPack>(await f.run(installOp(`${spec.program}-1`, spec, true)));
            expect(first.reinstalled).toBeUndefined();
            refused(await f.run(installOp(`${spec.program}-2`, again, true)), "entitlement-refused");
            refused(await f.run(installOp(`${spec.program}-2`, again)), "entitlement-refused");
            await f.sim.uninstall(first.keyPackId);
            expect(ok<InstalledKeyPack>(await f.run(installOp(`${spec.program}-3`, spec, true))).reinstalled).toBeUndefined();
        }
        // A rebuilt server takes them fresh too.
        await f.sim.deleteServer("rdls01");
        await addServer(f, "rdls01");
        expect(ok<InstalledKeyPack>(await f.run(installOp("agreement-4", agreement({ count: 30 }), true))).reinstalled).toBeUndefined();
        expect(fs.existsSync(path.join(f.home, LEDGER))).toBe(false);
    });
});

describe("a store from before the ledger (codes in the server records only)", () => {
    it("reads them into the ledger at the next retail install, on any server", async () => {
        const f = await fixture();
        await addServer(f, "rdls02");
        const first = ok<InstalledKeyPack>(await f.run(installOp("a")));
        makeOldFormat(f.home);

        // Another server: refused, and the ledger is written from the server records.
        refused(await f.run(installOp("b", retail(), true), "rdls02"), "entitlement-refused");
        const ledger = JSON.parse(fs.readFileSync(path.join(f.home, LEDGER), "utf8"));
        expect(Object.values(ledger.codes)).toEqual([{ server: "rdls01", recordedAt: expect.any(String) }]);

        // Its own server: reinstalls after a hand uninstall; with no shape recorded, it grants the declared one.
        await f.sim.uninstall(first.keyPackId, { server: "rdls01" });
        refused(await f.run(installOp("c")), "entitlement-refused");
        expect(ok<InstalledKeyPack>(await f.run(installOp("c", retail(), true)))).toMatchObject({ reinstalled: true, totalLicenses: 20 });

        // From then on the code outlives its server.
        await f.sim.deleteServer("rdls01");
        await addServer(f, "rdls01");
        refused(await f.run(installOp("d")), "entitlement-refused");
    });

    it("keepRetailCodesOf takes a server's codes in before it is deleted", async () => {
        const f = await fixture();
        await f.run(installOp("a"));
        makeOldFormat(f.home);
        const store = new Store(f.home);
        await store.transaction(async () => keepRetailCodesOf(store, (await store.readServer("rdls01"))!));
        await f.sim.deleteServer("rdls01");
        await addServer(f, "rdls01");
        refused(await f.run(installOp("b")), "entitlement-refused");
        expect(ok<InstalledKeyPack>(await f.run(installOp("b", retail(), true))).reinstalled).toBe(true);
    });

    it("a ledger left by a reset store reads as empty", async () => {
        const f = await fixture();
        await f.run(installOp("a"));
        const stale = fs.readFileSync(path.join(f.home, LEDGER), "utf8");
        await f.sim.reset();
        fs.writeFileSync(path.join(f.home, LEDGER), stale);
        await addServer(f, "rdls01");
        expect(ok<InstalledKeyPack>(await f.run(installOp("b"))).reinstalled).toBeUndefined();
        expect(JSON.parse(fs.readFileSync(path.join(f.home, LEDGER), "utf8")).saltId).not.toBe(JSON.parse(stale).saltId);
    });
});
