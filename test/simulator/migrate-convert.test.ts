/**
 * Moving CALs between license servers (Import* on the target, then removal from the source) and
 * converting them between per-user and per-device (ConvertLicenses), as rdls-sim reads the
 * documentation: the Clearinghouse counts a migration as a move, not a purchase; only available
 * licenses convert; both are idempotent under their request key, so a retry never makes a second pack.
 */
import { describe, expect, it } from "vitest";
import { migrationProductId } from "../../src/licensing/catalog";
import { WbemCode } from "../../src/licensing/codes";
import type { InstallSpec, InstalledKeyPack, KeyPack, Operation } from "../../src/licensing/operations";
import { CONTACT, NUMBERS, agreement, fixture, ok, refused, retail, snapshot, type Fixture } from "./helpers/sim";

const TARGET = "rdls02";

async function twoServers(): Promise<Fixture & { productId: string }> {
    const f = await fixture({ name: "rdls01" });
    await f.sim.createServer({ name: TARGET, windowsServerVersion: "2022" });
    await f.sim.activate(CONTACT, { server: TARGET });
    const status = await f.sim.status({ server: "rdls01" });
    return { ...f, productId: migrationProductId(status.licenseServerId!) };
}

const install = (requestKey: string, spec: InstallSpec): Operation => ({ op: "install", spec, requestKey });
const importOp = (requestKey: string, spec: InstallSpec, sourceProductId: string, sourceServer = "rdls01"): Operation => ({
    op: "install",
    spec,
    requestKey,
    origin: { kind: "migration", sourceServer, sourceProductId },
});
const convertOp = (requestKey: string, keyPackId: number, spec: InstallSpec): Operation => ({ op: "install", spec, requestKey, origin: { kind: "conversion", keyPackId } });

const totals = async (f: Fixture, server: string) => (await f.sim.packs({ server })).map((p) => ({ id: p.keyPackId, type: p.licenseType, total: p.totalLicenses, issued: p.issuedLicenses }));

describe("Import* (a migration) on the target server", () => {
    it("moves an agreement pack: the target gets it, the source keeps it until removed there, totals end exact", async () => {
        const f = await twoServers();
        const source = ok<InstalledKeyPack>(await f.run(install("create-1", agreement())));
        const moved = ok<InstalledKeyPack>(await f.run(importOp("move-1", agreement(), f.productId), TARGET));
        expect(moved).toMatchObject({ productVersion: "2022", licenseType: "per-user", totalLicenses: 25, availableLicenses: 25 });
        expect(await totals(f, "rdls01")).toEqual([{ id: source.keyPackId, type: "per-user", total: 25, issued: 0 }]);
        ok(await f.run({ op: "uninstall", keyPackId: source.keyPackId, refuseIfIssued: true }));
        expect(await totals(f, "rdls01")).toEqual([]);
        expect(await totals(f, TARGET)).toEqual([{ id: moved.keyPackId, type: "per-user", total: 25, issued: 0 }]);
    });

    it("returns the first attempt's pack for a retried request key, before and after the source's removal", async () => {
        const f = await twoServers();
        const source = ok<InstalledKeyPack>(await f.run(install("create-1", agreement())));
        const first = ok<InstalledKeyPack>(await f.run(importOp("move-1", agreement(), f.productId), TARGET));
        const again = ok<InstalledKeyPack>(await f.run(importOp("move-1", agreement(), f.productId), TARGET));
        ok(await f.run({ op: "uninstall", keyPackId: source.keyPackId }));
        // The source is empty now: only the request key makes this succeed, and it makes no new pack.
        const late = ok<InstalledKeyPack>(await f.run(importOp("move-1", agreement(), f.productId), TARGET));
        expect([again.keyPackId, late.keyPackId]).toEqual([first.keyPackId, first.keyPackId]);
        expect(await totals(f, TARGET)).toHaveLength(1);
    });

    it("refuses what the Clearinghouse cannot take as a move, with the install's return codes, changing nothing", async () => {
        const f = await twoServers();
        ok(await f.run(install("create-1", agreement({ count: 10 }))));
        const before = snapshot(f.home);
        const wrongId = refused(await f.run(importOp("m-1", agreement({ count: 10 }), "0".repeat(32)), TARGET), "entitlement-refused");
        expect(wrongId.returnValue).toBe(WbemCode.AccessDenied);
        expect(wrongId.message).toMatch(/knows no activated license server rdls01/);
        const tooMany = refused(await f.run(importOp("m-2", agreement({ count: 11 }), f.productId), TARGET), "entitlement-refused");
        expect(tooMany.message).toMatch(/rdls01 holds 10 of these licenses.*cannot migrate 11/);
        refused(await f.run(importOp("m-3", agreement({ licenseType: "per-device", count: 10 }), f.productId), TARGET), "entitlement-refused");
        refused(await f.run(importOp("m-4", agreement({ count: 10 }), f.productId, TARGET), TARGET), "invalid-parameter");
        refused(await f.run(importOp("m-5", agreement({ count: 10 }), f.productId, "nowhere"), TARGET), "entitlement-refused");
        refused(await f.run(importOp("m-6", agreement({ count: 10 }), "WITH-HYPHENS"), TARGET), "invalid-parameter");
        const after = snapshot(f.home);
        // Only the execution counters and logs moved.
        for (const file of Object.keys(before).filter((k) => k.startsWith("servers/"))) {
            expect(JSON.parse(after[file]!).packs).toEqual(JSON.parse(before[file]!).packs);
        }
    });

    it("migrates a consumed retail code (refused as a fresh install there) with the code's own pack", async () => {
        const f = await twoServers();
        const source = ok<InstalledKeyPack>(await f.run(install("create-1", retail())));
        refused(await f.run(install("fresh-2", retail()), TARGET), "entitlement-refused");
        // The declared count does not matter: the code fixes the pack.
        const moved = ok<InstalledKeyPack>(await f.run(importOp("move-1", retail({ count: 1 }), f.productId), TARGET));
        expect(moved).toMatchObject({ productVersion: source.productVersion, licenseType: source.licenseType, totalLicenses: source.totalLicenses });
        ok(await f.run({ op: "uninstall", keyPackId: source.keyPackId }));
        // The code is the target's now: after an uninstall there, the target may reinstall it.
        ok(await f.run({ op: "uninstall", keyPackId: moved.keyPackId }, TARGET));
        const back = ok<InstalledKeyPack>(await f.run({ op: "install", spec: retail(), requestKey: "re-3", allowReinstall: true }, TARGET));
        expect(back.reinstalled).toBe(true);
        const text = Object.values(snapshot(f.home)).join("\n");
        expect(text).not.toContain(NUMBERS.retailNormalized);
        expect(text).not.toContain(NUMBERS.retail);
    });

    it("counts a migration as a move, not a purchase, against an agreement's registered total", async () => {
        const f = await twoServers();
        await f.sim.loadRegistryDocument({ agreements: [{ program: "enterprise-agreement", agreementNumber: NUMBERS.agreement, productVersion: "2022", licenseType: "per-user", count: 30 }] });
        ok(await f.run(install("create-1", agreement())));
        // A fresh install of the same 25 would exceed the 30 purchased ...
        refused(await f.run(install("fresh-2", agreement()), TARGET), "entitlement-refused");
        // ... the move of them does not.
        ok(await f.run(importOp("move-1", agreement(), f.productId), TARGET));
    });
});

describe("ConvertLicenses on a key pack", () => {
    const devices = (count: number) => agreement({ licenseType: "per-device", count });
    const users = (count: number) => agreement({ licenseType: "per-user", count });

    it("converts available licenses only; issued ones stay in the old pack", async () => {
        const f = await fixture();
        const pack = ok<KeyPack>(await f.run(install("create-1", devices(10))));
        await f.sim.issue(pack.keyPackId, 3);
        const tooMany = refused(await f.run(convertOp("conv-1", pack.keyPackId, users(10))), "not-enough-available");
        expect(tooMany.message).toMatch(/7 available licenses \(3 issued ones cannot be converted\)/);
        const converted = ok<InstalledKeyPack>(await f.run(convertOp("conv-2", pack.keyPackId, users(7))));
        expect(converted).toMatchObject({ licenseType: "per-user", productVersion: "2022", totalLicenses: 7, issuedLicenses: 0 });
        expect(converted.keyPackId).not.toBe(pack.keyPackId);
        expect(await totals(f, "rdls01")).toEqual([
            { id: pack.keyPackId, type: "per-device", total: 3, issued: 3 },
            { id: converted.keyPackId, type: "per-user", total: 7, issued: 0 },
        ]);
    });

    it("removes a pack it empties, and returns the first conversion for a retried request key", async () => {
        const f = await fixture();
        const pack = ok<KeyPack>(await f.run(install("create-1", devices(10))));
        const first = ok<InstalledKeyPack>(await f.run(convertOp("conv-1", pack.keyPackId, users(10))));
        const retry = ok<InstalledKeyPack>(await f.run(convertOp("conv-1", pack.keyPackId, users(10))));
        expect(retry.keyPackId).toBe(first.keyPackId);
        expect(await totals(f, "rdls01")).toEqual([{ id: first.keyPackId, type: "per-user", total: 10, issued: 0 }]);
        // Without the key, the emptied pack is gone: nothing converts twice.
        refused(await f.run(convertOp("conv-2", pack.keyPackId, users(10))), "not-found");
    });

    it("refuses a conversion to the pack's own type or of another version", async () => {
        const f = await fixture();
        const pack = ok<KeyPack>(await f.run(install("create-1", devices(4))));
        refused(await f.run(convertOp("c-1", pack.keyPackId, devices(4))), "invalid-parameter");
        refused(await f.run(convertOp("c-2", pack.keyPackId, agreement({ productVersion: "2019", licenseType: "per-user", count: 4 }))), "invalid-parameter");
        expect(await totals(f, "rdls01")).toEqual([{ id: pack.keyPackId, type: "per-device", total: 4, issued: 0 }]);
    });
});
