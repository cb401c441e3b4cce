/**
 * Every invalid configuration of the corpus fails a real `pulumi preview` with a message naming the
 * key, before any resource is registered, and leaves state untouched. For wrong-typed values, the
 * fix the message gives is run on the real CLI, and the next preview passes.
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INVALID_CASES, NUMBER_PATHS, SECRETS, validConfig, type InvalidCase } from "../support/config-fixtures";
import { TestProject, flattenConfig } from "../support/engine";
import { expectNoSecrets } from "../support/secrets";

let project: TestProject;
let stackFile: string;
let salt: string;
/** Ciphertext of every secret value a case uses, made once by the CLI with the stack's passphrase. */
const ciphertexts = new Map<string, string>();

/** Cases only this corpus runs (the unit tests have them too). */
const CORPUS_CASES: InvalidCase[] = [
    {
        name: "two packs adopting one key pack",
        mutate: (c) => ((c.calPacks[0].adoptKeyPackId = 4), (c.calPacks[2].adoptKeyPackId = 4)),
        key: "calPacks[2].adoptKeyPackId",
    },
];

interface TypeCase extends InvalidCase {
    /** What the problem says. */
    says: string;
    /** The fix the message gives, exactly; `<value>` is replaced by `value` when it is run. */
    fix: string;
    value?: string;
}

/**
 * Values of the wrong type, as a stack file can hold them: `"10"` quoted, or a number that
 * `pulumi config set --path` stored from a name typed without `--type string` (and would store again).
 */
const TYPE_CASES: TypeCase[] = [
    {
        name: "count as a string",
        mutate: (c) => (c.calPacks[0].count = "10"),
        key: "calPacks[0].count",
        says: 'must be a number, found a string ("10")',
        // Over the quoted "10", `config set --type int` alone would keep a string: remove it first.
        fix: "pulumi config rm --path 'calPacks[0].count' && pulumi config set --type int --path 'calPacks[0].count' 10",
    },
    {
        name: "company as a number",
        mutate: (c) => (c.licenseServer.contact.company = 1234),
        key: "licenseServer.contact.company",
        says: "must be a string, found a number (1234)",
        fix: "pulumi config set --type string --path 'licenseServer.contact.company' 1234",
    },
    {
        name: "pack name as a number",
        mutate: (c) => (c.calPacks[1].name = 2019),
        key: "calPacks[1].name",
        says: "must be a string, found a number (2019)",
        fix: "pulumi config set --type string --path 'calPacks[1].name' 2019",
    },
    {
        name: "flag as a string",
        mutate: (c) => (c.licenseServer.deactivateOnDelete = "true"),
        key: "licenseServer.deactivateOnDelete",
        says: 'must be a boolean (true or false), found a string ("true")',
        fix: "pulumi config rm --path 'licenseServer.deactivateOnDelete' && pulumi config set --type bool --path 'licenseServer.deactivateOnDelete' true",
    },
    {
        name: "agreement number as a plain number",
        mutate: (c) => (c.calPacks[0].agreementNumber = Number(SECRETS.agreementNumber)),
        key: "calPacks[0].agreementNumber",
        plainPaths: ["calPacks[0].agreementNumber"],
        says: "must be a string, found a number.",
        fix: "pulumi config set --secret --path 'calPacks[0].agreementNumber' <value>",
        value: SECRETS.agreementNumber,
    },
];

/** A command line as the shell would split it (bare words and single-quoted ones). */
function shellWords(line: string): string[] {
    return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

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
    const values = [...new Set([...INVALID_CASES, ...CORPUS_CASES, ...TYPE_CASES].flatMap((c) => {
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

    it.each([...INVALID_CASES, ...CORPUS_CASES].map((c) => [c.name, c] as const))("%s: preview fails naming the key, state untouched", async (_name, testCase) => {
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

describe("wrong-typed values on the real engine: the suggested fix works", () => {
    it.each(TYPE_CASES.map((c) => [c.name, c] as const))("%s: preview names the type, the fix stores the right one", async (_name, testCase) => {
        fs.writeFileSync(stackFile, stackFileFor(testCase));
        const failed = await project.pulumi(["preview"]);
        const output = failed.stdout + failed.stderr;
        expect(failed.code).not.toBe(0);
        expectNoSecrets(output, `the error output of case "${testCase.name}"`);
        const line = output.split("\n").find((l) => l.includes(`rds-licensing:${testCase.key} `));
        expect(line, output).toContain(`rds-licensing:${testCase.key} ${testCase.says}`);
        const fixLine = output.split("\n")[output.split("\n").indexOf(line!) + 1]!;
        const fix = /Fix: (.*)$/.exec(fixLine)?.[1]?.trim();
        expect(fix).toBe(testCase.fix);

        // Run the commands as a user would paste them (the placeholder filled in), then preview again.
        for (const command of fix!.replace("<value>", testCase.value ?? "<value>").split(" && ")) {
            const words = shellWords(command);
            expect(words.slice(0, 3)).toEqual(expect.arrayContaining(["pulumi", "config"]));
            await project.pulumiOk([...words.slice(1), "--stack", project.stack]);
        }
        const preview = await project.pulumi(["preview"]);
        expect(preview.code, preview.stdout + preview.stderr).toBe(0);
        expect(preview.stdout).toContain("to create");
        expectNoSecrets(preview.stdout + preview.stderr, `the preview after the fix of case "${testCase.name}"`);
    });
});
