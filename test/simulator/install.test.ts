import { describe, expect, it } from "vitest";
import {
    AGREEMENT_TYPE,
    DEFAULT_PRODUCT_VERSION_IDS,
    KeyPackType,
    PROGRAM_DISPLAY_NAME,
    WbemCode,
    type AgreementProgram,
} from "../../src/licensing";
import type { KeyPack } from "../../src/licensing/operations";
import { NUMBERS, agreement, fixture, ok, openLicense, refused, retail } from "./helpers/sim";

describe("install", () => {
    it.each(Object.keys(AGREEMENT_TYPE) as AgreementProgram[])("%s creates a volume pack with the program's name", async (program) => {
        const f = await fixture();
        const pack = ok<KeyPack>(await f.run({ op: "install", spec: agreement({ program, count: 40 }), requestKey: "k" }));
        expect(pack).toMatchObject({
            keyPackId: 3,
            keyPackType: KeyPackType.Volume,
            programName: PROGRAM_DISPLAY_NAME[program],
            productVersion: "2022",
            productVersionId: DEFAULT_PRODUCT_VERSION_IDS["2022"],
            licenseType: "per-user",
            totalLicenses: 40,
            issuedLicenses: 0,
            availableLicenses: 40,
        });
        // SPLA licenses are rented: one year; other packs never expire.
        if (program === "spla") expect(Date.parse(pack.expirationDate!) - Date.now()).toBeGreaterThan(364 * 86_400_000);
        else expect(pack.expirationDate).toBeUndefined();
        expect((await f.sim.packs())[0]!.program).toBe(program);
    });

    it("creates a new pack per install, with increasing ids", async () => {
        const f = await fixture();
        const a = ok<KeyPack>(await f.run({ op: "install", spec: agreement(), requestKey: "a" }));
        const b = ok<KeyPack>(await f.run({ op: "install", spec: agreement(), requestKey: "b" }));
        const c = ok<KeyPack>(await f.run({ op: "install", spec: openLicense(), requestKey: "c" }));
        expect([a.keyPackId, b.keyPackId, c.keyPackId]).toEqual([3, 4, 5]);
        expect(c).toMatchObject({ keyPackType: KeyPackType.OpenLicense, programName: "Open License", productVersion: "2016", licenseType: "per-device", totalLicenses: 10 });
        // Ids are never reused, even after an uninstall.
        ok(await f.run({ op: "uninstall", keyPackId: 5 }));
        expect(ok<KeyPack>(await f.run({ op: "install", spec: agreement(), requestKey: "d" })).keyPackId).toBe(6);
    });

    it("refuses on a server that is not activated (not-activated)", async () => {
        const f = await fixture({ activated: false });
        refused(await f.run({ op: "install", spec: agreement(), requestKey: "k" }), "not-activated");
        expect(await f.sim.packs()).toEqual([]);
    });

    it("refuses CALs newer than the server (version-not-supported) and takes older ones", async () => {
        const f = await fixture({ version: "2019" });
        const error = refused(await f.run({ op: "install", spec: agreement({ productVersion: "2022" }), requestKey: "k" }), "version-not-supported");
        expect(error.returnValue).toBe(WbemCode.ValueOutOfRange);
        expect(ok<KeyPack>(await f.run({ op: "install", spec: agreement({ productVersion: "2016" }), requestKey: "k2" })).productVersion).toBe("2016");
        expect(ok<KeyPack>(await f.run({ op: "install", spec: agreement({ productVersion: "2019" }), requestKey: "k3" })).productVersion).toBe("2019");
    });

    it.each([0, -1, 1.5, 10_000, Number.NaN, "5"])("refuses count %s (invalid-parameter) and installs nothing", async (count) => {
        const f = await fixture();
        const error = refused(await f.run({ op: "install", spec: agreement({ count: count as number }), requestKey: "k" }), "invalid-parameter");
        expect(error.returnValue).toBe(WbemCode.InvalidMethodParameters);
        expect(await f.sim.packs()).toEqual([]);
    });

    it("accepts the extreme counts 1 and 9999", async () => {
        const f = await fixture();
        ok(await f.run({ op: "install", spec: agreement({ count: 1 }), requestKey: "a" }));
        ok(await f.run({ op: "install", spec: agreement({ count: 9999 }), requestKey: "b" }));
    });

    it.each([
        ["agreement, 6 digits", agreement({ agreementNumber: "765432" } as never)],
        ["agreement with letters", agreement({ agreementNumber: "76543A1" } as never)],
        ["retail, 24 characters", retail({ licenseCode: NUMBERS.retailNormalized.slice(1) } as never)],
        ["open license number, 7 digits", openLicense({ licenseNumber: "8765432" } as never)],
        ["open license authorization, 14 characters", openLicense({ authorizationNumber: "AUTHZ123456789" } as never)],
        ["missing agreement number", agreement({ agreementNumber: undefined } as never)],
    ])("refuses a malformed number (%s) as invalid-number without echoing it", async (_, spec) => {
        const f = await fixture();
        const error = refused(await f.run({ op: "install", spec, requestKey: "k" }), "invalid-number");
        expect(error.returnValue).toBe(WbemCode.InvalidParameter);
        for (const n of ["765432", "76543A1", "8765432", "AUTHZ123456789", NUMBERS.retailNormalized.slice(1)]) expect(error.message).not.toContain(n);
    });

    it("refuses with clearinghouse-unreachable while the Clearinghouse is down", async () => {
        const f = await fixture();
        await f.sim.setFaults({ clearinghouseUnreachable: true });
        const error = refused(await f.run({ op: "install", spec: agreement(), requestKey: "k" }), "clearinghouse-unreachable");
        expect(error.returnValue).toBe(WbemCode.NotAvailable);
        expect(await f.sim.packs()).toEqual([]);
    });

    it("refuses a malformed spec (unknown program, version, license type) as invalid-parameter", async () => {
        const f = await fixture();
        refused(await f.run({ op: "install", spec: agreement({ program: "volume" } as never), requestKey: "a" }), "invalid-parameter");
        refused(await f.run({ op: "install", spec: agreement({ productVersion: "2012" } as never), requestKey: "b" }), "invalid-parameter");
        refused(await f.run({ op: "install", spec: agreement({ licenseType: "per-cpu" } as never), requestKey: "c" }), "invalid-parameter");
        refused(await f.run({ op: "install", spec: agreement(), requestKey: "" }), "invalid-parameter");
    });
});

describe("idempotent install (requestKey)", () => {
    it("a repeated requestKey returns the pack it created, as it is now, without installing", async () => {
        const f = await fixture();
        const first = ok<KeyPack>(await f.run({ op: "install", spec: agreement(), requestKey: "req-1" }));
        ok(await f.run({ op: "remove-licenses", keyPackId: first.keyPackId, count: 5 }));
        // Even while the Clearinghouse is down: the pack exists, nothing needs installing.
        await f.sim.setFaults({ clearinghouseUnreachable: true });
        const again = ok<KeyPack>(await f.run({ op: "install", spec: agreement(), requestKey: "req-1" }));
        expect(again).toEqual({ ...first, totalLicenses: 20, availableLicenses: 20 });
        expect(await f.sim.packs()).toHaveLength(1);
    });

    it("installs again when the pack of that requestKey was uninstalled", async () => {
        const f = await fixture();
        const first = ok<KeyPack>(await f.run({ op: "install", spec: agreement(), requestKey: "req-1" }));
        ok(await f.run({ op: "uninstall", keyPackId: first.keyPackId }));
        const again = ok<KeyPack>(await f.run({ op: "install", spec: agreement(), requestKey: "req-1" }));
        expect(again.keyPackId).toBe(first.keyPackId + 1);
    });

    it("converges inside one batch: the same requestKey twice yields one pack", async () => {
        const f = await fixture();
        const op = { op: "install", spec: agreement(), requestKey: "same" } as const;
        const [a, b] = await f.exec.execute("rdls01", [op, op]);
        expect(ok<KeyPack>(a).keyPackId).toBe(ok<KeyPack>(b).keyPackId);
        expect(await f.sim.packs()).toHaveLength(1);
    });
});

describe("retail", () => {
    it("without a registry, the pack takes the declared shape; hyphens are accepted", async () => {
        const f = await fixture();
        const pack = ok<KeyPack>(await f.run({ op: "install", spec: retail(), requestKey: "r" }));
        expect(pack).toMatchObject({ keyPackType: KeyPackType.Retail, programName: "Retail Purchase", productVersion: "2019", licenseType: "per-device", totalLicenses: 20 });
    });

    it("a code installs once per store: another requestKey, and another server, are refused (entitlement-refused)", async () => {
        const f = await fixture();
        ok(await f.run({ op: "install", spec: retail(), requestKey: "r1" }));
        const error = refused(await f.run({ op: "install", spec: retail({ licenseCode: NUMBERS.retailNormalized.toLowerCase() } as never), requestKey: "r2" }), "entitlement-refused");
        expect(error.returnValue).toBe(WbemCode.AccessDenied);
        // Still refused after the pack is gone: the Clearinghouse consumed the code.
        ok(await f.run({ op: "uninstall", keyPackId: 3 }));
        refused(await f.run({ op: "install", spec: retail(), requestKey: "r3" }), "entitlement-refused");
        // Another code is fine; the same code on another server is not (the Clearinghouse is one for all servers).
        ok(await f.run({ op: "install", spec: retail({ licenseCode: NUMBERS.otherRetail } as never), requestKey: "r4" }));
        await f.sim.createServer({ name: "rdls02", windowsServerVersion: "2022" });
        await f.sim.activate({ firstName: "A", lastName: "B", company: "C", countryRegion: "NL" }, { server: "rdls02" });
        refused(await f.run({ op: "install", spec: retail(), requestKey: "r5" }, "rdls02"), "entitlement-refused");
    });
});
