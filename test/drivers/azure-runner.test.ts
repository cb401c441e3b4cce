import { describe, expect, it } from "vitest";
import { createAzureExecutor, setAzureTestOverrides } from "../../src/drivers/connect-azure";
import { PowerShellExecutor } from "../../src/drivers/powershell";
import { INPUT_PARAMETER } from "../../src/drivers/powershell/script-prelude";
import { AzureRunCommandRunner, type AzureRunCommandRunnerOptions } from "../../src/drivers/runners";
import type { KeyPack, LicensingError, Operation } from "../../src/licensing";
import { FAKE_ARM_CREDENTIAL, FAKE_RESOURCE_GROUP, FAKE_SUBSCRIPTION, useFakeAzure } from "../support/azure-fixture";
import { ok, rejection } from "../support/results";

const AGREEMENT = "6203941";
const OPEN = { licenseNumber: "31415926", authorizationNumber: "QWERT12345ASDFG" };
const RETAIL = "ZXCVB-98765-POIUY-13579-LKJHG";
const fake = useFakeAzure();

function runner(overrides: Partial<AzureRunCommandRunnerOptions> = {}) {
    return new AzureRunCommandRunner({
        subscriptionId: FAKE_SUBSCRIPTION,
        resourceGroupName: FAKE_RESOURCE_GROUP,
        vmName: fake.arm.vmName,
        endpoint: fake.arm.url,
        credential: FAKE_ARM_CREDENTIAL,
        pollIntervalMs: 10,
        maxRetries: 0,
        ...overrides,
    });
}

describe("Azure managed Run Command runner against a fake ARM endpoint", () => {
    it("drives install, list, remove and uninstall, one run command per execution, each deleted", async () => {
        const executor = new PowerShellExecutor({ runner: runner(), timeoutMs: 120_000 });
        const contact = { firstName: "Grace", lastName: "Hopper", company: "Navy", countryRegion: "US" };
        const [activated] = await executor.execute("rdls", [{ op: "activate", contact }]);
        expect(ok<{ activation: string }>(activated).activation).toBe("activated");

        const installs: Operation[] = [
            { op: "install", requestKey: "ea", spec: { program: "enterprise-agreement", agreementNumber: AGREEMENT, productVersion: "2022", licenseType: "per-user", count: 50 } },
            { op: "install", requestKey: "ol", spec: { program: "open-license", ...OPEN, productVersion: "2019", licenseType: "per-device", count: 5 } },
            { op: "install", requestKey: "rt", spec: { program: "retail", licenseCode: RETAIL, productVersion: "2022", licenseType: "per-user", count: 10 } },
        ];
        const installed = (await executor.execute("rdls", installs)).map((r) => ok<KeyPack>(r));
        expect(installed.map((p) => [p.programName, p.productVersion, p.licenseType, p.totalLicenses])).toEqual([
            ["Enterprise Agreement", "2022", "per-user", 50],
            ["Open License", "2019", "per-device", 5],
            ["Retail Purchase", "2022", "per-user", 10],
        ]);

        const [listed] = await executor.execute("rdls", [{ op: "list-packs" }]);
        expect(ok<KeyPack[]>(listed)).toEqual(installed);

        const [removed] = await executor.execute("rdls", [{ op: "remove-licenses", keyPackId: installed[0]!.keyPackId, count: 20 }]);
        expect(ok<KeyPack>(removed).availableLicenses).toBe(30);

        const [uninstalled, after] = await executor.execute("rdls", [{ op: "uninstall", keyPackId: installed[1]!.keyPackId }, { op: "list-packs" }]);
        expect(ok(uninstalled)).toEqual({ keyPackId: installed[1]!.keyPackId });
        expect(ok<KeyPack[]>(after).map((p) => p.keyPackId)).toEqual([installed[0]!.keyPackId, installed[2]!.keyPackId]);

        // Five executions: each a PUT of a fresh run command, read with its instance view, deleted.
        const puts = fake.arm.requests.filter((r) => r.method === "PUT");
        expect(puts).toHaveLength(5);
        const names = puts.map((r) => /\/runCommands\/([^?]+)/.exec(r.url)![1]);
        expect(new Set(names).size).toBe(5);
        for (const name of names) {
            const own = fake.arm.runCommandRequests().filter((r) => r.url.includes(`/runCommands/${name}?`));
            expect(own.map((r) => r.method)).toEqual(expect.arrayContaining(["PUT", "GET", "DELETE"]));
            expect(own.some((r) => r.method === "GET" && r.url.includes("%24expand=instanceView"))).toBe(true);
        }
        expect(fake.arm.remaining).toEqual([]);
        // The VM location is read once, then reused.
        expect(fake.arm.requests.filter((r) => r.method === "GET" && /virtualMachines\/[^/?]+\?/.test(r.url))).toHaveLength(1);
        // LROs were followed through their Azure-AsyncOperation / Location URLs.
        expect(fake.arm.requests.some((r) => r.url.includes("/operations/"))).toBe(true);

        const body = JSON.parse(puts[0]!.body);
        expect(body.location).toBe("westeurope");
        expect(body.properties).toMatchObject({ asyncExecution: false, treatFailureAsDeploymentFailure: false, timeoutInSeconds: 120 });
        expect(body.properties.source.script).toContain("Invoke-RdlsStep 0 'activate'");
        expect(body.properties.protectedParameters.map((p: { name: string }) => p.name)).toEqual([INPUT_PARAMETER]);
        expect(body.properties.parameters ?? []).toEqual([]);
        expect(puts[0]!.headers.authorization).toBe("Bearer fake-arm-token");
    });

    it("sends secrets in protectedParameters and nowhere else", async () => {
        const executor = new PowerShellExecutor({ runner: runner() });
        fake.windows.activation = 0;
        await executor.execute("rdls", [
            { op: "install", requestKey: "ea", spec: { program: "spla", agreementNumber: AGREEMENT, productVersion: "2016", licenseType: "per-user", count: 1 } },
            { op: "install", requestKey: "ol", spec: { program: "open-license", ...OPEN, productVersion: "2016", licenseType: "per-user", count: 1 } },
            { op: "install", requestKey: "rt", spec: { program: "retail", licenseCode: RETAIL, productVersion: "2016", licenseType: "per-user", count: 1 } },
        ]);
        const secrets = [AGREEMENT, OPEN.licenseNumber, OPEN.authorizationNumber, RETAIL, RETAIL.replace(/-/g, "")];
        const encodings = (s: string) => [s, Buffer.from(s).toString("base64"), Buffer.from(s, "utf16le").toString("base64")];
        let carried = "";
        for (const request of fake.arm.requests) {
            let rest = request.body;
            if (request.method === "PUT") {
                const body = JSON.parse(request.body);
                carried += Buffer.from(body.properties.protectedParameters[0].value, "base64").toString("utf8");
                const input = body.properties.protectedParameters[0].value as string;
                delete body.properties.protectedParameters;
                rest = JSON.stringify(body);
                expect(rest).not.toContain(input);
            }
            const visible = `${request.url}\n${JSON.stringify(request.headers)}\n${rest}`;
            for (const secret of secrets) for (const form of encodings(secret)) expect(visible).not.toContain(form);
        }
        // Positive control: they did travel, in the protected input.
        for (const secret of [AGREEMENT, OPEN.licenseNumber, OPEN.authorizationNumber, RETAIL.replace(/-/g, "")]) expect(carried).toContain(secret);
    });

    it("reads a 200-pack listing back through several run commands, each output under 4 KB", async () => {
        for (let i = 0; i < 200; i++) fake.windows.addPack({ total: 5 + i, description: `Windows Server 2022 - RDS Per User CAL #${i}` });
        fake.windows.noise = Array.from({ length: 80 }, (_, i) => `WARNING: noise line ${i} that Run Command will cut away`);
        const executor = new PowerShellExecutor({ runner: runner() });
        const [listed] = await executor.execute("rdls", [{ op: "list-packs" }]);
        expect(ok<KeyPack[]>(listed)).toHaveLength(200);
        expect(fake.arm.requests.filter((r) => r.method === "PUT").length).toBeGreaterThan(1);
        for (const execution of fake.windows.executions) expect(Buffer.byteLength(execution.stdout)).toBeGreaterThan(4096);
        expect(fake.arm.remaining).toEqual([]);
    });
});

describe("Azure failures", () => {

    it("409 conflict: transient, with the service's Retry-After", async () => {
        fake.arm.faults.push({ method: "PUT", pathIncludes: "/runCommands/", status: 409, code: "Conflict", message: "Run command extension execution is in progress.", headers: { "retry-after": "45" } });
        const error = await rejection(runner({ location: "westeurope" }).run("Write-Output 1", {}, { timeoutMs: 60_000 }));
        expect(error).toMatchObject({ kind: "transient", retryAfterMs: 45_000 });
        expect(error.message).toMatch(/conflicts.*409/);
        expect(fake.arm.requests.filter((r) => r.method === "DELETE")).toHaveLength(0);
    });

    it("429 throttling: transient with retryAfterMs when retries are exhausted", async () => {
        fake.arm.faults.push({ method: "PUT", pathIncludes: "/runCommands/", status: 429, code: "TooManyRequests", message: "Too many requests", headers: { "retry-after": "30" } });
        const error = await rejection(runner({ location: "westeurope" }).run("Write-Output 1", {}, { timeoutMs: 60_000 }));
        expect(error).toMatchObject({ kind: "transient", retryAfterMs: 30_000 });
        expect(error.message).toMatch(/throttled.*429.*30 s/);
    });

    it("429 throttling: the SDK waits Retry-After and retries when allowed", async () => {
        fake.arm.faults.push({ method: "PUT", pathIncludes: "/runCommands/", status: 429, code: "TooManyRequests", message: "Too many requests", headers: { "retry-after": "1" } });
        const executor = new PowerShellExecutor({ runner: runner({ maxRetries: 2 }) });
        const [status] = await executor.execute("rdls", [{ op: "status" }]);
        expect(ok<{ name: string }>(status).name).toBe("RDLS01");
        expect(fake.arm.requests.filter((r) => r.method === "PUT")).toHaveLength(2);
    });

    it("a deallocated VM: failed, saying to start it", async () => {
        fake.arm.powerState = "deallocated";
        const error = await rejection(runner().run("Write-Output 1", {}, { timeoutMs: 60_000 }));
        expect(error.kind).toBe("failed");
        expect(error.message).toMatch(/not running.*start it/);
    });

    it("the VM agent not ready: transient", async () => {
        fake.arm.nextDeploymentError = { code: "VMAgentStatusCommunicationError", message: "VM 'rdls-vm' has not reported status for VM agent or extensions." };
        const error = await rejection(runner().run("Write-Output 1", {}, { timeoutMs: 60_000 }));
        expect(error.kind).toBe("transient");
        expect(error.message).toMatch(/agent is not ready/);
        expect(fake.arm.remaining).toEqual([]);
    });

    it("a script timing out on the VM: transient, and the run command is still deleted", async () => {
        fake.arm.nextExecutionTimesOut = true;
        const error = await rejection(new PowerShellExecutor({ runner: runner(), timeoutMs: 90_000 }).execute("rdls", [{ op: "status" }]));
        expect(error.kind).toBe("transient");
        expect(error.message).toMatch(/did not finish within 90 s/);
        expect(fake.arm.remaining).toEqual([]);
    });

    it("an unknown VM: failed", async () => {
        const error = await rejection(runner({ vmName: "nope" }).run("Write-Output 1", {}, { timeoutMs: 60_000 }));
        expect(error.kind).toBe("failed");
        expect(error.message).toMatch(/VM nope.*not found/);
    });

    it("no permission: failed, naming the role to grant", async () => {
        fake.arm.faults.push({ method: "PUT", pathIncludes: "/runCommands/", status: 403, code: "AuthorizationFailed", message: "The client does not have authorization to perform action" });
        const error = await rejection(runner({ location: "westeurope" }).run("Write-Output 1", {}, { timeoutMs: 60_000 }));
        expect(error.kind).toBe("failed");
        expect(error.message).toMatch(/Virtual Machine Contributor/);
    });

    it("a run command that cannot be deleted is reported, and the result still returned", async () => {
        fake.arm.faults.push({ method: "DELETE", pathIncludes: "/runCommands/", status: 500, code: "InternalServerError", message: "boom" });
        const cleanup: LicensingError[] = [];
        const executor = new PowerShellExecutor({ runner: runner({ onCleanupError: (e) => cleanup.push(e) }) });
        const [status] = await executor.execute("rdls", [{ op: "status" }]);
        expect(status!.ok).toBe(true);
        expect(cleanup).toHaveLength(1);
        expect(cleanup[0]!.message).toMatch(/HTTP 500/);
    });

    it("an unreachable endpoint: transient", async () => {
        const url = fake.arm.url;
        await fake.arm.stop();
        const error = await rejection(runner({ endpoint: url, location: "westeurope" }).run("Write-Output 1", {}, { timeoutMs: 60_000 }));
        expect(error.kind).toBe("transient");
        await fake.arm.start();
    });
});

describe("running as a domain identity (runAs)", () => {
    const RUN_AS = { user: "CORP\\svc-rds", password: "Run-As-Pa55word!7c1e" };
    const forms = (s: string) => [s, Buffer.from(s).toString("base64"), Buffer.from(s, "utf16le").toString("base64"), encodeURIComponent(s)];

    it("sends runAsUser / runAsPassword as the run command's own properties, and the password nowhere else", async () => {
        const executor = new PowerShellExecutor({ runner: runner({ runAs: RUN_AS }) });
        await executor.execute("rdls", [
            { op: "status" },
            { op: "install", requestKey: "ea", spec: { program: "enterprise-agreement", agreementNumber: AGREEMENT, productVersion: "2022", licenseType: "per-user", count: 5 } },
        ]);
        const puts = fake.arm.requests.filter((r) => r.method === "PUT");
        expect(puts.length).toBeGreaterThan(0);
        expect(fake.arm.runAs).toEqual(puts.map((r) => ({ runCommand: /\/runCommands\/([^?]+)/.exec(r.url)![1], runAsUser: RUN_AS.user, runAsPassword: RUN_AS.password })));
        for (const request of fake.arm.requests) {
            let rest = request.body;
            if (request.method === "PUT") {
                const body = JSON.parse(request.body);
                expect(body.properties.runAsPassword).toBe(RUN_AS.password);
                // Not in the script, the (protected) parameters or anywhere else in the body.
                expect(body.properties.source.script).not.toContain(RUN_AS.password);
                for (const p of [...(body.properties.protectedParameters ?? []), ...(body.properties.parameters ?? [])]) {
                    for (const form of forms(RUN_AS.password)) expect(Buffer.from(p.value, "base64").toString("utf8") + p.value).not.toContain(form);
                }
                delete body.properties.runAsPassword;
                rest = JSON.stringify(body);
            }
            const visible = `${request.url}\n${JSON.stringify(request.headers)}\n${rest}`;
            for (const form of forms(RUN_AS.password)) expect(visible, `${request.method} ${request.url}`).not.toContain(form);
        }
    });

    it("sends no runAs fields without runAs (the script runs as SYSTEM)", async () => {
        await new PowerShellExecutor({ runner: runner() }).execute("rdls", [{ op: "status" }]);
        expect(fake.arm.runAs.length).toBeGreaterThan(0);
        for (const recorded of fake.arm.runAs) expect(Object.keys(recorded)).toEqual(["runCommand"]);
    });

    it("redacts the password from an error Azure echoes it in", async () => {
        fake.arm.faults.push({ method: "PUT", pathIncludes: "/runCommands/", status: 400, code: "InvalidParameter", message: `The runAsPassword '${RUN_AS.password}' does not meet the requirements.` });
        const error = await rejection(runner({ runAs: RUN_AS, location: "westeurope" }).run("Write-Output 1", {}, { timeoutMs: 60_000 }));
        expect(error.kind).toBe("failed");
        expect(error.message).toContain("The runAsPassword '***' does not meet the requirements.");
        for (const text of [error.message, String(error.stack), JSON.stringify(error), JSON.stringify(error.toData())]) expect(text).not.toContain(RUN_AS.password);
    });

    it("masks the password in what the script printed (stdout to the same length: its result block states its length)", async () => {
        fake.arm.scriptHosts.push(async () => ({ stdout: `out ${RUN_AS.password} end`, stderr: `err ${RUN_AS.password}`, exitCode: 0 }));
        const output = await runner({ runAs: RUN_AS, location: "westeurope" }).run("Write-Output 1", {}, { timeoutMs: 60_000 });
        expect(output).toEqual({ stdout: `out ${"*".repeat(RUN_AS.password.length)} end`, stderr: "err ***", exitCode: 0 });
    });

    it("refuses a runAs without a password before any request", () => {
        expect(() => runner({ runAs: { user: RUN_AS.user, password: "" } })).toThrow("runAs needs both user and password");
        expect(fake.arm.requests).toEqual([]);
    });

    it("is passed on by the executor factory (connect-azure) from AzureConnectOptions.runAs", async () => {
        setAzureTestOverrides({ credential: FAKE_ARM_CREDENTIAL, pollIntervalMs: 10 });
        try {
            const executor = createAzureExecutor({ subscriptionId: FAKE_SUBSCRIPTION, resourceGroupName: FAKE_RESOURCE_GROUP, vmName: fake.arm.vmName, endpoint: fake.arm.url, runAs: RUN_AS });
            await executor.execute("rdls", [{ op: "status" }]);
        } finally {
            setAzureTestOverrides({});
        }
        expect(fake.arm.runAs.map((r) => r.runAsUser)).toEqual([RUN_AS.user]);
    });
});
