/**
 * The inputs of the CalKeyPack dynamic resource, checked with zod in `check` (before any server is
 * touched) and parsed again in each handler. The number inputs are the catalog's (catalog.ts).
 */
import { z } from "zod";
import {
    LICENSE_PROGRAMS,
    LICENSE_TYPES,
    MAX_LICENSE_COUNT,
    NUMBER_FIELD_NAMES,
    PRODUCT_VERSIONS,
    SECRET_NUMBER_FIELDS,
    checkNumber,
    numberFieldsOf,
    type InstallSpec,
    type KeyPack,
    type NumberField,
    type NumberFieldName,
} from "../../licensing";
import { KEY_VAULT_SECRET_URI, type VaultInstallSpec } from "../../drivers/powershell/plan";
import { UNKNOWN } from "../check";
import { connectionSchema } from "../connection";
import { resourceSchema } from "../resource-schema";

const optionalNumber = z.string().optional();
const numberInputs = Object.fromEntries(NUMBER_FIELD_NAMES.map((name) => [name, optionalNumber])) as Record<NumberFieldName, typeof optionalNumber>;

export const calKeyPackInputsSchema = z
    .object({
        providerVersion: z.string(),
        connection: connectionSchema,
        server: z.string().min(1),
        /** `<project>/<stack>/<name>`: the stable base of install request keys. */
        packKey: z.string().min(1),
        program: z.enum(LICENSE_PROGRAMS),
        productVersion: z.enum(PRODUCT_VERSIONS),
        licenseType: z.enum(LICENSE_TYPES),
        count: z.number().int().min(1).max(MAX_LICENSE_COUNT),
        ...numberInputs,
        adoptKeyPackId: z.number().int().positive().optional(),
        allowDeleteWithIssuedLicenses: z.boolean().default(false),
        /** The stack's RequestKeySecret: what request keys are HMACs under (never sent anywhere). */
        requestKeySecret: z.string().min(32).optional(),
        /**
         * Which instance of the server the packs are on (a simulated server's instanceId, a VM's
         * vmId): a new one means a rebuilt server, whose packs must be installed again.
         */
        serverInstance: z.string().optional(),
        /**
         * The versioned URI of a Key Vault secret holding the numbers (RdsLicensing's key-vault
         * delivery): the server reads them from there, and no number travels as a script parameter.
         * Unknown at the first preview (the secret does not exist yet): the driver checks it again.
         */
        numbersSecretUri: z
            .union([
                z.string().regex(KEY_VAULT_SECRET_URI, { error: "must be a versioned Key Vault secret URI: https://<vault>.vault.azure.net/secrets/<name>/<version>" }),
                z.literal(UNKNOWN),
            ])
            .optional(),
    })
    .superRefine((inputs, ctx) => {
        for (const { name, format } of numberFieldsOf(inputs.program)) {
            const value = inputs[name as NumberFieldName];
            if (typeof value !== "string") {
                ctx.addIssue({ code: "custom", path: [name], message: `is required for program ${inputs.program}` });
                continue;
            }
            const checked = checkNumber(format, value);
            if (!checked.ok) ctx.addIssue({ code: "custom", path: [name], message: checked.problem });
        }
    });

export type CalKeyPackInputs = z.output<typeof calKeyPackInputsSchema>;

/** The number inputs that are secrets (the catalog's). */
export const SECRET_FIELDS = SECRET_NUMBER_FIELDS;

/** Outputs: the inputs plus what the server shows. `keyPackIds[0]` is the resource ID. */
export interface CalKeyPackOutputs extends CalKeyPackInputs {
    keyPackIds: number[];
    keyPackType: number;
    programName: string;
    totalLicenses: number;
    issuedLicenses: number;
    availableLicenses: number;
    expirationDate?: string;
    /**
     * The total the provider last brought the pack to (create / update; `read` keeps it). A live
     * total below it means licenses were removed on the server, not that the program asks for more.
     */
    appliedCount?: number;
}

/** What the provider adds to the inputs in its outputs (see CalKeyPackOutputs). */
export const OUTPUT_FIELDS = ["keyPackIds", "keyPackType", "programName", "totalLicenses", "issuedLicenses", "availableLicenses", "expirationDate", "appliedCount"];

export const calKeyPackResource = resourceSchema(calKeyPackInputsSchema, OUTPUT_FIELDS);

/** Parse the inputs of a property bag (news, olds or stored outputs). */
export function parseInputs(raw: Record<string, unknown>): CalKeyPackInputs {
    return calKeyPackResource.parse(raw);
}

/**
 * A number as the WMI method takes it. Numbers cross the program/engine boundary only as the user
 * wrote them (the engine masks exactly those strings in its logs); they are normalized here, at the
 * point of use, and the normalized spelling never leaves the provider process.
 */
function normalized(inputs: CalKeyPackInputs, field: NumberField): string {
    return field.format.normalize(inputs[field.name as NumberFieldName] as string);
}

/** One number field normalized; undefined when the program has no such field. */
export function normalizedNumber(inputs: CalKeyPackInputs, name: string): string | undefined {
    const field = numberFieldsOf(inputs.program).find((f) => f.name === name);
    return field ? normalized(inputs, field) : undefined;
}

/** The program's numbers, normalized, in the catalog's order (for request keys). */
export function normalizedNumbers(inputs: CalKeyPackInputs): string[] {
    return numberFieldsOf(inputs.program).map((field) => normalized(inputs, field));
}

/**
 * The install request for `count` licenses of this pack. With `numbersSecretUri`, the PowerShell
 * driver sends that reference instead of the numbers (which stay here for checks and request keys).
 */
export function installSpec(inputs: CalKeyPackInputs, count: number): InstallSpec {
    const numbers = Object.fromEntries(numberFieldsOf(inputs.program).map((field) => [field.name, normalized(inputs, field)]));
    const vault = inputs.numbersSecretUri !== undefined ? { numbersSecretUri: inputs.numbersSecretUri } : {};
    // The catalog gives each program exactly its fields, which is what InstallSpec spells out by type.
    const spec = { program: inputs.program, ...numbers, productVersion: inputs.productVersion, licenseType: inputs.licenseType, count, ...vault };
    return spec as VaultInstallSpec;
}

/**
 * Sum the server's packs that make up this resource into its outputs. A key pack counts once,
 * however often it is listed: a pack list is a set.
 */
export function outputsFrom(inputs: CalKeyPackInputs, listed: KeyPack[], appliedCount?: number): CalKeyPackOutputs {
    const packs = listed.filter((p, i) => listed.findIndex((q) => q.keyPackId === p.keyPackId) === i);
    const primary = packs[0];
    return {
        ...inputs,
        ...(appliedCount !== undefined ? { appliedCount } : {}),
        keyPackIds: packs.map((p) => p.keyPackId),
        keyPackType: primary.keyPackType,
        programName: primary.programName,
        totalLicenses: sum(packs, "totalLicenses"),
        issuedLicenses: sum(packs, "issuedLicenses"),
        availableLicenses: sum(packs, "availableLicenses"),
        ...(primary.expirationDate ? { expirationDate: primary.expirationDate } : {}),
    };
}

const sum = (packs: KeyPack[], field: "totalLicenses" | "issuedLicenses" | "availableLicenses") =>
    packs.reduce((n, p) => n + p[field], 0);
