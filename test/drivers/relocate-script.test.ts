/**
 * The migration (Import*) and conversion (ConvertLicenses) steps as the PowerShell driver renders
 * them: they parse, name the documented methods and arguments, carry no number in their text, and
 * the fake Windows double executes them (a retry returns the journaled pack, nothing runs twice).
 */
import { beforeEach, describe, expect, it } from "vitest";
import { PowerShellExecutor } from "../../src/drivers/powershell";
import { INPUT_PARAMETER } from "../../src/drivers/powershell/script-prelude";
import { WbemCode, type InstallSpec, type InstalledKeyPack, type Operation } from "../../src/licensing";
import { failure, ok } from "../support/results";
import { FakeRunner } from "./support/fake-runner";
import { FakeWindowsServer } from "./support/fake-windows";
import { parsePowerShell } from "./support/powershell-syntax";

const AGREEMENT = "4829175";
const CODE = "QWRTY-23456-PLMKO-98765-ZXCVB";
const SOURCE_ID = "A1B2C3D4E5F6A7B8C9D0E1F2A3B4C5D6E7F";

const agreementSpec = (over: Partial<InstallSpec> = {}): InstallSpec =>
    ({ program: "enterprise-agreement", agreementNumber: AGREEMENT, productVersion: "2022", licenseType: "per-user", count: 12, ...over }) as InstallSpec;
const importOp = (requestKey: string, spec: InstallSpec, sourceProductId = SOURCE_ID): Operation => ({
    op: "install",
    spec,
    requestKey,
    origin: { kind: "migration", sourceServer: "RDLS-OLD", sourceProductId },
});
const convertOp = (requestKey: string, keyPackId: number, spec: InstallSpec): Operation => ({ op: "install", spec, requestKey, origin: { kind: "conversion", keyPackId } });

let server: FakeWindowsServer;
let runner: FakeRunner;
let executor: PowerShellExecutor;

beforeEach(() => {
    server = new FakeWindowsServer();
    server.name = "RDLS-NEW";
    server.activation = 0;
    runner = new FakeRunner(server);
    executor = new PowerShellExecutor({ runner });
});

const lastScript = () => runner.calls.at(-1)!.script;
const lastInput = () => JSON.parse(Buffer.from(runner.calls.at(-1)!.secretParameters[INPUT_PARAMETER]!, "base64").toString("utf8")) as { o: Record<string, string>[] };

describe("an Import* step (migration to this server)", () => {
    it("parses, calls ImportAgreementLicenseKeyPack with the install's arguments plus the source, and keeps numbers out of the text", async () => {
        const pack = ok<InstalledKeyPack>((await executor.execute("rdls-new", [importOp("mv-1", agreementSpec())]))[0]);
        expect(pack).toMatchObject({ licenseType: "per-user", productVersion: "2022", totalLicenses: 12 });
        const script = lastScript();
        expect((await parsePowerShell(script)).rootNode.hasError).toBe(false);
        expect(script).toMatch(/-MethodName ImportAgreementLicenseKeyPack -Arguments @\{ AgreementType = \[uint32\]1; sAgreementNumber = \[string\]\$I\.num; ProductVersion = \[uint32\]7; ProductType = \[uint32\]1; LicenseCount = \[uint32\]12; sSourceLSName = \[string\]\$I\.src; sSourceLSProductId = \[string\]\$I\.srcid \}/);
        expect(script).not.toContain(AGREEMENT);
        expect(script).not.toContain("RDLS-OLD");
        expect(lastInput().o[0]).toMatchObject({ src: "RDLS-OLD", srcid: SOURCE_ID, num: AGREEMENT });
        expect(server.imports).toEqual([{ method: "ImportAgreementLicenseKeyPack", sourceName: "RDLS-OLD", sourceProductId: SOURCE_ID }]);
    });

    it("returns the journaled pack for a retried request key, without a second import", async () => {
        const first = ok<InstalledKeyPack>((await executor.execute("rdls-new", [importOp("mv-1", agreementSpec())]))[0]);
        // The retry cannot read the source any more (no product ID): the journal still answers it.
        const again = ok<InstalledKeyPack>((await executor.execute("rdls-new", [importOp("mv-1", agreementSpec(), "")]))[0]);
        expect(again.keyPackId).toBe(first.keyPackId);
        expect(server.imports).toHaveLength(1);
        const unknown = failure((await executor.execute("rdls-new", [importOp("mv-2", agreementSpec(), "")]))[0]);
        expect(unknown.kind).toBe("invalid-parameter");
        expect(server.imports).toHaveLength(1);
    });

    it("migrates a retail code consumed by the source, which a fresh install here is refused", async () => {
        const source = new FakeWindowsServer();
        source.name = "RDLS-OLD";
        server.clearinghouse = source.clearinghouse;
        source.clearinghouse.consumed.set("InstallRetailPurchaseLicenseKeyPack:QWRTY23456PLMKO98765ZXCVB", "RDLS-OLD");
        const retail = { program: "retail", licenseCode: CODE, productVersion: "2022", licenseType: "per-user", count: 10 } as InstallSpec;
        expect(failure((await executor.execute("rdls-new", [{ op: "install", spec: retail, requestKey: "fresh" }]))[0]).kind).toBe("entitlement-refused");
        const moved = ok<InstalledKeyPack>((await executor.execute("rdls-new", [importOp("mv-r", retail)]))[0]);
        expect(moved.totalLicenses).toBe(10);
        expect(lastScript()).toContain("-MethodName ImportRetailPurchaseLicenseKeyPack -Arguments @{ sLicenseCode = [string]$I.code; sSourceLSName = [string]$I.src; sSourceLSProductId = [string]$I.srcid }");
        expect(source.clearinghouse.consumed.get("InstallRetailPurchaseLicenseKeyPack:QWRTY23456PLMKO98765ZXCVB")).toBe("RDLS-NEW");
    });

    it("refuses a malformed source before any script runs", async () => {
        const bad = failure((await executor.execute("rdls-new", [importOp("mv-1", agreementSpec(), "WITH-HYPHEN")]))[0]);
        expect(bad.kind).toBe("invalid-parameter");
        expect(runner.calls).toHaveLength(0);
    });
});

describe("a ConvertLicenses step", () => {
    it("parses, converts available licenses on the pack instance, sends no number, and is journaled", async () => {
        const pack = server.addPack({ total: 10, issued: 0, productType: 0, description: "Windows Server 2022 - RDS Per Device CAL", numbers: "InstallAgreementLicenseKeyPack:4829175" });
        const spec = agreementSpec({ licenseType: "per-user", count: 10 });
        const converted = ok<InstalledKeyPack>((await executor.execute("rdls-new", [convertOp("cv-1", pack.id, spec)]))[0]);
        expect(converted).toMatchObject({ licenseType: "per-user", totalLicenses: 10 });
        const script = lastScript();
        expect((await parsePowerShell(script)).rootNode.hasError).toBe(false);
        expect(script).toContain(`$source = Assert-RdlsPack ${pack.id}`);
        expect(script).toContain("Invoke-CimMethod -InputObject $source -MethodName ConvertLicenses -Arguments @{ Count = [uint32]10 }");
        expect(script).toContain("$id = [uint32]$result.KeypackID");
        expect(lastInput().o[0]).toEqual({ key: "cv-1" });
        expect(server.packs.some((p) => p.id === pack.id)).toBe(false);

        const again = ok<InstalledKeyPack>((await executor.execute("rdls-new", [convertOp("cv-1", pack.id, spec)]))[0]);
        expect(again.keyPackId).toBe(converted.keyPackId);
        expect(server.installCalls).toEqual(["ConvertLicenses"]);
    });

    it("refuses to convert more than the available licenses, by the step's guard, before the method runs", async () => {
        const pack = server.addPack({ total: 10, issued: 4, productType: 0, description: "Windows Server 2022 - RDS Per Device CAL" });
        const refused = failure((await executor.execute("rdls-new", [convertOp("cv-1", pack.id, agreementSpec({ count: 10 }))]))[0]);
        expect(refused.kind).toBe("failed");
        expect(refused.message).toMatch(/has 6 available licenses \(issued ones cannot be converted\); 10 asked/);
        expect(server.installCalls).toEqual([]);
        expect(pack).toMatchObject({ total: 10, issued: 4, available: 6 });
    });

    it("maps a failing ConvertLicenses return value like an install's", async () => {
        const pack = server.addPack({ total: 5, productType: 0, description: "Windows Server 2022 - RDS Per Device CAL" });
        server.faults.push({ method: "ConvertLicenses", returnValue: WbemCode.NotAvailable });
        const failed = failure((await executor.execute("rdls-new", [convertOp("cv-1", pack.id, agreementSpec({ count: 5 }))]))[0]);
        expect(failed.kind).toBe("clearinghouse-unreachable");
        expect(pack.total).toBe(5);
    });
});
