/**
 * The role installation step (src/providers/role-installation/install.ts) as plain logic over a
 * stub runner and a stub VM agent on a fake clock: how it splits its deadline between the waits and
 * the scripts, and how it fails when time runs out or the script reports nothing.
 */
import { describe, expect, it } from "vitest";
import type { VmAgentWaitOptions } from "../../src/drivers/runners/azure-vm-agent";
import type { RunOutput, ScriptRunner } from "../../src/drivers/runners/script-runner";
import { ROLES_REPORT_PREFIX, RdsRoleFeature } from "../../src/drivers/powershell/roles-script";
import { installRoles, type VmAgentControl } from "../../src/providers/role-installation/install";

const report = (restartNeeded: boolean, state = "installed") => `noise\n${ROLES_REPORT_PREFIX}${JSON.stringify({ state, features: "RDS-Licensing", restartNeeded, otherRebootPending: false, message: "" })}\n`;

function stubs(outputs: RunOutput[], costs: { waitMs?: number; restartMs?: number; scriptMs?: number } = {}) {
    const clock = { now: 0 };
    const calls: string[] = [];
    const runner: ScriptRunner = {
        transport: "stub",
        async run(_script, parameters, options) {
            calls.push(`run ${options.timeoutMs}`);
            expect(parameters).toEqual({});
            clock.now += costs.scriptMs ?? 0;
            return outputs.shift()!;
        },
    };
    const agent: VmAgentControl = {
        async waitForReady(wait: VmAgentWaitOptions) {
            calls.push(`wait ${wait.timeoutMs}`);
            clock.now += costs.waitMs ?? 0;
        },
        async restartAndWait(wait: VmAgentWaitOptions) {
            calls.push(`restart ${wait.timeoutMs}`);
            clock.now += costs.restartMs ?? 0;
        },
    };
    return { clock, calls, ctx: { vmName: "rdls01", runner, agent, now: () => clock.now } };
}

describe("installRoles", () => {
    it("bounds each agent wait by 15 minutes and each script by 90, inside the deadline", async () => {
        const { calls, ctx } = stubs([{ stdout: report(true), stderr: "", exitCode: 0 }, { stdout: report(false, "present"), stderr: "", exitCode: 0 }], { waitMs: 60_000, scriptMs: 120_000, restartMs: 300_000 });
        const outcome = await installRoles([RdsRoleFeature.Licensing], 10_800, ctx);
        expect(outcome).toEqual({ state: "installed", restarted: true });
        expect(calls).toEqual(["wait 900000", "run 5400000", "restart 900000", "run 5400000"]);
    });

    it("gives the scripts what is left of a shorter deadline", async () => {
        const { calls, ctx } = stubs([{ stdout: report(true), stderr: "", exitCode: 0 }, { stdout: report(false, "present"), stderr: "", exitCode: 0 }], { waitMs: 60_000, scriptMs: 120_000, restartMs: 300_000 });
        await installRoles([RdsRoleFeature.Licensing], 3600, ctx);
        // 3,600 s less what the earlier steps took (60 s; 180 s; 480 s).
        expect(calls).toEqual(["wait 900000", `run ${3_600_000 - 60_000}`, "restart 900000", `run ${3_600_000 - 480_000}`]);
    });

    it("fails naming timeoutSeconds when the waits used up the step's time, before running the script", async () => {
        const { calls, ctx } = stubs([], { waitMs: 600_000 });
        await expect(installRoles([RdsRoleFeature.Licensing], 600, ctx)).rejects.toThrow(
            "VM rdls01: the role installation used up its 600 s (timeoutSeconds) before it could run the roles script; raise timeoutSeconds or run pulumi up again",
        );
        expect(calls).toEqual(["wait 600000"]);
    });

    it("fails when the output holds no report (cut, or the script was killed)", async () => {
        const { ctx } = stubs([{ stdout: "", stderr: "", exitCode: 0 }]);
        await expect(installRoles([RdsRoleFeature.Licensing], 3600, ctx)).rejects.toThrow("the roles script failed (exit code 0): the script printed no report");
    });

    it("fails with the script's error line when it threw", async () => {
        const { ctx } = stubs([{ stdout: "", stderr: "first\nrds-licensing: Install-WindowsFeature: access denied\n", exitCode: 1 }]);
        await expect(installRoles([RdsRoleFeature.Licensing], 3600, ctx)).rejects.toThrow("(exit code 1): rds-licensing: Install-WindowsFeature: access denied");
    });
});
