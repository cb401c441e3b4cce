/**
 * The usage script parses with a real PowerShell grammar and calls what Microsoft documents: the
 * report methods with (StartIndex, Count), the end-of-data code 0x4001, DeleteReport in a finally,
 * Revoke on a Win32_TSIssuedLicense. Documented names and codes are written out here from
 * licensing-facts.md, independently of src/licensing/codes.ts.
 */
import { describe, expect, it } from "vitest";
import { decodeIssuedLicenses, decodeRevokeValue, renderUsageScript, usageScriptInput } from "../../src/drivers/powershell/report-script";
import type { UsageOperation } from "../../src/licensing/usage";
import { ancestor, commands, descendants, hashEntries, parsePowerShell, parsed, stringValue } from "./support/powershell-syntax";

const NONCE = "0123456789abcdef";
const OPTIONS = { nonce: NONCE, budget: 6000 };
const FETCH_METHODS = ["FetchReportEntries", "FetchReportPerDeviceEntries", "FetchReportSummaryEntries", "FetchReportFailedPerUserEntries", "FetchReportFailedPerUserSummaryEntries"];
const OUT_ARRAYS = ["ReportEntries", "ReportPerDeviceEntries", "ReportSummaryEntries", "ReportFailedPerUserEntries", "ReportFailedPerUserSummaryEntries"];

const BOTH: UsageOperation[] = [{ op: "usage-report", pageSize: 50 }, { op: "revoke-cal", device: "PC'; Remove-Item C:\\ -Recurse #", dryRun: true }];

describe("usage script", () => {
    it("parses, one framed step per operation, results printed once", async () => {
        const script = renderUsageScript(BOTH, OPTIONS);
        const root = await parsed(script);
        const steps = commands(root, "Invoke-RdlsStep");
        expect(steps.map((s) => stringValue(s.positional[1]!))).toEqual(["usage-report", "revoke-cal"]);
        expect(commands(root, "Write-RdlsResults")).toHaveLength(1);
        expect(script.startsWith("param([string]$RdlsInput)")).toBe(true);
    });

    it("generates the report (static GenerateReportEx), reads every table by its documented method and out-array, deletes it in a finally", async () => {
        const root = await parsed(renderUsageScript([{ op: "usage-report" }], OPTIONS));
        const generate = commands(root, "Invoke-CimMethod").find((c) => c.parameters.get("methodname")?.text === "GenerateReportEx");
        expect(generate?.parameters.get("classname")?.text).toBe("Win32_TSLicenseReport");
        const reads = commands(root, "Read-RdlsReportTable").map((c) => c.positional.map(stringValue));
        expect(reads.map((r) => r[1])).toEqual(FETCH_METHODS);
        expect(reads.map((r) => r[2])).toEqual(OUT_ARRAYS);
        // Each Fetch call names StartIndex and Count.
        const fetch = commands(root, "Invoke-CimMethod").find((c) => c.parameters.get("methodname")?.text === "$Method")!;
        expect([...hashEntries(fetch.parameters.get("arguments")!).keys()].sort()).toEqual(["Count", "StartIndex"]);
        // The paging loop stops on LSERVER_I_NO_MORE_DATA, 0x4001 = 16385.
        const script = root.text;
        expect(script).toMatch(/\$RdlsNoMoreData = \[uint32\]16385/);
        expect(script).toMatch(/if \(\$code -eq \$RdlsNoMoreData\) \{ break \}/);
        const remove = commands(root, "Invoke-CimMethod").find((c) => c.parameters.get("methodname")?.text === "DeleteReport")!;
        expect(remove.parameters.get("inputobject")?.text).toBe("$report");
        const finallyClause = ancestor(remove.node, "finally_clause");
        expect(finallyClause, "DeleteReport runs in a finally").toBeDefined();
        expect(commands(root, "Get-CimInstance").some((c) => c.parameters.get("classname")?.text === "Win32_TSIssuedLicense")).toBe(true);
    });

    it("revokes through Win32_TSIssuedLicense.Revoke on the device's active license; names travel in the input, never in the script", async () => {
        const script = renderUsageScript(BOTH, OPTIONS);
        const root = await parsed(script);
        const revoke = commands(root, "Invoke-CimMethod").find((c) => c.parameters.get("methodname")?.text === "Revoke")!;
        expect(revoke.parameters.get("inputobject")?.text).toBe("$license");
        // Active = LicenseStatus 2, revoked = 4; per-user packs (ProductType 1) are refused before Revoke.
        expect(script).toMatch(/\[uint32\]\$_\.LicenseStatus -eq \[uint32\]2/);
        expect(script).toMatch(/\[uint32\]\$_\.LicenseStatus -eq \[uint32\]4/);
        expect(script).toMatch(/\[uint32\]\$pack\.ProductType -eq \[uint32\]1\) \{ return @\{ r = 'per-user'/);
        // Only a dry run answers the limit itself; a real one lets Revoke decide.
        expect(script).toMatch(/if \(\$dryRun -and \$left -eq 0\) \{ return @\{ r = 'limit'/);
        const guard = revoke.node.startIndex;
        expect(script.slice(0, guard)).not.toMatch(/if \(\$left -eq 0\)/);
        expect(script).not.toContain("Remove-Item C:");
        expect(script).not.toContain("PC'");
        const input = usageScriptInput(BOTH);
        expect(input).toEqual({ o: [{ p: 50 }, { d: "PC'; Remove-Item C:\\ -Recurse #", n: 1 }] });
        expect(descendants(root, "variable").some((v) => v.text === "$I")).toBe(true);
    });

    it("a script with a missing brace does not parse (the check can fail)", async () => {
        const broken = renderUsageScript([{ op: "usage-report" }], OPTIONS).replace("} finally {", "finally {");
        expect((await parsePowerShell(broken)).rootNode.hasError).toBe(true);
        expect(() => renderUsageScript([], OPTIONS)).toThrow(/no usage operation/);
    });

    it("reads back what the script prints: Win32_TSIssuedLicense rows by their documented names, and the revocation's keys", () => {
        const rows = [
            { LicenseId: 7, KeyPackId: 3, sIssuedToComputer: "PC1", sHardwareId: "0x1-0x2", LicenseStatus: 2, IssueDate: "2026-01-01T00:00:00Z", ExpirationDate: "2026-03-01T00:00:00Z" },
            { LicenseId: 8, KeyPackId: 3, sIssuedToComputer: "PC2", LicenseStatus: 4, IssueDate: "2026-01-02T00:00:00Z" },
            { LicenseId: 9, KeyPackId: 3, sIssuedToComputer: "PC3", LicenseStatus: 5 }, // pending: not a table row
            { LicenseId: 10, sIssuedToUser: "alice", LicenseStatus: 2 }, // no device
        ];
        expect(decodeIssuedLicenses("ls1", rows)).toEqual([
            { licenseServer: "ls1", licenseId: 7, device: "PC1", hardwareId: "0x1-0x2", status: "active", licenseStatus: 2, keyPackId: 3, host: "", issueDate: "2026-01-01T00:00:00Z", expirationDate: "2026-03-01T00:00:00Z" },
            { licenseServer: "ls1", licenseId: 8, device: "PC2", status: "revoked", licenseStatus: 4, keyPackId: 3, host: "", issueDate: "2026-01-02T00:00:00Z" },
        ]);
        expect(decodeIssuedLicenses("ls1", null)).toEqual([]);

        const op = { op: "revoke-cal", device: "PC1" } as const;
        expect(decodeRevokeValue("ls1", op, { rv: 1, c: { id: 7, kp: 3, v: 7 }, lim: 2, rc: 1 })).toMatchObject({ revoked: true, licenseId: 7, keyPackId: 3, productVersion: "2022", limit: 2, revokableCals: 1 });
        const limit = decodeRevokeValue("ls1", op, { r: "limit", c: { id: 7, kp: 3, v: 7 }, lim: 2, rc: 0, nx: "2026-03-01T00:00:00Z" });
        expect(limit).toMatchObject({ revoked: false, refusal: "limit", nextRevokeAllowedOn: "2026-03-01T00:00:00Z" });
        expect(limit.message).toContain("2026-03-01T00:00:00Z");
        expect(decodeRevokeValue("ls1", { op: "revoke-cal", user: "alice" }, { r: "per-user" })).toMatchObject({ refusal: "per-user", target: "alice" });
        expect(decodeRevokeValue("ls1", { ...op, dryRun: true }, { c: { id: 7 }, lim: 2, rc: 2 })).toMatchObject({ revoked: false, dryRun: true, revokableCals: 2 });
        expect(decodeRevokeValue("ls1", op, { r: "something-else" }).refusal).toBeUndefined();
    });
});
