/** Per-device revocation (Win32_TSIssuedLicense.Revoke) in the simulator: the 20 % limit, its waiting period, per-user refusal, counts. */
import { describe, expect, it } from "vitest";
import { createSimulatorUsageExecutor } from "../../src/drivers/simulator-usage";
import { revocationLimit } from "../../src/licensing/codes";
import { DAY_MS } from "../../src/simulator/clock";
import { usageFarm } from "../support/usage-farm";

/** ls1 with 10 per-device CALs of 2022 (limit 2) and 3 per-user ones; PC1 (52 days), PC2..PC4 (89 days) hold CALs, alice a per-user one. */
async function farm() {
    const f = await usageFarm({
        serverVersion: "2022",
        packs: [{ productVersion: "2022", licenseType: "per-device", count: 10 }, { productVersion: "2022", licenseType: "per-user", count: 3, agreementNumber: "1234567" }],
    });
    const [devicePack, userPack] = f.keyPackIds as [number, number];
    const { sim } = f;
    await sim.connect("SH1", { user: "alice" });
    for (const [device, random] of [["PC1", 0], ["PC2", 0.99], ["PC3", 0.99], ["PC4", 0.99]] as const) {
        await sim.connect("SH2", { user: "kiosk", device });
        await sim.connect("SH2", { user: "kiosk", device }, () => random);
    }
    const pack = async (id: number) => (await sim.packs({ server: "ls1" })).find((p) => p.keyPackId === id)!;
    const executions = async () => (await f.readServer()).executions;
    return { ...f, devicePack, userPack, pack, executions };
}

describe("revocation", () => {
    it("the limit is 20 % of a version's installed per-device CALs, at least one", () => {
        expect([0, 1, 4, 5, 10, 14, 100].map(revocationLimit)).toEqual([1, 1, 1, 1, 2, 2, 20]);
    });

    it("within the limit: the CAL goes back to its pack at once; past it: refused with the next allowed date, nothing changed; after it: allowed again", async () => {
        const f = await farm();
        const pc1 = (await f.sim.issuedLicenses()).find((l) => l.issuedToComputer === "PC1")!;
        expect((await f.pack(f.devicePack)).issuedLicenses).toBe(4);

        const first = await f.usage.revoke({ device: "pc1" });
        expect(first).toMatchObject({ revoked: true, licenseId: pc1.licenseId, keyPackId: f.devicePack, productVersion: "2022", limit: 2, revokableCals: 1 });
        expect(first.refusal).toBeUndefined();
        expect(await f.pack(f.devicePack)).toMatchObject({ issuedLicenses: 3, availableLicenses: 7 });
        expect((await f.sim.issuedLicenses()).find((l) => l.licenseId === pc1.licenseId)?.status).toBe("revoked");

        const dry = await f.usage.revoke({ device: "PC2" }, { dryRun: true });
        expect(dry).toMatchObject({ revoked: false, dryRun: true, revokableCals: 1, limit: 2 });
        expect(dry.refusal).toBeUndefined();
        expect((await f.pack(f.devicePack)).issuedLicenses).toBe(3);

        expect(await f.usage.revoke({ device: "PC2" })).toMatchObject({ revoked: true, revokableCals: 0 });
        const before = await f.pack(f.devicePack);
        const refused = await f.usage.revoke({ device: "PC3" });
        // PC1's CAL (52 days) is the first revoked one to expire: that frees the next place.
        expect(refused).toMatchObject({ revoked: false, refusal: "limit", revokableCals: 0, limit: 2, nextRevokeAllowedOn: pc1.expirationDate });
        expect(refused.message).toContain(pc1.expirationDate!);
        expect(await f.pack(f.devicePack)).toEqual(before);
        expect((await f.usage.revoke({ device: "PC3" }, { dryRun: true })).refusal).toBe("limit");

        await f.sim.advanceClock(53 * DAY_MS);
        expect(await f.usage.revoke({ device: "PC3" })).toMatchObject({ revoked: true, revokableCals: 0 });
        expect((await f.pack(f.devicePack)).issuedLicenses).toBe(1);
    });

    it("per-user CALs are refused with the reason, their pack untouched; a device with only a temporary license is not found", async () => {
        const f = await farm();
        const user = await f.usage.revoke({ user: "alice" });
        expect(user).toMatchObject({ revoked: false, refusal: "per-user", keyPackId: f.userPack });
        expect(user.message).toMatch(/only per-device CALs can be revoked/);
        expect((await f.pack(f.userPack)).issuedLicenses).toBe(1);

        await f.sim.connect("SH2", { user: "kiosk", device: "PC9" });
        const temporary = await f.usage.revoke({ device: "PC9" });
        expect(temporary).toMatchObject({ revoked: false, refusal: "not-found" });
        expect(temporary.message).toMatch(/temporary license only/);
        expect((await f.usage.revoke({ device: "nowhere" })).refusal).toBe("not-found");
    });

    it("each call is one execution; a revoked device that connects again starts over with a temporary license", async () => {
        const f = await farm();
        const start = await f.executions();
        await f.usage.revoke({ device: "PC4" });
        await f.usage.revoke({ device: "PC4" }, { dryRun: true });
        expect(await f.executions()).toBe(start + 2);
        expect((await f.sim.connect("SH2", { user: "kiosk", device: "PC4" })).license).toBe("temporary");
        const [bad] = await createSimulatorUsageExecutor({ home: f.home }).execute("ls1", [{ op: "revoke-cal", device: "PC1", user: "alice" }]);
        expect(bad).toMatchObject({ ok: false, error: { kind: "invalid-parameter" } });
    });
});
