/**
 * The farm's part of the stack config: several license servers, packs placed on them, a deployment
 * and standalone session hosts, and the farm's checks (src/licensing/farm-checks.ts) reported at the
 * config's key paths before anything is registered.
 */
import { describe, expect, it } from "vitest";
import { validateStackConfig } from "../../src/config";
import { NUMBER_PATHS, configError, validConfig } from "../support/config-fixtures";

const allSecret = (path: string) => NUMBER_PATHS.includes(path);

/** Two servers (2022 preferred, 2025 second), a per-user deployment of a 2019 and a 2022 host, a per-device host. */
function farmConfig(): any {
    const raw = validConfig() as any;
    const first = raw.licenseServer;
    delete raw.licenseServer;
    raw.licenseServers = [first, { ...structuredClone(first), name: "RDLS-TEST02", windowsServerVersion: "2025" }];
    raw.calPacks[1].licenseServer = "RDLS-TEST02"; // the per-device pack
    raw.deployment = {
        broker: "RDCB-TEST01",
        sessionHosts: [
            { name: "RDSH-TEST01", windowsServerVersion: "2019" },
            { name: "RDSH-TEST02", windowsServerVersion: "2022" },
        ],
    };
    raw.sessionHosts = [{ name: "RDSH-TEST09", windowsServerVersion: "2019", mode: "PerDevice", licenseServers: ["RDLS-TEST02"] }];
    return raw;
}

const problemsOf = (raw: unknown) => configError(() => validateStackConfig(raw as Record<string, unknown>, allSecret)).problems;

describe("a farm in the stack config", () => {
    it("parses with its defaults: packs on the first server, every server listed in order", () => {
        const config = validateStackConfig(farmConfig(), allSecret);
        expect(config.licenseServer.name).toBe("RDLS-TEST01");
        expect(config.licenseServers.map((s) => s.name)).toEqual(["RDLS-TEST01", "RDLS-TEST02"]);
        expect(config.calPacks.map((p) => p.licenseServer)).toEqual([undefined, "RDLS-TEST02", undefined]);
        expect(config.deployment).toMatchObject({ broker: "RDCB-TEST01", resetOnDelete: false, adoptExisting: false });
        expect(config.deployment!.licenseServers).toBeUndefined();
        expect(config.sessionHosts[0]).toMatchObject({ mode: "PerDevice", resetOnDelete: false });
    });

    it("a single licenseServer is the one-server form of licenseServers", () => {
        const config = validateStackConfig(validConfig(), allSecret);
        expect(config.licenseServers).toEqual([config.licenseServer]);
    });

    it.each([
        ["both licenseServer and licenseServers", (c: any) => (c.licenseServer = c.licenseServers[0]), "licenseServers", /one or the other/],
        ["a server named twice", (c: any) => (c.licenseServers[1].name = "rdls-test01"), "licenseServers[1].name", /listed twice/],
        ["a pack on a server the stack does not have", (c: any) => (c.calPacks[0].licenseServer = "RDLS-OTHER"), "calPacks[0].licenseServer", /not one of licenseServers/],
        ["a host named like a license server", (c: any) => (c.sessionHosts[0].name = "RDLS-TEST02"), "sessionHosts[0].name", /name of a license server/],
        ["a host in the deployment and standalone", (c: any) => (c.sessionHosts[0].name = "RDSH-TEST01"), "sessionHosts[0].name", /name of session host/],
        [
            "per-device CALs on a server only per-user clients ask",
            (c: any) => (c.calPacks[1].licenseServer = "RDLS-TEST01"),
            "calPacks[1].licenseType",
            /never be issued/,
        ],
        [
            "a host newer than every pack of its mode",
            (c: any) => (c.deployment.sessionHosts[1].windowsServerVersion = "2025"),
            "deployment.sessionHosts[1].windowsServerVersion",
            /gets no CAL: its license servers hold per-user CALs of 2022 only/,
        ],
        [
            "a host newer than every listed license server",
            (c: any) => {
                c.licenseServers[1].windowsServerVersion = "2022";
                c.sessionHosts[0].windowsServerVersion = "2025";
            },
            "sessionHosts[0].windowsServerVersion",
            /newer than every license server/,
        ],
        [
            "CALs newer than their license server",
            (c: any) => (c.calPacks[0].productVersion = "2025"),
            "calPacks[0].productVersion",
            /newer than its license server RDLS-TEST01 \(Windows Server 2022\)/,
        ],
    ])("refuses %s, naming the setting and the fix", (_name, mutate, key, problem) => {
        const raw = farmConfig();
        mutate(raw);
        const problems = problemsOf(raw);
        const found = problems.find((p) => p.key === `rds-licensing:${key}`);
        expect(found, JSON.stringify(problems, null, 2)).toBeDefined();
        expect(found!.problem).toMatch(problem);
        expect(found!.fix.length).toBeGreaterThan(10);
    });

    it("a host listing a server the stack does not manage is a warning, not an error", () => {
        const raw = farmConfig();
        raw.sessionHosts[0].licenseServers = ["RDLS-TEST02", "rdls-elsewhere.contoso.com"];
        expect(validateStackConfig(raw, allSecret).sessionHosts[0]!.licenseServers).toEqual(["RDLS-TEST02", "rdls-elsewhere.contoso.com"]);
    });

    it.each(["licenseServers", "deployment", "sessionHosts"])("refuses %s with target azure (the farm is simulator-only for now)", (key) => {
        const raw = farmConfig();
        raw.target = "azure";
        expect(problemsOf(raw).map((p) => p.key)).toContain(`rds-licensing:${key}`);
    });

    it("refuses a listed license server that is not a name", () => {
        const raw = farmConfig();
        raw.deployment.licenseServers = ["not a name"];
        expect(problemsOf(raw)).toEqual([expect.objectContaining({ key: "rds-licensing:deployment.licenseServers[0]", problem: "must be a license server's computer name or FQDN" })]);
    });
});
