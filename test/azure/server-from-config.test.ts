/**
 * The stack config path: a valid `target: azure` config → AzureLicenseServer arguments → resources.
 * The config loader hands over plain strings; the passwords must come out secret.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { AzureLicenseServer, azureLicenseServerArgsFromConfig } from "../../components/azure";
import { validateStackConfig } from "../../src/config";
import { ADMIN_PASSWORD, AZURE_SECRET_PATHS, JOIN_PASSWORD, azureConfig, domainSettings } from "./support/fixtures";
import { installMocks, isSecretAt, unwrap, withoutSecrets, type MockRecorder } from "./support/mocks";

let mocks: MockRecorder;
let server: AzureLicenseServer;

beforeAll(async () => {
    mocks = await installMocks();
    const raw = azureConfig({
        createResourceGroup: true,
        windowsServerVersion: 2022,
        network: { vnetCidr: "10.50.0.0/16", subnetCidr: "10.50.2.0/24" },
        allowRdpFrom: ["10.0.0.0/8"],
        domain: domainSettings(),
        connectionBroker: true,
        adminPassword: ADMIN_PASSWORD,
        tags: { costCenter: "1234" },
    });
    const config = validateStackConfig(raw, (path) => AZURE_SECRET_PATHS.includes(path));
    server = new AzureLicenseServer("rds", azureLicenseServerArgsFromConfig(config), { transformations: [mocks.transformation] });
    await mocks.settle();
});

describe("AzureLicenseServer from the stack config", () => {
    it("names the VM after licenseServer.name, in the named resource group", () => {
        const vm = unwrap(mocks.one("azure-native:compute:VirtualMachine").inputs);
        expect(vm.vmName).toBe("RDLS-TEST01");
        expect(unwrap(mocks.one("azure-native:resources:ResourceGroup").inputs)).toMatchObject({ resourceGroupName: "rg-rds-licensing", location: "westeurope" });
        expect(vm.tags).toEqual({ "rds-licensing": "rds", costCenter: "1234" });
    });

    it("uses the configured network", () => {
        expect(unwrap(mocks.one("azure-native:network:VirtualNetwork").inputs).addressSpace.addressPrefixes).toEqual(["10.50.0.0/16"]);
        expect(unwrap(mocks.one("azure-native:network:Subnet").inputs).addressPrefix).toBe("10.50.2.0/24");
    });

    it("makes the plain config passwords secret", async () => {
        expect(isSecretAt(mocks.one("azure-native:compute:VirtualMachineExtension").inputs, "protectedSettings.Password")).toBe(true);
        expect(isSecretAt(mocks.one("azure-native:compute:VirtualMachine").inputs, "osProfile.adminPassword")).toBe(true);
        for (const r of mocks.resources) {
            const plain = JSON.stringify(withoutSecrets(r.inputs));
            expect(plain).not.toContain(JOIN_PASSWORD);
            expect(plain).not.toContain(ADMIN_PASSWORD);
        }
        expect(await pulumi.isSecret(server.adminPassword)).toBe(true);
    });
});
