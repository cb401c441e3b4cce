/**
 * The role installation step on one VM, as plain logic over its two collaborators (the Run Command
 * runner and the VM agent), so it is tested without Azure: wait for the agent (a domain join has
 * just restarted the VM), run the roles script, and when it reports `restartNeeded`, restart the VM
 * and wait for the agent, then run the script once more to confirm nothing is pending. Every wait
 * and execution fits in the step's deadline.
 */
import { LicensingError, LicensingErrorKind } from "../../licensing";
import type { RunOutput, ScriptRunner } from "../../drivers/runners/script-runner";
import type { VmAgentWaitOptions } from "../../drivers/runners/azure-vm-agent";
import { parseRolesReport, renderRolesScript, type RdsRoleFeature, type RolesReport } from "../../drivers/powershell/roles-script";

/** What the step needs of the VM's agent (AzureVmAgent). */
export interface VmAgentControl {
    waitForReady(wait: VmAgentWaitOptions): Promise<void>;
    restartAndWait(wait: VmAgentWaitOptions): Promise<void>;
}

export interface RolesStepContext {
    vmName: string;
    runner: ScriptRunner;
    agent: VmAgentControl;
    /** @default Date.now */
    now?: () => number;
    progress?: (message: string) => void;
}

export interface RolesOutcome {
    /** `installed` when a feature was installed, `present` when all were there. */
    state: "installed" | "present";
    /** Whether the VM was restarted to finish the install. */
    restarted: boolean;
}

/** Run Command stops a script after 90 minutes. */
const MAX_SCRIPT_MS = 5400_000;
/** One wait for the agent is bounded on its own, inside the step's deadline. */
const MAX_AGENT_WAIT_MS = 15 * 60_000;

export async function installRoles(features: readonly RdsRoleFeature[], timeoutSeconds: number, ctx: RolesStepContext): Promise<RolesOutcome> {
    const now = ctx.now ?? Date.now;
    const progress = ctx.progress ?? (() => undefined);
    const deadline = now() + timeoutSeconds * 1000;
    const remaining = (what: string, cap: number): number => {
        const left = deadline - now();
        if (left <= 0) {
            throw new LicensingError({
                kind: LicensingErrorKind.Transient,
                message: `VM ${ctx.vmName}: the role installation used up its ${timeoutSeconds} s (timeoutSeconds) before it could ${what}; raise timeoutSeconds or run pulumi up again`,
            });
        }
        return Math.min(left, cap);
    };
    const agentWait = (what: string): VmAgentWaitOptions => ({
        timeoutMs: remaining(what, MAX_AGENT_WAIT_MS),
        onNotReady: (status) => progress(`${ctx.vmName}: waiting for the VM agent (${status})`),
    });
    const script = renderRolesScript({ features });
    const runScript = async (): Promise<RolesReport> => {
        const output = await ctx.runner.run(script, {}, { timeoutMs: remaining("run the roles script", MAX_SCRIPT_MS) });
        return reportOf(ctx.vmName, output);
    };

    await ctx.agent.waitForReady(agentWait("wait for the VM agent"));
    progress(`${ctx.vmName}: installing ${features.join(", ")}`);
    const first = await runScript();
    if (!first.restartNeeded) return { state: asState(first), restarted: false };

    progress(`${ctx.vmName}: restarting the VM to finish installing ${features.join(", ")}; waiting for its agent`);
    await ctx.agent.restartAndWait(agentWait("restart the VM"));
    // Confirms the install finished with the restart (no feature still InstallPending).
    const after = await runScript();
    if (after.restartNeeded) {
        throw new LicensingError({
            kind: LicensingErrorKind.Failed,
            message: `VM ${ctx.vmName}: ${features.join(", ")} still needs a restart after the VM was restarted (a feature stays InstallPending); look at the VM's Windows event log (Servicing) and run pulumi up again`,
        });
    }
    return { state: asState(first), restarted: true };
}

function asState(report: RolesReport): RolesOutcome["state"] {
    return report.state === "installed" ? "installed" : "present";
}

/** The report of a finished execution, or an error with the VM's reason. */
function reportOf(vmName: string, output: RunOutput): RolesReport {
    const report = parseRolesReport(output.stdout);
    if (output.exitCode === 0 && report && (report.state === "installed" || report.state === "present")) return report;
    const reason = report?.message || lastLine(output.stderr) || "the script printed no report (its output may have been cut)";
    throw new LicensingError({
        kind: LicensingErrorKind.Failed,
        message: `VM ${vmName}: the roles script failed (exit code ${output.exitCode}${report ? `, ${report.state}` : ""}): ${reason}`,
    });
}

function lastLine(text: string): string {
    return text.trim().split(/\r?\n/).pop()?.slice(0, 500) ?? "";
}
