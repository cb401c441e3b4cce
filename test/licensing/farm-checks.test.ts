/**
 * The farm's checks before anything is touched (src/licensing/farm-checks.ts): each rule firing
 * and not firing, on specs shaped like the stack config and RdsLicensing's arguments.
 */
import { describe, expect, it } from "vitest";
import { farmPlanFindings, farmSpecFindings, farmSpecProblems, planOfFarm, type FarmSpec } from "../../src/licensing/farm-checks";

function spec(): FarmSpec {
    return {
        licenseServers: [
            { name: "RDLS01", windowsServerVersion: "2022" },
            { name: "RDLS02", windowsServerVersion: "2025" },
        ],
        calPacks: [
            { name: "users", licenseType: "per-user", productVersion: "2022" },
            { name: "devices", licenseServer: "RDLS02", licenseType: "per-device", productVersion: "2019" },
        ],
        licensingMode: "PerUser",
        deployment: { broker: "RDCB01", sessionHosts: [{ name: "RDSH01", windowsServerVersion: "2019" }, { name: "RDSH02", windowsServerVersion: "2022" }] },
        sessionHosts: [{ name: "RDSH09", windowsServerVersion: "2016", mode: "PerDevice", licenseServers: ["RDLS02"] }],
    };
}
const findings = (s: FarmSpec) => farmSpecFindings(s).map((f) => [f.severity, f.setting]);

describe("planOfFarm", () => {
    it("applies the defaults: packs on the first server, every server listed, the deployment's mode", () => {
        const plan = planOfFarm(spec());
        expect(plan.packs.map((p) => [p.name, p.licenseServer, p.setting])).toEqual([
            ["users", "RDLS01", "calPacks[0]"],
            ["devices", "RDLS02", "calPacks[1]"],
        ]);
        expect(plan.consumers.map((c) => [c.label, c.mode, c.licenseServers, c.hosts.map((h) => h.setting)])).toEqual([
            ["deployment RDCB01", "PerUser", ["RDLS01", "RDLS02"], ["deployment.sessionHosts[0]", "deployment.sessionHosts[1]"]],
            ["session host RDSH09", "PerDevice", ["RDLS02"], ["sessionHosts[0]"]],
        ]);
    });
});

describe("farm checks", () => {
    it("find nothing wrong with a sound farm", () => {
        expect(farmSpecFindings(spec())).toEqual([]);
    });

    it("packs of a type no client of their server asks for are never issued", () => {
        const s = spec();
        s.sessionHosts = [];
        expect(findings(s)).toEqual([["error", "calPacks[1].licenseType"]]);
        expect(farmSpecFindings(s)[0]!.message).toMatch(/per-device CALs, which RDLS02's clients never ask for \(deployment RDCB01 is PerUser\)/);
    });

    it("a pack on a server nobody lists is not judged", () => {
        const s = spec();
        s.sessionHosts = [];
        s.deployment!.licenseServers = ["RDLS01"];
        expect(findings(s)).toEqual([]);
    });

    it("a host newer than every pack of its mode gets no CAL", () => {
        const s = spec();
        s.deployment!.sessionHosts[1]!.windowsServerVersion = "2025";
        expect(findings(s)).toEqual([["error", "deployment.sessionHosts[1].windowsServerVersion"]]);
        expect(farmSpecFindings(s)[0]!.fix).toMatch(/add a per-user pack of 2025 or newer on RDLS02/);
    });

    it("a host newer than every listed license server cannot get CALs from them", () => {
        const s = spec();
        s.sessionHosts![0]!.licenseServers = ["RDLS01"];
        s.calPacks[1]!.licenseServer = "RDLS01";
        s.sessionHosts![0]!.windowsServerVersion = "2025";
        expect(findings(s)).toContainEqual(["error", "sessionHosts[0].windowsServerVersion"]);
        expect(farmSpecFindings(s).find((f) => f.setting === "sessionHosts[0].windowsServerVersion")!.message).toMatch(/newer than every license server/);
    });

    it("CALs newer than their license server", () => {
        const s = spec();
        s.calPacks[0]!.productVersion = "2025";
        expect(findings(s)).toContainEqual(["error", "calPacks[0].productVersion"]);
        const s2 = spec();
        s2.calPacks[1]!.productVersion = "2025"; // on the 2025 server: fine
        expect(findings(s2)).toEqual([]);
    });

    it("a listed server the farm does not manage is a warning, and the host is not judged", () => {
        const s = spec();
        s.sessionHosts![0]!.licenseServers = ["rdls-other.contoso.com"];
        s.sessionHosts![0]!.windowsServerVersion = "2025";
        expect(findings(s)).toEqual([
            ["error", "calPacks[1].licenseType"],
            ["warning", "sessionHosts[0].licenseServers"],
        ]);
    });

    it("name problems come first and stop the rules", () => {
        const s = spec();
        s.calPacks[0]!.licenseServer = "RDLS07";
        s.sessionHosts![0]!.name = "rdsh01";
        s.licenseServers = [...s.licenseServers, { name: "rdls01", windowsServerVersion: "2019" }];
        expect(farmSpecProblems(s).map((p) => p.setting)).toEqual(["licenseServers[2].name", "calPacks[0].licenseServer", "sessionHosts[0].name"]);
        expect(findings(s)).toEqual(farmSpecProblems(s).map((p) => [p.severity, p.setting]));
    });

    it("a mode is needed by the deployment and by a host without one", () => {
        const s = spec();
        delete s.licensingMode;
        s.sessionHosts = [{ name: "RDSH09", windowsServerVersion: "2016" }];
        expect(farmSpecProblems(s).map((p) => p.setting)).toEqual(["licensingMode", "sessionHosts[0].mode"]);
    });

    it("farmPlanFindings never reads a number: a plan has none", () => {
        expect(JSON.stringify(planOfFarm(spec()))).not.toMatch(/agreement|licenseCode|count/i);
        expect(farmPlanFindings(planOfFarm(spec()))).toEqual([]);
    });
});
