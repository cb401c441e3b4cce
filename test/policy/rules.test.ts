/**
 * Each rule of the policy pack through the framework's own analyze handlers (see harness.ts):
 * violating and compliant resources, secrets and preview unknowns in the engine's wire format.
 */
import { describe, expect, it } from "vitest";
import { SECRETS } from "../support/config-fixtures";
import { secretForms } from "../support/secrets";
import { UNKNOWN, analyzeResource, analyzeStack, rules, secret, secretPathsModule, urnOf, type CraftedResource } from "./harness";

const PACK_TYPE = "pulumi-nodejs:dynamic/licensing:CalKeyPack";
const SERVER_TYPE = "pulumi-nodejs:dynamic/simulator:SimulatedLicenseServer";
const NSG = "azure-native:network:NetworkSecurityGroup";

const pack = (name: string, props: Record<string, unknown>): CraftedResource => ({
    type: PACK_TYPE,
    name,
    props: { server: "RDLS01", program: "enterprise-agreement", productVersion: "2022", licenseType: "per-user", count: 5, ...props },
});
const server = (name: string, version: string, serverName = "RDLS01"): CraftedResource => ({
    type: SERVER_TYPE,
    name,
    props: { serverName, windowsServerVersion: version, home: ".rdls-sim" },
});
const stack = (outputs: Record<string, unknown>): CraftedResource => ({ type: "pulumi:pulumi:Stack", name: "rds-licensing-test", props: outputs });
const policies = (violations: { policy: string }[]) => violations.map((v) => v.policy);

describe("secret tracking", () => {
    it("finds secret paths in the wire format, nested and in arrays", () => {
        expect(secretPathsModule.secretPathsOf({ a: secret("x"), b: { c: [1, secret(2)] }, d: "plain" })).toEqual(["a", "b.c[1]"]);
    });
});

describe("cal-numbers-are-secrets", () => {
    it("fails a pack whose agreement number is plain text, without printing the number", async () => {
        const violations = await analyzeResource(pack("rds-ea", { agreementNumber: SECRETS.agreementNumber }));
        expect(policies(violations)).toEqual(["cal-numbers-are-secrets"]);
        expect(violations[0].message).toContain("agreementNumber is plain text");
        for (const form of secretForms()) expect(violations[0].message).not.toContain(form);
    });

    it("names every plain field of an Open License or retail pack", async () => {
        const open = await analyzeResource(pack("rds-open", { program: "open-license", licenseNumber: SECRETS.licenseNumber, authorizationNumber: secret(SECRETS.authorizationNumber) }));
        expect(open.map((v) => v.message)).toEqual([expect.stringContaining("licenseNumber is plain text")]);
        const retail = await analyzeResource(pack("rds-retail", { program: "retail", licenseCode: SECRETS.licenseCode }));
        expect(retail.map((v) => v.message)).toEqual([expect.stringContaining("licenseCode is plain text")]);
    });

    it("passes secret numbers, and numbers still unknown in preview", async () => {
        expect(await analyzeResource(pack("rds-ea", { agreementNumber: secret(SECRETS.agreementNumber) }))).toEqual([]);
        expect(await analyzeResource(pack("rds-ea", { agreementNumber: UNKNOWN }))).toEqual([]);
        expect(await analyzeResource({ type: "random:index/randomString:RandomString", name: "x", props: { agreementNumber: "1234567" } })).toEqual([]);
    });
});

describe("no-internet-rdp", () => {
    const rule = (overrides: Record<string, unknown>) => ({
        name: "rdp",
        priority: 100,
        direction: "Inbound",
        access: "Allow",
        protocol: "Tcp",
        sourceAddressPrefix: "Internet",
        sourcePortRange: "*",
        destinationAddressPrefix: "*",
        destinationPortRange: "3389",
        ...overrides,
    });

    it.each([
        ["Internet", {}],
        ["*", { sourceAddressPrefix: "*" }],
        ["0.0.0.0/0 among prefixes", { sourceAddressPrefix: undefined, sourceAddressPrefixes: ["10.0.0.0/8", "0.0.0.0/0"] }],
        ["a port range", { destinationPortRange: "3000-4000" }],
        ["any port", { destinationPortRange: "*" }],
        ["a port list", { destinationPortRange: undefined, destinationPortRanges: ["443", "3389"] }],
        ["UDP (RDP's UDP transport)", { protocol: "Udp" }],
        ["any protocol, lower case", { protocol: "*", direction: "inbound", access: "allow" }],
    ])("fails an NSG rule allowing RDP from %s", async (_label, overrides) => {
        const violations = await analyzeResource({ type: NSG, name: "rdls-nsg", props: { resourceGroupName: "rg", securityRules: [rule({}), rule(overrides)] } });
        expect(policies(violations)).toEqual(["no-internet-rdp", "no-internet-rdp"]);
    });

    it.each([
        ["denied", { access: "Deny" }],
        ["outbound", { direction: "Outbound" }],
        ["from the admin network", { sourceAddressPrefix: "10.20.0.0/16" }],
        ["from a service tag other than Internet", { sourceAddressPrefix: "VirtualNetwork" }],
        ["on another port", { destinationPortRange: "443" }],
        ["a range that stops before 3389", { destinationPortRange: "3000-3388" }],
        ["ICMP", { protocol: "Icmp" }],
    ])("passes a rule %s", async (_label, overrides) => {
        expect(await analyzeResource({ type: NSG, name: "rdls-nsg", props: { securityRules: [rule(overrides)] } })).toEqual([]);
    });

    it("checks standalone SecurityRule resources and versioned types; unknown rules are skipped", async () => {
        const standalone = await analyzeResource({ type: "azure-native:network:SecurityRule", name: "rdp-rule", props: rule({ name: undefined, securityRuleName: "rdp-in" }) });
        expect(standalone.map((v) => v.message)).toEqual([expect.stringContaining("rule 'rdp-in' allows RDP (3389) from the internet")]);
        const versioned = await analyzeResource({ type: "azure-native:network/v20230901:NetworkSecurityGroup", name: "nsg", props: { securityRules: [rule({})] } });
        expect(policies(versioned)).toEqual(["no-internet-rdp"]);
        expect(await analyzeResource({ type: NSG, name: "nsg", props: { securityRules: UNKNOWN } })).toEqual([]);
        expect(await analyzeResource({ type: NSG, name: "nsg", props: { securityRules: [rule({ sourceAddressPrefix: UNKNOWN })] } })).toEqual([]);
    });

    it("has a pure core that reads ports and sources like Azure does", () => {
        expect(rules.portCoversRdp("3389")).toBe(true);
        expect(rules.portCoversRdp(" 3380 - 3390 ")).toBe(true);
        expect(rules.portCoversRdp("33890")).toBe(false);
        expect(rules.allowsInternetRdp({ direction: "Inbound", access: "Allow", protocol: "Tcp", sourceAddressPrefix: "::/0", destinationPortRange: "3389" })).toBe(true);
        expect(rules.allowsInternetRdp({ access: "Allow", protocol: "Tcp", sourceAddressPrefix: "*", destinationPortRange: "3389" })).toBe(false);
    });
});

describe("server-version-covers-cals", () => {
    it("fails a pack newer than its server, found through the `server` input's dependency", async () => {
        const srv = server("rds-server", "2022");
        const p = { ...pack("rds-ea-2025", { productVersion: "2025", server: UNKNOWN }), parent: undefined, propertyDependencies: { server: [urnOf(srv)] } };
        const violations = await analyzeStack([srv, p, stack({ licensingMode: "PerUser" })]);
        expect(policies(violations)).toEqual(["server-version-covers-cals"]);
        expect(violations[0].message).toContain("Windows Server 2025 CALs, but its license server 'rds-server' runs Windows Server 2022");
        expect(violations[0].urn).toBe(urnOf(p));
    });

    it("matches servers by name when there are several, and passes same or older CALs", async () => {
        const old = server("old-server", "2016", "RDLS-OLD");
        const current = server("new-server", "2025", "RDLS-NEW");
        const onOld = pack("rds-on-old", { productVersion: "2019", server: "RDLS-OLD" });
        const onNew = pack("rds-on-new", { productVersion: "2025", server: "rdls-new" });
        const olderOnOld = pack("rds-older", { productVersion: "2016", server: "RDLS-OLD" });
        const violations = await analyzeStack([old, current, onOld, onNew, olderOnOld, stack({ licensingMode: "PerDevice" })]);
        expect(violations.map((v) => v.urn)).toEqual([urnOf(onOld)]);
    });

    it("reads a version given as a number, and skips packs whose server is unknown", async () => {
        expect(policies(await analyzeStack([server("s", 2019 as never), pack("p", { productVersion: "2022" }), stack({ licensingMode: "PerUser" })]))).toEqual([
            "server-version-covers-cals",
        ]);
        const twoServers = [server("a", "2016", "A"), server("b", "2016", "B"), pack("p", { productVersion: "2025", server: UNKNOWN }), stack({ licensingMode: "PerUser" })];
        expect(await analyzeStack(twoServers)).toEqual([]);
    });
});

describe("licensing-mode-set", () => {
    const srv = server("rds-server", "2022");
    const p = pack("rds-ea", { agreementNumber: secret("9990001") });

    it("fails a stack with CAL packs and no licensing mode", async () => {
        for (const outputs of [{}, { licensingMode: "PerSession" }]) {
            expect(policies(await analyzeStack([srv, p, stack(outputs)]))).toEqual(["licensing-mode-set"]);
        }
    });

    it("passes the stack output, a LicensingConfiguration resource, a mode still unknown, or a stack without packs", async () => {
        expect(await analyzeStack([srv, p, stack({ licensingMode: "PerUser" })])).toEqual([]);
        const config = { type: "pulumi-nodejs:dynamic/licensing:LicensingConfiguration", name: "cfg", props: { licensingMode: "PerDevice" } };
        expect(await analyzeStack([srv, p, stack({}), config])).toEqual([]);
        expect(await analyzeStack([srv, p, stack({ licensingMode: UNKNOWN })])).toEqual([]);
        expect(await analyzeStack([srv, stack({})])).toEqual([]);
    });
});
