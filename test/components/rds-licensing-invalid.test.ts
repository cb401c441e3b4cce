/**
 * RdsLicensing refuses, at construction (so at `preview`, not at `up`), what it can tell is wrong
 * in its arguments: two packs adopting one key pack, CALs newer than the license server. Nothing
 * is registered then, not even the component.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { RdsLicensing, rdsLicensingArgsProblems, type RdsCalPackArgs, type RdsLicenseServerArgs, type RdsLicensingArgs } from "../../components";
import { CAL_KEY_PACK, installLicensingMocks, type LicensingMocks } from "./support/mocks";

let mocks: LicensingMocks;
beforeAll(async () => {
    mocks = await installLicensingMocks("rds-licensing-invalid");
});

const contact = { firstName: "Test", lastName: "Admin", company: "Contoso (fictitious)", countryRegion: "NL" };
const pack = (name: string, patch: Partial<RdsCalPackArgs> = {}): RdsCalPackArgs => ({
    name,
    program: "enterprise-agreement",
    agreementNumber: "9990001",
    productVersion: "2022",
    licenseType: "per-user",
    count: 10,
    ...patch,
});
const args = (calPacks: RdsCalPackArgs[], windowsServerVersion: RdsLicenseServerArgs["windowsServerVersion"] = "2022"): RdsLicensingArgs => ({
    licenseServer: { name: "RDLS01", windowsServerVersion, contact },
    calPacks,
});

/** Construct, expecting a refusal; then check nothing was constructed (transformations run synchronously) or registered. */
function expectRefused(input: RdsLicensingArgs, message: string | RegExp): void {
    expect(() => new RdsLicensing("farm", input, { transformations: [mocks.transformation] })).toThrow(message);
    expect(mocks.constructed).toEqual([]);
    expect(mocks.resources).toEqual([]);
}

describe("RdsLicensing refuses at construction", () => {
    it("two packs adopting the same key pack", () => {
        expectRefused(
            args([pack("ea-users", { adoptKeyPackId: 4 }), pack("ea-more", { adoptKeyPackId: 4 })]),
            'RdsLicensing farm: calPacks "ea-users" and "ea-more" both adopt key pack 4; both would count its licenses. Keep adoptKeyPackId in one of them',
        );
    });

    it.each([
        ["2025", "2022"],
        ["2022", "2019"],
        ["2019", "2016"],
    ] as const)("CALs of %s on a Windows Server %s license server", (cal, server) => {
        expectRefused(
            args([pack("ok", { productVersion: server }), pack("too-new", { productVersion: cal })], server),
            `RdsLicensing farm: calPacks[1].productVersion: pack "too-new" has ${cal} CALs, newer than its license server RDLS01 (Windows Server ${server}); ` +
                `a license server only holds CALs of its own version or older. Fix: use CALs of ${server} or older, or put the pack on a license server of Windows Server ${cal} or newer`,
        );
    });

    it("lists every problem at once, as plain functions can be tested", () => {
        const problems = rdsLicensingArgsProblems(
            "farm",
            args([pack("a", { adoptKeyPackId: 9, productVersion: "2025" }), pack("b", { adoptKeyPackId: 9 }), pack("a")]),
        );
        expect(problems).toHaveLength(3);
        expect(problems.join("\n")).toMatch(/"a" and "b" both adopt key pack 9[\s\S]*the name "a" is used twice[\s\S]*pack "a" has 2025 CALs/);
    });

    it("accepts older CALs and distinct adopted key packs (and then registers)", async () => {
        const ok = args([pack("ea-2016", { productVersion: "2016", adoptKeyPackId: 4 }), pack("ea-2022", { adoptKeyPackId: 5 }), pack("fresh")]);
        expect(rdsLicensingArgsProblems("farm", ok)).toEqual([]);
        new RdsLicensing("farm", ok, { transformations: [mocks.transformation] });
        await mocks.settle();
        expect(mocks.byType("rds-licensing:index:RdsLicensing")).toHaveLength(1);
        expect(mocks.byType(CAL_KEY_PACK).map((r) => r.name).sort()).toEqual(["farm-ea-2016", "farm-ea-2022", "farm-fresh"]);
    });
});
