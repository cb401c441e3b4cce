import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { WbemCode } from "../../src/licensing/codes";
import type { KeyPack } from "../../src/licensing/operations";
import { CONTACT, NUMBERS, agreement, fixture, ok, openLicense, refused, retail, snapshot } from "./helpers/sim";

const REGISTRY = {
    agreements: [
        { program: "enterprise-agreement", agreementNumber: NUMBERS.agreement, productVersion: "2022", licenseType: "per-user", count: 50 },
        { agreementNumber: NUMBERS.agreement, productVersion: "2019", licenseType: "per-device", count: 10 },
    ],
    retail: [{ licenseCode: NUMBERS.retail, productVersion: "2016", licenseType: "per-user", count: 5 }],
    openLicenses: [
        { licenseNumber: NUMBERS.openNumber, authorizationNumber: NUMBERS.openAuthorization, productVersion: "2016", licenseType: "per-device", count: 15 },
    ],
};

async function withRegistry() {
    const f = await fixture();
    const file = path.join(f.home, "..", `${path.basename(f.home)}-registry.json`);
    fs.writeFileSync(file, JSON.stringify(REGISTRY));
    expect(await f.sim.loadRegistry(file)).toMatchObject({ agreements: 2, retail: 1, openLicenses: 1 });
    return f;
}

describe("Clearinghouse registry", () => {
    it("allows an agreement's entitlement, in total across installs, and refuses more (entitlement-refused)", async () => {
        const f = await withRegistry();
        ok(await f.run({ op: "install", spec: agreement({ count: 30 }), requestKey: "a" }));
        ok(await f.run({ op: "install", spec: agreement({ count: 20 }), requestKey: "b" }));
        const error = refused(await f.run({ op: "install", spec: agreement({ count: 1 }), requestKey: "c" }), "entitlement-refused");
        expect(error.returnValue).toBe(WbemCode.AccessDenied);
        expect(error.message).not.toContain(NUMBERS.agreement);
        // Removing licenses gives the entitlement back.
        ok(await f.run({ op: "remove-licenses", keyPackId: 3, count: 5 }));
        ok(await f.run({ op: "install", spec: agreement({ count: 5 }), requestKey: "d" }));
    });

    it("counts an agreement's installs on every server of the store", async () => {
        const f = await withRegistry();
        await f.sim.createServer({ name: "rdls02", windowsServerVersion: "2022" });
        await f.sim.activate(CONTACT, { server: "rdls02" });
        ok(await f.run({ op: "install", spec: agreement({ count: 45 }), requestKey: "a" }));
        refused(await f.run({ op: "install", spec: agreement({ count: 6 }), requestKey: "b" }, "rdls02"), "entitlement-refused");
        ok(await f.run({ op: "install", spec: agreement({ count: 5 }), requestKey: "b" }, "rdls02"));
    });

    it("refuses an unknown number, another shape, and another program of the entry", async () => {
        const f = await withRegistry();
        refused(await f.run({ op: "install", spec: agreement({ agreementNumber: "1111111" } as never), requestKey: "a" }), "entitlement-refused");
        refused(await f.run({ op: "install", spec: agreement({ productVersion: "2016" }), requestKey: "b" }), "entitlement-refused");
        refused(await f.run({ op: "install", spec: agreement({ program: "select" }), requestKey: "c" }), "entitlement-refused");
        // The second entry has no program: any agreement program may use it.
        ok(await f.run({ op: "install", spec: agreement({ program: "select", productVersion: "2019", licenseType: "per-device", count: 10 }), requestKey: "d" }));
    });

    it("a registered retail code yields the registered pack, whatever was declared (mismatch rehearsal)", async () => {
        const f = await withRegistry();
        const pack = ok<KeyPack>(await f.run({ op: "install", spec: retail({ productVersion: "2022", licenseType: "per-device", count: 99 }), requestKey: "r" }));
        expect(pack).toMatchObject({ productVersion: "2016", licenseType: "per-user", totalLicenses: 5 });
        refused(await f.run({ op: "install", spec: retail({ licenseCode: NUMBERS.otherRetail } as never), requestKey: "r2" }), "entitlement-refused");
    });

    it("a registered retail pack newer than the server is refused (version-not-supported)", async () => {
        const f = await fixture({ version: "2016" });
        await f.sim.loadRegistryDocument({ retail: [{ licenseCode: NUMBERS.retail, productVersion: "2019", licenseType: "per-user", count: 5 }] });
        refused(await f.run({ op: "install", spec: retail({ productVersion: "2016" }), requestKey: "r" }), "version-not-supported");
    });

    it("checks open licenses by number and authorization together", async () => {
        const f = await withRegistry();
        ok(await f.run({ op: "install", spec: openLicense({ count: 15 }), requestKey: "o" }));
        refused(await f.run({ op: "install", spec: openLicense({ count: 1 }), requestKey: "o2" }), "entitlement-refused");
        refused(await f.run({ op: "install", spec: openLicense({ authorizationNumber: "AUTHZ0000000000" } as never), requestKey: "o3" }), "entitlement-refused");
    });

    it("without a registry (or after clearing it) every well-formed number is accepted", async () => {
        const f = await withRegistry();
        await f.sim.clearRegistry();
        expect(await f.sim.registrySummary()).toBeUndefined();
        ok(await f.run({ op: "install", spec: agreement({ agreementNumber: "1111111", count: 500 } as never), requestKey: "a" }));
    });

    it("stores only salted hashes of the numbers", async () => {
        const f = await withRegistry();
        ok(await f.run({ op: "install", spec: agreement(), requestKey: "a" }));
        const files = snapshot(f.home);
        expect(Object.keys(files)).toContain("clearinghouse.json");
        for (const content of Object.values(files)) {
            for (const n of [NUMBERS.agreement, NUMBERS.retail, NUMBERS.retailNormalized, NUMBERS.openNumber, NUMBERS.openAuthorization]) {
                expect(content).not.toContain(n);
            }
        }
    });

    it("two stores hash the same number differently (per-store salt)", async () => {
        const a = await withRegistry();
        const b = await withRegistry();
        const key = (home: string) => JSON.parse(fs.readFileSync(path.join(home, "clearinghouse.json"), "utf8")).agreements[0].key;
        expect(key(a.home)).not.toBe(key(b.home));
    });

    it.each([
        [{ agreements: [{ agreementNumber: "765432", productVersion: "2022", licenseType: "per-user", count: 5 }] }, /agreements\[0\]\.agreementNumber/],
        [{ agreements: [{ agreementNumber: NUMBERS.agreement, productVersion: "2012", licenseType: "per-user", count: 5 }] }, /productVersion/],
        [{ retail: [{ licenseCode: NUMBERS.retail, productVersion: "2022", licenseType: "per-user", count: 0 }] }, /count/],
        [{ agreements: [{ program: "retail", agreementNumber: NUMBERS.agreement, productVersion: "2022", licenseType: "per-user", count: 5 }] }, /program/],
        [{ volume: [] }, /unknown list/],
        [{ openLicenses: [{ licenseNumber: NUMBERS.openNumber, productVersion: "2022", licenseType: "per-user", count: 5 }] }, /authorizationNumber is missing/],
    ])("refuses a malformed registry without echoing numbers (%#)", async (doc, message) => {
        const f = await fixture();
        const before = snapshot(f.home);
        const err = await f.sim.loadRegistryDocument(doc).then(
            () => undefined,
            (e: Error) => e,
        );
        expect(err?.message).toMatch(message);
        for (const n of ["765432", NUMBERS.agreement, NUMBERS.retail, NUMBERS.openNumber]) expect(err?.message).not.toContain(n);
        expect(snapshot(f.home)).toEqual(before);
    });

    it("reports an unreadable registry file without quoting it", async () => {
        const f = await fixture();
        const file = path.join(f.home, "..", `${path.basename(f.home)}-bad.json`);
        fs.writeFileSync(file, `{"agreements": [${NUMBERS.agreement}`);
        await expect(f.sim.loadRegistry(file)).rejects.toThrow(/not valid JSON/);
        await expect(f.sim.loadRegistry(file)).rejects.not.toThrow(new RegExp(NUMBERS.agreement));
    });
});
