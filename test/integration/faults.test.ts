/**
 * Failures on the real engine: the Clearinghouse out of reach, transient transport errors, and the
 * Pulumi process killed in the middle of an `up`. Each must end with exact totals and no duplicates.
 */
import { spawn } from "child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SECRETS } from "../support/config-fixtures";
import { TestProject } from "../support/engine";
import { expectNoSecrets } from "../support/secrets";

function configWith(packs: Array<{ name: string; agreementNumber: string; count: number }>) {
    return {
        licensingMode: "PerDevice",
        licenseServer: {
            name: "RDLS-FAULTS",
            windowsServerVersion: "2022",
            contact: { firstName: "Fault", lastName: "Tester", company: "Contoso (fictitious)", countryRegion: "DE" },
        },
        calPacks: packs.map((p) => ({ ...p, program: "enterprise-agreement", productVersion: "2022", licenseType: "per-device" })),
    };
}
const secretPaths = (n: number) => Array.from({ length: n }, (_, i) => `calPacks[${i}].agreementNumber`);

let project: TestProject;
const packs = () => project.packs();
const simOk = async (args: string[]) => expect((await project.sim(args)).code, `rdls-sim ${args.join(" ")}`).toBe(0);

beforeAll(async () => {
    // Two attempts, 50 ms apart: failures surface quickly.
    project = await TestProject.create("faults", { RDS_LICENSING_RETRY_ATTEMPTS: "2" });
});
afterAll(() => project?.remove());

describe("faults", () => {
    it("fails clearly while the Clearinghouse is out of reach, then converges", async () => {
        await project.setConfig(configWith([{ name: "ea-a", agreementNumber: SECRETS.agreementNumber, count: 10 }]), secretPaths(1));
        await simOk(["faults", "set", "--clearinghouse", "down"]);
        const failed = await project.pulumi(["up", "--yes", "--skip-preview"]);
        expect(failed.code).not.toBe(0);
        expect(failed.stdout + failed.stderr).toMatch(/Clearinghouse/i);
        expectNoSecrets(failed.stdout + failed.stderr, "the failed up's output");

        await simOk(["faults", "clear"]);
        await project.pulumiOk(["up", "--yes", "--skip-preview"]);
        const live = await packs();
        expect(live.map((p) => p.totalLicenses)).toEqual([10]);
        await project.pulumiOk(["preview", "--refresh", "--expect-no-changes"]);
    });

    it("rides out transient transport failures with retries", async () => {
        project = await reuse(project, { RDS_LICENSING_RETRY_ATTEMPTS: "4" });
        await project.setConfig(
            configWith([
                { name: "ea-a", agreementNumber: SECRETS.agreementNumber, count: 10 },
                { name: "ea-b", agreementNumber: "9990004", count: 7 },
            ]),
            secretPaths(2),
        );
        await simOk(["faults", "set", "--transient", "2"]);
        const up = await project.pulumiOk(["up", "--yes", "--skip-preview"]);
        expect(up.stdout + up.stderr).toMatch(/retry/);
        expect((await packs()).map((p) => p.totalLicenses).sort((a, b) => a - b)).toEqual([7, 10]);
        const faults = await project.simJson<{ transientFailures: number }>(["faults", "show"]);
        expect(faults.transientFailures).toBe(0);
    });

    it("converges without duplicates after the Pulumi process is killed mid-up", async () => {
        const wanted = [
            { name: "ea-a", agreementNumber: SECRETS.agreementNumber, count: 10 },
            { name: "ea-b", agreementNumber: "9990004", count: 7 },
            { name: "ea-c", agreementNumber: "9990005", count: 3 },
            { name: "ea-d", agreementNumber: "9990006", count: 4 },
        ];
        await project.setConfig(configWith(wanted), secretPaths(4));
        await simOk(["config", "--latency-ms", "700"]);
        const before = (await project.simJson<{ count: number }>(["executions"])).count;
        // Serial operations (--parallel 1): each install is its own execution, so there is a moment to kill.
        const child = spawn("pulumi", ["up", "--yes", "--skip-preview", "--parallel", "1", "--non-interactive"], {
            cwd: project.dir,
            env: project.env,
            detached: true,
            stdio: "ignore",
        });
        const deadline = Date.now() + 120_000;
        while ((await project.simJson<{ count: number }>(["executions"])).count < before + 1 && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 100));
        }
        process.kill(-child.pid!, "SIGKILL");
        await new Promise((r) => child.on("close", r));
        await simOk(["config", "--latency-ms", "0"]);

        // What a user does after a crash: release the dead process's lock, then refresh and up.
        await project.pulumiOk(["cancel", "--yes"]);
        await project.pulumiOk(["refresh", "--yes", "--skip-preview", "--clear-pending-creates"]);
        await project.pulumiOk(["up", "--yes", "--skip-preview"]);
        const live = await packs();
        // Exactly one key pack per declared pack, with exact totals: nothing installed twice.
        expect(live).toHaveLength(4);
        expect(live.map((p) => p.totalLicenses).sort((a, b) => a - b)).toEqual([3, 4, 7, 10]);
        await project.pulumiOk(["preview", "--refresh", "--expect-no-changes"]);
    });
});

/** The same project with other environment variables. */
async function reuse(p: TestProject, env: NodeJS.ProcessEnv): Promise<TestProject> {
    Object.assign(p.env, env);
    return p;
}
