/**
 * AzureLicenseServer with its defaults, then a LicensingConfiguration after stand-ins for the
 * activation and a CAL pack: the resource graph as registered with mocked Pulumi.
 *
 * Why mocks and not `pulumi preview`: a real-engine preview of a `target: azure` stack needs the
 * azure-native resource provider plugin, which can be neither downloaded (no get.pulumi.com here)
 * nor built from the Go module proxy in reasonable time (its schema is generated, hundreds of MB).
 * So the graph is checked with `pulumi.runtime.setMocks`, input by input.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { AzureLicenseServer, LicensingConfiguration, LicensingMode } from "../../components/azure";
import { GENERATED_PASSWORD, SUBSCRIPTION_ID, installMocks, isSecretAt, unwrap, valueOf, withoutSecrets, type MockRecorder } from "./support/mocks";

const T = {
    rg: "azure-native:resources:ResourceGroup",
    nsg: "azure-native:network:NetworkSecurityGroup",
    vnet: "azure-native:network:VirtualNetwork",
    subnet: "azure-native:network:Subnet",
    nic: "azure-native:network:NetworkInterface",
    pip: "azure-native:network:PublicIPAddress",
    nat: "azure-native:network:NatGateway",
    vm: "azure-native:compute:VirtualMachine",
    ext: "azure-native:compute:VirtualMachineExtension",
    run: "azure-native:compute:VirtualMachineRunCommandByVirtualMachine",
    roles: "pulumi-nodejs:dynamic/azure:RoleInstallation",
    password: "random:index/randomPassword:RandomPassword",
};

/** A stand-in for the activation / CAL pack resources the lead wires (they are dynamic resources). */
class Placeholder extends pulumi.ComponentResource {
    constructor(name: string, opts: pulumi.ComponentResourceOptions) {
        super("test:index:Placeholder", name, {}, opts);
        this.registerOutputs({});
    }
}

let mocks: MockRecorder;
let server: AzureLicenseServer;
let licensing: LicensingConfiguration;

beforeAll(async () => {
    mocks = await installMocks();
    const opts = { transformations: [mocks.transformation] };
    server = new AzureLicenseServer("rdls", { serverName: "RDLS01", location: "West Europe", tags: { env: "test" } }, opts);
    const activation = new Placeholder("rdls-activation", { ...opts, dependsOn: [server.roles] });
    const pack = new Placeholder("rdls-ea-users", { ...opts, dependsOn: [activation] });
    licensing = new LicensingConfiguration("rdls-licensing", { server, mode: LicensingMode.PerUser, after: [activation, pack] }, opts);
    await mocks.settle();
});

describe("AzureLicenseServer defaults", () => {
    it("registers the component under its type token, with a new resource group", () => {
        expect(mocks.one("rds-licensing:azure:AzureLicenseServer", "rdls")).toBeDefined();
        const rg = unwrap(mocks.one(T.rg).inputs);
        expect(rg.location).toBe("westeurope");
        expect(rg.tags).toEqual({ "rds-licensing": "rdls", env: "test" });
    });

    it("attaches no public IP to the NIC; the only public IP is the NAT gateway's (outbound)", () => {
        const nic = unwrap(mocks.one(T.nic).inputs);
        expect(nic.ipConfigurations).toHaveLength(1);
        expect(nic.ipConfigurations[0].publicIPAddress).toBeUndefined();
        expect(mocks.byType(T.pip).map((r) => r.name)).toEqual(["rdls-nat-ip"]);
        const nat = unwrap(mocks.one(T.nat).inputs);
        expect(nat.publicIpAddresses).toHaveLength(1);
    });

    it("opens no inbound RDP and denies it from the internet explicitly", () => {
        const rules = unwrap(mocks.one(T.nsg).inputs).securityRules as Array<Record<string, unknown>>;
        expect(rules.filter((r) => r.access === "Allow")).toEqual([]);
        expect(rules).toEqual([
            expect.objectContaining({ name: "deny-rdp-internet", access: "Deny", direction: "Inbound", sourceAddressPrefix: "Internet", destinationPortRange: "3389" }),
        ]);
        expect(unwrap(mocks.one(T.nic).inputs).networkSecurityGroup.id).toContain("rdls-nsg");
    });

    it("builds a new VNet and subnet with the default CIDRs, NSG and NAT gateway", () => {
        expect(unwrap(mocks.one(T.vnet).inputs).addressSpace.addressPrefixes).toEqual(["10.10.0.0/16"]);
        const subnet = unwrap(mocks.one(T.subnet).inputs);
        expect(subnet.addressPrefix).toBe("10.10.1.0/24");
        expect(subnet.defaultOutboundAccess).toBe(false);
        expect(subnet.natGateway.id).toContain("rdls-nat");
        expect(unwrap(mocks.one(T.nic).inputs).ipConfigurations[0].subnet.id).toMatch(/\/subnets\/rdls-subnet$/);
    });

    it("builds a Windows Server 2022 Azure Edition VM with Trusted Launch, identity, Premium disk, boot diagnostics", () => {
        const vm = unwrap(mocks.one(T.vm).inputs);
        expect(vm.vmName).toBe("RDLS01");
        expect(vm.location).toBe("westeurope");
        expect(vm.hardwareProfile).toEqual({ vmSize: "Standard_D2s_v5" });
        expect(vm.storageProfile.imageReference).toEqual({ publisher: "MicrosoftWindowsServer", offer: "WindowsServer", sku: "2022-datacenter-azure-edition", version: "latest" });
        expect(vm.storageProfile.osDisk).toMatchObject({ createOption: "FromImage", managedDisk: { storageAccountType: "Premium_LRS" }, deleteOption: "Delete" });
        expect(vm.identity).toEqual({ type: "SystemAssigned" });
        expect(vm.securityProfile).toEqual({ securityType: "TrustedLaunch", uefiSettings: { secureBootEnabled: true, vTpmEnabled: true } });
        expect(vm.diagnosticsProfile).toEqual({ bootDiagnostics: { enabled: true } });
        expect(vm.osProfile).toMatchObject({ computerName: "RDLS01", adminUsername: "rdlsadmin" });
        expect(vm.licenseType).toBeUndefined();
        expect(vm.tags).toEqual({ "rds-licensing": "rdls", env: "test" });
    });

    it("generates the admin password and keeps it secret, in the VM inputs and the output", async () => {
        expect(unwrap(mocks.one(T.password).inputs)).toMatchObject({ length: 24, special: true });
        expect(isSecretAt(mocks.one(T.vm).inputs, "osProfile.adminPassword")).toBe(true);
        expect(await pulumi.isSecret(server.adminPassword)).toBe(true);
        expect(await valueOf(server.adminPassword)).toBe(GENERATED_PASSWORD);
        for (const r of mocks.resources) {
            expect(JSON.stringify(withoutSecrets(r.inputs)), `${r.type} ${r.name}`).not.toContain(GENERATED_PASSWORD);
        }
    });

    it("does not join a domain and installs the RD Licensing role only", () => {
        expect(mocks.byType(T.ext)).toEqual([]);
        // A RoleInstallation (it waits for the VM agent after any restart), not a run command resource.
        expect(mocks.byType(T.run).map((r) => r.name)).toEqual(["rdls-licensing-run"]);
        const roles = unwrap(mocks.one(T.roles, "rdls-roles").inputs);
        expect(roles).toMatchObject({
            connection: { kind: "azure-run-command", subscriptionId: SUBSCRIPTION_ID, resourceGroupName: "rdls-rg", vmName: "RDLS01" },
            features: ["RDS-Licensing"],
            timeoutSeconds: 3600,
        });
        expect(roles.__provider).toContain('providers["roleInstallation"]');
        expect(mocks.dependsOn.get("rdls-roles")).toEqual(["rdls-vm"]);
        expect(server.rolesRunCommand).toBe(server.roles);
    });

    it("orders the run commands: roles → activation → packs → licensing configuration", () => {
        expect(mocks.dependsOn.get("rdls-activation")).toEqual(["rdls-roles"]);
        expect(mocks.dependsOn.get("rdls-licensing-run")).toEqual(["rdls-roles", "rdls-activation", "rdls-ea-users"]);
        const run = unwrap(mocks.one(T.run, "rdls-licensing-run").inputs);
        expect(run).toMatchObject({ runCommandName: "rds-licensing-configuration", treatFailureAsDeploymentFailure: true, timeoutInSeconds: 600 });
        expect(run.source.script).toContain("$WantedMode = 'PerUser'");
        expect(run.source.script).toContain("$WantedServers = [string[]]@('RDLS01')");
        expect(mocks.one("rds-licensing:azure:LicensingConfiguration", "rdls-licensing")).toBeDefined();
        expect(licensing.readBackScript).toContain("Get-RdlsLicensingState");
    });

    it("exposes what the lead chains on: IDs, names, IP, connection", async () => {
        expect(await valueOf(server.vmId)).toBe("/subscriptions/00000000-0000-0000-0000-00000000abcd/resourceGroups/rdls-rg/providers/Microsoft.Compute/virtualMachines/RDLS01");
        expect(await valueOf(server.vmName)).toBe("RDLS01");
        expect(await valueOf(server.resourceGroupName)).toBe("rdls-rg");
        expect(await valueOf(server.privateIpAddress)).toBe("10.10.1.4");
        expect(await valueOf(server.publicIpAddress)).toBeUndefined();
        expect(await valueOf(server.principalId)).toBe("11111111-2222-3333-4444-555555555555");
        expect(await valueOf(server.connection)).toEqual({
            kind: "azure-run-command",
            subscriptionId: "00000000-0000-0000-0000-00000000abcd",
            resourceGroupName: "rdls-rg",
            vmName: "RDLS01",
        });
        expect(server.computerName).toBe("RDLS01");
        expect(server.licenseServerFqdn).toBe("RDLS01");
    });
});
