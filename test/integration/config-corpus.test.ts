/**
 * Every invalid configuration of the corpus fails a real `pulumi preview` with a message naming the
 * key, before any resource is registered, and leaves state untouched.
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INVALID_CASES, NUMBER_PATHS, validConfig, type InvalidCase } from "../support/config-fixtures";
import { TestProject, flattenConfig } from "../support/engine";
import { expectNoSecrets } from "../support/secrets";

let project: TestProject;
let stackFile: string;
let salt: string;
/** Ciphertext of every secret value a case uses, made once by the CLI with the stack's passphrase. */
const ciphertexts = new Map<string, string>();

function casePaths(testCase: InvalidCase): { config: Record<string, unknown>; secret: Set<string> } {
    const config = validConfig();
    testCase.mutate(config);
    const plain = new Set(testCase.plainPaths ?? []);
    const numberField = /\.(agreementNumber|licenseNumber|authorizationNumber|licenseCode)$/;
    const secret = new Set(flattenConfig(config).map(([p]) => p).filter((p) => numberField.test(p) && !plain.has(p)));
    return { config, secret };
}

/** The stack file for a case: plain values as YAML, secret ones as `secure:` ciphertexts. */
function stackFileFor(testCase: InvalidCase): string {
    const { config, secret } = casePaths(testCase);
    const encrypt = (value: unknown, at: string): unknown => {
        if (Array.isArray(value)) return value.map((v, i) => encrypt(v, `${at}[${i}]`));
        if (value && typeof value === "object") {
            return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encrypt(v, at ? `${at}.${k}` : k)]));
        }
        return secret.has(at) ? { secure: ciphertexts.get(String(value)) } : value;
    };
    const namespaced = Object.fromEntries(Object.entries(encrypt(config, "") as object).map(([k, v]) => [`rds-licensing:${k}`, v]));
    return `${salt}\n${yaml.dump({ config: namespaced })}`;
}

beforeAll(async () => {
    project = await TestProject.create("config-corpus");
    stackFile = path.join(project.dir, `Pulumi.${project.stack}.yaml`);
    // Encrypt every distinct secret value once, through the CLI, under throwaway keys.
    const values = [...new Set(INVALID_CASES.flatMap((c) => {
        const { config, secret } = casePaths(c);
        return flattenConfig(config).filter(([p]) => secret.has(p)).map(([, v]) => v);
    }))];
    await project.setConfig({ scratch: values }, values.map((_, i) => `scratch[${i}]`));
    const doc = yaml.load(fs.readFileSync(stackFile, "utf8")) as { encryptionsalt: string; config: Record<string, Array<{ secure: string }>> };
    salt = `encryptionsalt: ${doc.encryptionsalt}`;
    doc.config["rds-licensing:scratch"].forEach((entry, i) => ciphertexts.set(values[i], entry.secure));
    expect(ciphertexts.size).toBe(values.length);
});

afterAll(() => project?.remove());

describe("invalid stack configurations on the real engine", () => {
    it("accepts the valid configuration", async () => {
        fs.writeFileSync(stackFile, stackFileFor({ name: "valid", mutate: () => undefined, key: "" }));
        const preview = await project.pulumiOk(["preview"]);
        expect(preview.stdout).toContain("to create");
        expect(NUMBER_PATHS.length).toBe(4);
    });

    it.each(INVALID_CASES.map((c) => [c.name, c] as const))("%s: preview fails naming the key, state untouched", async (_name, testCase) => {
        fs.writeFileSync(stackFile, stackFileFor(testCase));
        const before = project.backendBytes();
        const preview = await project.pulumi(["preview"]);
        const output = preview.stdout + preview.stderr;
        expect(preview.code).not.toBe(0);
        expect(output).toContain(`rds-licensing:${testCase.key}`);
        expect(output).toContain("Fix:");
        // Nothing but the stack itself was registered: the error came before any resource.
        expect(output).not.toMatch(/pulumi-nodejs:dynamic|rds-licensing:index:RdsLicensing/);
        expectNoSecrets(output, `the error output of case "${testCase.name}"`);
        expect(project.backendBytes()).toBe(before);
    });
});
