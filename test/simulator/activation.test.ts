import { describe, expect, it } from "vitest";
import { BUILT_IN_PACK_DESCRIPTION, WbemCode } from "../../src/licensing/codes";
import type { ServerStatus } from "../../src/licensing/operations";
import { CONTACT, agreement, fixture, ok, refused } from "./helpers/sim";

const GUID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

describe("a new server", () => {
    it("is not activated, has no license server ID, and lists no packs (the built-in pack is hidden)", async () => {
        const f = await fixture({ activated: false });
        const status = ok<ServerStatus>(await f.run({ op: "status" }));
        expect(status).toMatchObject({ name: "rdls01", windowsServerVersion: "2022", activation: "not-activated" });
        expect(status.licenseServerId).toBeUndefined();
        expect(ok(await f.run({ op: "list-packs" }))).toEqual([]);
        const all = await f.sim.packs({ includeBuiltIn: true });
        expect(all).toHaveLength(1);
        expect(all[0]).toMatchObject({ keyPackId: 2, description: BUILT_IN_PACK_DESCRIPTION, licenseType: "per-device", program: "built-in" });
        expect(await f.sim.packs()).toEqual([]);
    });
});

describe("activate", () => {
    it.each(["firstName", "lastName", "company", "countryRegion"] as const)("is refused without %s (contact-incomplete) and changes nothing", async (field) => {
        const f = await fixture({ activated: false });
        const error = refused(await f.run({ op: "activate", contact: { ...CONTACT, [field]: " " } }), "contact-incomplete");
        expect(error.returnValue).toBe(WbemCode.InvalidOperation);
        const status = await f.sim.status();
        expect(status.activation).toBe("not-activated");
        expect(status.contact).toEqual({});
    });

    it("needs the Clearinghouse (clearinghouse-unreachable, WBEM NOT_AVAILABLE)", async () => {
        const f = await fixture({ activated: false });
        await f.sim.setFaults({ clearinghouseUnreachable: true });
        const error = refused(await f.run({ op: "activate", contact: CONTACT }), "clearinghouse-unreachable");
        expect(error.returnValue).toBe(WbemCode.NotAvailable);
        expect((await f.sim.status()).activation).toBe("not-activated");
        await f.sim.setFaults({ clearinghouseUnreachable: false });
        expect(ok<ServerStatus>(await f.run({ op: "activate", contact: CONTACT })).activation).toBe("activated");
    });

    it("stores the contact and a GUID-like license server ID that stays stable", async () => {
        const f = await fixture({ activated: false });
        const status = ok<ServerStatus>(await f.run({ op: "activate", contact: { ...CONTACT, email: "ada@example.com" } }));
        expect(status.activation).toBe("activated");
        expect(status.licenseServerId).toMatch(GUID);
        expect(status.contact).toEqual({ ...CONTACT, email: "ada@example.com" });
        // Activating again converges: same ID, nothing changes.
        expect(ok<ServerStatus>(await f.run({ op: "activate", contact: CONTACT })).licenseServerId).toBe(status.licenseServerId);
        expect(ok<ServerStatus>(await f.run({ op: "status" })).licenseServerId).toBe(status.licenseServerId);
    });

    it("takes contact set beforehand (create-server or setContact)", async () => {
        const f = await fixture({ activated: false });
        await f.sim.setContact({ firstName: "Ada", lastName: "Lovelace", company: "Contoso" });
        refused(await f.run({ op: "activate", contact: {} as never }), "contact-incomplete");
        await f.sim.setContact({ countryRegion: "NL" });
        expect(ok<ServerStatus>(await f.run({ op: "activate", contact: {} as never })).activation).toBe("activated");
    });
});

describe("deactivate and reactivate", () => {
    it("deactivation keeps the packs, refuses installs, and a new activation gets a new ID", async () => {
        const f = await fixture();
        const first = (await f.sim.status()).licenseServerId;
        ok(await f.run({ op: "install", spec: agreement(), requestKey: "a" }));
        const status = ok<ServerStatus>(await f.run({ op: "deactivate" }));
        expect(status.activation).toBe("not-activated");
        expect(status.licenseServerId).toBeUndefined();
        expect(ok<unknown[]>(await f.run({ op: "list-packs" }))).toHaveLength(1);
        const error = refused(await f.run({ op: "install", spec: agreement(), requestKey: "b" }), "not-activated");
        expect(error.returnValue).toBe(WbemCode.InvalidOperation);
        const again = ok<ServerStatus>(await f.run({ op: "activate", contact: CONTACT }));
        expect(again.licenseServerId).not.toBe(first);
    });

    it("deactivating a server that is not activated is refused (not-activated)", async () => {
        const f = await fixture({ activated: false });
        refused(await f.run({ op: "deactivate" }), "not-activated");
    });

    it("admin deactivate is the 'server deactivated' fault; reactivate keeps the ID and needs the Clearinghouse", async () => {
        const f = await fixture();
        const id = (await f.sim.status()).licenseServerId;
        await f.sim.setFaults({ clearinghouseUnreachable: true });
        await expect(f.sim.reactivate()).rejects.toMatchObject({ kind: "clearinghouse-unreachable" });
        await f.sim.clearFaults();
        expect((await f.sim.reactivate()).licenseServerId).toBe(id);
        await f.sim.deactivate();
        await expect(f.sim.reactivate()).rejects.toMatchObject({ kind: "not-activated" });
        refused(await f.run({ op: "install", spec: agreement(), requestKey: "x" }), "not-activated");
    });
});
