/**
 * Key Vault delivery end to end: the CalKeyPack provider over an azure-run-command connection,
 * against the fake ARM endpoint and the fake Windows server (which plays IMDS and Key Vault). While
 * the pack installs and grows, no request to ARM (URL, headers, body, the protected parameter
 * decoded) carries any spelling of a number; by default, the numbers ride in the protected parameter.
 */
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { INPUT_PARAMETER } from "../../src/drivers/powershell/script-prelude";
import { calKeyPackProvider } from "../../src/providers/cal-key-pack/handlers";
import { UNKNOWN } from "../../src/providers/check";
import { connectionSchema, type Connection } from "../../src/providers/connection";
import type { RecordedRequest } from "../drivers/support/fake-arm";
import { FAKE_RESOURCE_GROUP, FAKE_SUBSCRIPTION, useFakeAzure } from "../support/azure-fixture";
import { SECRETS } from "../support/config-fixtures";
import { expectNoSecrets, secretForms } from "../support/secrets";

const URI = "https://kv-rds-test.vault.azure.net/secrets/cal-ea-users/0123456789abcdef0123456789abcdef";

const fake = useFakeAzure({ driverOverrides: true });

function connection(): Connection {
    return connectionSchema.parse({ kind: "azure-run-command", subscriptionId: FAKE_SUBSCRIPTION, resourceGroupName: FAKE_RESOURCE_GROUP, vmName: fake.arm.vmName, endpoint: fake.arm.url });
}

function inputs(extra: Record<string, unknown> = {}) {
    return {
        providerVersion: "1",
        connection: connection(),
        server: "rdls01",
        packKey: "proj/dev/ea-users",
        requestKeySecret: "b7d".repeat(22),
        program: "enterprise-agreement",
        // As typed in the stack config: the provider normalizes it.
        agreementNumber: ` ${SECRETS.agreementNumber} `,
        productVersion: "2022",
        licenseType: "per-user",
        count: 40,
        allowDeleteWithIssuedLicenses: false,
        ...extra,
    };
}

/** Everything a request shows: method, URL, headers, body, and each protected parameter decoded from base64. */
function everythingSent(requests: readonly RecordedRequest[]): string {
    return requests
        .map((r) => {
            const decoded: string[] = [];
            try {
                const body = JSON.parse(r.body) as { properties?: { protectedParameters?: { value: string }[] } };
                for (const p of body.properties?.protectedParameters ?? []) decoded.push(Buffer.from(p.value, "base64").toString("utf8"));
            } catch {
                // Not JSON (a GET or a poll): its body is scanned as is.
            }
            return [r.method, r.url, JSON.stringify(r.headers), r.body, ...decoded].join("\n");
        })
        .join("\n");
}

beforeAll(() => {
    process.env.RDS_LICENSING_QUIET = "1";
});

beforeEach(() => {
    fake.windows.activation = 0;
    fake.windows.vault.set(URI, JSON.stringify({ agreementNumber: SECRETS.agreementNumber }));
});

describe("CalKeyPack with numbersSecretUri over Run Command", () => {
    it("installs and grows the pack from the vault; no ARM request carries a number", async () => {
        const given = inputs({ numbersSecretUri: URI });
        expect((await calKeyPackProvider.check({}, given)).failures).toBeUndefined();
        const created = await calKeyPackProvider.create(given);
        expect(created.outs).toMatchObject({ totalLicenses: 40, numbersSecretUri: URI });
        const updated = await calKeyPackProvider.update(created.id, created.outs, { ...given, count: 55 });
        expect(updated.outs).toMatchObject({ totalLicenses: 55 });

        // Both installs reached WMI with the vault's number, read twice from Key Vault.
        expect(fake.windows.installCalls).toEqual(["InstallAgreementLicenseKeyPack", "InstallAgreementLicenseKeyPack"]);
        expect(fake.windows.packs.filter((p) => p.id !== 1).map((p) => p.numbers)).toEqual([
            `InstallAgreementLicenseKeyPack:${SECRETS.agreementNumber}`,
            `InstallAgreementLicenseKeyPack:${SECRETS.agreementNumber}`,
        ]);
        expect(fake.windows.vaultReads).toHaveLength(2);

        const puts = fake.arm.requests.filter((r) => r.method === "PUT");
        expect(puts.length).toBeGreaterThanOrEqual(2);
        const sent = everythingSent(fake.arm.requests);
        expect(sent).toContain(URI);
        expectNoSecrets(sent, "the requests to ARM", [` ${SECRETS.agreementNumber} `]);
        expect(fake.arm.remaining).toEqual([]);
    });

    it("refuses a numbersSecretUri that is not a versioned secret URI at check, before any server is touched", async () => {
        const result = await calKeyPackProvider.check({}, inputs({ numbersSecretUri: "https://kv-rds-test.vault.azure.net/secrets/cal-ea-users" }));
        expect(result.failures?.map((f) => f.property)).toEqual(["numbersSecretUri"]);
        expect(result.failures?.[0]?.reason).toContain("versioned Key Vault secret URI");
        // At the first preview the secret does not exist yet: its URI is unknown, and that passes.
        expect((await calKeyPackProvider.check({}, inputs({ numbersSecretUri: UNKNOWN }))).failures).toBeUndefined();
        expect(fake.arm.requests).toEqual([]);
    });

    it("switching delivery to Key Vault is an in-place update that touches no server", async () => {
        const created = await calKeyPackProvider.create(inputs());
        const before = fake.arm.requests.length;
        const diff = await calKeyPackProvider.diff(created.id, created.outs, inputs({ numbersSecretUri: URI }));
        expect(diff).toMatchObject({ changes: true, replaces: [] });
        const updated = await calKeyPackProvider.update(created.id, created.outs, inputs({ numbersSecretUri: URI }));
        expect(updated.outs).toMatchObject({ numbersSecretUri: URI, totalLicenses: 40 });
        expect(fake.arm.requests.length).toBe(before);
    });
});

describe("the default delivery", () => {
    it("sends the numbers in the run command's protected parameter, and only there", async () => {
        await calKeyPackProvider.create(inputs());
        const put = fake.arm.requests.find((r) => r.method === "PUT")!;
        const body = JSON.parse(put.body) as { properties: { protectedParameters: { name: string; value: string }[]; parameters?: unknown[]; source: { script: string } } };
        const input = body.properties.protectedParameters.find((p) => p.name === INPUT_PARAMETER)!;
        const decoded = Buffer.from(input.value, "base64").toString("utf8");
        expect(secretForms([SECRETS.agreementNumber]).some((form) => decoded.includes(form))).toBe(true);
        expectNoSecrets(body.properties.source.script, "the script");
        expectNoSecrets(JSON.stringify(body.properties.parameters ?? []), "the plain parameters");
        expect(fake.windows.vaultReads).toEqual([]);
    });
});
