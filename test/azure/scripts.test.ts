/**
 * The scripts the Azure components run on the VM parse with a real PowerShell grammar, and call
 * what Microsoft documents: Install-WindowsFeature for the roles; Set-RDLicenseConfiguration or
 * Win32_TerminalServiceSetting (ChangeMode 4 per user / 2 per device, SetSpecifiedLicenseServerList
 * with SpecifiedLSList) for the licensing configuration. Codes are written out here from the docs.
 */
import type { Node } from "web-tree-sitter";
import { beforeAll, describe, expect, it } from "vitest";
import { RdsRoleFeature, RolesScriptExit, renderRolesScript } from "../../src/drivers/powershell/roles-script";
import {
    LicensingMode,
    parseLicensingConfigurationOutput,
    renderLicensingConfigurationReadScript,
    renderLicensingConfigurationScript,
} from "../../src/drivers/powershell/licensing-configuration";
import { commands, hashEntries, integerValue, parsePowerShell, parsed, powershellParser, stringValue } from "../drivers/support/powershell-syntax";

/** ChangeMode LicensingType, as learn.microsoft.com documents it. */
const DOC_LICENSING_TYPE = { PerDevice: 2, PerUser: 4 };

function cimCalls(root: Node) {
    return commands(root, "Invoke-CimMethod").map((c) => ({
        method: stringValue(c.parameters.get("methodname")!),
        inputObject: c.parameters.get("inputobject")?.text,
        args: c.parameters.has("arguments") ? hashEntries(c.parameters.get("arguments")!) : new Map<string, Node>(),
    }));
}

beforeAll(async () => {
    await powershellParser();
});

describe("the helper catches broken scripts", () => {
    it("reports an unclosed brace", async () => {
        const tree = await parsePowerShell(renderRolesScript({ features: [RdsRoleFeature.Licensing] }).replace(/\}\s*$/, ""));
        expect(tree.rootNode.hasError).toBe(true);
    });
});

describe("roles script", () => {
    it.each([
        [[RdsRoleFeature.Licensing], false],
        [[RdsRoleFeature.Licensing, RdsRoleFeature.ConnectionBroker], true],
        [[RdsRoleFeature.SessionHost], false],
    ] as const)("%j parses and installs with Install-WindowsFeature", async (features, needsDomain) => {
        const script = renderRolesScript({ features });
        const root = await parsed(script);
        const install = commands(root, "Install-WindowsFeature");
        expect(install).toHaveLength(1);
        expect(install[0]!.parameters.get("name")!.text).toBe("$missing");
        expect(install[0]!.parameters.has("includemanagementtools")).toBe(true);
        expect(script).toContain(`$Features = [string[]]@(${features.map((f) => `'${f}'`).join(", ")})`);
        expect(script).toContain(`$NeedsDomain = $${needsDomain}`);
        // Reboot-aware without rebooting: it reports restartNeeded and the provider restarts the VM.
        expect(commands(root, "Restart-Computer")).toEqual([]);
        expect(script).not.toMatch(/shutdown(\.exe)?\s/i);
        expect(script).toContain("restartNeeded = $Restart");
        expect(script).toContain("InstallState -eq 'InstallPending'");
        expect(script).toContain("Component Based Servicing\\RebootPending");
        for (const code of Object.values(RolesScriptExit)) expect(script).toContain(`exit ${code}`);
    });

    it("refuses unknown features and an empty list", () => {
        expect(() => renderRolesScript({ features: ["RDS-Gateway" as RdsRoleFeature] })).toThrow("unknown role feature");
        expect(() => renderRolesScript({ features: [] })).toThrow("no role to install");
    });
});

describe("licensing configuration script", () => {
    it.each([LicensingMode.PerUser, LicensingMode.PerDevice])("%s parses and uses the documented calls", async (mode) => {
        const root = await parsed(renderLicensingConfigurationScript({ mode, licenseServers: ["rdls01.corp.contoso.com", "rdls02.corp.contoso.com"] }));
        const calls = cimCalls(root);
        const changeMode = calls.find((c) => c.method === "ChangeMode")!;
        expect([...changeMode.args.keys()]).toEqual(["LicensingType"]);
        expect(integerValue(changeMode.args.get("LicensingType")!)).toBe(DOC_LICENSING_TYPE[mode]);
        expect(changeMode.inputObject).toBe("$setting");
        const setList = calls.find((c) => c.method === "SetSpecifiedLicenseServerList")!;
        expect([...setList.args.keys()]).toEqual(["SpecifiedLSList"]);
        expect(calls.find((c) => c.method === "GetSpecifiedLicenseServerList")!.args.size).toBe(0);

        const set = commands(root, "Set-RDLicenseConfiguration");
        expect(set).toHaveLength(1);
        expect([...set[0]!.parameters.keys()].sort()).toEqual(["connectionbroker", "force", "licenseserver", "mode"]);
        expect(commands(root, "Get-RDLicenseConfiguration")).toHaveLength(1);
        const cim = commands(root, "Get-CimInstance")[0]!;
        expect(stringValue(cim.parameters.get("namespace")!)).toBe("root\\cimv2\\TerminalServices");
        expect(stringValue(cim.parameters.get("classname")!)).toBe("Win32_TerminalServiceSetting");
    });

    it("renders the servers and the broker as literals, in order", () => {
        const script = renderLicensingConfigurationScript({ mode: LicensingMode.PerUser, licenseServers: ["b.corp.example", "a.corp.example"], connectionBroker: "rdcb.corp.example" });
        expect(script).toContain("$WantedServers = [string[]]@('b.corp.example', 'a.corp.example')");
        expect(script).toContain("$RdlsBroker = 'rdcb.corp.example'");
    });

    it("refuses names that are not host names (they are rendered into the script)", () => {
        for (const bad of ["rdls01'; Remove-Item C:\\ -Recurse; '", "rdls 01", ""]) {
            expect(() => renderLicensingConfigurationScript({ mode: LicensingMode.PerUser, licenseServers: [bad] })).toThrow("host name");
        }
        expect(() => renderLicensingConfigurationScript({ mode: LicensingMode.PerUser, licenseServers: [] })).toThrow("at least one");
        expect(() => renderLicensingConfigurationScript({ mode: "PerSession" as LicensingMode, licenseServers: ["a"] })).toThrow("unknown licensing mode");
    });

    it("has a read-back script that parses and changes nothing", async () => {
        const root = await parsed(renderLicensingConfigurationReadScript());
        expect(commands(root, "Set-RDLicenseConfiguration")).toEqual([]);
        expect(cimCalls(root).map((c) => c.method)).toEqual(["GetSpecifiedLicenseServerList"]);
        expect(commands(root, "Write-RdlsState").length).toBeGreaterThan(0);
    });

    it("reads the read-back line, whatever came before it", () => {
        const output = ["WARNING: noise", 'rdls-licensing-configuration={"source":"host","broker":null,"mode":"PerUser","licenseServers":"rdls01","action":"changed"}', ""].join("\r\n");
        expect(parseLicensingConfigurationOutput(output)).toEqual({ source: "host", broker: null, mode: "PerUser", licenseServers: ["rdls01"], action: "changed" });
        expect(parseLicensingConfigurationOutput("cut off")).toBeUndefined();
    });
});
