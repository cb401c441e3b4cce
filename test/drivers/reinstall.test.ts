/**
 * The install fallback to Reinstall*LicenseKeyPack (`allowReinstall`), over the fake Windows server:
 * which method runs when, whose error is reported, what the journal and the result say.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { PowerShellExecutor } from "../../src/drivers/powershell";
import { INPUT_PARAMETER } from "../../src/drivers/powershell/script-prelude";
import { WbemCode, type InstallSpec, type InstalledKeyPack, type KeyPack, type Operation } from "../../src/licensing";
import { failure, ok } from "../support/results";
import { FakeRunner } from "./support/fake-runner";
import { FakeWindowsServer } from "./support/fake-windows";

const CODE = "QWRTY-23456-PLMKO-98765-ZXCVB";
const CODE_NORMALIZED = "QWRTY23456PLMKO98765ZXCVB";
const AGREEMENT = "4829175";

const retailSpec = (licenseCode = CODE): InstallSpec => ({ program: "retail", licenseCode, productVersion: "2022", licenseType: "per-user", count: 10 });
const install = (requestKey: string, allowReinstall?: boolean, spec: InstallSpec = retailSpec()): Operation => ({
    op: "install",
    requestKey,
    spec,
    ...(allowReinstall === undefined ? {} : { allowReinstall }),
});

function newServer(name = "RDLS01", from?: FakeWindowsServer): FakeWindowsServer {
    const server = new FakeWindowsServer();
    server.name = name;
    server.activation = 0;
    if (from) server.clearinghouse = from.clearinghouse;
    return server;
}

let server: FakeWindowsServer;
let runner: FakeRunner;
let executor: PowerShellExecutor;

beforeEach(() => {
    server = newServer();
    runner = new FakeRunner(server);
    executor = new PowerShellExecutor({ runner });
});

/** Install the code once, then remove its pack by hand (RD Licensing Manager → Uninstall). */
async function installThenUninstallByHand(): Promise<KeyPack> {
    const [first] = await executor.execute("rdls01", [install("first")]);
    const pack = ok<InstalledKeyPack>(first);
    expect(pack.reinstalled).toBeUndefined();
    server.packs = server.packs.filter((p) => p.id !== pack.keyPackId);
    server.installCalls = [];
    return pack;
}

describe("a retail code consumed on this server, its pack uninstalled by hand", () => {
    it("is refused a fresh install, and comes back through ReinstallRetailPurchaseLicenseKeyPack", async () => {
        const first = await installThenUninstallByHand();

        const [fresh] = await executor.execute("rdls01", [install("second")]);
        expect(failure(fresh)).toMatchObject({ kind: "entitlement-refused", returnValue: WbemCode.AccessDenied });
        expect(server.installCalls).toEqual(["InstallRetailPurchaseLicenseKeyPack"]);

        server.installCalls = [];
        const [again] = await executor.execute("rdls01", [install("second", true)]);
        const pack = ok<InstalledKeyPack>(again);
        expect(pack).toMatchObject({ reinstalled: true, keyPackType: 1, programName: "Retail Purchase", productVersion: "2022", licenseType: "per-user", totalLicenses: 10 });
        expect(pack.keyPackId).not.toBe(first.keyPackId);
        expect(server.installCalls).toEqual(["InstallRetailPurchaseLicenseKeyPack", "ReinstallRetailPurchaseLicenseKeyPack"]);
        // The journal records the request key as for an install: a retry returns the pack.
        expect(server.journal.get("second")).toEqual({ id: pack.keyPackId, program: "retail" });
        server.installCalls = [];
        const [retry] = await executor.execute("rdls01", [install("second", true)]);
        expect(ok<InstalledKeyPack>(retry)).toEqual({ ...pack, reinstalled: undefined });
        expect(server.installCalls).toEqual([]);
        const [listed] = await executor.execute("rdls01", [{ op: "list-packs" }]);
        expect(ok<KeyPack[]>(listed).map((p) => [p.keyPackId, p.programName])).toEqual([[pack.keyPackId, "Retail Purchase"]]);
    });

    it("a first install with allowReinstall only calls the Install* method", async () => {
        const [first] = await executor.execute("rdls01", [install("k", true)]);
        expect(ok<InstalledKeyPack>(first).reinstalled).toBeUndefined();
        expect(ok<InstalledKeyPack>(first)).not.toHaveProperty("reinstalled");
        expect(server.installCalls).toEqual(["InstallRetailPurchaseLicenseKeyPack"]);
    });

    it("while a pack of the code is still installed, reports the install's error", async () => {
        const [first] = await executor.execute("rdls01", [install("a")]);
        const live = server.packs.find((p) => p.id === ok<KeyPack>(first).keyPackId)!;
        live.total = live.available = 4; // licenses removed by hand
        const [again] = await executor.execute("rdls01", [install("b", true)]);
        const error = failure(again);
        expect(error).toMatchObject({ kind: "entitlement-refused", returnValue: WbemCode.AccessDenied });
        expect(error.message).toContain("InstallRetailPurchaseLicenseKeyPack returned 0x80041003");
        expect(server.installCalls.slice(-2)).toEqual(["InstallRetailPurchaseLicenseKeyPack", "ReinstallRetailPurchaseLicenseKeyPack"]);
        expect(server.packs.filter((p) => p.id !== 1)).toHaveLength(1);
        expect(server.journal.has("b")).toBe(false);
    });
});

describe("a rebuilt server", () => {
    it("of the same name gets the pack back by reinstall; another name is refused with the install's error", async () => {
        await executor.execute("rdls01", [install("a")]);

        const rebuilt = newServer("rdls01", server); // a new VM, same computer name (case-insensitive)
        const onRebuilt = new PowerShellExecutor({ runner: new FakeRunner(rebuilt) });
        const [fresh] = await onRebuilt.execute("rdls01", [install("b")]);
        expect(failure(fresh).kind).toBe("entitlement-refused");
        const [again] = await onRebuilt.execute("rdls01", [install("b", true)]);
        expect(ok<InstalledKeyPack>(again)).toMatchObject({ reinstalled: true, totalLicenses: 10 });

        const other = newServer("RDLS02", server);
        const onOther = new PowerShellExecutor({ runner: new FakeRunner(other) });
        const [refused] = await onOther.execute("rdls02", [install("c", true)]);
        expect(failure(refused)).toMatchObject({ kind: "entitlement-refused", returnValue: WbemCode.AccessDenied });
        expect(failure(refused).message).toContain("InstallRetailPurchaseLicenseKeyPack");
        expect(other.installCalls).toEqual(["InstallRetailPurchaseLicenseKeyPack", "ReinstallRetailPurchaseLicenseKeyPack"]);
        expect(other.packs.filter((p) => p.id !== 1)).toEqual([]);
    });
});

describe("when the reinstall runs, and whose error is reported", () => {
    it("a reinstall that throws leaves the install's error", async () => {
        await installThenUninstallByHand();
        server.faults.push({ method: "ReinstallRetailPurchaseLicenseKeyPack", exception: "The RPC server is unavailable", cimCode: "Failed" });
        const [again] = await executor.execute("rdls01", [install("b", true)]);
        expect(failure(again)).toMatchObject({ kind: "entitlement-refused", returnValue: WbemCode.AccessDenied });
        expect(failure(again).message).not.toContain("RPC");
    });

    it("an install that throws (no return value) is not followed by a reinstall", async () => {
        await installThenUninstallByHand();
        server.faults.push({ method: "InstallRetailPurchaseLicenseKeyPack", exception: "Access denied", cimCode: "AccessDenied" });
        const [again] = await executor.execute("rdls01", [install("b", true)]);
        expect(failure(again).message).toMatch(/administrator/);
        expect(server.installCalls).toEqual(["InstallRetailPurchaseLicenseKeyPack"]);
    });

    it("other refusals of the install are reported as they are (the Clearinghouse down, the server not activated)", async () => {
        await installThenUninstallByHand();
        server.clearinghouseDown = true;
        const [down] = await executor.execute("rdls01", [install("b", true)]);
        expect(failure(down)).toMatchObject({ kind: "clearinghouse-unreachable", returnValue: WbemCode.NotAvailable });
        server.clearinghouseDown = false;
        server.activation = 1;
        const [inactive] = await executor.execute("rdls01", [install("b", true)]);
        expect(failure(inactive).kind).toBe("not-activated");
    });

    it("agreement and open numbers: a refused install stays refused, with the install's error", async () => {
        server.refusedNumbers.add(AGREEMENT);
        const agreement: InstallSpec = { program: "enterprise-agreement", agreementNumber: AGREEMENT, productVersion: "2022", licenseType: "per-user", count: 5 };
        const [refused] = await executor.execute("rdls01", [install("a", true, agreement)]);
        expect(failure(refused)).toMatchObject({ kind: "entitlement-refused", returnValue: WbemCode.AccessDenied });
        expect(failure(refused).message).toContain("InstallAgreementLicenseKeyPack");
        expect(server.installCalls).toEqual(["InstallAgreementLicenseKeyPack", "ReinstallAgreementLicenseKeyPack"]);
        const open: InstallSpec = { program: "open-license", licenseNumber: "87654321", authorizationNumber: "AUTHZ1234567890", productVersion: "2019", licenseType: "per-device", count: 5 };
        const [installed] = await executor.execute("rdls01", [install("b", true, open)]);
        expect(ok<InstalledKeyPack>(installed)).toMatchObject({ keyPackType: 5, totalLicenses: 5 });
        expect(ok<InstalledKeyPack>(installed).reinstalled).toBeUndefined();
    });
});

describe("secrets", () => {
    it("the script never holds the code, and is the same whatever the code", async () => {
        await executor.execute("rdls01", [install("a", true)]);
        await executor.execute("rdls01", [install("a", true, retailSpec("MNBVC-65432-LKJHG-19283-POIUY"))]);
        const [one, two] = runner.calls;
        expect(one!.script).toContain("ReinstallRetailPurchaseLicenseKeyPack");
        for (const call of [one!, two!]) {
            for (const secret of [CODE, CODE_NORMALIZED, "MNBVC6543", "QWRTY2345"]) expect(call.script).not.toContain(secret);
        }
        expect(one!.script.replace(/\$RdlsNonce = '[0-9a-f]+'/, "")).toBe(two!.script.replace(/\$RdlsNonce = '[0-9a-f]+'/, ""));
        // The code travels in the protected input only.
        expect(Buffer.from(one!.secretParameters[INPUT_PARAMETER]!, "base64").toString("utf8")).toContain(CODE_NORMALIZED);
    });

    it("errors of a refused reinstall carry no secret", async () => {
        await executor.execute("rdls01", [install("a")]);
        server.scrubSecrets = false;
        const [refused] = await executor.execute("rdls01", [install("b", true)]);
        for (const secret of [CODE, CODE_NORMALIZED]) expect(JSON.stringify(refused)).not.toContain(secret);
    });
});
