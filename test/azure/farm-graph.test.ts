/**
 * The whole azure-farm example (examples/azure-farm/index.ts) run under Pulumi mocks, as `pulumi up`
 * would register it (the real engine cannot run azure-native here: no plugin can be built or
 * downloaded offline; the simulator target covers the lifecycle): the order issue 16 asks for —
 * domain join → roles (and the restart they need, waited for) → deployment → licensing —, no public
 * IP or internet RDP anywhere, and every password a secret wherever it is held.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { installMocks, isSecretAt, unwrap, withoutSecrets, type MockRecorder, type Registered } from "./support/mocks";

// The example imports the package by name, as a user's project does: here, its sources.
vi.mock("rds-licensing", async () => await import("../../components/index.js"));

const JOIN_PASSWORD = "Join-Pa55word-e8d1";
const RUN_AS_PASSWORD = "RunAs-Pa55word-91c4";
const AGREEMENT = "6203941";

const T = {
    vm: "azure-native:compute:VirtualMachine",
    ext: "azure-native:compute:VirtualMachineExtension",
    nsg: "azure-native:network:NetworkSecurityGroup",
    pip: "azure-native:network:PublicIPAddress",
    roles: "pulumi-nodejs:dynamic/azure:RoleInstallation",
    deployment: "pulumi-nodejs:dynamic/rds:SessionDeployment",
    licensing: "pulumi-nodejs:dynamic/licensing:DeploymentLicensing",
    activation: "pulumi-nodejs:dynamic/licensing:LicenseServerActivation",
    pack: "pulumi-nodejs:dynamic/licensing:CalKeyPack",
};

let mocks: MockRecorder;

beforeAll(async () => {
    mocks = await installMocks({ project: "rds-azure-farm", stack: "farm" });
    const config: Record<string, string> = {
        "farm:location": "eastus",
        "farm:resourceGroupName": "rg-rds-farm",
        "farm:subnetId": "/subscriptions/00000000-0000-0000-0000-00000000abcd/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/snet-rds",
        "farm:domain": JSON.stringify({ name: "corp.contoso.com", joinUser: "CORP\\svc-rds-join" }),
        "farm:joinPassword": JOIN_PASSWORD,
        "farm:runAsUser": "CORP\\svc-rds-admin",
        "farm:runAsPassword": RUN_AS_PASSWORD,
        "farm:contact": JSON.stringify({ firstName: "Ada", lastName: "Lovelace", company: "Contoso Ltd", countryRegion: "GB", email: "rds@contoso.com" }),
        "farm:agreementNumber": AGREEMENT,
        "farm:sessionHostCount": "3",
        "farm:collectionName": "Desktops",
    };
    for (const [key, value] of Object.entries(config)) pulumi.runtime.setConfig(key, value);
    await pulumi.runtime.runInPulumiStack(async () => {
        pulumi.runtime.registerStackTransformation(mocks.transformation);
        return await import("../../examples/azure-farm/index.js");
    });
    await mocks.settle();
}, 120_000);

const deps = (name: string) => mocks.dependsOn.get(name) ?? [];
const names = (type: string) => mocks.byType(type).map((r) => r.name);

describe("the azure-farm example's resource graph", () => {
    it("builds three session hosts, each joined to the domain before its roles step", () => {
        expect(names(T.vm).sort()).toEqual(["rdcb01-vm", "rdls02-vm", "rdsh-host-1-vm", "rdsh-host-2-vm", "rdsh-host-3-vm"]);
        for (const n of [1, 2, 3]) expect(deps(`rdsh-host-${n}-roles`)).toEqual(expect.arrayContaining([`rdsh-host-${n}-vm`, `rdsh-host-${n}-domain-join`]));
        for (const server of ["rdcb01", "rdls02"]) expect(deps(`${server}-roles`)).toEqual(expect.arrayContaining([`${server}-vm`, `${server}-domain-join`]));
    });

    it("creates the deployment only after every host's roles step (restart included) and both servers", () => {
        expect(names(T.deployment)).toEqual(["farm"]);
        expect(deps("farm")).toEqual(expect.arrayContaining(["rdcb01", "rdsh-host-1-roles", "rdsh-host-2-roles", "rdsh-host-3-roles"]));
        const deployment = unwrap(mocks.one(T.deployment).inputs);
        expect(deployment.sessionHosts).toEqual(["rdsh-1.corp.contoso.com", "rdsh-2.corp.contoso.com", "rdsh-3.corp.contoso.com"]);
        expect(deployment.licenseServers).toEqual(["rdcb01.corp.contoso.com", "rdls02.corp.contoso.com"]);
        expect(deployment.collection).toMatchObject({ name: "Desktops" });
    });

    it("points the deployment at its license servers last: after the deployment, the activations and the pack", () => {
        expect(names(T.licensing)).toEqual(["farm-licensing"]);
        expect(deps("farm-licensing")).toEqual(expect.arrayContaining(["farm", "rdcb01-activation", "rdls02-activation", "rdcb01-ea-users"]));
        expect(deps("rdcb01-ea-users")).toEqual(["rdcb01-activation"]);
        expect(deps("rdcb01-activation")).toEqual(["rdcb01"]);
    });

    it("has no public IP and no rule letting RDP in from the internet", () => {
        expect(mocks.byType(T.pip)).toEqual([]);
        for (const vm of mocks.byType(T.vm)) expect(JSON.stringify(unwrap(vm.inputs))).not.toMatch(/publicIPAddress/i);
        const rules = mocks.byType(T.nsg).flatMap((nsg) => unwrap(nsg.inputs).securityRules ?? []);
        expect(rules.length).toBeGreaterThan(0);
        const allowsRdpFromInternet = rules.filter(
            (r: Record<string, unknown>) =>
                r.access === "Allow" && r.direction === "Inbound" && ["*", "Internet", "0.0.0.0/0"].includes(String(r.sourceAddressPrefix)) && String(r.destinationPortRange) === "3389",
        );
        expect(allowsRdpFromInternet).toEqual([]);
    });

    it("keeps every password and the agreement number secret in every resource that holds them", () => {
        const holders = (value: string) => mocks.resources.filter((r) => JSON.stringify(unwrap(r.inputs)).includes(value));
        const plainHolders = (value: string) => mocks.resources.filter((r) => JSON.stringify(withoutSecrets(r.inputs)).includes(value)).map((r: Registered) => r.name);
        // The join password: in each of the five domain joins, secret.
        expect(holders(JOIN_PASSWORD).map((r) => r.name).sort()).toEqual(["rdcb01-domain-join", "rdls02-domain-join", "rdsh-host-1-domain-join", "rdsh-host-2-domain-join", "rdsh-host-3-domain-join"]);
        for (const join of mocks.byType(T.ext)) expect(isSecretAt(join.inputs, "protectedSettings")).toBe(true);
        // The run-as password: the deployment and its licensing, secret.
        expect(holders(RUN_AS_PASSWORD).map((r) => r.name).sort()).toEqual(["farm", "farm-licensing"]);
        for (const r of [mocks.one(T.deployment), mocks.one(T.licensing)]) expect(isSecretAt(r.inputs, "runAs")).toBe(true);
        for (const value of [JOIN_PASSWORD, RUN_AS_PASSWORD, AGREEMENT]) expect(plainHolders(value)).toEqual([]);
        for (const vm of mocks.byType(T.vm)) expect(isSecretAt(vm.inputs, "osProfile.adminPassword")).toBe(true);
    });
});
