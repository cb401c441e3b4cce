/**
 * Bad settings stop the program before any resource is registered: the stack config (ConfigError
 * naming the key) and the component's own argument check.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { AzureLicenseServer, azureLicenseServerArgsFromConfig, LicensingConfiguration, LicensingMode, type AzureLicenseServerArgs } from "../../components/azure";
import { ConfigError, validateStackConfig } from "../../src/config";
import { AZURE_SECRET_PATHS, azureConfig, domainSettings } from "./support/fixtures";
import { installMocks, type MockRecorder } from "./support/mocks";

let mocks: MockRecorder;
beforeAll(async () => {
    mocks = await installMocks();
});

/** The stack program's order: validate the config, then build. */
function program(raw: Record<string, unknown>, plainPaths: string[] = []): AzureLicenseServer {
    const config = validateStackConfig(raw, (path) => AZURE_SECRET_PATHS.includes(path) && !plainPaths.includes(path));
    return new AzureLicenseServer("rdls", azureLicenseServerArgsFromConfig(config), { transformations: [mocks.transformation] });
}

describe("nothing is registered when settings are wrong", () => {
    it.each([
        ["a bad region", { location: "westeurop" }, [], "rds-licensing:azure.location"],
        ["a bad VM size", { vmSize: "D2s_v5" }, [], "rds-licensing:azure.vmSize"],
        ["a subnet outside the VNet", { network: { vnetCidr: "10.10.0.0/16", subnetCidr: "10.20.1.0/24" } }, [], "rds-licensing:azure.network.subnetCidr"],
        ["a broker without a domain", { connectionBroker: true }, [], "rds-licensing:azure.domain"],
        ["a plain-text join password", { domain: domainSettings() }, ["azure.domain.joinPassword"], "rds-licensing:azure.domain.joinPassword"],
        ["a plain-text admin password", { adminPassword: "Plain-Text-Pa55-0001" }, ["azure.adminPassword"], "rds-licensing:azure.adminPassword"],
    ] as const)("stack config with %s", (_what, azure, plain, key) => {
        let error: unknown;
        try {
            program(azureConfig(azure), [...plain]);
        } catch (err) {
            error = err;
        }
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).problems.map((p) => p.key)).toContain(key);
        expect(mocks.resources).toEqual([]);
    });

    const base: AzureLicenseServerArgs = { serverName: "RDLS01", location: "westeurope" };
    it.each<[string, Partial<AzureLicenseServerArgs>, string]>([
        ["a bad region", { location: "mars-north" }, "location is not an Azure region name"],
        ["a bad VM size", { vmSize: "big" }, "vmSize must be an Azure VM size name"],
        ["a bad computer name", { serverName: "A-NAME-TOO-LONG-FOR-WINDOWS" }, "serverName must be a Windows computer name"],
        ["a CIDR with host bits", { network: { vnetCidr: "10.10.0.1/16", subnetCidr: "10.10.1.0/24" } }, "did you mean 10.10.0.0/16?"],
        ["a subnet outside the VNet", { network: { vnetCidr: "10.10.0.0/16", subnetCidr: "192.168.1.0/24" } }, "is not inside network.vnetCidr"],
        ["a broker without a domain", { connectionBroker: true }, "domain is required with connectionBroker"],
        ["an existing group without a name", { createResourceGroup: false }, "resourceGroupName is required"],
        ["a bad RDP source", { allowRdpFrom: ["anywhere"] }, "allowRdpFrom.0 must be a CIDR"],
        ["a reserved admin name", { adminUsername: "Administrator" }, "adminUsername is a name Azure refuses"],
        ["a 2016 image", { windowsServerVersion: "2016" as never }, "windowsServerVersion must be one of 2019, 2022, 2025"],
    ])("component with %s", (_what, patch, message) => {
        expect(() => new AzureLicenseServer("rdls", { ...base, ...patch }, { transformations: [mocks.transformation] })).toThrow(message);
        expect(mocks.resources).toEqual([]);
    });

    it("licensing configuration with a bad license server name", () => {
        const target = { resourceGroupName: "rg", vmName: "RDLS01", location: "westeurope", licenseServerFqdn: "RDLS01" };
        expect(() => new LicensingConfiguration("cfg", { server: target, mode: LicensingMode.PerUser, licenseServers: ["rdls01; Remove-Item C:\\"] })).toThrow(
            "license server must be a host name or FQDN",
        );
        expect(mocks.resources).toEqual([]);
    });
});
