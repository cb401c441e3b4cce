/**
 * The licensing configuration run command on a server without an RDS deployment (issue 16): it used
 * to fall back to Win32_TerminalServiceSetting on a host that is not a session host, report
 * `skipped` and exit 0, so the farm was never pointed at its license server while the run was green.
 * Read off the script's syntax tree: without a deployment, a server that is not an RD Session Host
 * fails (exit 1) before any setter runs, with the reason (why there is no deployment, what to do)
 * in the read-back line; nothing in the script can report `skipped`.
 */
import { describe, expect, it } from "vitest";
import type { Node } from "web-tree-sitter";
import {
    LicensingConfigurationExit,
    LicensingMode,
    parseLicensingConfigurationOutput,
    renderLicensingConfigurationScript,
} from "../../src/drivers/powershell/licensing-configuration";
import { ancestor, commands, descendants, parsed, stringValue } from "../drivers/support/powershell-syntax";

const script = renderLicensingConfigurationScript({ mode: LicensingMode.PerUser, licenseServers: ["rdls01.corp.contoso.com"], connectionBroker: "rdcb01.corp.contoso.com" });

function fn(root: Node, name: string): Node {
    const found = descendants(root, "function_statement").find((f) => new RegExp(`^function\\s+${name}\\b`, "i").test(f.text));
    if (!found) throw new Error(`no function ${name}`);
    return found;
}

describe("the licensing configuration script without a deployment", () => {
    it("never reports skipped", () => {
        expect(script).not.toMatch(/skipped/i);
    });

    it("fails a server that is not an RD Session Host before any setter runs", async () => {
        const set = fn(await parsed(script), "Set-RdlsLicensing");
        const failed = descendants(set, "hash_entry").find((e) => /^action\s*=\s*'failed'\s*;?$/.test(e.text.trim()));
        expect(failed, "a failed outcome").toBeDefined();
        const guard = ancestor(failed!, "if_statement")!;
        expect(guard.childForFieldName("condition")?.text).toMatch(/\$mode -ne \[uint32\]1/);
        // The guard sits in the branch for no deployment, and reads TerminalServerMode first.
        const branch = ancestor(guard, "if_statement")!;
        expect(branch.childForFieldName("condition")?.text).toBe("$Current.source -ne 'deployment'");
        expect(branch.text).toContain("(Get-RdlsHostSetting).TerminalServerMode");
        const setters = [...commands(set, "Invoke-CimMethod"), ...commands(set, "Set-RDLicenseConfiguration")];
        expect(setters.length).toBeGreaterThan(0);
        for (const setter of setters) expect(setter.node.startIndex).toBeGreaterThan(branch.endIndex);
        // The reason says why there is no deployment and what to do.
        const reason = descendants(set, "hash_entry").find((e) => e.text.trim().startsWith("reason"))!;
        expect(reason.text).toContain("$RdlsNoDeployment");
        expect(reason.text).toContain("Create the deployment first (New-RDSessionDeployment, or the SessionDeployment resource)");
    });

    it("records why there is no deployment on every path that finds none", async () => {
        const test = fn(await parsed(script), "Test-RdlsDeployment");
        const falses = descendants(test, "flow_control_statement").filter((s) => s.text.trim() === "return $false");
        expect(falses).toHaveLength(3);
        for (const statement of falses) {
            const block = ancestor(statement, "statement_block") ?? ancestor(statement, "script_block")!;
            expect(block.text).toMatch(/\$script:RdlsNoDeployment = /);
        }
    });

    it("exits 1 with the outcome in the read-back line when the outcome failed", async () => {
        const root = await parsed(script);
        const check = descendants(root, "if_statement").find((s) => s.childForFieldName("condition")?.text === "$outcome.action -eq 'failed'");
        expect(check).toBeDefined();
        const body = check!.text;
        expect(body.indexOf("Write-RdlsState $state")).toBeGreaterThan(0);
        expect(body).toContain(`exit ${LicensingConfigurationExit.Failed}`);
        expect(body.indexOf("Write-RdlsState $state")).toBeLessThan(body.indexOf("exit"));
        // The state written carries the outcome's action and reason.
        const main = ancestor(check!, "try_statement")!;
        const assigns = descendants(main, "assignment_expression").map((a) => a.text.trim());
        expect(assigns).toContain("$state.action = $outcome.action");
        expect(assigns.some((a) => a.startsWith("$state.reason = $outcome.reason"))).toBe(true);
        expect(commands(main, "Write-RdlsState").length).toBeGreaterThanOrEqual(2);
        expect(stringValue(commands(root, "Get-RDServer")[0]!.parameters.get("erroraction")!)).toBe("Stop");
    });

    it("reads a failed outcome back from the run command's output", () => {
        const line = 'rdls-licensing-configuration={"source":"host","broker":null,"mode":"NotConfigured","licenseServers":[],"action":"failed","reason":"no RDS deployment on rdcb01"}';
        expect(parseLicensingConfigurationOutput(`noise\r\n${line}\r\n`)).toEqual({
            source: "host",
            broker: null,
            mode: "NotConfigured",
            licenseServers: [],
            action: "failed",
            reason: "no RDS deployment on rdcb01",
        });
    });
});
