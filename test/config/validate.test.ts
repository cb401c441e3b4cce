import { describe, expect, it } from "vitest";
import { ConfigError, stackConfigSchema, validateStackConfig } from "../../src/config";
import { ADMIN_PASSWORD, AZURE_SECRET_PATHS, SUBNET_ID, azureConfig, domainSettings } from "../azure/support/fixtures";
import { INVALID_CASES, NUMBER_PATHS, SECRETS, configError, validConfig } from "../support/config-fixtures";
import { expectNoSecrets } from "../support/secrets";

const allSecret = (plain: string[] = []) => (path: string) => NUMBER_PATHS.includes(path) && !plain.includes(path);

describe("validateStackConfig", () => {
    it("accepts the valid config and keeps numbers exactly as configured", () => {
        const config = validateStackConfig(validConfig(), allSecret());
        expect(config.calPacks).toHaveLength(3);
        // Not normalized: the engine masks the secret as written, the provider normalizes it itself.
        const [ea, open, retail] = config.calPacks as unknown as Array<Record<string, string>>;
        expect(retail!.licenseCode).toBe(SECRETS.licenseCode);
        expect(ea!.agreementNumber).toBe(SECRETS.agreementNumber);
        expect(open!.licenseNumber).toBe(SECRETS.licenseNumber);
        expect(open!.authorizationNumber).toBe(SECRETS.authorizationNumber);
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
        const error = configError(() => validateStackConfig(raw, allSecret(testCase.plainPaths)));
        const keys = error.problems.map((p) => p.key);
        expect(keys).toContain(`rds-licensing:${testCase.key}`);
        for (const problem of error.problems) expect(problem.fix.length).toBeGreaterThan(10);
        for (const secret of Object.values(SECRETS)) {
            expect(error.message).not.toContain(secret);
            expect(error.message).not.toContain(secret.replace(/-/g, ""));
        }
    });

    it("tells how to set a plain-text number as a secret", () => {
        const error = configError(() => validateStackConfig(validConfig(), allSecret(["calPacks[0].agreementNumber"])));
        expect(error.message).toContain("pulumi config set --secret --path 'calPacks[0].agreementNumber'");
    });

    it("reports every problem at once", () => {
        const raw = validConfig() as any;
        raw.calPacks[0].count = 0;
        raw.calPacks[1].licenseType = "per-session";
        const error = configError(() => validateStackConfig(raw, allSecret()));
        expect(error.problems.map((p) => p.key)).toEqual(
            expect.arrayContaining(["rds-licensing:calPacks[0].count", "rds-licensing:calPacks[1].licenseType"]),
        );
    });
});

describe("numbers flow as configured", () => {
    it("checks the format of a spelled number but passes it on untouched", () => {
        const raw = validConfig() as any;
        raw.calPacks[0].agreementNumber = " 9990001 ";
        raw.calPacks[1].authorizationNumber = "demoauth-0000001";
        raw.calPacks[2].licenseCode = "demor-etail-code0-00000-00001";
        const config = validateStackConfig(raw, allSecret());
        const [ea, open, retail] = config.calPacks as unknown as Array<Record<string, string>>;
        expect(ea!.agreementNumber).toBe(" 9990001 ");
        expect(open!.authorizationNumber).toBe("demoauth-0000001");
        expect(retail!.licenseCode).toBe("demor-etail-code0-00000-00001");
        expect(raw.calPacks[2].licenseCode).toBe("demor-etail-code0-00000-00001");
    });
});

describe("adopted key packs", () => {
    it("refuses two packs adopting the same key pack, naming both keys", () => {
        const raw = validConfig() as any;
        raw.calPacks[0].adoptKeyPackId = 4;
        raw.calPacks[2].adoptKeyPackId = 4;
        const error = configError(() => validateStackConfig(raw, allSecret()));
        expect(error.problems).toHaveLength(1);
        const [problem] = error.problems;
        expect(problem!.key).toBe("rds-licensing:calPacks[2].adoptKeyPackId");
        expect(problem!.problem).toContain("rds-licensing:calPacks[0].adoptKeyPackId");
        expect(problem!.problem).toContain('"ea-users"');
        expect(problem!.problem).toContain("key pack 4");
        expect(problem!.fix).toContain("pulumi config rm --path 'calPacks[2].adoptKeyPackId'");
    });

    it("accepts different key packs adopted by different packs", () => {
        const raw = validConfig() as any;
        raw.calPacks[0].adoptKeyPackId = 4;
        raw.calPacks[2].adoptKeyPackId = 5;
        expect(validateStackConfig(raw, allSecret()).calPacks.map((p) => p.adoptKeyPackId)).toEqual([4, undefined, 5]);
    });
});

// --- Types ---------------------------------------------------------------------------------------
// `pulumi config set --path` stores `true`/`false` as booleans and integers as numbers, anything else
// as a string; `--type string|int|bool|float` stores the given type (pulumi 3.274). So a wrong type
// must be told as such, with the `--type` command that stores the right one.

/** Every scalar setting of the schema, with zod's kind: `calPacks[].count number`, ... */
function schemaLeaves(schema: any, path = "", out = new Map<string, string>()): Map<string, string> {
    const def = schema._zod.def;
    switch (def.type) {
        case "object":
            for (const [k, v] of Object.entries(def.shape)) schemaLeaves(v, path ? `${path}.${k}` : k, out);
            break;
        case "optional":
        case "default":
            schemaLeaves(def.innerType, path, out);
            break;
        case "pipe":
            schemaLeaves(def.in._zod.def.type === "transform" ? def.out : def.in, path, out);
            break;
        case "array":
            schemaLeaves(def.element, `${path}[]`, out);
            break;
        case "record":
            schemaLeaves(def.valueType, `${path}.<tag>`, out);
            break;
        case "union":
            for (const option of def.options) schemaLeaves(option, path, out);
            break;
        default:
            out.set(path, def.type);
    }
    return out;
}

/** A config with every setting present (Azure target, domain, network, tags, adopted pack...). */
function everySetting(): any {
    const raw = azureConfig({
        resourceGroupName: "rg-rds",
        createResourceGroup: true,
        vmSize: "Standard_D2s_v5",
        windowsServerVersion: "2022",
        imageSku: "2022-datacenter-azure-edition",
        trustedLaunch: true,
        osDiskType: "Premium_LRS",
        osDiskSizeGb: 200,
        network: { subnetId: SUBNET_ID, vnetCidr: "10.10.0.0/16", subnetCidr: "10.10.1.0/24", natGateway: true },
        dnsServers: ["10.10.0.4"],
        allowRdpFrom: ["203.0.113.0/24"],
        publicIp: false,
        connectionBroker: false,
        domain: domainSettings(),
        adminUsername: "rdlsadmin",
        adminPassword: ADMIN_PASSWORD,
        hybridBenefit: false,
        tags: { env: "test" },
    }) as any;
    raw.licenseServer.deactivateOnDelete = false;
    raw.licenseServer.contact.email = "admin@contoso.example";
    raw.calPacks[0].adoptKeyPackId = 4;
    raw.calPacks[0].allowDeleteWithIssuedLicenses = false;
    raw.calPacks[0].licenseServer = raw.licenseServer.name;
    raw.simulator = { home: ".rdls-sim", adoptExistingServer: false };
    return raw;
}

/**
 * A simulator farm with every farm setting present: two license servers (so `licenseServers`, not
 * `licenseServer`), a deployment and a standalone host, each with every optional setting.
 */
function everyFarmSetting(): any {
    const raw = validConfig() as any;
    const second = { ...structuredClone(raw.licenseServer), name: "RDLS02", deactivateOnDelete: false };
    second.contact.email = "admin@contoso.example";
    raw.licenseServer.contact.email = "admin@contoso.example";
    raw.licenseServers = [{ ...raw.licenseServer, deactivateOnDelete: false }, second];
    delete raw.licenseServer;
    raw.calPacks[0].licenseServer = "RDLS02";
    raw.calPacks[1].licenseServer = "RDLS02";
    raw.deployment = {
        broker: "RDCB01",
        sessionHosts: [{ name: "RDSH01", windowsServerVersion: "2019" }],
        licenseServers: ["RDLS02", raw.licenseServers[0].name],
        resetOnDelete: false,
        adoptExisting: false,
    };
    raw.sessionHosts = [{ name: "RDSH09", windowsServerVersion: "2019", mode: "PerDevice", licenseServers: ["RDLS02"], resetOnDelete: false, adoptExisting: false }];
    return raw;
}
const FARM_SETTING = /^(licenseServers|deployment|sessionHosts)\b/;
const baseFor = (path: string) => (FARM_SETTING.test(path) ? everyFarmSetting() : everySetting());

/** `calPacks[].licenseCode` → `calPacks[2].licenseCode` (the pack of that program), `tags.<tag>` → `tags.env`. */
function concrete(leaf: string): string {
    const pack = /\.(licenseNumber|authorizationNumber)$/.test(leaf) ? 1 : leaf.endsWith(".licenseCode") ? 2 : 0;
    return leaf.replace("calPacks[]", `calPacks[${pack}]`).replace(/\[\]/g, "[0]").replace("<tag>", "env");
}

function segmentsOf(path: string): Array<string | number> {
    return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
}

function valueAt(raw: any, path: string): unknown {
    return segmentsOf(path).reduce((at, s) => (at === undefined ? undefined : at[s]), raw);
}

function setAt(raw: any, path: string, value: unknown): void {
    const segments = segmentsOf(path);
    const parent = segments.slice(0, -1).reduce((at, s) => at[s], raw);
    if (value === undefined) delete parent[segments[segments.length - 1]!];
    else parent[segments[segments.length - 1]!] = value;
}

const SECRET_SETTINGS = [...AZURE_SECRET_PATHS];
/** The settings set with --secret in everySetting(), minus `plain`. */
const secretsBut = (plain: readonly string[] = []) => (path: string) => SECRET_SETTINGS.includes(path) && !plain.includes(path);

/** What `pulumi config set --type T --path P V` stores, applied to `raw` (as the CLI 3.274 does). */
function applyTypedSet(raw: any, fix: string): string {
    const match = /^(?:pulumi config rm --path '([^']+)' && )?pulumi config set --type (string|int|bool|float) --path '([^']+)' (.+)$/.exec(fix);
    if (!match) throw new Error(`not a typed set command: ${fix}`);
    const [, removed, type, path, word] = match as unknown as [string, string | undefined, string, string, string];
    if (removed !== undefined) expect(removed).toBe(path);
    const text = word.startsWith("'") ? word.slice(1, -1).replace(/'\\''/g, "'") : word;
    expect(text).not.toMatch(/^<.*>$/);
    setAt(raw, path, type === "string" ? text : type === "bool" ? text === "true" : Number(text));
    return path;
}

const LEAVES = schemaLeaves(stackConfigSchema);
const TYPED = [...LEAVES].filter(([, kind]) => kind === "string" || kind === "number" || kind === "boolean").map(([leaf, kind]) => [concrete(leaf), kind] as const);
const NOUN: Record<string, string> = { string: "a string", number: "a number", boolean: "a boolean (true or false)" };
const CLI_TYPE: Record<string, string> = { string: "string", number: "int", boolean: "bool" };
/** A value of the wrong type for each kind, as the stack file would hold it. */
const WRONG: Record<string, unknown> = { string: 1234, number: "10", boolean: "true" };

describe("wrong-typed settings", () => {
    it("the table reaches every typed setting of the schema", () => {
        expect(TYPED.length).toBeGreaterThan(35);
        for (const [path] of TYPED) expect(valueAt(baseFor(path), path), path).not.toBeUndefined();
        // and the base configs themselves parse, the farm one with its cross checks too
        expect(stackConfigSchema.safeParse(everySetting()).success).toBe(true);
        expect(validateStackConfig(everyFarmSetting(), allSecret()).licenseServers.map((s) => s.name)).toEqual(["RDLS-TEST01", "RDLS02"]);
    });

    it.each(TYPED)("%s (%s): says the type found and gives the fix that stores the right type", (path, kind) => {
        const raw = baseFor(path);
        const secretSetting = SECRET_SETTINGS.includes(path);
        // A plain number where a secret string belongs (a number cannot be a secret: secrets are strings).
        const wrong = secretSetting ? Number(SECRETS.agreementNumber) : WRONG[kind];
        setAt(raw, path, wrong);
        const error = configError(() => validateStackConfig(raw, secretsBut([path])));
        expect(error.problems).toHaveLength(1);
        const [problem] = error.problems;
        expect(problem!.key).toBe(`rds-licensing:${path}`);
        const foundType = typeof wrong === "number" ? "a number" : "a string";
        expect(problem!.problem).toBe(`must be ${NOUN[kind]}, found ${foundType}${secretSetting ? "" : ` (${JSON.stringify(wrong)})`}`);
        if (secretSetting) {
            expect(problem!.fix).toBe(`pulumi config set --secret --path '${path}' <value>`);
            expectNoSecrets(error.message, "the problem");
            expect(error.message).not.toContain(SECRETS.agreementNumber);
            return;
        }
        // Over a string, `config set` keeps a string whatever --type says: the fix removes it first.
        const removeFirst = typeof wrong === "string" ? `pulumi config rm --path '${path}' && ` : "";
        expect(problem!.fix.startsWith(`${removeFirst}pulumi config set --type ${CLI_TYPE[kind]} --path '${path}' `), problem!.fix).toBe(true);
        if (!problem!.fix.includes("is refused too")) {
            // The command stores a value of the right type, which the check then accepts.
            applyTypedSet(raw, problem!.fix);
            let after: ConfigError | undefined;
            try {
                validateStackConfig(raw, secretsBut());
            } catch (err) {
                after = err as ConfigError;
            }
            expect(after?.problems.map((p) => p.key) ?? []).not.toContain(`rds-licensing:${path}`);
        }
    });

    it.each([
        ["calPacks[0].count", "10", `pulumi config rm --path 'calPacks[0].count' && pulumi config set --type int --path 'calPacks[0].count' 10`],
        ["calPacks[0].count", " 25 ", `pulumi config rm --path 'calPacks[0].count' && pulumi config set --type int --path 'calPacks[0].count' 25`],
        ["calPacks[0].adoptKeyPackId", "7", `pulumi config rm --path 'calPacks[0].adoptKeyPackId' && pulumi config set --type int --path 'calPacks[0].adoptKeyPackId' 7`],
        ["licenseServer.contact.company", 1234, `pulumi config set --type string --path 'licenseServer.contact.company' 1234`],
        ["licenseServer.contact.lastName", true, `pulumi config set --type string --path 'licenseServer.contact.lastName' true`],
        ["calPacks[0].name", 2022, `pulumi config set --type string --path 'calPacks[0].name' 2022`],
        ["licenseServer.deactivateOnDelete", "TRUE", `pulumi config rm --path 'licenseServer.deactivateOnDelete' && pulumi config set --type bool --path 'licenseServer.deactivateOnDelete' true`],
        ["calPacks[0].allowDeleteWithIssuedLicenses", "false", `pulumi config rm --path 'calPacks[0].allowDeleteWithIssuedLicenses' && pulumi config set --type bool --path 'calPacks[0].allowDeleteWithIssuedLicenses' false`],
        ["simulator.home", 42, `pulumi config set --type string --path 'simulator.home' 42`],
    ])("%s = %j: the exact fix", (path, wrong, fix) => {
        const raw = validConfig() as any;
        if (path.startsWith("simulator")) raw.simulator = { home: ".rdls-sim" };
        setAt(raw, path, wrong);
        const [problem] = configError(() => validateStackConfig(raw, allSecret())).problems;
        expect(problem!.fix).toBe(fix);
        applyTypedSet(raw, fix);
        expect(() => validateStackConfig(raw, allSecret())).not.toThrow();
    });

    it("says when the value, in the right type, would still be refused", () => {
        const raw = validConfig() as any;
        raw.licenseServer.name = 12345;
        raw.calPacks[1].count = "0";
        const { problems } = configError(() => validateStackConfig(raw, allSecret()));
        expect(problems.find((p) => p.key === "rds-licensing:licenseServer.name")).toEqual({
            key: "rds-licensing:licenseServer.name",
            problem: "must be a string, found a number (12345)",
            fix: expect.stringMatching(/^pulumi config set --type string --path 'licenseServer\.name' <value> \("12345" is refused too: it must be a Windows computer name/),
        });
        expect(problems.find((p) => p.key === "rds-licensing:calPacks[1].count")?.fix).toMatch(
            /^pulumi config rm --path 'calPacks\[1\]\.count' && pulumi config set --type int --path 'calPacks\[1\]\.count' <number> \(0 is refused too: it must be at least 1/,
        );
    });

    it("never shows a value set as a secret, even in the wrong place", () => {
        const raw = validConfig() as any;
        raw.calPacks[0].count = "10";
        const [problem] = configError(() => validateStackConfig(raw, (p) => NUMBER_PATHS.includes(p) || p === "calPacks[0].count")).problems;
        expect(problem).toEqual({
            key: "rds-licensing:calPacks[0].count",
            problem: "must be a number, found a string",
            fix: "pulumi config rm --path 'calPacks[0].count' && pulumi config set --type int --path 'calPacks[0].count' <number>",
        });
    });

    it("names the type found for a word setting given a number", () => {
        const raw = validConfig() as any;
        raw.calPacks[0].licenseType = 5;
        raw.licensingMode = true;
        const { problems } = configError(() => validateStackConfig(raw, allSecret()));
        expect(problems.find((p) => p.key === "rds-licensing:calPacks[0].licenseType")?.problem).toBe("must be per-user or per-device, found a number (5)");
        expect(problems.find((p) => p.key === "rds-licensing:licensingMode")?.problem).toBe("must be PerUser or PerDevice, found a boolean (true)");
    });

    it("names a map or list given as a single value", () => {
        const raw = validConfig() as any;
        raw.licenseServer = "RDLS01";
        raw.calPacks[0] = undefined;
        raw.calPacks = "ea-users";
        const { problems } = configError(() => validateStackConfig(raw, allSecret()));
        expect(problems.find((p) => p.key === "rds-licensing:licenseServer")).toEqual({
            key: "rds-licensing:licenseServer",
            problem: 'must be a map of settings, found a string ("RDLS01")',
            fix: expect.stringContaining("pulumi config set --path 'licenseServer.<setting>' <value>"),
        });
        expect(problems.find((p) => p.key === "rds-licensing:calPacks")?.problem).toBe('must be a list, found a string ("ea-users")');
    });
});

describe("missing settings", () => {
    it.each([
        ["calPacks[0].count", "pulumi config set --type int --path 'calPacks[0].count' <number>"],
        ["calPacks[0].agreementNumber", "pulumi config set --secret --path 'calPacks[0].agreementNumber' <value>"],
        ["calPacks[1].authorizationNumber", "pulumi config set --secret --path 'calPacks[1].authorizationNumber' <value>"],
        ["licenseServer.contact.company", "pulumi config set --type string --path 'licenseServer.contact.company' <value>"],
        ["licenseServer.name", "pulumi config set --type string --path 'licenseServer.name' <value>"],
    ])("%s: is required", (path, fix) => {
        const raw = validConfig();
        setAt(raw, path, undefined);
        const { problems } = configError(() => validateStackConfig(raw, allSecret()));
        expect(problems).toEqual([{ key: `rds-licensing:${path}`, problem: "is required", fix }]);
    });

    it("an empty value is told as such", () => {
        const raw = validConfig() as any;
        raw.calPacks[0].count = null;
        const [problem] = configError(() => validateStackConfig(raw, allSecret())).problems;
        expect(problem!.problem).toBe("must be a number, found an empty value (null)");
        expect(problem!.fix).toBe("pulumi config set --type int --path 'calPacks[0].count' <number>");
    });
});

describe("missing maps", () => {
    it("a missing licenseServer is required, set entry by entry", () => {
        const raw = validConfig();
        delete raw.licenseServer;
        const [problem] = configError(() => validateStackConfig(raw, allSecret())).problems;
        expect(problem).toEqual({
            key: "rds-licensing:licenseServer",
            problem: "is required",
            fix: "set its entries one by one: pulumi config set --path 'licenseServer.<setting>' <value> (or list several servers in licenseServers)",
        });
    });
});
