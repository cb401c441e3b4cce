/**
 * The stack configuration contract (namespace `rds-licensing`), validated with zod before any
 * resource is registered. Every problem names the key path, what is wrong, and how to fix it.
 */
import { z } from "zod";
import {
    ISO_3166_ALPHA2,
    LICENSE_PROGRAMS,
    LICENSE_TYPES,
    LICENSING_MODES,
    PRODUCT_VERSIONS,
    numberFieldsOf,
    type LicenseProgram,
    type NumberFieldOf,
} from "../licensing";
import { azureSchema } from "./azure";

export const NAMESPACE = "rds-licensing";

/** Windows computer names: 1-15 letters, digits or hyphens, not only digits. */
const serverName = z
    .string({ error: "must be a string" })
    .regex(/^(?![0-9]+$)[A-Za-z0-9][A-Za-z0-9-]{0,14}$/, {
        error: "must be a Windows computer name: 1 to 15 letters, digits or hyphens, not only digits",
    });

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

// `pulumi config set --path x 2022` stores a number: accept it as the version string.
const version = z.preprocess(
    (v) => (typeof v === "number" ? String(v) : v),
    z.enum(PRODUCT_VERSIONS, { error: `must be one of ${PRODUCT_VERSIONS.join(", ")}` }),
);

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
    licenseServer: licenseServerSchema,
    licensingMode: z.enum(LICENSING_MODES, { error: `must be ${LICENSING_MODES.join(" or ")}` }),
    calPacks: z.array(calPackSchema, { error: "must be a list of packs" }).default([]),
    simulator: simulatorSchema.default({ home: ".rdls-sim", adoptExistingServer: false }),
    /** Settings of the Azure target; see components/azure. */
    azure: azureSchema.optional(),
});

export type StackConfig = z.output<typeof stackConfigSchema>;
export type CalPackConfig = StackConfig["calPacks"][number];
export type ContactConfig = z.output<typeof contactSchema>;
