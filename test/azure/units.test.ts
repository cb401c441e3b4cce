/**
 * The free functions the Azure components hand their work to, tested as plain functions: NSG
 * rules, image choice, VM arguments, argument checks and defaults, config mapping, ID parsing.
 * No Pulumi runtime is involved (pulumi.secret works without one).
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { azureLicenseServerArgsFromConfig, licensingConfigurationScripts, LicensingMode, parseVmId, resolveAzureLicenseServerArgs, roleFeatures } from "../../components/azure";
import { licenseServerFqdn } from "../../components/azure/build";
import { domainJoinExtensionArgs } from "../../components/azure/domain-join";
import { imageFor } from "../../components/azure/image";
import { DENY_INTERNET_RDP_PRIORITY, internetWideRdpSources, rdpSecurityRules } from "../../components/azure/network";
import { virtualMachineArgs } from "../../components/azure/vm";
import { validateStackConfig } from "../../src/config";
import { AZURE_SECRET_PATHS, SUBNET_ID, azureConfig, domainSettings } from "./support/fixtures";

describe("rdpSecurityRules", () => {
    it("is only the explicit internet deny by default", () => {
        expect(rdpSecurityRules([])).toEqual([expect.objectContaining({ name: "deny-rdp-internet", access: "Deny", sourceAddressPrefix: "Internet", priority: DENY_INTERNET_RDP_PRIORITY })]);
    });

    it("groups address ranges in one rule and gives each tag its own, all before the deny", () => {
        const rules = rdpSecurityRules(["10.0.0.0/8", "VirtualNetwork", "192.0.2.1", "*"]);
        expect(rules.map((r) => r.name)).toEqual(["allow-rdp-ranges", "allow-rdp-virtualnetwork", "allow-rdp-any", "deny-rdp-internet"]);
        expect(rules[0]!.sourceAddressPrefixes).toEqual(["10.0.0.0/8", "192.0.2.1"]);
        const priorities = rules.map((r) => r.priority);
        expect([...priorities].sort((a, b) => a - b)).toEqual(priorities);
        expect(new Set(priorities).size).toBe(priorities.length);
    });

    it("finds the sources that open RDP to the world", () => {
        expect(internetWideRdpSources(["10.0.0.0/8", "*", "Internet", "0.0.0.0/0", "VirtualNetwork"])).toEqual(["*", "Internet", "0.0.0.0/0"]);
    });
});

describe("imageFor", () => {
    it.each([
        ["2019", "2019-datacenter-gensecond"],
        ["2022", "2022-datacenter-azure-edition"],
        ["2025", "2025-datacenter-azure-edition"],
    ] as const)("gives %s the Gen2 image %s, with Trusted Launch", (version, sku) => {
        expect(imageFor(version)).toEqual({ imageReference: { publisher: "MicrosoftWindowsServer", offer: "WindowsServer", sku, version: "latest" }, trustedLaunch: true });
    });

    it("turns Trusted Launch off for a Gen1 SKU, and refuses to force it on", () => {
        expect(imageFor("2019", "2019-datacenter").trustedLaunch).toBe(false);
        expect(imageFor("2022", "2022-datacenter-g2").trustedLaunch).toBe(true);
        expect(() => imageFor("2019", "2019-datacenter", true)).toThrow("Gen1");
        expect(() => imageFor("2022", "2019-datacenter-gensecond")).toThrow("not a Windows Server 2022 image");
    });
});

describe("virtualMachineArgs", () => {
    const ctx = { resourceGroupName: "rg", location: "westeurope", nicId: "nic-id", adminPassword: "x", tags: {} };

    it("leaves the security profile out for a Gen1 image, sets disk size and Hybrid Benefit", () => {
        const args = resolveAzureLicenseServerArgs("t", { serverName: "RDLS01", location: "westeurope", windowsServerVersion: "2019", imageSku: "2019-datacenter", osDiskSizeGb: 256, hybridBenefit: true });
        const vm = virtualMachineArgs(args, ctx);
        expect(vm.securityProfile).toBeUndefined();
        expect((vm.storageProfile as any).osDisk.diskSizeGB).toBe(256);
        expect(vm.licenseType).toBe("Windows_Server");
    });

    it("always wraps the admin password as a secret", async () => {
        const vm = virtualMachineArgs(resolveAzureLicenseServerArgs("t", { serverName: "RDLS01", location: "westeurope" }), ctx);
        expect(await pulumi.isSecret((vm.osProfile as any).adminPassword)).toBe(true);
    });
});

describe("domainJoinExtensionArgs", () => {
    it("keeps the password out of the public settings and wraps it secret", async () => {
        const args = domainJoinExtensionArgs({ name: "corp.contoso.com", joinUser: "CORP\\j", joinPassword: "Pa55-word-plain" }, { resourceGroupName: "rg", location: "l", vmName: "vm", tags: {} });
        expect(args.settings).toEqual({ Name: "corp.contoso.com", OUPath: "", User: "CORP\\j", Restart: "true", Options: "3" });
        expect(await pulumi.isSecret(args.protectedSettings.Password)).toBe(true);
    });
});

describe("resolveAzureLicenseServerArgs", () => {
    it("applies the defaults and normalizes the region", () => {
        expect(resolveAzureLicenseServerArgs("t", { serverName: "RDLS01", location: "North Europe" })).toMatchObject({
            location: "northeurope",
            windowsServerVersion: "2022",
            createResourceGroup: true,
            vmSize: "Standard_D2s_v5",
            osDiskType: "Premium_LRS",
            network: { vnetCidr: "10.10.0.0/16", subnetCidr: "10.10.1.0/24" },
            allowRdpFrom: [],
            publicIp: false,
            adminUsername: "rdlsadmin",
            connectionBroker: false,
            rolesTimeoutSeconds: 3600,
        });
    });

    it("refuses restartDelaySeconds, which no longer exists, saying what to do", () => {
        const args = { serverName: "RDLS01", location: "westeurope", restartDelaySeconds: 60 } as Parameters<typeof resolveAzureLicenseServerArgs>[1];
        expect(() => resolveAzureLicenseServerArgs("t", args)).toThrow(/restartDelaySeconds is no longer supported \(found 60\).*remove restartDelaySeconds/);
    });

    it("bounds rolesTimeoutSeconds by the whole step (agent waits, script, restart)", () => {
        expect(() => resolveAzureLicenseServerArgs("t", { serverName: "RDLS01", location: "westeurope", rolesTimeoutSeconds: 30 })).toThrow(/rolesTimeoutSeconds must be at least 60/);
        expect(resolveAzureLicenseServerArgs("t", { serverName: "RDLS01", location: "westeurope", rolesTimeoutSeconds: 7200 }).rolesTimeoutSeconds).toBe(7200);
    });

    it("lists every problem in one error", () => {
        expect(() => resolveAzureLicenseServerArgs("t", { serverName: "RDLS01", location: "nowhere", vmSize: "x", connectionBroker: true })).toThrow(
            /location .*\n.*vmSize .*\n.*domain is required/,
        );
    });

    it("does not check a subnet ID that is an Output (Azure does, when it resolves)", () => {
        expect(() => resolveAzureLicenseServerArgs("t", { serverName: "RDLS01", location: "westeurope", network: { subnetId: pulumi.output("later") } })).not.toThrow();
        expect(() => resolveAzureLicenseServerArgs("t", { serverName: "RDLS01", location: "westeurope", network: { subnetId: "nope" } })).toThrow("subnet resource ID");
    });
});

describe("azureLicenseServerArgsFromConfig", () => {
    const isSecret = (path: string) => AZURE_SECRET_PATHS.includes(path);

    it("maps the config, taking the version from licenseServer and wrapping passwords secret", async () => {
        const config = validateStackConfig(azureConfig({ domain: domainSettings(), connectionBroker: true, network: { subnetId: SUBNET_ID } }), isSecret);
        const args = azureLicenseServerArgsFromConfig(config);
        expect(args).toMatchObject({ serverName: "RDLS-TEST01", location: "westeurope", windowsServerVersion: "2022", network: { subnetId: SUBNET_ID }, connectionBroker: true });
        expect(args.adminPassword).toBeUndefined();
        expect(await pulumi.isSecret(pulumi.output(args.domain!.joinPassword))).toBe(true);
    });

    it("fills a partial new network with the default CIDRs", () => {
        const config = validateStackConfig(azureConfig({ network: { natGateway: false } }), isSecret);
        expect(azureLicenseServerArgsFromConfig(config).network).toEqual({ vnetCidr: "10.10.0.0/16", subnetCidr: "10.10.1.0/24", natGateway: false });
    });

    it("needs the azure key", () => {
        const raw = azureConfig();
        raw.target = "simulator";
        delete raw.azure;
        expect(() => azureLicenseServerArgsFromConfig(validateStackConfig(raw, isSecret))).toThrow("rds-licensing:azure is required");
    });
});

describe("small helpers", () => {
    it("parse a VM ID into the run command connection", () => {
        expect(parseVmId("/subscriptions/s-1/resourceGroups/rg-a/providers/Microsoft.Compute/virtualMachines/RDLS01")).toEqual({ subscriptionId: "s-1", resourceGroupName: "rg-a", vmName: "RDLS01" });
        expect(() => parseVmId("/subscriptions/s-1/resourceGroups/rg-a")).toThrow("not a virtual machine");
    });

    it("pick the roles and the license server name", () => {
        expect(roleFeatures(false)).toEqual(["RDS-Licensing"]);
        expect(roleFeatures(true)).toEqual(["RDS-Licensing", "RDS-Connection-Broker"]);
        expect(licenseServerFqdn({ serverName: "RDLS01" })).toBe("RDLS01");
        expect(licenseServerFqdn({ serverName: "RDLS01", domain: { name: "Corp.Contoso.com", joinUser: "u@x.y", joinPassword: "p" } })).toBe("rdls01.corp.contoso.com");
    });

    it("render the licensing scripts for the server's name unless servers are given", () => {
        const server = { resourceGroupName: "rg", vmName: "RDLS01", location: "westeurope", licenseServerFqdn: "rdls01.corp.contoso.com" };
        expect(licensingConfigurationScripts({ server, mode: LicensingMode.PerDevice }).script).toContain("@('rdls01.corp.contoso.com')");
        expect(licensingConfigurationScripts({ server, mode: LicensingMode.PerDevice, licenseServers: ["a", "b"] }).script).toContain("@('a', 'b')");
    });
});
