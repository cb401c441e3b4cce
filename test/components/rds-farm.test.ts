/**
 * RdsLicensing as a farm, with Pulumi mocks: what it registers for two license servers, packs split
 * between them, a deployment and a standalone host (names, types, inputs), the first server's
 * resources keeping a one-server component's names, and the checks refusing or warning at
 * construction.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { RdsLicensing, type RdsLicensingArgs } from "../../components";
import { RESOURCE_TYPES } from "../../src/licensing/resource-types";
import { installLicensingMocks, unwrap, type LicensingMocks } from "./support/mocks";

let mocks: LicensingMocks;
beforeAll(async () => {
    mocks = await installLicensingMocks("rds-farm");
});

const contact = { firstName: "Test", lastName: "Admin", company: "Contoso (fictitious)", countryRegion: "NL" };
function farmArgs(): RdsLicensingArgs {
    return {
        licenseServers: [
            { name: "RDLS01", windowsServerVersion: "2022", contact },
            { name: "RDLS02", windowsServerVersion: "2022", contact },
        ],
        calPacks: [
            { name: "users", program: "enterprise-agreement", agreementNumber: "9990001", productVersion: "2022", licenseType: "per-user", count: 10 },
            { name: "devices", licenseServer: "RDLS02", program: "enterprise-agreement", agreementNumber: "9990001", productVersion: "2019", licenseType: "per-device", count: 5 },
        ],
        licensingMode: "PerUser",
        deployment: { broker: "RDCB01", sessionHosts: [{ name: "RDSH01", windowsServerVersion: "2019" }] },
        sessionHosts: [{ name: "RDSH09", windowsServerVersion: "2019", mode: "PerDevice", licenseServers: ["RDLS02"] }],
    };
}

describe("RdsLicensing with a farm", () => {
    it("registers each server, its activation and packs, the deployment and the host, each licensed", async () => {
        new RdsLicensing("farm", farmArgs(), { transformations: [mocks.transformation] });
        await mocks.settle();
        const names = (type: string) => mocks.byType(type).map((r) => r.name).sort();
        expect(names(RESOURCE_TYPES.simulatedServer)).toEqual(["farm-rdls02-server", "farm-server"]);
        expect(names(RESOURCE_TYPES.activation)).toEqual(["farm-activation", "farm-rdls02-activation"]);
        expect(names(RESOURCE_TYPES.calKeyPack)).toEqual(["farm-devices", "farm-users"]);
        expect(names(RESOURCE_TYPES.simulatedDeployment)).toEqual(["farm-deployment"]);
        expect(names(RESOURCE_TYPES.deploymentLicensing)).toEqual(["farm-deployment-licensing"]);
        expect(names(RESOURCE_TYPES.simulatedSessionHost)).toEqual(["farm-host-rdsh09"]);
        expect(names(RESOURCE_TYPES.hostLicensing)).toEqual(["farm-host-rdsh09-licensing"]);

        expect(unwrap(mocks.one(RESOURCE_TYPES.calKeyPack, "farm-devices").inputs)).toMatchObject({ server: "RDLS02", licenseType: "per-device" });
        expect(unwrap(mocks.one(RESOURCE_TYPES.calKeyPack, "farm-users").inputs)).toMatchObject({ server: "RDLS01" });
        expect(unwrap(mocks.one(RESOURCE_TYPES.deploymentLicensing, "farm-deployment-licensing").inputs)).toMatchObject({
            broker: "RDCB01",
            mode: "PerUser",
            licenseServers: ["RDLS01", "RDLS02"],
            resetOnDelete: false,
        });
        expect(unwrap(mocks.one(RESOURCE_TYPES.hostLicensing, "farm-host-rdsh09-licensing").inputs)).toMatchObject({
            host: "RDSH09",
            mode: "PerDevice",
            licenseServers: ["RDLS02"],
        });
        expect(unwrap(mocks.one(RESOURCE_TYPES.simulatedDeployment, "farm-deployment").inputs)).toMatchObject({
            broker: "RDCB01",
            sessionHosts: [{ name: "RDSH01", windowsServerVersion: "2019" }],
        });
    });

    it.each([
        ["per-device CALs for per-user clients only", (a: RdsLicensingArgs) => (a.sessionHosts = []), /calPacks\[1\]\.licenseType: pack "devices" holds per-device CALs/],
        ["a host newer than every CAL of its mode", (a: RdsLicensingArgs) => (a.deployment!.sessionHosts![0]!.windowsServerVersion = "2025"), /deployment\.sessionHosts\[0\]\.windowsServerVersion/],
        ["a pack on a server it does not have", (a: RdsLicensingArgs) => (a.calPacks[0]!.licenseServer = "RDLS07"), /calPacks\[0\]\.licenseServer/],
        ["both licenseServer and licenseServers", (a: RdsLicensingArgs) => (a.licenseServer = a.licenseServers![0]), /licenseServer and licenseServers are both set/],
        ["a farm on the azure target", (a: RdsLicensingArgs) => (a.target = "azure"), /deployment is only available with the simulator target/],
    ])("refuses %s before registering anything", (_name, mutate, message) => {
        const before = mocks.constructed.length;
        const args = farmArgs();
        mutate(args);
        expect(() => new RdsLicensing("refused", args, { transformations: [mocks.transformation] })).toThrow(message);
        expect(mocks.constructed.length).toBe(before);
    });

    it("warns about a host listing a server it does not manage, and goes ahead", async () => {
        const warn = vi.spyOn(pulumi.log, "warn").mockResolvedValue(undefined as never);
        const args = farmArgs();
        args.sessionHosts![0]!.licenseServers = ["RDLS02", "rdls-other.contoso.com"];
        new RdsLicensing("warned", args, { transformations: [mocks.transformation] });
        expect(warn.mock.calls.map((c) => c[0])).toEqual([expect.stringMatching(/^RdsLicensing warned: sessionHosts\[0\]\.licenseServers: .*rdls-other\.contoso\.com, which this stack does not manage/)]);
        warn.mockRestore();
        await mocks.settle();
        expect(mocks.byType(RESOURCE_TYPES.hostLicensing).map((r) => r.name)).toContain("warned-host-rdsh09-licensing");
    });
});
