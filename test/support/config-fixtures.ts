/**
 * A valid stack config and the invalid variants every config test runs. Numbers are fictitious and
 * distinctive, so scans for them in outputs cannot match by accident.
 */
import { ConfigError } from "../../src/config";

/** The ConfigError `run` throws (it must throw one; any other error is rethrown). */
export function configError(run: () => unknown): ConfigError {
    try {
        run();
    } catch (err) {
        if (err instanceof ConfigError) return err;
        throw err;
    }
    throw new Error("expected a ConfigError");
}

export const SECRETS = {
    agreementNumber: "9990001",
    licenseNumber: "99900002",
    authorizationNumber: "DEMOAUTH0000001",
    licenseCode: "DEMOR-ETAIL-CODE0-00000-00001",
} as const;

export type RawConfig = Record<string, unknown>;

/** The valid config; `numbers` replaces the four numbers (e.g. spelled as people type them). */
export function validConfig(numbers: Readonly<Record<keyof typeof SECRETS, string>> = SECRETS): RawConfig {
    return {
        target: "simulator",
        licensingMode: "PerUser",
        licenseServer: {
            name: "RDLS-TEST01",
            windowsServerVersion: "2022",
            contact: { firstName: "Test", lastName: "Admin", company: "Contoso (fictitious)", countryRegion: "NL" },
        },
        calPacks: [
            { name: "ea-users", program: "enterprise-agreement", agreementNumber: numbers.agreementNumber, productVersion: "2022", licenseType: "per-user", count: 20 },
            {
                name: "open-devices",
                program: "open-license",
                licenseNumber: numbers.licenseNumber,
                authorizationNumber: numbers.authorizationNumber,
                productVersion: "2019",
                licenseType: "per-device",
                count: 10,
            },
            { name: "retail-users", program: "retail", licenseCode: numbers.licenseCode, productVersion: "2022", licenseType: "per-user", count: 5 },
        ],
    };
}

export const NUMBER_PATHS = [
    "calPacks[0].agreementNumber",
    "calPacks[1].licenseNumber",
    "calPacks[1].authorizationNumber",
    "calPacks[2].licenseCode",
];

export interface InvalidCase {
    name: string;
    /** Mutates a valid config into the invalid one. */
    mutate: (config: any) => void;
    /** The key the error must name (without the namespace). */
    key: string;
    /** Paths that are set in plain text in this case (default: none). */
    plainPaths?: string[];
}

export const INVALID_CASES: InvalidCase[] = [
    { name: "unknown target", mutate: (c) => (c.target = "aws"), key: "target" },
    { name: "missing licensingMode", mutate: (c) => delete c.licensingMode, key: "licensingMode" },
    { name: "bad licensingMode", mutate: (c) => (c.licensingMode = "PerSession"), key: "licensingMode" },
    { name: "missing licenseServer", mutate: (c) => delete c.licenseServer, key: "licenseServer" },
    { name: "server name too long", mutate: (c) => (c.licenseServer.name = "A-VERY-LONG-SERVER-NAME"), key: "licenseServer.name" },
    { name: "server name all digits", mutate: (c) => (c.licenseServer.name = "12345"), key: "licenseServer.name" },
    { name: "server version unknown", mutate: (c) => (c.licenseServer.windowsServerVersion = "2012"), key: "licenseServer.windowsServerVersion" },
    { name: "missing first name", mutate: (c) => delete c.licenseServer.contact.firstName, key: "licenseServer.contact.firstName" },
    { name: "blank company", mutate: (c) => (c.licenseServer.contact.company = "  "), key: "licenseServer.contact.company" },
    { name: "country not ISO", mutate: (c) => (c.licenseServer.contact.countryRegion = "Netherlands"), key: "licenseServer.contact.countryRegion" },
    { name: "country lower case", mutate: (c) => (c.licenseServer.contact.countryRegion = "nl"), key: "licenseServer.contact.countryRegion" },
    { name: "bad email", mutate: (c) => (c.licenseServer.contact.email = "not-an-address"), key: "licenseServer.contact.email" },
    { name: "unknown contact key", mutate: (c) => (c.licenseServer.contact.phone = "123"), key: "licenseServer.contact.phone" },
    { name: "unknown top-level key", mutate: (c) => (c.calPack = []), key: "calPack" },
    { name: "unknown program", mutate: (c) => (c.calPacks[0].program = "volume"), key: "calPacks[0].program" },
    { name: "duplicate pack names", mutate: (c) => (c.calPacks[1].name = "ea-users"), key: "calPacks[1].name" },
    { name: "bad pack name", mutate: (c) => (c.calPacks[0].name = "EA Users!"), key: "calPacks[0].name" },
    { name: "count zero", mutate: (c) => (c.calPacks[0].count = 0), key: "calPacks[0].count" },
    { name: "count fractional", mutate: (c) => (c.calPacks[0].count = 2.5), key: "calPacks[0].count" },
    { name: "count too large", mutate: (c) => (c.calPacks[0].count = 100000), key: "calPacks[0].count" },
    { name: "license type unknown", mutate: (c) => (c.calPacks[0].licenseType = "per-session"), key: "calPacks[0].licenseType" },
    { name: "product version unknown", mutate: (c) => (c.calPacks[0].productVersion = "2008"), key: "calPacks[0].productVersion" },
    { name: "CAL newer than server", mutate: (c) => (c.calPacks[0].productVersion = "2025"), key: "calPacks[0].productVersion" },
    { name: "agreement number 6 digits", mutate: (c) => (c.calPacks[0].agreementNumber = "999000"), key: "calPacks[0].agreementNumber" },
    { name: "agreement number with letters", mutate: (c) => (c.calPacks[0].agreementNumber = "99900AB"), key: "calPacks[0].agreementNumber" },
    { name: "open license number 7 digits", mutate: (c) => (c.calPacks[1].licenseNumber = "9990000"), key: "calPacks[1].licenseNumber" },
    { name: "authorization number too short", mutate: (c) => (c.calPacks[1].authorizationNumber = "DEMOAUTH"), key: "calPacks[1].authorizationNumber" },
    { name: "retail code 24 characters", mutate: (c) => (c.calPacks[2].licenseCode = "DEMOR-ETAIL-CODE0-00000-0000"), key: "calPacks[2].licenseCode" },
    { name: "number of another program", mutate: (c) => (c.calPacks[2].agreementNumber = SECRETS.agreementNumber), key: "calPacks[2].agreementNumber" },
    { name: "missing agreement number", mutate: (c) => delete c.calPacks[0].agreementNumber, key: "calPacks[0].agreementNumber" },
    { name: "plain-text agreement number", mutate: () => undefined, key: "calPacks[0].agreementNumber", plainPaths: ["calPacks[0].agreementNumber"] },
    { name: "plain-text license code", mutate: () => undefined, key: "calPacks[2].licenseCode", plainPaths: ["calPacks[2].licenseCode"] },
    { name: "azure target without settings", mutate: (c) => (c.target = "azure"), key: "azure" },
];
