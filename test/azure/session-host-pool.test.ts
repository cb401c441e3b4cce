/**
 * AzureSessionHostPool as registered with mocked Pulumi (a real-engine preview would need the
 * azure-native plugin, which cannot be downloaded or built here: see server-defaults.test.ts).
 * Pool "rdsh": the defaults, 2 hosts over two zones, password generated. Pool "rdsh25": one host
 * with everything opted in (availability set, given password, a size without accelerated
 * networking, RDP from the VNet, Windows Server 2025, Hybrid Benefit).
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { AzureSessionHostPool, AzureWindowsServerVersion } from "../../components/azure";
import { ADMIN_PASSWORD, JOIN_PASSWORD, SUBNET_ID } from "./support/fixtures";
import { GENERATED_PASSWORD, SUBSCRIPTION_ID, installMocks, isSecretAt, unwrap, valueOf, withoutSecrets, type MockRecorder, type Registered } from "./support/mocks";
import { poolArgs, urnCollector } from "./support/session-host-pool";

const T = {
    pool: "rds-licensing:azure:AzureSessionHostPool",
    nsg: "azure-native:network:NetworkSecurityGroup",
    nic: "azure-native:network:NetworkInterface",
    pip: "azure-native:network:PublicIPAddress",
    vm: "azure-native:compute:VirtualMachine",
    ext: "azure-native:compute:VirtualMachineExtension",
    avset: "azure-native:compute:AvailabilitySet",
    roles: "pulumi-nodejs:dynamic/azure:RoleInstallation",
    password: "random:index/randomPassword:RandomPassword",
};

let mocks: MockRecorder;
let pool: AzureSessionHostPool;
let pool25: AzureSessionHostPool;
let urns: string[];

beforeAll(async () => {
    mocks = await installMocks();
    const collector = urnCollector();
    const opts = { transformations: [mocks.transformation, collector.transformation] };
    pool = new AzureSessionHostPool("rdsh", poolArgs({ zones: ["1", "2"], tags: { env: "test" } }), opts);
    pool25 = new AzureSessionHostPool(
        "rdsh25",
        poolArgs({
            count: 1,
            namePrefix: "RDSH25",
            vmSize: "Standard_D2s_v3",
            windowsServerVersion: AzureWindowsServerVersion.WS2025,
            availabilitySet: { create: true },
            adminUsername: "opsadmin",
            adminPassword: pulumi.secret(ADMIN_PASSWORD),
            allowRdpFrom: ["VirtualNetwork"],
            hybridBenefit: true,
        }),
        opts,
    );
    await mocks.settle();
    urns = await collector.urns();
});

const of = (prefix: string) => (r: Registered) => r.name.startsWith(`${prefix}-`);
const named = (type: string, name: string) => mocks.one(type, name);

describe("AzureSessionHostPool: the resource graph", () => {
    it("registers the component and, per host, a NIC, a VM, a domain join and a roles step, named by host number", () => {
        expect(mocks.one(T.pool, "rdsh")).toBeDefined();
        const names = mocks.resources.filter(of("rdsh")).map((r) => `${r.type} ${r.name}`).sort();
        expect(names).toEqual(
            [
                `${T.nsg} rdsh-nsg`,
                `${T.password} rdsh-admin-password`,
                ...[1, 2].flatMap((n) => [`${T.nic} rdsh-host-${n}-nic`, `${T.vm} rdsh-host-${n}-vm`, `${T.ext} rdsh-host-${n}-domain-join`, `${T.roles} rdsh-host-${n}-roles`]),
            ].sort(),
        );
    });

    it("parents every resource to the component", () => {
        const children = urns.filter((u) => u.endsWith("::rdsh-nsg") || /::rdsh-host-\d-/.test(u));
        expect(children).toHaveLength(9);
        for (const urn of children) expect(urn).toContain(`::${T.pool}$`);
    });

    it("orders each host NIC → VM → domain join → roles", () => {
        for (const n of [1, 2]) {
            expect(mocks.dependsOn.get(`rdsh-host-${n}-vm`)).toEqual([`rdsh-host-${n}-nic`]);
            expect(mocks.dependsOn.get(`rdsh-host-${n}-domain-join`)).toEqual([`rdsh-host-${n}-vm`]);
            expect(mocks.dependsOn.get(`rdsh-host-${n}-roles`)).toEqual([`rdsh-host-${n}-vm`, `rdsh-host-${n}-domain-join`]);
            // The inputs point at the resource before it, too (the engine orders by them as well).
            const nic = named(T.nic, `rdsh-host-${n}-nic`);
            const vm = unwrap(named(T.vm, `rdsh-host-${n}-vm`).inputs);
            expect(vm.networkProfile.networkInterfaces).toEqual([{ id: nic.id, primary: true }]);
            expect(unwrap(named(T.ext, `rdsh-host-${n}-domain-join`).inputs).vmName).toBe(`RDSH-${n}`);
            expect(unwrap(named(T.roles, `rdsh-host-${n}-roles`).inputs).connection).toEqual({
                kind: "azure-run-command",
                subscriptionId: SUBSCRIPTION_ID,
                resourceGroupName: "rg-rds-prod",
                vmName: `RDSH-${n}`,
            });
        }
    });

    it("installs RD Session Host on every host", () => {
        for (const roles of mocks.byType(T.roles)) {
            expect(unwrap(roles.inputs)).toMatchObject({ features: ["RDS-RD-Server"], timeoutSeconds: 3600 });
        }
        expect(mocks.byType(T.roles)).toHaveLength(3);
    });

    it("names hosts <prefix>-<n> (VM and computer), spreads them over the zones, in the given subnet", () => {
        for (const n of [1, 2]) {
            const vm = unwrap(named(T.vm, `rdsh-host-${n}-vm`).inputs);
            expect(vm.vmName).toBe(`RDSH-${n}`);
            expect(vm.osProfile.computerName).toBe(`RDSH-${n}`);
            expect(vm.zones).toEqual([String(n)]);
            expect(vm.availabilitySet).toBeUndefined();
            expect(vm.storageProfile.imageReference.sku).toBe("2022-datacenter-azure-edition");
            expect(vm.hardwareProfile.vmSize).toBe("Standard_D4s_v5");
            expect(vm.licenseType).toBeUndefined();
            expect(vm.tags).toEqual({ "rds-licensing": "rdsh", env: "test" });
            const nic = unwrap(named(T.nic, `rdsh-host-${n}-nic`).inputs);
            expect(nic.ipConfigurations[0].subnet.id).toBe(SUBNET_ID);
            expect(nic.enableAcceleratedNetworking).toBe(true);
            expect(nic.networkSecurityGroup.id).toBe(named(T.nsg, "rdsh-nsg").id);
        }
    });

    it("with an availability set: creates it Aligned, places the VM in it, no zone; follows the size for accelerated networking", () => {
        const avset = mocks.one(T.avset, "rdsh25-avset");
        expect(unwrap(avset.inputs)).toMatchObject({ sku: { name: "Aligned" }, platformFaultDomainCount: 2, platformUpdateDomainCount: 5 });
        const vm = unwrap(named(T.vm, "rdsh25-host-1-vm").inputs);
        expect(vm.availabilitySet).toEqual({ id: avset.id });
        expect(vm.zones).toBeUndefined();
        expect(vm).toMatchObject({ vmName: "RDSH25-1", licenseType: "Windows_Server", osProfile: { adminUsername: "opsadmin" } });
        expect(vm.storageProfile.imageReference.sku).toBe("2025-datacenter-azure-edition");
        expect(unwrap(named(T.nic, "rdsh25-host-1-nic").inputs).enableAcceleratedNetworking).toBe(false);
        expect(mocks.byType(T.password).map((r) => r.name)).toEqual(["rdsh-admin-password"]);
    });

    it("exposes per host its computer name, FQDN, VM ID, connection and roles step", async () => {
        expect(pool.computerNames).toEqual(["RDSH-1", "RDSH-2"]);
        expect(pool.fqdns).toEqual(["rdsh-1.corp.contoso.com", "rdsh-2.corp.contoso.com"]);
        const host = pool.hosts[1]!;
        expect(host).toMatchObject({ index: 2, computerName: "RDSH-2", fqdn: "rdsh-2.corp.contoso.com" });
        expect(await valueOf(host.vmId)).toBe(named(T.vm, "rdsh-host-2-vm").id);
        expect(await valueOf(host.connection)).toMatchObject({ kind: "azure-run-command", vmName: "RDSH-2" });
        expect(await valueOf(host.rolesStep.urn)).toMatch(/::rdsh-host-2-roles$/);
        expect(pool.rolesSteps).toEqual(pool.hosts.map((h) => h.rolesStep));
    });
});

describe("AzureSessionHostPool: nothing reachable from the internet by default", () => {
    it("registers no public IP at all and none on any NIC", () => {
        expect(mocks.byType(T.pip)).toEqual([]);
        for (const nic of mocks.byType(T.nic)) {
            for (const config of unwrap(nic.inputs).ipConfigurations) expect(config.publicIPAddress).toBeUndefined();
        }
    });

    it("allows RDP from no internet-wide source in any NSG, and denies it from Internet explicitly", () => {
        const nsgs = mocks.byType(T.nsg);
        expect(nsgs.map((n) => n.name).sort()).toEqual(["rdsh-nsg", "rdsh25-nsg"]);
        for (const nsg of nsgs) {
            const rules = unwrap(nsg.inputs).securityRules as Array<Record<string, any>>;
            for (const rule of rules.filter((r) => r.access === "Allow")) {
                const sources = [rule.sourceAddressPrefix, ...(rule.sourceAddressPrefixes ?? [])].filter(Boolean);
                for (const source of sources) expect(["*", "Internet", "0.0.0.0/0"], `${nsg.name} ${rule.name}`).not.toContain(source);
            }
            expect(rules).toContainEqual(expect.objectContaining({ name: "deny-rdp-internet", access: "Deny", sourceAddressPrefix: "Internet", destinationPortRange: "3389" }));
        }
        const rules25 = unwrap(named(T.nsg, "rdsh25-nsg").inputs).securityRules as Array<Record<string, any>>;
        expect(rules25.map((r) => r.name)).toEqual(["allow-rdp-virtualnetwork", "deny-rdp-internet"]);
    });
});

describe("AzureSessionHostPool: passwords", () => {
    it("keeps the join password secret in every domain join and the admin password secret in every VM", () => {
        const joins = mocks.byType(T.ext);
        const vms = mocks.byType(T.vm);
        expect(joins).toHaveLength(3);
        expect(vms).toHaveLength(3);
        for (const join of joins) {
            expect(isSecretAt(join.inputs, "protectedSettings.Password"), join.name).toBe(true);
            expect(unwrap(join.inputs).protectedSettings.Password).toBe(JOIN_PASSWORD);
        }
        for (const vm of vms) expect(isSecretAt(vm.inputs, "osProfile.adminPassword"), vm.name).toBe(true);
        expect(unwrap(named(T.vm, "rdsh-host-1-vm").inputs).osProfile.adminPassword).toBe(GENERATED_PASSWORD);
        expect(unwrap(named(T.vm, "rdsh25-host-1-vm").inputs).osProfile.adminPassword).toBe(ADMIN_PASSWORD);
    });

    it("never holds a password in plain text in any resource's inputs", () => {
        for (const resource of mocks.resources) {
            const plain = JSON.stringify(withoutSecrets(resource.inputs));
            for (const password of [JOIN_PASSWORD, ADMIN_PASSWORD, GENERATED_PASSWORD]) {
                expect(plain.includes(password), `${resource.type} ${resource.name}`).toBe(false);
            }
        }
    });

    it("outputs the admin password as a secret", async () => {
        expect(await pulumi.isSecret(pool.adminPassword)).toBe(true);
        expect(await pulumi.isSecret(pool25.adminPassword)).toBe(true);
        expect(await valueOf(pool25.adminPassword)).toBe(ADMIN_PASSWORD);
    });
});
