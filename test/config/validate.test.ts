import { describe, expect, it } from "vitest";
import { ConfigError, validateStackConfig } from "../../src/config";
import { INVALID_CASES, NUMBER_PATHS, SECRETS, validConfig } from "../support/config-fixtures";

const allSecret = (plain: string[] = []) => (path: string) => NUMBER_PATHS.includes(path) && !plain.includes(path);

function problemsOf(run: () => unknown): ConfigError {
    try {
        run();
    } catch (err) {
        if (err instanceof ConfigError) return err;
        throw err;
    }
    throw new Error("expected a ConfigError");
}

describe("validateStackConfig", () => {
    it("accepts the valid config and normalizes numbers", () => {
        const config = validateStackConfig(validConfig(), allSecret());
        expect(config.calPacks).toHaveLength(3);
        const retail = config.calPacks[2] as { licenseCode: string };
        expect(retail.licenseCode).toBe(SECRETS.licenseCode.replace(/-/g, ""));
        expect(config.licenseServer.deactivateOnDelete).toBe(false);
        expect(config.simulator.home).toBe(".rdls-sim");
    });

    it("accepts versions stored as numbers by `pulumi config set --path`", () => {
        const raw = validConfig() as any;
        raw.licenseServer.windowsServerVersion = 2022;
        raw.calPacks[0].productVersion = 2019;
        const config = validateStackConfig(raw, allSecret());
        expect(config.calPacks[0].productVersion).toBe("2019");
    });

    it("defaults the target to simulator", () => {
        const raw = validConfig();
        delete raw.target;
        expect(validateStackConfig(raw, allSecret()).target).toBe("simulator");
    });

    it.each(INVALID_CASES.map((c) => [c.name, c] as const))("rejects %s, naming the key", (_name, testCase) => {
        const raw = validConfig();
        testCase.mutate(raw);
        const error = problemsOf(() => validateStackConfig(raw, allSecret(testCase.plainPaths)));
        const keys = error.problems.map((p) => p.key);
        expect(keys).toContain(`rds-licensing:${testCase.key}`);
        for (const problem of error.problems) expect(problem.fix.length).toBeGreaterThan(10);
        for (const secret of Object.values(SECRETS)) {
            expect(error.message).not.toContain(secret);
            expect(error.message).not.toContain(secret.replace(/-/g, ""));
        }
    });

    it("tells how to set a plain-text number as a secret", () => {
        const error = problemsOf(() => validateStackConfig(validConfig(), allSecret(["calPacks[0].agreementNumber"])));
        expect(error.message).toContain("pulumi config set --secret --path 'calPacks[0].agreementNumber'");
    });

    it("reports every problem at once", () => {
        const raw = validConfig() as any;
        raw.calPacks[0].count = 0;
        raw.calPacks[1].licenseType = "per-session";
        const error = problemsOf(() => validateStackConfig(raw, allSecret()));
        expect(error.problems.map((p) => p.key)).toEqual(
            expect.arrayContaining(["rds-licensing:calPacks[0].count", "rds-licensing:calPacks[1].licenseType"]),
        );
    });
});
