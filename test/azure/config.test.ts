/**
 * `rds-licensing:azure` in the stack config: accepted shapes and defaults, and every problem named
 * by its key with a fix, before anything else runs. Passwords never appear in messages.
 */
import { describe, expect, it } from "vitest";
import { validateStackConfig } from "../../src/config";
import { alignedCidr, cidrContains, closestRegion, parseCidr, passwordComplexityProblem } from "../../src/config/azure";
import { configError } from "../support/config-fixtures";
import { ADMIN_PASSWORD, AZURE_SECRET_PATHS, JOIN_PASSWORD, SUBNET_ID, azureConfig, domainSettings } from "./support/fixtures";

const secretUnless = (plain: readonly string[] = []) => (path: string) => AZURE_SECRET_PATHS.includes(path) && !plain.includes(path);

const problems = (raw: Record<string, unknown>, plain: readonly string[] = []) => configError(() => validateStackConfig(raw, secretUnless(plain)));

describe("rds-licensing:azure, valid", () => {
    it("applies the defaults", () => {
        const { azure } = validateStackConfig(azureConfig({ location: "West Europe" }), secretUnless());
        expect(azure).toEqual({
            location: "westeurope",
            resourceGroupName: "rg-rds-licensing",
            createResourceGroup: true,
            vmSize: "Standard_D2s_v5",
            osDiskType: "Premium_LRS",
            dnsServers: [],
            allowRdpFrom: [],
            publicIp: false,
            connectionBroker: false,
            adminUsername: "rdlsadmin",
            hybridBenefit: false,
            numbersDelivery: "protected-parameters",
            tags: {},
        });
    });

    it("accepts Key Vault delivery of the CAL numbers", () => {
        expect(validateStackConfig(azureConfig({ numbersDelivery: "key-vault" }), secretUnless()).azure).toMatchObject({ numbersDelivery: "key-vault" });
    });

    it("accepts everything set, a version stored as a number, and the internet as an explicit RDP source", () => {
        const { azure } = validateStackConfig(
            azureConfig({
                windowsServerVersion: 2022,
                imageSku: "2022-datacenter-g2",
                network: { subnetId: SUBNET_ID },
                allowRdpFrom: ["10.0.0.0/8", "198.51.100.7", "VirtualNetwork", "0.0.0.0/0"],
                domain: domainSettings(),
                connectionBroker: true,
                adminPassword: ADMIN_PASSWORD,
                vmSize: "Standard_E4-2s_v5",
                tags: { owner: "rds-team" },
            }),
            secretUnless(),
        );
        expect(azure?.windowsServerVersion).toBe("2022");
        expect(azure?.allowRdpFrom).toContain("0.0.0.0/0");
    });

    it("needs no azure key on the simulator target", () => {
        const raw = azureConfig();
        raw.target = "simulator";
        delete raw.azure;
        expect(validateStackConfig(raw, secretUnless()).azure).toBeUndefined();
    });
});

interface Case {
    name: string;
    azure?: Record<string, unknown>;
    mutate?: (raw: any) => void;
    plain?: string[];
    key: string;
    says?: string;
}

const CASES: Case[] = [
    { name: "missing location", mutate: (c) => delete c.azure.location, key: "azure.location", says: "is required" },
    { name: "unknown location", azure: { location: "westeurop" }, key: "azure.location", says: "did you mean westeurope?" },
    { name: "a location from another cloud", azure: { location: "eu-west-1" }, key: "azure.location", says: "is not an Azure region name" },
    { name: "a VM size without Standard_", azure: { vmSize: "D2s_v5" }, key: "azure.vmSize", says: "Standard_D2s_v5" },
    { name: "a malformed VNet CIDR", azure: { network: { vnetCidr: "10.10.0.0", subnetCidr: "10.10.1.0/24" } }, key: "azure.network.vnetCidr", says: "IPv4 CIDR" },
    { name: "a CIDR with host bits", azure: { network: { vnetCidr: "10.10.0.0/16", subnetCidr: "10.10.1.7/24" } }, key: "azure.network.subnetCidr", says: "did you mean 10.10.1.0/24?" },
    { name: "a subnet too small for Azure", azure: { network: { vnetCidr: "10.10.0.0/16", subnetCidr: "10.10.1.0/30" } }, key: "azure.network.subnetCidr", says: "/29" },
    { name: "a subnet outside the VNet", azure: { network: { vnetCidr: "10.10.0.0/16", subnetCidr: "10.20.1.0/24" } }, key: "azure.network.subnetCidr", says: "is not inside" },
    { name: "a subnet larger than the VNet", azure: { network: { vnetCidr: "10.10.0.0/24", subnetCidr: "10.10.0.0/16" } }, key: "azure.network.subnetCidr", says: "is not inside" },
    { name: "a VNet without a subnet", azure: { network: { vnetCidr: "10.10.0.0/16" } }, key: "azure.network.subnetCidr", says: "is required" },
    { name: "a subnet ID that is not one", azure: { network: { subnetId: "servers" } }, key: "azure.network.subnetId", says: "subnet resource ID" },
    { name: "an existing subnet and a new network", azure: { network: { subnetId: SUBNET_ID, vnetCidr: "10.10.0.0/16", subnetCidr: "10.10.1.0/24" } }, key: "azure.network", says: "keep one" },
    { name: "a NAT gateway for an existing subnet", azure: { network: { subnetId: SUBNET_ID, natGateway: true } }, key: "azure.network.natGateway" },
    { name: "a bad RDP source", azure: { allowRdpFrom: ["10.0.0.0/8", "anywhere"] }, key: "azure.allowRdpFrom[1]", says: "must be a CIDR" },
    { name: "an RDP range with host bits", azure: { allowRdpFrom: ["10.0.0.1/8"] }, key: "azure.allowRdpFrom[0]", says: "did you mean 10.0.0.0/8?" },
    { name: "a DNS server that is a CIDR", azure: { dnsServers: ["10.0.0.0/24"] }, key: "azure.dnsServers[0]" },
    { name: "a broker without a domain", azure: { connectionBroker: true }, key: "azure.domain", says: "RD Connection Broker role needs a domain-joined server" },
    { name: "a domain without join credentials", azure: { domain: { name: "corp.contoso.com" } }, key: "azure.domain.joinUser", says: "is required" },
    { name: "a domain without a join password", azure: { connectionBroker: true, domain: { name: "corp.contoso.com", joinUser: "CORP\\svc" } }, key: "azure.domain.joinPassword", says: "is required" },
    { name: "a plain-text join password", azure: { domain: domainSettings() }, plain: ["azure.domain.joinPassword"], key: "azure.domain.joinPassword", says: "plain text" },
    { name: "a join user without its domain", azure: { domain: { ...domainSettings(), joinUser: "svc-join" } }, key: "azure.domain.joinUser", says: "CORP\\svc-join" },
    { name: "a NetBIOS domain name", azure: { domain: { ...domainSettings(), name: "CORP" } }, key: "azure.domain.name", says: "DNS name" },
    { name: "an OU path that is not a DN", azure: { domain: { ...domainSettings(), ouPath: "RDS servers" } }, key: "azure.domain.ouPath", says: "distinguished name" },
    { name: "an OU in another domain", azure: { domain: { ...domainSettings(), ouPath: "OU=RDS,DC=fabrikam,DC=com" } }, key: "azure.domain.ouPath", says: "fabrikam.com" },
    { name: "a plain-text admin password", azure: { adminPassword: ADMIN_PASSWORD }, plain: ["azure.adminPassword"], key: "azure.adminPassword", says: "plain text" },
    { name: "a weak admin password", azure: { adminPassword: "short" }, key: "azure.adminPassword", says: "12 to 123" },
    { name: "a reserved admin name", azure: { adminUsername: "admin" }, key: "azure.adminUsername", says: "refuses" },
    { name: "a VM version unlike the server's", azure: { windowsServerVersion: "2025" }, key: "azure.windowsServerVersion", says: "licenseServer.windowsServerVersion is 2022" },
    { name: "Windows Server 2016 on Azure", mutate: (c) => ((c.licenseServer.windowsServerVersion = "2016"), (c.calPacks = [])), key: "licenseServer.windowsServerVersion", says: "2019, 2022, 2025 only" },
    { name: "an image of another version", azure: { imageSku: "2019-datacenter-gensecond" }, key: "azure.imageSku", says: "license server is 2022" },
    { name: "Trusted Launch on a Gen1 image", azure: { imageSku: "2022-datacenter", trustedLaunch: true }, key: "azure.trustedLaunch", says: "Gen1" },
    { name: "an existing group without its name", mutate: (c) => ((c.azure.createResourceGroup = false), delete c.azure.resourceGroupName), key: "azure.resourceGroupName" },
    { name: "a bad resource group name", azure: { resourceGroupName: "rg with spaces" }, key: "azure.resourceGroupName" },
    { name: "a bad disk type", azure: { osDiskType: "UltraSSD_LRS" }, key: "azure.osDiskType" },
    { name: "a tag value too long", azure: { tags: { note: "x".repeat(300) } }, key: "azure.tags.note" },
    { name: "an unknown numbers delivery", azure: { numbersDelivery: "blob" }, key: "azure.numbersDelivery", says: "protected-parameters or key-vault" },
    { name: "an unknown azure key", azure: { vmsize: "Standard_D2s_v5" }, key: "azure.vmsize", says: "is not a setting" },
];

describe("rds-licensing:azure, invalid", () => {
    it.each(CASES.map((c) => [c.name, c] as const))("rejects %s, naming the key", (_name, c) => {
        const raw = azureConfig(c.azure);
        c.mutate?.(raw);
        const error = problems(raw, c.plain);
        const problem = error.problems.find((p) => p.key === `rds-licensing:${c.key}`);
        expect(problem, `problems: ${error.problems.map((p) => p.key).join(", ")}`).toBeDefined();
        if (c.says) expect(`${problem!.problem} ${problem!.fix}`).toContain(c.says);
        expect(problem!.fix.length).toBeGreaterThan(10);
        for (const secret of [JOIN_PASSWORD, ADMIN_PASSWORD]) expect(error.message).not.toContain(secret);
    });

    it("tells how to store the join password as a secret", () => {
        const error = problems(azureConfig({ domain: domainSettings() }), ["azure.domain.joinPassword"]);
        expect(error.message).toContain("pulumi config set --secret --path 'azure.domain.joinPassword'");
    });

    it("reports every Azure problem at once", () => {
        const error = problems(azureConfig({ connectionBroker: true, adminPassword: ADMIN_PASSWORD, network: { vnetCidr: "10.1.0.0/16", subnetCidr: "10.2.0.0/24" } }), ["azure.adminPassword"]);
        expect(error.problems.map((p) => p.key)).toEqual(
            expect.arrayContaining(["rds-licensing:azure.domain", "rds-licensing:azure.adminPassword", "rds-licensing:azure.network.subnetCidr"]),
        );
    });
});

describe("the helpers behind the checks", () => {
    it("parse, align and nest CIDRs", () => {
        expect(parseCidr("10.10.1.0/24")).toEqual({ address: 0x0a0a0100, prefix: 24 });
        expect(parseCidr("10.10.1.300/24")).toBeUndefined();
        expect(parseCidr("10.10.1.0/33")).toBeUndefined();
        expect(alignedCidr(parseCidr("192.168.7.9/20")!)).toBe("192.168.0.0/20");
        expect(cidrContains(parseCidr("10.0.0.0/8")!, parseCidr("10.255.255.0/24")!)).toBe(true);
        expect(cidrContains(parseCidr("10.0.0.0/8")!, parseCidr("11.0.0.0/24")!)).toBe(false);
    });

    it("suggest the closest region only when it is close", () => {
        expect(closestRegion("germanywestcentrl")).toBe("germanywestcentral");
        expect(closestRegion("eu-west-1")).toBeUndefined();
    });

    it("check password complexity as Azure does", () => {
        expect(passwordComplexityProblem("Abcdefghijk1")).toBeUndefined();
        expect(passwordComplexityProblem("abcdefghijk1")).toContain("three");
        expect(passwordComplexityProblem("Ab1!")).toContain("12 to 123");
    });
});
