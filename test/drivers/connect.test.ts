/**
 * The executor factories the provider registry loads for remote connections, and their one
 * environment setting: RDS_LICENSING_VERSION_ID_2025.
 */
import { describe, expect, it } from "vitest";
import { createAzureExecutor } from "../../src/drivers/connect-azure";
import { VERSION_ID_2025_ENV, productVersionIdsFromEnv } from "../../src/drivers/connect-env";
import { createSshExecutor } from "../../src/drivers/connect-ssh";
import { PowerShellExecutor } from "../../src/drivers/powershell";
import type { KeyPack, OperationResult } from "../../src/licensing";
import { FAKE_RESOURCE_GROUP, FAKE_SUBSCRIPTION, useFakeAzure } from "../support/azure-fixture";

describe("RDS_LICENSING_VERSION_ID_2025", () => {
    it("is no override when unset or blank", () => {
        expect(productVersionIdsFromEnv({})).toBeUndefined();
        expect(productVersionIdsFromEnv({ [VERSION_ID_2025_ENV]: "  " })).toBeUndefined();
    });

    it("overrides 2025's code", () => {
        expect(productVersionIdsFromEnv({ [VERSION_ID_2025_ENV]: "9" })).toEqual({ "2025": 9 });
        expect(productVersionIdsFromEnv({ [VERSION_ID_2025_ENV]: " 12 " })).toEqual({ "2025": 12 });
    });

    it("refuses what is not a uint32, or an older version's code, naming the variable", () => {
        for (const bad of ["abc", "-1", "1.5", "0x9", "4294967296", "7", "5"]) {
            expect(() => productVersionIdsFromEnv({ [VERSION_ID_2025_ENV]: bad }), bad).toThrow(VERSION_ID_2025_ENV);
        }
    });
});

describe("the factories", () => {
    const fake = useFakeAzure({ driverOverrides: true });
    const target = () => ({ subscriptionId: FAKE_SUBSCRIPTION, resourceGroupName: FAKE_RESOURCE_GROUP, vmName: fake.arm.vmName, endpoint: fake.arm.url });

    const packs = (r: OperationResult | undefined) => (r?.ok ? (r.value as KeyPack[]) : []);

    it("an Azure executor reads 2025 packs with the code from the environment", async () => {
        // A pack whose texts do not name its version: only its ProductVersionID tells.
        fake.windows.addPack({ total: 5, versionId: 9, versionText: "Windows Server", description: "RDS Per User CAL" });
        const [plain] = await createAzureExecutor(target(), {}).execute("rdls01", [{ op: "list-packs" }]);
        expect(packs(plain)).toEqual([]);
        const [overridden] = await createAzureExecutor(target(), { [VERSION_ID_2025_ENV]: "9" }).execute("rdls01", [{ op: "list-packs" }]);
        expect(packs(overridden)).toMatchObject([{ productVersion: "2025", productVersionId: 9 }]);
        expect(fake.arm.requests.every((r) => r.headers.authorization === "Bearer fake-arm-token")).toBe(true);
    });

    it("a bad override fails when the executor is created, before anything runs", () => {
        expect(() => createAzureExecutor(target(), { [VERSION_ID_2025_ENV]: "x" })).toThrow(VERSION_ID_2025_ENV);
        expect(fake.arm.requests).toEqual([]);
    });

    it("an SSH executor is created without connecting, and only with a valid host key pin", () => {
        const options = { host: "rdls01.corp.example", username: "admin", hostKeySha256: "SHA256:Yh3QkTt9W1pjYb0mV4yZcXfIhO1sQK2rLq9v8m0Jd7E" };
        expect(createSshExecutor(options, {})).toBeInstanceOf(PowerShellExecutor);
        expect(() => createSshExecutor({ ...options, hostKeySha256: "" }, {})).toThrow(/not a SHA-256 fingerprint/);
    });
});
