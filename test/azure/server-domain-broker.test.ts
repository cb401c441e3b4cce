/**
 * AzureLicenseServer with everything opted in: existing resource group and subnet, Windows Server
 * 2025, domain join, RD Connection Broker, RDP from chosen sources, a public IP, a given admin
 * password, Hybrid Benefit. Checked on the registered resources (mocked Pulumi; see
 * server-defaults.test.ts for why there is no real-engine preview).
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { AzureLicenseServer, AzureWindowsServerVersion, LicensingConfiguration, LicensingMode, OsDiskType } from "../../components/azure";
import { ADMIN_PASSWORD, JOIN_PASSWORD, SUBNET_ID } from "./support/fixtures";
import { installMocks, isSecretAt, unwrap, valueOf, withoutSecrets, type MockRecorder } from "./support/mocks";

let mocks: MockRecorder;
let server: AzureLicenseServer;
const warnings: string[] = [];

beforeAll(async () => {
    mocks = await installMocks();
    vi.spyOn(pulumi.log, "warn").mockImplementation(async (message: string) => void warnings.push(message));
    const opts = { transformations: [mocks.transformation] };
    server = new AzureLicenseServer(
        "rdcb",
        {
            serverName: "RDCB01",
            location: "northeurope",
            windowsServerVersion: AzureWindowsServerVersion.WS2025,
            resourceGroupName: "rg-rds-prod",
            createResourceGroup: false,
            vmSize: "Standard_D4s_v5",
            osDiskType: OsDiskType.StandardSSDLRS,
            network: { subnetId: SUBNET_ID },
            dnsServers: ["10.0.0.4", "10.0.0.5"],
            allowRdpFrom: ["10.0.0.0/8", "192.0.2.7", "VirtualNetwork", "Internet"],
            publicIp: true,
            adminUsername: "opsadmin",
            adminPassword: pulumi.secret(ADMIN_PASSWORD),
            // Passed in plain text on purpose: the component must make it secret anyway.
            domain: { name: "corp.contoso.com", ouPath: "OU=RDS,DC=corp,DC=contoso,DC=com", joinUser: "CORP\\svc-join", joinPassword: JOIN_PASSWORD },
            connectionBroker: true,
            hybridBenefit: true,
        },
        opts,
    );
    new LicensingConfiguration("rdcb-licensing", { server, mode: LicensingMode.PerDevice }, opts);
    await mocks.settle();
});

describe("AzureLicenseServer, opted in", () => {
    it("uses the existing resource group and subnet: creates neither, nor a VNet or NAT gateway", () => {
        for (const type of ["azure-native:resources:ResourceGroup", "azure-native:network:VirtualNetwork", "azure-native:network:Subnet", "azure-native:network:NatGateway"]) {
            expect(mocks.byType(type), type).toEqual([]);
        }
        const nic = unwrap(mocks.one("azure-native:network:NetworkInterface").inputs);
        expect(nic.resourceGroupName).toBe("rg-rds-prod");
        expect(nic.ipConfigurations[0].subnet.id).toBe(SUBNET_ID);
        expect(nic.dnsSettings).toEqual({ dnsServers: ["10.0.0.4", "10.0.0.5"] });
    });

    it("adds the RDP allow rules asked for, before the internet deny, and warns about Internet", () => {
        const rules = unwrap(mocks.one("azure-native:network:NetworkSecurityGroup").inputs).securityRules as Array<Record<string, any>>;
        expect(rules.map((r) => [r.name, r.access, r.priority, r.sourceAddressPrefix ?? r.sourceAddressPrefixes])).toEqual([
            ["allow-rdp-ranges", "Allow", 300, ["10.0.0.0/8", "192.0.2.7"]],
            ["allow-rdp-virtualnetwork", "Allow", 310, "VirtualNetwork"],
            ["allow-rdp-internet", "Allow", 320, "Internet"],
            ["deny-rdp-internet", "Deny", 4000, "Internet"],
        ]);
        for (const rule of rules) expect(rule).toMatchObject({ direction: "Inbound", destinationPortRange: "3389", protocol: "*" });
        expect(warnings.some((w) => w.includes("Internet") && w.includes("open to the whole internet"))).toBe(true);
    });

    it("attaches a Standard static public IP only because it was asked", async () => {
        const pip = mocks.one("azure-native:network:PublicIPAddress");
        expect(pip.name).toBe("rdcb-pip");
        expect(unwrap(pip.inputs)).toMatchObject({ sku: { name: "Standard" }, publicIPAllocationMethod: "Static" });
        expect(unwrap(mocks.one("azure-native:network:NetworkInterface").inputs).ipConfigurations[0].publicIPAddress.id).toContain("rdcb-pip");
        expect(await valueOf(server.publicIpAddress)).toBe("203.0.113.10");
    });

    it("builds the 2025 VM with the size, disk, Hybrid Benefit and user given", () => {
        const vm = unwrap(mocks.one("azure-native:compute:VirtualMachine").inputs);
        expect(vm.storageProfile.imageReference.sku).toBe("2025-datacenter-azure-edition");
        expect(vm.securityProfile.securityType).toBe("TrustedLaunch");
        expect(vm.hardwareProfile.vmSize).toBe("Standard_D4s_v5");
        expect(vm.storageProfile.osDisk.managedDisk.storageAccountType).toBe("StandardSSD_LRS");
        expect(vm.licenseType).toBe("Windows_Server");
        expect(vm.osProfile.adminUsername).toBe("opsadmin");
        expect(vm.osProfile.adminPassword).toBe(ADMIN_PASSWORD);
        expect(mocks.byType("random:index/randomPassword:RandomPassword")).toEqual([]);
    });

    it("joins the domain with JsonADDomainExtension, the password in protectedSettings and secret", () => {
        const ext = mocks.one("azure-native:compute:VirtualMachineExtension", "rdcb-domain-join");
        expect(unwrap(ext.inputs)).toMatchObject({
            vmName: "RDCB01",
            publisher: "Microsoft.Compute",
            type: "JsonADDomainExtension",
            typeHandlerVersion: "1.3",
            settings: { Name: "corp.contoso.com", OUPath: "OU=RDS,DC=corp,DC=contoso,DC=com", User: "CORP\\svc-join", Restart: "true", Options: "3" },
            protectedSettings: { Password: JOIN_PASSWORD },
        });
        expect(JSON.stringify(unwrap(ext.inputs).settings)).not.toContain(JOIN_PASSWORD);
        expect(isSecretAt(ext.inputs, "protectedSettings.Password")).toBe(true);
    });

    it("keeps every secret input secret in every registered resource", async () => {
        expect(isSecretAt(mocks.one("azure-native:compute:VirtualMachine").inputs, "osProfile.adminPassword")).toBe(true);
        for (const r of mocks.resources) {
            const plain = JSON.stringify(withoutSecrets(r.inputs));
            expect(plain, `${r.type} ${r.name}`).not.toContain(JOIN_PASSWORD);
            expect(plain, `${r.type} ${r.name}`).not.toContain(ADMIN_PASSWORD);
        }
        expect(await pulumi.isSecret(server.adminPassword)).toBe(true);
    });

    it("installs RD Licensing and RD Connection Broker after the domain join", () => {
        const roles = unwrap(mocks.one("pulumi-nodejs:dynamic/azure:RoleInstallation", "rdcb-roles").inputs);
        expect(roles.features).toEqual(["RDS-Licensing", "RDS-Connection-Broker"]);
        expect(roles.connection).toMatchObject({ kind: "azure-run-command", resourceGroupName: "rg-rds-prod", vmName: "RDCB01" });
        expect(mocks.dependsOn.get("rdcb-roles")).toEqual(["rdcb-vm", "rdcb-domain-join"]);
        expect(mocks.dependsOn.get("rdcb-domain-join")).toEqual([]);
    });

    it("points licensing at the server's FQDN, after the roles", () => {
        const run = unwrap(mocks.one("azure-native:compute:VirtualMachineRunCommandByVirtualMachine", "rdcb-licensing-run").inputs);
        expect(run.source.script).toContain("$WantedMode = 'PerDevice'");
        expect(run.source.script).toContain("$WantedServers = [string[]]@('rdcb01.corp.contoso.com')");
        expect(mocks.dependsOn.get("rdcb-licensing-run")).toEqual(["rdcb-roles"]);
        expect(server.licenseServerFqdn).toBe("rdcb01.corp.contoso.com");
    });
});
