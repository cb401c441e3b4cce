/**
 * The `runAs` input of the resources that need a domain identity (src/providers/run-as.ts): what it
 * accepts, that its complaints name the field and never echo the password, and what it hands to
 * AzureConnectOptions.runAs.
 */
import { describe, expect, it } from "vitest";
import { runAsSchema, toAzureRunAs } from "../../src/providers/run-as";

const PASSWORD = "Domain-Pa55word!9d2f";

describe("runAs", () => {
    it.each(["CORP\\svc-rds", "svc-rds@corp.contoso.com", "rdsadmin"])("accepts %s", (user) => {
        expect(toAzureRunAs({ user, password: PASSWORD })).toEqual({ user, password: PASSWORD });
    });

    it("is optional: no runAs, SYSTEM", () => {
        expect(toAzureRunAs(undefined)).toBeUndefined();
    });

    it.each([
        ["an empty user", { user: "", password: PASSWORD }, "user"],
        ["a user with spaces", { user: "CORP\\svc rds", password: PASSWORD }, "user"],
        ["an empty password", { user: "CORP\\svc-rds", password: "" }, "password"],
        ["an unknown field", { user: "CORP\\svc-rds", password: PASSWORD, domain: "corp" }, ""],
    ])("refuses %s, naming the field and never the password", (_what, value, field) => {
        const parsed = runAsSchema.safeParse(value);
        expect(parsed.success).toBe(false);
        expect(parsed.error!.issues[0]!.path.map(String)).toEqual(field ? [field] : []);
        expect(JSON.stringify(parsed.error!.issues)).not.toContain(PASSWORD);
        expect(() => toAzureRunAs(value)).toThrow();
    });

    it("copies only user and password", () => {
        const runAs = toAzureRunAs({ user: "CORP\\svc-rds", password: PASSWORD });
        expect(Object.keys(runAs!)).toEqual(["user", "password"]);
    });
});
