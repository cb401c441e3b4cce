/**
 * The free functions AzureSessionHostPool hands its work to, as plain functions: host names and
 * zones, the accelerated networking rule, the argument check, and the VM and NIC argument builders
 * it shares with the license server (placement and accelerated networking only when asked).
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it, vi } from "vitest";
import { acceleratedNetworkingFor, planSessionHosts, resolveAzureLicenseServerArgs, resolveAzureSessionHostPoolArgs, type AzureSessionHostPoolArgs } from "../../components/azure";
import { networkInterfaceArgs, warnInternetWideRdp } from "../../components/azure/network";
import { namePrefixProblem } from "../../components/azure/session-host-names";
import { virtualMachineArgs } from "../../components/azure/vm";
import { JOIN_PASSWORD } from "./support/fixtures";
import { poolArgs } from "./support/session-host-pool";

describe("planSessionHosts", () => {
    it("numbers hosts from 1 and spreads them round-robin over the zones", () => {
        expect(planSessionHosts("RDSH", 4, ["1", "2", "3"])).toEqual([
            { index: 1, computerName: "RDSH-1", zone: "1" },
            { index: 2, computerName: "RDSH-2", zone: "2" },
            { index: 3, computerName: "RDSH-3", zone: "3" },
            { index: 4, computerName: "RDSH-4", zone: "1" },
        ]);
        expect(planSessionHosts("RDSH", 1)).toEqual([{ index: 1, computerName: "RDSH-1" }]);
    });

    it("gives host n the same name and zone whatever the count", () => {
        const small = planSessionHosts("RDSH", 2, ["1", "2"]);
        const large = planSessionHosts("RDSH", 12, ["1", "2"]);
        expect(large.slice(0, 2)).toEqual(small);
    });
});

describe("namePrefixProblem", () => {
    it("accepts a prefix whose longest host name fits 15 characters", () => {
        expect(namePrefixProblem("RDSHOST2025X", 99)).toBeUndefined(); // RDSHOST2025X-99: 15
        expect(namePrefixProblem("A", 1)).toBeUndefined();
    });

    it("refuses a prefix too long for the count, saying how short it must be", () => {
        expect(namePrefixProblem("RDSHOST2025X", 100)).toBe(
            'namePrefix "RDSHOST2025X" is too long: host RDSHOST2025X-100 would have 16 characters and Windows computer names allow 15: shorten namePrefix to at most 11 characters',
        );
    });

    it.each(["1RDSH", "RDSH-", "RD_SH", "", "RD SH"])("refuses %j", (prefix) => {
        expect(namePrefixProblem(prefix, 2)).toMatch(/^namePrefix must start with a letter/);
    });
});

describe("acceleratedNetworkingFor", () => {
    it("turns it on for sizes known to support it, off for known and unknown others", () => {
        expect(acceleratedNetworkingFor("Standard_D4s_v5", undefined)).toEqual({ enabled: true });
        expect(acceleratedNetworkingFor("standard_d2s_v5", undefined)).toEqual({ enabled: true });
        expect(acceleratedNetworkingFor("Standard_D2s_v3", undefined)).toEqual({ enabled: false });
        expect(acceleratedNetworkingFor("Standard_NV36ads_A10_v5", undefined)).toEqual({ enabled: false });
    });

    it("follows an explicit choice, except true on a size known not to support it", () => {
        expect(acceleratedNetworkingFor("Standard_D4s_v5", false)).toEqual({ enabled: false });
        expect(acceleratedNetworkingFor("Standard_NV36ads_A10_v5", true)).toEqual({ enabled: true });
        expect(acceleratedNetworkingFor("Standard_B2s", true)).toEqual({ problem: expect.stringContaining("Standard_B2s does not support accelerated networking") });
    });
});

describe("resolveAzureSessionHostPoolArgs", () => {
    it("applies the defaults", () => {
        const resolved = resolveAzureSessionHostPoolArgs("rdsh", poolArgs({ location: "West Europe" }));
        expect(resolved).toMatchObject({
            location: "westeurope",
            vmSize: "Standard_D4s_v5",
            windowsServerVersion: "2022",
            osDiskType: "Premium_LRS",
            zones: [],
            allowRdpFrom: [],
            adminUsername: "rdlsadmin",
            hybridBenefit: false,
            rolesTimeoutSeconds: 3600,
            acceleratedNetworking: true,
        });
        expect(resolved.hosts.map((h) => h.computerName)).toEqual(["RDSH-1", "RDSH-2"]);
    });

    const refused: Array<[string, Partial<AzureSessionHostPoolArgs>, string[]]> = [
        ["count 0", { count: 0 }, ["count must be at least 1", "(found 0)"]],
        ["count 1.5", { count: 1.5 }, ["count must be a whole number of hosts"]],
        ["a name too long", { namePrefix: "SESSIONHOST-WE" }, ["namePrefix \"SESSIONHOST-WE\" is too long", "at most 13 characters"]],
        ["zones and an availability set", { zones: ["1", "2"], availabilitySet: { create: true } }, ["zones and availabilitySet exclude each other", "keep one of them"]],
        ["an unknown version", { windowsServerVersion: "2016" as never }, ["windowsServerVersion must be one of 2019, 2022, 2025", '(found "2016")']],
        ["an unknown zone", { zones: ["4"] }, ["zones.0 must be an availability zone: 1, 2, 3"]],
        ["a zone twice", { zones: ["1", "1"] }, ["zones lists a zone twice"]],
        ["no domain", { domain: undefined as never }, ["domain is required", "must be domain members"]],
        ["a join user without its domain", { domain: { name: "corp.contoso.com", joinUser: "svc-join", joinPassword: JOIN_PASSWORD } }, ["domain.joinUser must name the domain too"]],
        ["a bad subnet ID", { subnetId: "snet-rds" }, ["subnetId must be a subnet resource ID"]],
        ["a bad region", { location: "westeurop" }, ["location is not an Azure region name (did you mean westeurope?)"]],
        ["accelerated networking on a B size", { vmSize: "Standard_B2s", acceleratedNetworking: true }, ["acceleratedNetworking is true but Standard_B2s"]],
        ["an image of another version", { windowsServerVersion: "2025", imageSku: "2022-datacenter-g2" }, ["imageSku", "not a Windows Server 2025 image"]],
        ["a bad RDP source", { allowRdpFrom: ["anywhere"] }, ["allowRdpFrom.0 must be a CIDR"]],
    ];
    it.each(refused)("refuses %s, naming the argument and the fix", (_what, patch, messages) => {
        let error: Error | undefined;
        try {
            resolveAzureSessionHostPoolArgs("rdsh", poolArgs(patch));
        } catch (err) {
            error = err as Error;
        }
        expect(error?.message).toMatch(/^AzureSessionHostPool rdsh: invalid arguments:\n/);
        for (const message of messages) expect(error?.message).toContain(message);
        expect(error?.message).not.toContain(JOIN_PASSWORD);
    });

    it("lists every problem at once", () => {
        expect(() => resolveAzureSessionHostPoolArgs("rdsh", poolArgs({ count: 0, namePrefix: "-x", zones: ["9"] }))).toThrow(
            /count must be at least 1[\s\S]*zones\.0 must be[\s\S]*namePrefix must start with a letter/,
        );
    });
});

describe("the builders shared with the license server", () => {
    const ctx = { resourceGroupName: "rg", location: "westeurope", nicId: "nic-id", adminPassword: "x", tags: {} };
    const server = resolveAzureLicenseServerArgs("t", { serverName: "RDLS01", location: "westeurope" });

    it("add placement to a VM only when asked", () => {
        const plain = virtualMachineArgs(server, ctx);
        expect(Object.keys(plain)).not.toContain("zones");
        expect(Object.keys(plain)).not.toContain("availabilitySet");
        expect(virtualMachineArgs(server, { ...ctx, zone: "2" }).zones).toEqual(["2"]);
        expect(virtualMachineArgs(server, { ...ctx, availabilitySetId: "avset-id" }).availabilitySet).toEqual({ id: "avset-id" });
        expect(() => virtualMachineArgs(server, { ...ctx, zone: "1", availabilitySetId: "avset-id" })).toThrow("exclude each other");
    });

    it("add accelerated networking to a NIC only when decided", () => {
        const base = { resourceGroupName: "rg", location: "westeurope", tags: {} };
        expect(Object.keys(networkInterfaceArgs(base, { nsgId: "nsg", subnetId: "snet" }))).not.toContain("enableAcceleratedNetworking");
        expect(networkInterfaceArgs(base, { nsgId: "nsg", subnetId: "snet", acceleratedNetworking: true }).enableAcceleratedNetworking).toBe(true);
    });
});

describe("warnInternetWideRdp", () => {
    it("warns only when a source opens RDP to the whole internet, naming it", () => {
        const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(async () => undefined);
        const resource = {} as pulumi.Resource;
        warnInternetWideRdp(["10.0.0.0/8", "VirtualNetwork"], "the session hosts of rdsh", resource);
        expect(warn).not.toHaveBeenCalled();
        warnInternetWideRdp(["10.0.0.0/8", "0.0.0.0/0"], "the session hosts of rdsh", resource);
        expect(warn).toHaveBeenCalledWith("allowRdpFrom lists 0.0.0.0/0: RDP to the session hosts of rdsh is open to the whole internet", resource);
        warn.mockRestore();
    });
});
