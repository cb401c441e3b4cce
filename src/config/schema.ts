/**
 * The stack configuration contract (namespace `rds-licensing`), validated with zod before any
 * resource is registered. Every problem names the key path, what is wrong, and how to fix it.
 */
import { z } from "zod";
import {
    ISO_3166_ALPHA2,
    LICENSE_PROGRAMS,
    LICENSE_TYPES,
    numberFieldsOf,
    type LicenseProgram,
    type NumberFieldOf,
} from "../licensing";
import { azureSchema } from "./azure";
import { deploymentSchema, standaloneHostSchema } from "./farm-schema";
import { licensingMode, serverName, version } from "./values";

export const NAMESPACE = "rds-licensing";

const nonEmpty = (what: string) => z.string({ error: `must be a string (${what})` }).trim().min(1, { error: `must not be empty (${what})` });

export const contactSchema = z.strictObject({
    firstName: nonEmpty("first name"),
    lastName: nonEmpty("last name"),
    company: nonEmpty("company"),
    countryRegion: z
        .string({ error: "must be a string" })
        .refine((v) => ISO_3166_ALPHA2.has(v), { error: "must be an ISO 3166 alpha-2 country code in capitals, e.g. NL, US, DE" }),
    email: z.email({ error: "must be an e-mail address" }).optional(),
});

export const licenseServerSchema = z.strictObject({
    name: serverName,
    windowsServerVersion: version,
    contact: contactSchema,
    /** Deactivate the server with the Clearinghouse when the stack is destroyed. */
    deactivateOnDelete: z.boolean({ error: "must be true or false" }).default(false),
});

/** A number field: its format is checked later (with the secret check), here only its type. */
const secretNumber = z.string({ error: "must be a string (set it with `pulumi config set --secret --path ...`)" });

const packCommon = {
    name: z.string({ error: "must be a string" }).regex(/^[a-z0-9][a-z0-9-]{0,47}$/, {
        error: "must be 1 to 48 lower-case letters, digits or hyphens, starting with a letter or digit",
    }),
    productVersion: version,
    licenseType: z.enum(LICENSE_TYPES, { error: `must be ${LICENSE_TYPES.join(" or ")}` }),
    count: z
        .number({ error: "must be a number" })
        .int({ error: "must be a whole number" })
        .min(1, { error: "must be at least 1 (remove the pack from calPacks to uninstall it)" })
        .max(9999, { error: "must be at most 9999 per pack" }),
    /** Adopt a key pack already installed on the server instead of installing a new one. */
    adoptKeyPackId: z.number({ error: "must be a key pack ID (a number)" }).int().positive().optional(),
    /** Let `destroy` remove a pack whose licenses are still issued to users or devices. */
    allowDeleteWithIssuedLicenses: z.boolean({ error: "must be true or false" }).default(false),
    /** The license server it is installed on, a name of `licenseServers` (default: the first). */
    licenseServer: serverName.optional(),
};

/** One program's pack: the common settings, the program's id and its numbers (catalog.ts). */
function packSchema<P extends LicenseProgram>(program: P) {
    const numbers = Object.fromEntries(numberFieldsOf(program).map((f) => [f.name, secretNumber])) as { [F in NumberFieldOf<P>]: typeof secretNumber };
    return z.strictObject({ ...packCommon, program: z.literal(program), ...numbers });
}
type PackSchema = { [P in LicenseProgram]: ReturnType<typeof packSchema<P>> }[LicenseProgram];

export const calPackSchema = z.discriminatedUnion("program", LICENSE_PROGRAMS.map(packSchema) as unknown as [PackSchema, ...PackSchema[]], {
    error: `program must be one of ${LICENSE_PROGRAMS.join(", ")}`,
});

export const simulatorSchema = z.strictObject({
    /** Folder of the simulator's store, relative to the project. */
    home: z.string({ error: "must be a folder path" }).min(1).default(".rdls-sim"),
    /**
     * Manage a simulated server that already exists (made by another stack or by hand) without ever
     * deleting it; without it, `up` refuses a server this stack did not create.
     */
    adoptExistingServer: z.boolean({ error: "must be true or false" }).default(false),
});

export const stackConfigSchema = z.strictObject({
    target: z.enum(["simulator", "azure"], { error: "must be simulator or azure" }).default("simulator"),
    /** The license server, when there is one (else `licenseServers`). */
    licenseServer: licenseServerSchema.optional(),
    /** The license servers, in preference order (else `licenseServer`). */
    licenseServers: z.array(licenseServerSchema, { error: "must be a list of license servers" }).min(1, { error: "must list at least one license server" }).optional(),
    /** The deployment's mode, and the default of each standalone session host's. */
    licensingMode,
    calPacks: z.array(calPackSchema, { error: "must be a list of packs" }).default([]),
    deployment: deploymentSchema.optional(),
    sessionHosts: z.array(standaloneHostSchema, { error: "must be a list of session hosts" }).default([]),
    simulator: simulatorSchema.default({ home: ".rdls-sim", adoptExistingServer: false }),
    /** Settings of the Azure target; see components/azure. */
    azure: azureSchema.optional(),
});

type ParsedConfig = z.output<typeof stackConfigSchema>;
export type LicenseServerConfig = z.output<typeof licenseServerSchema>;
/** The validated config: `licenseServers` always lists every server, `licenseServer` is the first. */
export type StackConfig = Omit<ParsedConfig, "licenseServer" | "licenseServers"> & {
    licenseServer: LicenseServerConfig;
    licenseServers: LicenseServerConfig[];
};
export type ParsedStackConfig = ParsedConfig;
export type CalPackConfig = StackConfig["calPacks"][number];
export type ContactConfig = z.output<typeof contactSchema>;
