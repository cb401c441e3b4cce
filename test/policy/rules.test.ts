/**
 * Each rule of the policy pack through the framework's own analyze handlers (see harness.ts):
 * violating and compliant resources, secrets and preview unknowns in the engine's wire format.
 */
import { describe, expect, it } from "vitest";
import { SECRETS } from "../support/config-fixtures";
import { expectNoSecrets, secretForms } from "../support/secrets";
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
/** A violation's own message, without the policy's description the framework puts first. */
const detail = (violation: { message: string }) => violation.message.slice(violation.message.indexOf("\n") + 1);

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

// ---------------------------------------------------------------------------------------------------
// The farm plan's checks (policy/farm.ts)

const DEPLOYMENT_TYPE = "pulumi-nodejs:dynamic/simulator:SimulatedDeployment";
const DEPLOYMENT_LICENSING_TYPE = "pulumi-nodejs:dynamic/licensing:DeploymentLicensing";
const HOST_TYPE = "pulumi-nodejs:dynamic/simulator:SimulatedSessionHost";
const HOST_LICENSING_TYPE = "pulumi-nodejs:dynamic/licensing:HostLicensing";
const ADVISORY = 0;
const MANDATORY = 1;

const deployment = (broker: string, sessionHosts: unknown, name = "farm"): CraftedResource => ({
    type: DEPLOYMENT_TYPE,
    name,
    props: { home: ".rdls-sim", broker, sessionHosts },
});
const deploymentLicensing = (props: Record<string, unknown>, name = "farm-licensing"): CraftedResource => ({
    type: DEPLOYMENT_LICENSING_TYPE,
    name,
    props: { broker: "RDCB01", mode: "PerUser", licenseServers: ["RDLS01"], resetOnDelete: false, ...props },
});
const sessionHost = (name: string, hostName: string, version: string): CraftedResource => ({
    type: HOST_TYPE,
    name,
    props: { home: ".rdls-sim", name: hostName, windowsServerVersion: version },
});
const hostLicensing = (name: string, props: Record<string, unknown>): CraftedResource => ({
    type: HOST_LICENSING_TYPE,
    name,
    props: { mode: "PerUser", licenseServers: ["RDLS01"], ...props },
});
/** A farm's resources with the stack's licensing mode output (so licensing-mode-set stays quiet). */
const farm = (...resources: CraftedResource[]) => analyzeStack([...resources, stack({ licensingMode: "PerUser" })]);

describe("farm-cal-types-match-modes", () => {
    it("fails a pack of a type no client of its server asks for, on the pack, naming it and the mode to change", async () => {
        const devices = pack("open-2019-devices", { licenseType: "per-device", program: "open-license", licenseNumber: secret(SECRETS.licenseNumber) });
        const violations = await farm(
            server("rdls01", "2022"),
            pack("ea-users", { agreementNumber: secret(SECRETS.agreementNumber) }),
            devices,
            deployment("RDCB01", [{ name: "RDSH01", windowsServerVersion: "2022" }]),
            deploymentLicensing({}),
        );
        expect(violations.map((v) => [v.policy, v.urn, v.level])).toEqual([["farm-cal-types-match-modes", urnOf(devices), MANDATORY]]);
        expect(detail(violations[0])).toBe(
            "CalKeyPack 'open-2019-devices': licenseType — pack \"open-2019-devices\" holds per-device CALs, which RDLS01's clients never ask for " +
                "(deployment RDCB01 is PerUser): they would never be issued. Fix: install per-user CALs instead, or change the mode of DeploymentLicensing 'farm-licensing'.",
        );
        expectNoSecrets(detail(violations[0]), "the violation");
    });

    it("judges a standalone host's licensing too, and names a pack under a component by its display name", async () => {
        const component = { type: "rds-licensing:index:RdsLicensing", name: "rds", props: {} };
        const users = { ...pack("rds-users", {}), parent: urnOf(component) };
        const violations = await farm(component, server("rdls01", "2022"), users, hostLicensing("rdsh09-licensing", { host: "RDSH09", mode: "PerDevice" }));
        // No simulated host resource for RDSH09: its version is unknown, so it is not judged per host.
        expect(policies(violations)).toEqual(["farm-cal-types-match-modes"]);
        expect(detail(violations[0])).toMatch(/^CalKeyPack 'users': licenseType — pack "users" holds per-user CALs, .*\(session host RDSH09 is PerDevice\)/);
        expect(detail(violations[0])).toContain("or change the mode of HostLicensing 'rdsh09-licensing'");
    });

    it("passes packs some client asks for, packs on a server nobody lists, and modes or lists still unknown in preview", async () => {
        const srv = server("rdls01", "2022");
        const devices = pack("devices", { licenseType: "per-device" });
        expect(await farm(srv, devices, deploymentLicensing({}), hostLicensing("rdsh09-licensing", { host: "RDSH09", mode: "PerDevice" }))).toEqual([]);
        expect(await farm(srv, devices, deploymentLicensing({ licenseServers: ["RDLS02"] }))).toEqual([
            expect.objectContaining({ policy: "farm-license-servers-managed", level: ADVISORY }),
        ]);
        expect(await farm(srv, devices, deploymentLicensing({}), hostLicensing("h", { host: "RDSH09", mode: UNKNOWN }))).toEqual([]);
        expect(await farm(srv, devices, deploymentLicensing({}), hostLicensing("h", { host: "RDSH09", mode: "PerDevice", licenseServers: UNKNOWN }))).toEqual([]);
        expect(await farm(srv, pack("p", { licenseType: UNKNOWN }), deploymentLicensing({}))).toEqual([]);
    });
});

describe("farm-hosts-get-cals", () => {
    it("fails a deployment's host newer than every license server, and one no pack serves, on the deployment", async () => {
        const farmDeployment = deployment("RDCB01", [
            { name: "RDSH01", windowsServerVersion: "2019" },
            { name: "RDSH02", windowsServerVersion: "2025" },
            { name: "RDSH03", windowsServerVersion: "2022" },
        ]);
        const violations = await farm(server("rdls01", "2022"), pack("users-2019", { productVersion: "2019" }), farmDeployment, deploymentLicensing({ broker: "rdcb01" }));
        expect(violations.map((v) => [v.policy, v.urn, v.level])).toEqual([
            ["farm-hosts-get-cals", urnOf(farmDeployment), MANDATORY],
            ["farm-hosts-get-cals", urnOf(farmDeployment), MANDATORY],
        ]);
        expect(detail(violations[0])).toBe(
            "SimulatedDeployment 'farm': sessionHosts[1].windowsServerVersion — session host RDSH02 runs Windows Server 2025, newer than every license server " +
                "of deployment rdcb01 (RDLS01 2022): it cannot get CALs from them. Fix: list a license server of Windows Server 2025 or newer in the licenseServers of DeploymentLicensing 'farm-licensing'.",
        );
        expect(detail(violations[1])).toBe(
            "SimulatedDeployment 'farm': sessionHosts[2].windowsServerVersion — session host RDSH03 (Windows Server 2022, PerUser) gets no CAL: " +
                "its license servers hold per-user CALs of 2019 only. Fix: add a per-user pack of 2022 or newer on RDLS01 as a CalKeyPack.",
        );
    });

    it("fails a standalone simulated host without CALs of its mode, on the host; finds servers and the broker through unknown outputs' dependencies", async () => {
        const srv = server("rdls01", "2022");
        const host = sessionHost("rdsh09", "RDSH09", "2022");
        const hostConfig = { ...hostLicensing("rdsh09-licensing", { host: UNKNOWN, mode: "PerDevice", licenseServers: [UNKNOWN] }), propertyDependencies: { host: [urnOf(host)], licenseServers: [urnOf(srv)] } };
        const packOnServer = { ...pack("users", { server: UNKNOWN }), propertyDependencies: { server: [urnOf(srv)] } };
        const violations = await farm(srv, packOnServer, host, hostConfig);
        expect(violations.map((v) => [v.policy, v.urn])).toEqual([
            ["farm-cal-types-match-modes", urnOf(packOnServer)],
            ["farm-hosts-get-cals", urnOf(host)],
        ]);
        expect(detail(violations[1])).toBe(
            "SimulatedSessionHost 'rdsh09': windowsServerVersion — session host RDSH09 (Windows Server 2022, PerDevice) gets no CAL: its license servers hold no per-device CALs. " +
                "Fix: add a per-device pack of 2022 or newer on RDLS01 as a CalKeyPack.",
        );

        const farmDeployment = deployment("RDCB01", [{ name: "RDSH01", windowsServerVersion: "2025" }]);
        const licensing = { ...deploymentLicensing({ broker: UNKNOWN }), propertyDependencies: { broker: [urnOf(farmDeployment)] } };
        expect(policies(await farm(srv, pack("users", {}), farmDeployment, licensing))).toEqual(["farm-hosts-get-cals"]);
    });

    it("passes covered hosts, and leaves hosts of unknown version and packs still unknown in preview unjudged", async () => {
        const srv = server("rdls01", "2022");
        const users = pack("users", {});
        const hosts = [
            { name: "RDSH01", windowsServerVersion: "2019" },
            { name: "RDSH02", windowsServerVersion: "2022" },
        ];
        expect(await farm(srv, users, deployment("RDCB01", hosts), deploymentLicensing({}))).toEqual([]);
        // No simulated deployment or host (an Azure farm): nothing to judge per host.
        expect(await farm(srv, pack("old", { productVersion: "2016" }), deploymentLicensing({}), hostLicensing("h", { host: "RDSH09" }))).toEqual([]);
        // Hosts or versions unknown in preview, or a pack that may yet serve them.
        const newer = [{ name: "RDSH03", windowsServerVersion: "2025" }];
        expect(await farm(srv, users, deployment("RDCB01", UNKNOWN), deploymentLicensing({}))).toEqual([]);
        expect(await farm(srv, users, deployment("RDCB01", [{ name: "RDSH03", windowsServerVersion: UNKNOWN }]), deploymentLicensing({}))).toEqual([]);
        expect(await farm(srv, pack("users-2019", { productVersion: "2019" }), pack("more", { productVersion: UNKNOWN }), deployment("RDCB01", hosts), deploymentLicensing({}))).toEqual([]);
        // A listed license server whose version the stack does not state (an Azure one): no verdict on its hosts.
        const azure = { type: "rds-licensing:azure:AzureLicenseServer", name: "rdls02", props: { computerName: "RDLS02", licenseServerFqdn: "rdls02.contoso.com" } };
        expect(await farm(srv, users, azure, deployment("RDCB01", newer), deploymentLicensing({ licenseServers: ["RDLS01", "rdls02.contoso.com"] }))).toEqual([]);
    });

    it("does not take a session host for a license server (server-version-covers-cals)", async () => {
        const violations = await farm(server("rdls01", "2022"), sessionHost("rdsh09", "RDSH09", "2016"), pack("users-2025", { productVersion: "2025", server: UNKNOWN }));
        expect(policies(violations)).toEqual(["server-version-covers-cals"]);
    });
});

describe("farm-license-servers-managed", () => {
    it("advises on a listed license server the stack has no resource for, on the licensing resource, and judges none of its hosts", async () => {
        const licensing = deploymentLicensing({ licenseServers: ["RDLS01", "rdls09.contoso.com"] });
        const violations = await farm(server("rdls01", "2022"), pack("users", {}), deployment("RDCB01", [{ name: "RDSH01", windowsServerVersion: "2025" }]), licensing);
        expect(violations.map((v) => [v.policy, v.urn, v.level])).toEqual([["farm-license-servers-managed", urnOf(licensing), ADVISORY]]);
        expect(detail(violations[0])).toBe(
            "DeploymentLicensing 'farm-licensing': licenseServers — deployment RDCB01 lists license server rdls09.contoso.com, which this stack does not manage: " +
                "its activation and CALs are not checked. Fix: add rdls09.contoso.com to licenseServers to manage it, or remove it from the licenseServers of DeploymentLicensing 'farm-licensing'.",
        );
    });

    it("counts Azure license servers and activated servers as managed; stays quiet while a server's name or a list is unknown or secret", async () => {
        const srv = server("rdls01", "2022");
        const users = pack("users", {});
        const listing = (servers: unknown) => deploymentLicensing({ licenseServers: servers });
        const azure = { type: "rds-licensing:azure:AzureLicenseServer", name: "rdls02", props: { computerName: "RDLS02", licenseServerFqdn: "rdls02.contoso.com" } };
        expect(await farm(srv, users, azure, listing(["RDLS01", "rdls02.contoso.com"]))).toEqual([]);
        const activation = { type: "pulumi-nodejs:dynamic/licensing:LicenseServerActivation", name: "rdls03-activation", props: { server: "RDLS03" } };
        expect(await farm(srv, users, activation, listing(["RDLS01", "RDLS03"]))).toEqual([]);
        expect(await farm(srv, users, server("other", "2022", UNKNOWN), listing(["RDLS01", "RDLS04"]))).toEqual([]);
        expect(await farm(srv, users, listing(["RDLS01", UNKNOWN]))).toEqual([]);
        expect(await farm(srv, users, listing(secret(["RDLS01", "RDLS05"])))).toEqual([]);
    });
});
