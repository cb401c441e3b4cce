/**
 * The Windows features of a fake VM, for the roles script (src/drivers/powershell/roles-script.ts)
 * behind a FakeArm: it claims scripts that print the roles report, checks they parse with the real
 * PowerShell grammar, reads the features they ask for from the syntax tree and answers as
 * Install-WindowsFeature would: a feature that needs a restart stays InstallPending until the VM
 * restarts (FakeArm's restart hook), and the report says `restartNeeded` meanwhile.
 */
import { ROLES_REPORT_PREFIX } from "../../../src/drivers/powershell/roles-script";
import type { FakeArm } from "./fake-arm";
import { assignedValue, descendants, firstError, parsePowerShell, stringValue } from "./powershell-syntax";

export type FeatureState = "Available" | "InstallPending" | "Installed";

export class FakeRolesHost {
    readonly features = new Map<string, FeatureState>();
    /** Features whose install needs a restart to finish. */
    readonly needRestart = new Set<string>(["RDS-Connection-Broker", "RDS-RD-Server"]);
    domainJoined = true;
    /** Every roles script run here, in order. */
    readonly scripts: string[] = [];

    constructor(arm: FakeArm) {
        arm.scriptHosts.push((script) => (script.includes(ROLES_REPORT_PREFIX) ? this.run(script) : undefined));
        arm.onRestart.push(() => {
            for (const [name, state] of this.features) if (state === "InstallPending") this.features.set(name, "Installed");
        });
    }

    private async run(script: string): Promise<{ stdout: string; stderr: string; exitCode: number }> {
        this.scripts.push(script);
        const tree = await parsePowerShell(script);
        const error = firstError(tree.rootNode);
        if (error || tree.rootNode.hasError) return { stdout: "", stderr: `ParserError: ${error ?? "the script does not parse"}`, exitCode: 1 };
        const list = assignedValue(tree.rootNode, "$Features");
        if (!list) throw new Error("fake: the roles script assigns no $Features");
        const wanted = descendants(list, "string_literal").map(stringValue);
        const needsDomain = /^\$NeedsDomain = \$true$/m.test(script);
        const report = (state: string, restartNeeded: boolean, message = "") =>
            `${ROLES_REPORT_PREFIX}${JSON.stringify({ state, features: wanted, restartNeeded, otherRebootPending: false, message })}\n`;
        if (needsDomain && !this.domainJoined) return { stdout: report("not-domain-joined", false, "RD Connection Broker needs a domain-joined server"), stderr: "", exitCode: 3 };
        const missing = wanted.filter((f) => (this.features.get(f) ?? "Available") === "Available");
        for (const f of missing) this.features.set(f, this.needRestart.has(f) ? "InstallPending" : "Installed");
        const pending = wanted.some((f) => this.features.get(f) === "InstallPending");
        return { stdout: report(missing.length > 0 ? "installed" : "present", pending), stderr: "", exitCode: 0 };
    }
}
