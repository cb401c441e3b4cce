import { describe, expect, it } from "vitest";
import { WbemCode } from "../../src/licensing/codes";
import type { KeyPack } from "../../src/licensing/operations";
import { agreement, fixture, ok, refused, type Fixture } from "./helpers/sim";

async function withPack(over: Parameters<typeof agreement>[0] = {}): Promise<Fixture & { id: number }> {
    const f = await fixture();
    const pack = ok<KeyPack>(await f.run({ op: "install", spec: agreement(over), requestKey: "k" }));
    return { ...f, id: pack.keyPackId };
}

describe("remove-licenses", () => {
    it("removes available licenses, never issued ones (not-enough-available)", async () => {
        const f = await withPack({ count: 25 });
        await f.sim.issue(f.id, 20);
        const error = refused(await f.run({ op: "remove-licenses", keyPackId: f.id, count: 6 }), "not-enough-available");
        expect(error.returnValue).toBe(WbemCode.ValueOutOfRange);
        expect(ok<KeyPack>(await f.run({ op: "remove-licenses", keyPackId: f.id, count: 5 }))).toMatchObject({
            totalLicenses: 20,
            issuedLicenses: 20,
            availableLicenses: 0,
        });
        refused(await f.run({ op: "remove-licenses", keyPackId: f.id, count: 1 }), "not-enough-available");
    });

    it("refuses an unknown keyPackId (not-found) and a bad count (invalid-parameter)", async () => {
        const f = await withPack();
        expect(refused(await f.run({ op: "remove-licenses", keyPackId: 999, count: 1 }), "not-found").returnValue).toBe(WbemCode.NotFound);
        // The built-in pack is not a pack one can act on.
        refused(await f.run({ op: "remove-licenses", keyPackId: 2, count: 1 }), "not-found");
        for (const count of [0, 2.5, 10_000]) {
            expect(refused(await f.run({ op: "remove-licenses", keyPackId: f.id, count }), "invalid-parameter").returnValue).toBe(WbemCode.InvalidParameter);
        }
        expect((await f.sim.packs())[0]!.totalLicenses).toBe(25);
    });

    it("with expectedTotal, removes only while the total still is that (conflict otherwise)", async () => {
        const f = await withPack({ count: 25 });
        ok(await f.run({ op: "remove-licenses", keyPackId: f.id, count: 5, expectedTotal: 25 }));
        const error = refused(await f.run({ op: "remove-licenses", keyPackId: f.id, count: 5, expectedTotal: 25 }), "conflict");
        expect(error.returnValue).toBeUndefined();
        expect((await f.sim.packs())[0]!.totalLicenses).toBe(20);
    });

    it("needs an activated server", async () => {
        const f = await withPack();
        await f.sim.deactivate();
        refused(await f.run({ op: "remove-licenses", keyPackId: f.id, count: 1 }), "not-activated");
    });
});

describe("uninstall", () => {
    it("removes the pack, issued licenses with it", async () => {
        const f = await withPack();
        await f.sim.issue(f.id, 3);
        expect(ok(await f.run({ op: "uninstall", keyPackId: f.id }))).toEqual({ keyPackId: f.id });
        expect(await f.sim.packs()).toEqual([]);
        expect(refused(await f.run({ op: "uninstall", keyPackId: f.id }), "not-found").returnValue).toBe(WbemCode.NotFound);
    });

    it("with refuseIfIssued, refuses while licenses are issued (licenses-issued) and changes nothing", async () => {
        const f = await withPack();
        await f.sim.issue(f.id, 1);
        const error = refused(await f.run({ op: "uninstall", keyPackId: f.id, refuseIfIssued: true }), "licenses-issued");
        expect(error.returnValue).toBeUndefined();
        expect(await f.sim.packs()).toHaveLength(1);
        ok(await f.run({ op: "uninstall", keyPackId: f.id, refuseIfIssued: false }));
    });

    it("needs an activated server", async () => {
        const f = await withPack();
        await f.sim.deactivate();
        refused(await f.run({ op: "uninstall", keyPackId: f.id }), "not-activated");
    });
});

describe("admin issue and revoke (users and humans on the server)", () => {
    it("issue moves available to issued, up to what is available", async () => {
        const f = await withPack({ count: 10 });
        expect(await f.sim.issue(f.id, 4)).toMatchObject({ totalLicenses: 10, issuedLicenses: 4, availableLicenses: 6 });
        await expect(f.sim.issue(f.id, 7)).rejects.toMatchObject({ kind: "not-enough-available" });
        await expect(f.sim.issue(99, 1)).rejects.toMatchObject({ kind: "not-found" });
        await expect(f.sim.issue(f.id, 0)).rejects.toMatchObject({ kind: "invalid-parameter" });
    });

    it("per-user CALs cannot be revoked", async () => {
        const f = await withPack({ licenseType: "per-user" });
        await f.sim.issue(f.id, 2);
        await expect(f.sim.revoke(f.id, 1)).rejects.toMatchObject({ kind: "failed" });
        expect((await f.sim.packs())[0]!.issuedLicenses).toBe(2);
    });

    it("per-device revocation is limited to 20% of the pack", async () => {
        const f = await withPack({ licenseType: "per-device", count: 10 });
        await f.sim.issue(f.id, 8);
        await expect(f.sim.revoke(f.id, 3)).rejects.toMatchObject({ kind: "invalid-parameter" });
        expect(await f.sim.revoke(f.id, 1)).toMatchObject({ issuedLicenses: 7, availableLicenses: 3 });
        expect(await f.sim.revoke(f.id, 1)).toMatchObject({ issuedLicenses: 6, availableLicenses: 4 });
        await expect(f.sim.revoke(f.id, 1)).rejects.toThrow(/20%/);
        expect((await f.sim.packs())[0]!.revokedLicenses).toBe(2);
    });

    it("cannot revoke more than is issued", async () => {
        const f = await withPack({ licenseType: "per-device", count: 100 });
        await f.sim.issue(f.id, 1);
        await expect(f.sim.revoke(f.id, 2)).rejects.toMatchObject({ kind: "invalid-parameter" });
    });

    it("admin actions are not remote executions: not counted, not logged", async () => {
        const f = await withPack({ licenseType: "per-device", count: 100 });
        const before = await f.sim.executionStats("rdls01");
        await f.sim.issue(f.id, 10);
        await f.sim.revoke(f.id, 1);
        await f.sim.removeLicenses(f.id, 1);
        await f.sim.install(agreement({ count: 3 }));
        await f.sim.uninstall(f.id);
        const after = await f.sim.executionStats("rdls01");
        expect(after.count).toBe(before.count);
        expect(after.log).toHaveLength(before.log.length);
    });
});
