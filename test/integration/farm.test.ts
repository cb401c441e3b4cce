/**
 * The licensed farm of the stack program, from the stack config, on the real engine against rdls-sim:
 * license servers, packs, a per-user deployment of two hosts of different versions and a standalone
 * per-device host. up → empty preview → refresh with no changes → edits (the modes swapped, a second
 * license server, a host added and one removed) → hand changes shown as drift and repaired → health
 * findings after users use up a pack and after the clock moves → the farm's checks refusing a plan
 * at preview with nothing touched → destroy. The simulator's state is checked exactly after each step.
 */
import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DriftReport } from "../../src/cli/drift/report";
import { ExitCode } from "../../src/cli/drift/report";
import { NUMBER_PATHS, SECRETS, validConfig } from "../support/config-fixtures";
import { REPO_ROOT, TestProject, readTree, run } from "../support/engine";
import { farmExecutions, type SimHost } from "../support/farm";
import { expectNoSecrets } from "../support/secrets";

const EA2 = "calPacks[3].agreementNumber";

/** Two packs per type on RDLS-TEST01; a per-user deployment (2019, 2022 hosts) and a per-device host. */
function farmConfig(): any {
    const raw = validConfig() as any;
    raw.calPacks[0].count = 20; // ea-users, per-user 2022
    raw.calPacks[1].productVersion = "2022"; // open-devices, per-device
    raw.calPacks[1].count = 2;
    raw.deployment = {
        broker: "RDCB-TEST01",
        sessionHosts: [
            { name: "RDSH-TEST01", windowsServerVersion: "2019" },
            { name: "RDSH-TEST02", windowsServerVersion: "2022" },
        ],
    };
    raw.sessionHosts = [{ name: "RDSH-TEST09", windowsServerVersion: "2019", mode: "PerDevice" }];
    return raw;
}

let project: TestProject;
let config: any;
const hosts = async () =>
    (await project.simJson<SimHost[]>(["hosts"])).map((h) => [h.name, h.windowsServerVersion, h.deployment ?? null, h.mode, h.licenseServers]);
const apply = async (next: any, secrets = NUMBER_PATHS) => {
    config = next;
    await project.setConfig(config, secrets);
};
const executionCount = (machine: string) => farmExecutions(project.simHome, machine).length;

/** `rds-licensing drift --json`; the backend untouched, nothing secret printed. */
async function drift(args: string[] = []): Promise<{ code: number; report: DriftReport; stderr: string }> {
    const before = project.backendBytes();
    const r = await run("node", [path.join(REPO_ROOT, "bin", "rds-licensing.js"), "drift", "--stack", project.stack, "--cwd", project.dir, "--json", ...args], {
        cwd: project.dir,
        env: project.env,
    });
    expect(project.backendBytes() === before, "drift changed the state backend").toBe(true);
    expectNoSecrets(r.stdout + r.stderr, "drift output");
    expect(r.stdout, r.stderr).not.toBe("");
    return { code: r.code, report: JSON.parse(r.stdout) as DriftReport, stderr: r.stderr };
}

beforeAll(async () => {
    project = await TestProject.create("farm");
    await apply(farmConfig());
});
afterAll(() => project?.remove());

describe("the licensed farm of the stack config", { timeout: 600_000 }, () => {
    it("up builds servers, packs, deployment and hosts, and reports every host licensed", async () => {
        await project.pulumiOk(["up", "--yes", "--skip-preview"]);
        expect(await hosts()).toEqual([
            ["RDSH-TEST01", "2019", "RDCB-TEST01", "PerUser", ["RDLS-TEST01"]],
            ["RDSH-TEST02", "2022", "RDCB-TEST01", "PerUser", ["RDLS-TEST01"]],
            ["RDSH-TEST09", "2019", null, "PerDevice", ["RDLS-TEST01"]],
        ]);
        const { health, findings } = await project.outputs();
        expect(findings).toEqual([]);
        expect(health.map((h: any) => [h.name, h.licensed, h.coverage.map((c: any) => c.pack).sort()])).toEqual([
            ["RDSH-TEST01", true, ["ea-users", "retail-users"]],
            ["RDSH-TEST02", true, ["ea-users", "retail-users"]],
            ["RDSH-TEST09", true, ["open-devices"]],
        ]);
        expectNoSecrets(project.backendBytes().replace(/"ciphertext":\s*"[^"]*"/g, ""), "the state");
    });

    it("previews empty without an execution; refresh is one execution per deployment and per host, and changes nothing", async () => {
        const before = [executionCount("RDCB-TEST01"), executionCount("RDSH-TEST09")];
        await project.pulumiOk(["preview", "--expect-no-changes"]);
        expect([executionCount("RDCB-TEST01"), executionCount("RDSH-TEST09")]).toEqual(before);
        await project.pulumiOk(["refresh", "--yes", "--skip-preview", "--expect-no-changes"]);
        expect([executionCount("RDCB-TEST01"), executionCount("RDSH-TEST09")]).toEqual([before[0]! + 1, before[1]! + 1]);
        const report = await drift();
        expect([report.code, report.report.drift, report.report.health.findings]).toEqual([ExitCode.InSync, [], []]);
    });

    it("edits: the modes swapped, a second license server, a host added and one removed", async () => {
        const next = structuredClone(config);
        next.licensingMode = "PerDevice";
        next.sessionHosts[0].mode = "PerUser";
        next.licenseServers = [next.licenseServer, { ...structuredClone(next.licenseServer), name: "RDLS-TEST02" }];
        delete next.licenseServer;
        next.calPacks.push({ name: "ea-users-2", licenseServer: "RDLS-TEST02", program: "enterprise-agreement", agreementNumber: SECRETS.agreementNumber, productVersion: "2022", licenseType: "per-user", count: 3 });
        next.deployment.sessionHosts = [next.deployment.sessionHosts[1], { name: "RDSH-TEST03", windowsServerVersion: "2016" }];
        await apply(next, [...NUMBER_PATHS, EA2]);
        await project.pulumiOk(["up", "--yes", "--skip-preview"]);
        expect(await hosts()).toEqual([
            ["RDSH-TEST02", "2022", "RDCB-TEST01", "PerDevice", ["RDLS-TEST01", "RDLS-TEST02"]],
            ["RDSH-TEST03", "2016", "RDCB-TEST01", "PerDevice", ["RDLS-TEST01", "RDLS-TEST02"]],
            ["RDSH-TEST09", "2019", null, "PerUser", ["RDLS-TEST01", "RDLS-TEST02"]],
        ]);
        expect((await project.packs(["--server", "RDLS-TEST02"])).map((p) => [p.program, p.totalLicenses])).toEqual([["enterprise-agreement", 3]]);
        await project.pulumiOk(["preview", "--expect-no-changes"]);
    });

    it("a host's mode and server list changed by hand are drift in preview --refresh and in drift (exit 2); up repairs both", async () => {
        expect((await project.sim(["set-mode", "RDSH-TEST09", "PerDevice"])).code).toBe(0);
        expect((await project.sim(["set-license-servers", "RDSH-TEST02", "RDLS-TEST02"])).code).toBe(0);
        const preview = await project.pulumi(["preview", "--refresh", "--expect-no-changes"]);
        expect(preview.code).not.toBe(0);
        const { code, report } = await drift();
        expect(code).toBe(ExitCode.Drift);
        const kinds = report.drift.map((d) => d.kind).sort();
        expect(kinds).toEqual(["license-servers", "licensing-mode"]);
        await project.pulumiOk(["up", "--yes", "--refresh", "--skip-preview"]);
        expect((await hosts()).map((h) => [h[0], h[3], h[4]])).toEqual([
            ["RDSH-TEST02", "PerDevice", ["RDLS-TEST01", "RDLS-TEST02"]],
            ["RDSH-TEST03", "PerDevice", ["RDLS-TEST01", "RDLS-TEST02"]],
            ["RDSH-TEST09", "PerUser", ["RDLS-TEST01", "RDLS-TEST02"]],
        ]);
        expect((await drift()).code).toBe(ExitCode.InSync);
    });

    it("devices use up the per-device pack: a health finding (exit 4), and the clock running down the grace period", async () => {
        // A device's first connection gets a temporary license, its second a permanent CAL.
        for (const device of ["PC1", "PC2", "PC1", "PC2"]) {
            const r = await project.sim(["connect", "--host", "RDSH-TEST02", "--user", "alice", "--device", device]);
            expect(r.code, r.stderr).toBe(0);
        }
        let result = await drift();
        expect(result.code).toBe(ExitCode.HealthFindings);
        expect(result.report.drift).toEqual([]);
        const hostsWithout = result.report.health.findings.filter((f) => f.kind === "no-coverage").map((f) => f.host).sort();
        expect(hostsWithout).toEqual(["RDSH-TEST02", "RDSH-TEST03"]);

        expect((await project.sim(["clock", "advance", "30d"])).code).toBe(0);
        const left = (await project.simJson<SimHost[]>(["hosts"])).filter((h) => h.deployment).map((h) => h.graceDaysLeft);
        expect(Math.max(...left)).toBeLessThanOrEqual(90);
        result = await drift(["--grace-days", String(Math.max(...left))]);
        expect(result.code).toBe(ExitCode.HealthFindings);
        const ending = result.report.health.findings.filter((f) => f.kind === "grace-period-ending").map((f) => f.host).sort();
        expect(ending).toEqual(["RDSH-TEST02", "RDSH-TEST03"]);
        result = await drift(["--grace-days", String(Math.min(...left) - 1)]);
        expect(result.report.health.findings.filter((f) => f.kind === "grace-period-ending")).toEqual([]);
    });

    it.each([
        ["per-device CALs no client of their server asks for", (c: any) => (c.licensingMode = "PerUser"), /calPacks\[1\]\.licenseType/],
        ["a host newer than every CAL of its mode", (c: any) => (c.deployment.sessionHosts[0].windowsServerVersion = "2025"), /deployment\.sessionHosts\[0\]\.windowsServerVersion/],
        ["CALs newer than their license server", (c: any) => (c.calPacks[3].productVersion = "2025"), /calPacks\[3\]\.productVersion/],
    ])("refuses %s at preview, naming the setting; nothing touched", async (_name, mutate, setting) => {
        const saved = structuredClone(config);
        const next = structuredClone(config);
        mutate(next);
        await apply(next, [...NUMBER_PATHS, EA2]);
        const before = [project.backendBytes(), readTree(project.simHome)];
        const preview = await project.pulumi(["preview"]);
        expect(preview.code).not.toBe(0);
        expect(preview.stdout + preview.stderr).toMatch(setting);
        expect(preview.stdout + preview.stderr).toContain("Fix:");
        expect([project.backendBytes(), readTree(project.simHome)]).toEqual(before);
        await apply(saved, [...NUMBER_PATHS, EA2]);
    });

    it("warns at preview about a host listing a license server the stack does not manage", async () => {
        const next = structuredClone(config);
        next.sessionHosts[0].licenseServers = ["RDLS-TEST01", "RDLS-TEST02", "rdls-other.contoso.com"];
        await apply(next, [...NUMBER_PATHS, EA2]);
        const preview = await project.pulumi(["preview"]);
        expect(preview.code, preview.stdout + preview.stderr).toBe(0);
        expect(preview.stdout + preview.stderr).toMatch(/warning: .*rdls-other\.contoso\.com, which this stack does not manage/s);
        await apply(structuredClone(config), [...NUMBER_PATHS, EA2]);
    });

    it("destroy refuses to uninstall a pack with issued CALs until allowed, then leaves nothing in the store", async () => {
        const refused = await project.pulumi(["destroy", "--yes", "--skip-preview"]);
        expect(refused.code).not.toBe(0);
        expect(refused.stdout + refused.stderr).toMatch(/still has licenses issued .* set allowDeleteWithIssuedLicenses: true/);
        const next = structuredClone(config);
        next.calPacks[1].allowDeleteWithIssuedLicenses = true;
        await apply(next, [...NUMBER_PATHS, EA2]);
        await project.pulumiOk(["up", "--yes", "--skip-preview"]);
        await project.pulumiOk(["destroy", "--yes", "--skip-preview"]);
        expect(await hosts()).toEqual([]);
        expect((await project.sim(["servers", "--json"])).stdout.trim()).toBe("[]");
        expect(fs.existsSync(path.join(project.simHome, "deployments")) ? fs.readdirSync(path.join(project.simHome, "deployments")) : []).toEqual([]);
    });
});
