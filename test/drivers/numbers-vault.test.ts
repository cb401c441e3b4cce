/**
 * CAL numbers delivered through Azure Key Vault: the install script reads them on the server with
 * the VM's managed identity (IMDS token, then Get Secret), so the input parameter, which managed Run
 * Command puts on the script's command line, carries only the secret's URI. The fake Windows server
 * plays IMDS and Key Vault (token, 200, 403 while the role propagates, 404, unreachable).
 */
import { beforeEach, describe, expect, it } from "vitest";
import { PowerShellExecutor } from "../../src/drivers/powershell";
import { INPUT_PARAMETER } from "../../src/drivers/powershell/script-prelude";
import { VAULT_ATTEMPTS } from "../../src/drivers/powershell/numbers-vault-script";
import type { KeyPack, Operation } from "../../src/licensing";
import { SECRETS } from "../support/config-fixtures";
import { expectNoSecrets, secretForms } from "../support/secrets";
import { failure, ok } from "../support/results";
import { FakeRunner } from "./support/fake-runner";
import { FakeWindowsServer } from "./support/fake-windows";
import { parsed } from "./support/powershell-syntax";

const URI = "https://kv-rds-test.vault.azure.net/secrets/cal-ea-users/0123456789abcdef0123456789abcdef";
const RETAIL_URI = "https://kv-rds-test.vault.azure.net/secrets/cal-retail/fedcba9876543210fedcba9876543210";

/** An Enterprise Agreement install; `numbersSecretUri` null: the default delivery. */
function agreementInstall(requestKey: string, numbersSecretUri: string | null = URI): Operation {
    const spec = { program: "enterprise-agreement" as const, agreementNumber: SECRETS.agreementNumber, productVersion: "2022" as const, licenseType: "per-user" as const, count: 25 };
    return { op: "install", requestKey, spec: numbersSecretUri ? { ...spec, numbersSecretUri } : spec } as Operation;
}

let server: FakeWindowsServer;
let runner: FakeRunner;
let executor: PowerShellExecutor;

beforeEach(() => {
    server = new FakeWindowsServer();
    server.activation = 0;
    server.vault.set(URI, JSON.stringify({ agreementNumber: SECRETS.agreementNumber }));
    runner = new FakeRunner(server);
    executor = new PowerShellExecutor({ runner });
});

/** The decoded input parameter of the last execution. */
const lastInput = () => Buffer.from(runner.calls.at(-1)!.secretParameters[INPUT_PARAMETER]!, "base64").toString("utf8");

describe("numbers from Key Vault", () => {
    it("installs the pack with the vault's numbers; the input parameter holds the URI and no number", async () => {
        const [result] = await executor.execute("rdls01", [agreementInstall("req-1")]);
        expect(ok<KeyPack>(result)).toMatchObject({ programName: "Enterprise Agreement", totalLicenses: 25, licenseType: "per-user" });
        // The number reached WMI: the fake's Clearinghouse holds the pack under it.
        expect(server.packs.at(-1)!.numbers).toBe(`InstallAgreementLicenseKeyPack:${SECRETS.agreementNumber}`);
        expect(server.vaultReads).toEqual([`${URI}?api-version=7.4`]);
        const input = lastInput();
        expect(JSON.parse(input)).toEqual({ o: [{ key: "req-1", kv: URI }] });
        expectNoSecrets(input, "the input parameter");
        expectNoSecrets(runner.calls.at(-1)!.script, "the script");
        await parsed(runner.calls.at(-1)!.script);
    });

    it("reads a retail code and an open license's two numbers, whatever their spelling in the vault", async () => {
        server.vault.set(RETAIL_URI, JSON.stringify({ licenseCode: SECRETS.licenseCode.replace(/-/g, "") }));
        const openUri = RETAIL_URI.replace("cal-retail", "cal-open");
        server.vault.set(openUri, JSON.stringify({ licenseNumber: SECRETS.licenseNumber, authorizationNumber: SECRETS.authorizationNumber }));
        const retail = { op: "install", requestKey: "req-r", allowReinstall: true, spec: { program: "retail", licenseCode: SECRETS.licenseCode, productVersion: "2022", licenseType: "per-user", count: 10, numbersSecretUri: RETAIL_URI } } as Operation;
        const open = { op: "install", requestKey: "req-o", spec: { program: "open-license", licenseNumber: SECRETS.licenseNumber, authorizationNumber: SECRETS.authorizationNumber, productVersion: "2022", licenseType: "per-device", count: 5, numbersSecretUri: openUri } } as Operation;
        const results = await executor.execute("rdls01", [retail, open]);
        expect(ok<KeyPack>(results[0])).toMatchObject({ totalLicenses: 10 });
        expect(ok<KeyPack>(results[1])).toMatchObject({ totalLicenses: 5, licenseType: "per-device" });
        expect(runner.calls).toHaveLength(1);
        expectNoSecrets(lastInput(), "the input parameter");
        await parsed(runner.calls[0]!.script);
    });

    it("retries while Key Vault answers 403 (the role assignment propagating), then installs", async () => {
        server.vaultDenials = 3;
        const [result] = await executor.execute("rdls01", [agreementInstall("req-1")]);
        expect(ok<KeyPack>(result).totalLicenses).toBe(25);
        expect(server.vaultReads).toHaveLength(4);
    });

    it("gives up after a bounded number of 403s, naming the secret and the role, with no number", async () => {
        server.vaultDenials = VAULT_ATTEMPTS;
        const [result] = await executor.execute("rdls01", [agreementInstall("req-1")]);
        const error = failure(result);
        expect(server.vaultReads).toHaveLength(VAULT_ATTEMPTS);
        expect(error.kind).toBe("failed");
        expect(error.message).toContain(URI);
        expect(error.message).toContain("403");
        expect(error.message).toContain("Key Vault Secrets User");
        expect(error.message).toContain("run pulumi up again");
        expect(server.packs.filter((p) => p.id !== 1)).toEqual([]);
        expectNoSecrets(error.message, "the error");
    });

    it("a deleted secret (404), an unreachable vault and a VM without identity: typed failures naming the URI and the fix", async () => {
        server.vault.clear();
        const gone = failure((await executor.execute("rdls01", [agreementInstall("req-1")]))[0]);
        expect(gone.message).toContain(`Key Vault has no secret ${URI} (404)`);
        expect(gone.message).toContain("run pulumi up to write it again");

        server.vault.set(URI, JSON.stringify({ agreementNumber: SECRETS.agreementNumber }));
        server.vaultUnreachable = true;
        const unreachable = failure((await executor.execute("rdls01", [agreementInstall("req-2")]))[0]);
        expect(unreachable.message).toContain(`Key Vault could not be reached for ${URI}`);
        expect(unreachable.message).toContain("docs/secrets-on-the-vm.md");

        server.managedIdentity = false;
        const noIdentity = failure((await executor.execute("rdls01", [agreementInstall("req-3")]))[0]);
        expect(noIdentity.message).toContain("system-assigned identity");
        for (const e of [gone, unreachable, noIdentity]) {
            expect(e.kind).toBe("failed");
            expectNoSecrets(e.message, "the error");
        }
        expect(server.installCalls).toEqual([]);
    });

    it("a secret without the program's number fails naming the missing field, not a value", async () => {
        server.vault.set(URI, JSON.stringify({ licenseCode: SECRETS.licenseCode }));
        const error = failure((await executor.execute("rdls01", [agreementInstall("req-1")]))[0]);
        expect(error.message).toContain(`the Key Vault secret ${URI} holds no agreementNumber`);
        expectNoSecrets(error.message, "the error");
        expect(server.installCalls).toEqual([]);
    });

    it("reads the vault before taking the journal lock, and a retried install of a known request key returns its pack", async () => {
        await executor.execute("rdls01", [agreementInstall("req-1")]);
        const [again] = await executor.execute("rdls01", [agreementInstall("req-1")]);
        expect(ok<KeyPack>(again).totalLicenses).toBe(25);
        expect(server.installCalls).toEqual(["InstallAgreementLicenseKeyPack"]);
        expect(server.vaultReads).toHaveLength(2);
        const body = runner.calls[0]!.script.slice(runner.calls[0]!.script.indexOf("Invoke-RdlsStep 0"));
        expect(body.indexOf("Read-RdlsVaultNumbers")).toBeLessThan(body.indexOf("Enter-RdlsLock"));
    });

    it("refuses a reference that is not a versioned Key Vault secret URI before anything runs", async () => {
        const [result] = await executor.execute("rdls01", [agreementInstall("req-1", "https://kv-rds-test.vault.azure.net/secrets/cal-ea-users")]);
        expect(failure(result)).toMatchObject({ kind: "invalid-parameter" });
        expect(failure(result).message).toContain("numbersSecretUri");
        expect(runner.calls).toEqual([]);
    });
});

describe("the default: protected parameters", () => {
    it("sends the numbers in the input parameter, and the script has no Key Vault code", async () => {
        const [result] = await executor.execute("rdls01", [agreementInstall("req-1", null)]);
        expect(ok<KeyPack>(result).totalLicenses).toBe(25);
        const input = lastInput();
        expect(secretForms([SECRETS.agreementNumber]).some((form) => input.includes(form))).toBe(true);
        expect(JSON.parse(input).o[0].kv).toBeUndefined();
        const script = runner.calls[0]!.script;
        expect(script).not.toContain("Read-RdlsVaultNumbers");
        expect(script).not.toContain("169.254.169.254");
        expect(server.vaultReads).toEqual([]);
        await parsed(script);
    });
});
