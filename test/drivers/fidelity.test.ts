/**
 * Where the documentation is silent and real servers behave otherwise (issue 17): the ActivationStatus
 * out-value of ActivateServerAutomatic, and methods that fail by exception (a CimException carrying
 * an HRESULT) instead of a non-zero ReturnValue.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { PowerShellExecutor, PowerShellFarmExecutor, planStep, renderBatchScript } from "../../src/drivers/powershell";
import { INPUT_PARAMETER } from "../../src/drivers/powershell/script-prelude";
import { DEFAULT_PRODUCT_VERSION_IDS, LicensingError, WbemCode, type KeyPack, type Operation } from "../../src/licensing";
import type { FarmOperationResult } from "../../src/licensing/farm";
import { VERSION_ID_2025_ENV } from "../../src/drivers/connect-env";
import { failure, ok } from "../support/results";
import { FakeFarm, fakeSessionHost } from "./support/fake-farm";
import { FakeRunner } from "./support/fake-runner";
import { FakeWindowsServer } from "./support/fake-windows";
import { commands, parsePowerShell, stringValue } from "./support/powershell-syntax";

const AGREEMENT = "4829175";
const contact = { firstName: "Ada", lastName: "Lovelace", company: "Analytical Engines", countryRegion: "GB" };
const install = (requestKey: string, count = 10): Operation => ({
    op: "install",
    requestKey,
    spec: { program: "enterprise-agreement", agreementNumber: AGREEMENT, productVersion: "2022", licenseType: "per-user", count },
});

let server: FakeWindowsServer;
let runner: FakeRunner;
let executor: PowerShellExecutor;

beforeEach(() => {
    server = new FakeWindowsServer();
    runner = new FakeRunner(server);
    executor = new PowerShellExecutor({ runner });
});

describe("the ActivationStatus out-value of ActivateServerAutomatic", () => {
    it("activates when the out-value says activated", async () => {
        const [activated] = await executor.execute("rdls01", [{ op: "activate", contact }]);
        expect(ok<{ activation: string }>(activated).activation).toBe("activated");
        expect(runner.calls.at(-1)!.script).toContain("Assert-RdlsActivated $result 'ActivateServerAutomatic'");
    });

    it("fails with not-activated, naming the status and its meaning, when ReturnValue is 0 but ActivationStatus is 1", async () => {
        server.activationResult = 1;
        const [activation] = await executor.execute("rdls01", [{ op: "activate", contact }]);
        const error = failure(activation);
        expect(error.kind).toBe("not-activated");
        expect(error.returnValue).toBeUndefined();
        expect(error.message).toMatch(/^activate: ActivateServerAutomatic returned 0 with ActivationStatus 1: the license server is not activated/);
        expect(new LicensingError(error)).toBeInstanceOf(LicensingError);
        expect(server.activation).toBe(1);
    });

    it("fails with failed when ActivationStatus is 2 (unknown error)", async () => {
        server.activationResult = 2;
        const [activation] = await executor.execute("rdls01", [{ op: "activate", contact }]);
        expect(failure(activation)).toMatchObject({ kind: "failed" });
        expect(failure(activation).message).toMatch(/ActivationStatus 2: an unknown error occurred: it is not known whether the license server is activated/);
    });

    it("the prelude checks the out-value after the call, each documented status with its kind", async () => {
        await executor.execute("rdls01", [{ op: "activate", contact }]);
        const script = runner.calls.at(-1)!.script;
        const tree = await parsePowerShell(script);
        const refusals = commands(tree.rootNode, "New-RdlsRefusal")
            .filter((c) => /ActivationStatus/.test(c.positional[1]?.text ?? ""))
            .map((c) => stringValue(c.positional[0]!));
        expect(refusals).toEqual(["not-activated", "failed", "failed"]);
    });
});

describe("methods that fail by exception (CimException) instead of a ReturnValue", () => {
    beforeEach(() => {
        server.activation = 0;
    });

    it("an install's CimException is reported like its return code, naming the method, the code and its meaning", async () => {
        server.faults.push({ method: "InstallAgreementLicenseKeyPack", wbemCode: WbemCode.NotAvailable, exception: "The Clearinghouse could not be reached." });
        const [installed] = await executor.execute("rdls01", [install("cim-1")]);
        const error = failure(installed);
        expect(error).toMatchObject({ kind: "clearinghouse-unreachable", returnValue: WbemCode.NotAvailable });
        expect(error.message).toContain("InstallAgreementLicenseKeyPack failed with 0x80041009");
        expect(error.message).toContain("not currently available");
        expect(new LicensingError(error).message).toContain("WBEM_E_NOT_AVAILABLE");
        expect(server.packs.filter((p) => p.id !== 1)).toHaveLength(0);
    });

    it("a thrown install never falls back to the Reinstall* method (the install has no ReturnValue)", async () => {
        server.faults.push({ method: "InstallAgreementLicenseKeyPack", wbemCode: WbemCode.AccessDenied });
        const [installed] = await executor.execute("rdls01", [{ ...install("cim-2"), allowReinstall: true } as Operation]);
        expect(failure(installed)).toMatchObject({ kind: "entitlement-refused", returnValue: WbemCode.AccessDenied });
        expect(server.installCalls).toEqual(["InstallAgreementLicenseKeyPack"]);
    });

    it("removals and uninstalls, and the activation itself", async () => {
        const pack = server.addPack({ total: 10 });
        server.faults.push({ method: "RemoveLicensesWithIdCount", wbemCode: WbemCode.ValueOutOfRange });
        server.faults.push({ method: "UninstallLicenseKeyPackWithId", wbemCode: WbemCode.NotFound });
        const [removed, uninstalled] = await executor.execute("rdls01", [
            { op: "remove-licenses", keyPackId: pack.id, count: 2 },
            { op: "uninstall", keyPackId: pack.id },
        ]);
        expect(failure(removed)).toMatchObject({ kind: "not-enough-available", returnValue: WbemCode.ValueOutOfRange });
        expect(failure(removed).message).toContain("RemoveLicensesWithIdCount failed with 0x8004102B");
        expect(failure(uninstalled)).toMatchObject({ kind: "not-found", returnValue: WbemCode.NotFound });
        expect(failure(uninstalled).message).toContain("UninstallLicenseKeyPackWithId failed with 0x80041002");
        expect(ok<KeyPack[]>((await executor.execute("rdls01", [{ op: "list-packs" }]))[0])).toHaveLength(1);

        server.activation = 1;
        server.faults.push({ method: "ActivateServerAutomatic", wbemCode: WbemCode.InvalidOperation });
        const [activation] = await executor.execute("rdls01", [{ op: "activate", contact }]);
        expect(failure(activation)).toMatchObject({ kind: "contact-incomplete", returnValue: WbemCode.InvalidOperation });
        expect(failure(activation).message).toContain("ActivateServerAutomatic failed with 0x80041016");
    });

    it("every method call that changes the server goes through Invoke-RdlsMethod, named as it is called", async () => {
        const pack = server.addPack({ total: 10 });
        await executor.execute("rdls01", [
            { op: "activate", contact },
            { op: "deactivate" },
            install("all"),
            { op: "remove-licenses", keyPackId: pack.id, count: 1 },
            { op: "uninstall", keyPackId: pack.id },
        ]);
        const tree = await parsePowerShell(runner.calls.at(-1)!.script);
        const wrapped = commands(tree.rootNode, "Invoke-RdlsMethod").map((c) => {
            const inner = commands(c.node, "Invoke-CimMethod")[0]!;
            return [stringValue(c.positional[0]!), stringValue(inner.parameters.get("methodname")!)];
        });
        expect(wrapped.map(([outer]) => outer)).toEqual([
            "ActivateServerAutomatic",
            "DeactivateServerAutomatic",
            "InstallAgreementLicenseKeyPack",
            "RemoveLicensesWithIdCount",
            "UninstallLicenseKeyPackWithId",
        ]);
        for (const [outer, inner] of wrapped) expect(inner).toBe(outer);
    });
});

describe("a session host setter that fails by exception", () => {
    let farm: FakeFarm;
    let farmExecutor: PowerShellFarmExecutor;
    const farmFailure = (result: FarmOperationResult | undefined) => {
        if (!result || result.ok) throw new Error(`expected failure, got ${JSON.stringify(result)}`);
        return result.error;
    };

    beforeEach(() => {
        farm = new FakeFarm();
        server.farm = farm;
        farm.fqdn = "sh9.contoso.test";
        farm.self = fakeSessionHost("sh9.contoso.test", { licensingType: 2, servers: ["old-ls"] });
        farmExecutor = new PowerShellFarmExecutor({ runner });
    });

    it("ChangeMode's CimException WBEM_E_INVALID_OPERATION names the method, the code and the Group Policy fix", async () => {
        // The policy source read 0, yet the provider refuses: a GPO applied since, as a real server may.
        farm.faults.push({ method: "ChangeMode", wbemCode: WbemCode.InvalidOperation, exception: "Invalid operation" });
        const [set] = await farmExecutor.execute("sh9", [{ op: "set-host-licensing", mode: "PerUser", licenseServers: ["old-ls"] }]);
        const error = farmFailure(set);
        expect(error).toMatchObject({ kind: "invalid-parameter", returnValue: WbemCode.InvalidOperation });
        expect(error.message).toContain("ChangeMode failed with 0x80041016: Invalid operation");
        expect(error.message).toContain("set by Group Policy: change the GPO or remove it");
        expect(new LicensingError(error).message).toMatch(/\(WBEM_E_INVALID_OPERATION\)$/);
        expect(farm.self!.licensingType).toBe(2);
    });

    it("SetSpecifiedLicenseServerList's CimException too, and any other code by the table", async () => {
        farm.faults.push({ method: "SetSpecifiedLicenseServerList", wbemCode: WbemCode.InvalidParameter });
        const [set] = await farmExecutor.execute("sh9", [{ op: "set-host-licensing", mode: "PerDevice", licenseServers: ["rdls01"] }]);
        expect(farmFailure(set)).toMatchObject({ kind: "invalid-parameter", returnValue: WbemCode.InvalidParameter });
        expect(farmFailure(set).message).toContain("SetSpecifiedLicenseServerList failed with 0x80041008");
        expect(farmFailure(set).message).toContain("one of the parameters to the call is not correct");
    });
});

describe("every install verified: the pack read back is the version, type and count sent", () => {
    const install2025 = (requestKey: string): Operation => ({
        op: "install",
        requestKey,
        spec: { program: "enterprise-agreement", agreementNumber: AGREEMENT, productVersion: "2025", licenseType: "per-user", count: 25 },
    });

    beforeEach(() => {
        server.activation = 0;
        server.build = 26100; // Windows Server 2025
    });

    it("a 2025 code the server reads as another version fails naming productVersion, the override and the pack", async () => {
        server.installAs = { versionId: 7, versionText: "Windows Server 2022" };
        const [installed] = await executor.execute("rdls01", [install2025("k25")]);
        const error = failure(installed);
        const wrong = server.packs.filter((p) => p.id !== 1);
        expect(wrong).toHaveLength(1);
        expect(error.kind).toBe("failed");
        expect(error.message).toContain(`the server installed key pack ${wrong[0]!.id}, which is not the pack asked`);
        expect(error.message).toContain("productVersion: Windows Server 2022 Windows Server 2022 - RDS Per User CAL (ProductVersionID 7), not 2025 (ProductVersion code 8 sent)");
        expect(error.message).toContain(`${VERSION_ID_2025_ENV}=<code>`);
        expect(error.message).toContain("productVersionIds");
        expect(error.message).toContain(`adoptKeyPackId: ${wrong[0]!.id}`);
        expect(error.message).not.toMatch(/licenseType:|count:/);
        // The pack is recorded for the request: a retry reports it again and installs nothing more.
        expect(server.journal.get("k25")?.id).toBe(wrong[0]!.id);
        const [again] = await executor.execute("rdls01", [install2025("k25")]);
        expect(failure(again).message).toContain(`key pack ${wrong[0]!.id}`);
        expect(server.packs.filter((p) => p.id !== 1)).toHaveLength(1);
        expect(server.installCalls).toEqual(["InstallAgreementLicenseKeyPack"]);
    });

    it("catches a code whose ID matches but whose text names another version", async () => {
        server.installAs = { versionId: 8, versionText: "Windows Server 2012" };
        const [installed] = await executor.execute("rdls01", [install2025("k8")]);
        expect(failure(installed).message).toMatch(/productVersion: Windows Server 2012 .*\(ProductVersionID 8\), not 2025/);
    });

    it("with the override set to the server's code, the same install succeeds", async () => {
        server.installAs = { versionId: 9, versionText: "Windows Server 2025" };
        const [wrongCode] = await executor.execute("rdls01", [install2025("k-a")]);
        expect(failure(wrongCode).message).toContain("(ProductVersionID 9), not 2025 (ProductVersion code 8 sent)");
        executor = new PowerShellExecutor({ runner, productVersionIds: { "2025": 9 } });
        const [installed] = await executor.execute("rdls01", [install2025("k-b")]);
        expect(ok<KeyPack>(installed)).toMatchObject({ productVersion: "2025", productVersionId: 9, totalLicenses: 25 });
        expect(runner.calls.at(-1)!.script).toContain("Assert-RdlsInstalled $pack '2025' 9 1 25");
    });

    it("an older version's mismatch points at the stack config instead", async () => {
        server.installAs = { versionId: 6, versionText: "Windows Server 2019" };
        const [installed] = await executor.execute("rdls01", [install("k22", 5)]);
        expect(failure(installed).message).toContain("check productVersion in the stack config");
    });

    it("renders the check with plain literals after the read-back, and none for a retail code (its numbers fix the pack)", async () => {
        await executor.execute("rdls01", [install("plain", 5)]);
        const script = runner.calls.at(-1)!.script;
        expect(script).toContain("Assert-RdlsInstalled $pack '2022' 7 1 5");
        expect(script).toContain("Assert-RdlsInstalled $pack '2022' 7 1 $null");
        const tree = await parsePowerShell(script);
        expect(tree.rootNode.hasError).toBe(false);
        await executor.execute("rdls01", [
            { op: "install", requestKey: "r", spec: { program: "retail", licenseCode: "QWERT-12345-ASDFG-67890-ZXCVB", productVersion: "2022", licenseType: "per-user", count: 10 } },
        ]);
        expect(stepOf(runner.calls.at(-1)!.script)).not.toContain("Assert-RdlsInstalled");
    });
});

function stepOf(script: string): string {
    return script.slice(script.indexOf("\nInvoke-RdlsStep "));
}

describe("the journal mutex across identities", () => {
    beforeEach(() => {
        server.activation = 0;
    });

    it("a mutex SYSTEM created (Run Command) is opened by an administrator (SSH), and the other way round", async () => {
        expect(ok<KeyPack>((await executor.execute("rdls01", [install("as-system")]))[0]).totalLicenses).toBe(10);
        expect(server.journalMutex).toEqual({ createdBy: "SYSTEM", allows: ["Administrators", "SYSTEM"] });
        server.identity = "Administrators";
        expect(ok<KeyPack>((await executor.execute("rdls01", [install("as-admin")]))[0]).totalLicenses).toBe(10);
        server.journalMutex = undefined;
        await executor.execute("rdls01", [install("admin-first")]);
        expect(server.journalMutex).toEqual({ createdBy: "Administrators", allows: ["Administrators", "SYSTEM"] });
        server.identity = "SYSTEM";
        const pack = server.packs.at(-1)!;
        expect(ok((await executor.execute("rdls01", [{ op: "uninstall", keyPackId: pack.id }]))[0])).toEqual({ keyPackId: pack.id });
    });

    it("renders the explicit security descriptor and opens with the rights a lock needs", () => {
        const script = runnerScriptOf([install("x")]);
        expect(script).toContain("[System.Threading.Mutex]::OpenExisting($name, [System.Security.AccessControl.MutexRights]'Synchronize, Modify')");
        expect(script).toContain("[System.Security.Principal.WellKnownSidType]::BuiltinAdministratorsSid, [System.Security.Principal.WellKnownSidType]::LocalSystemSid");
        expect(script).toContain("[System.Threading.Mutex]::new($false, $name, [ref]$created, $security)");
    });

    it("a mutex an older script created for its own identity only fails the step, saying why, and installs nothing", async () => {
        server.identity = "Administrators";
        server.journalMutex = { createdBy: "SYSTEM", allows: ["SYSTEM"] };
        const [installed] = await executor.execute("rdls01", [install("blocked")]);
        expect(failure(installed).kind).toBe("failed");
        expect(failure(installed).message).toMatch(/the journal lock Global\\rds-licensing-journal exists but this identity .* may not use it/);
        expect(server.packs.filter((p) => p.id !== 1)).toHaveLength(0);
    });

    it("negative control: without the security descriptor, the other identity cannot open it", async () => {
        await executor.execute("rdls01", [{ op: "status" }]);
        const script = renderBatchScript([planOk(install("nc"))], { nonce: "0123456789abcdef", budget: 3000 }).replace("[ref]$created, $security)", "[ref]$created)");
        const parameters = runner.calls.at(-1)!.secretParameters;
        const input = Buffer.from(JSON.stringify({ o: [{ key: "nc", num: AGREEMENT }] })).toString("base64");
        await server.run(script, { ...parameters, [INPUT_PARAMETER]: input });
        expect(server.journalMutex).toEqual({ createdBy: "SYSTEM", allows: ["SYSTEM"] });
        server.identity = "Administrators";
        const [installed] = await executor.execute("rdls01", [install("then")]);
        expect(failure(installed).message).toMatch(/may not use it/);
    });
});

function planOk(op: Operation) {
    const planned = planStep(0, op, DEFAULT_PRODUCT_VERSION_IDS);
    if (!planned.ok) throw new Error(planned.error.message);
    return planned.step;
}

function runnerScriptOf(ops: Operation[]): string {
    return renderBatchScript(
        ops.map((op, i) => ({ ...planOk(op), index: i })),
        { nonce: "0123456789abcdef", budget: 3000 },
    );
}

describe("country/region at activation: ISO codes in the config, names on the server", () => {
    const nl = { ...contact, countryRegion: "NL" };

    it("activates an English server with the English name, and reads the code back", async () => {
        const [activated] = await executor.execute("rdls01", [{ op: "activate", contact: nl }]);
        expect(ok<{ activation: string; contact: { countryRegion: string } }>(activated)).toMatchObject({ activation: "activated", contact: { countryRegion: "NL" } });
        expect(server.contact.CountryRegion).toBe("Netherlands");
    });

    it("activates a French server with the French name, the same stack, no drift on read-back", async () => {
        server.language = "fr-FR";
        const [activated, status] = await executor.execute("rdls01", [{ op: "activate", contact: nl }, { op: "status" }]);
        expect(ok<{ activation: string }>(activated).activation).toBe("activated");
        expect(server.contact.CountryRegion).toBe("Pays-Bas");
        expect(ok<{ contact: { countryRegion: string } }>(status).contact.countryRegion).toBe("NL");
    });

    it("a server refuses a bare ISO code, as the real provider is reported to (negative control: the script without the resolution)", async () => {
        await executor.execute("rdls01", [{ op: "status" }]);
        const script = runnerScriptOf([{ op: "activate", contact: nl }]).replace("CountryRegion = $country;", "CountryRegion = [string]$I.country;");
        const input = Buffer.from(JSON.stringify({ o: [{ first: "Ada", last: "Lovelace", company: "Analytical Engines", country: "NL", email: "" }] })).toString("base64");
        const { stdout } = await server.run(script, { ...runner.calls.at(-1)!.secretParameters, [INPUT_PARAMETER]: input });
        expect(stdout).toContain("Invalid parameter");
        expect(server.activation).toBe(1);
        expect(server.contact.CountryRegion).toBe("NL");
    });

    it("renders the resolution on the server, and an unknown code is refused there", async () => {
        const script = runnerScriptOf([{ op: "activate", contact: nl }]);
        expect(script).toContain("$country = Resolve-RdlsCountryName ([string]$I.country)");
        expect(script).toContain("New-Object System.Globalization.RegionInfo($Code)");
        expect(script).toContain("cr = (ConvertTo-RdlsCountryCode ([string]$server.CountryRegion))");
        const [refused] = await executor.execute("rdls01", [{ op: "activate", contact: { ...contact, countryRegion: "QQ" } }]);
        expect(failure(refused)).toMatchObject({ kind: "invalid-parameter", returnValue: WbemCode.InvalidParameter });
        expect(failure(refused).message).toContain("country/region QQ is not a region this server knows");
    });
});
