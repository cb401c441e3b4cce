/**
 * The inputs of the CalKeyPack dynamic resource, checked with zod in `check` (before any server is
 * touched) and parsed again in each handler.
 */
import { z } from "zod";
import { NUMBER_FIELDS } from "../../config/schema";
import {
    LICENSE_PROGRAMS,
    PRODUCT_VERSIONS,
    checkNumber,
    type InstallSpec,
    type KeyPack,
    type LicenseProgram,
} from "../../licensing";
import { connectionSchema } from "../connection";

const optionalNumber = z.string().optional();

export const calKeyPackInputsSchema = z
    .object({
        providerVersion: z.string(),
        connection: connectionSchema,
        server: z.string().min(1),
        /** `<project>/<stack>/<name>`: the stable base of install request keys. */
        packKey: z.string().min(1),
        program: z.enum(LICENSE_PROGRAMS),
        productVersion: z.enum(PRODUCT_VERSIONS),
        licenseType: z.enum(["per-user", "per-device"]),
        count: z.number().int().min(1).max(9999),
        agreementNumber: optionalNumber,
        licenseNumber: optionalNumber,
        authorizationNumber: optionalNumber,
        licenseCode: optionalNumber,
        adoptKeyPackId: z.number().int().positive().optional(),
        allowDeleteWithIssuedLicenses: z.boolean().default(false),
        /** The stack's RequestKeySecret: what request keys are HMACs under (never sent anywhere). */
        requestKeySecret: z.string().min(32).optional(),
        /**
         * Which instance of the server the packs are on (a simulated server's instanceId, a VM's
         * vmId): a new one means a rebuilt server, whose packs must be installed again.
         */
        serverInstance: z.string().optional(),
    })
    .superRefine((inputs, ctx) => {
        for (const { field, format } of NUMBER_FIELDS[inputs.program]) {
            const value = (inputs as Record<string, unknown>)[field];
            if (typeof value !== "string") {
                ctx.addIssue({ code: "custom", path: [field], message: `is required for program ${inputs.program}` });
                continue;
            }
            const checked = checkNumber(format, value);
            if (!checked.ok) ctx.addIssue({ code: "custom", path: [field], message: checked.problem });
        }
    });

export type CalKeyPackInputs = z.output<typeof calKeyPackInputsSchema>;

/** The number fields, all of them secret. */
export const SECRET_FIELDS = ["agreementNumber", "licenseNumber", "authorizationNumber", "licenseCode"] as const;

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

/** Parse inputs, dropping the dynamic provider's own `__provider` property. */
export function parseInputs(raw: Record<string, unknown>): CalKeyPackInputs {
    const { __provider: _ignored, ...rest } = raw;
    return calKeyPackInputsSchema.parse(rest);
}

/**
 * A number as the WMI method takes it. Numbers cross the program/engine boundary only as the user
 * wrote them (the engine masks exactly those strings in its logs); they are normalized here, at the
 * point of use, and the normalized spelling never leaves the provider process.
 */
function normalized(inputs: CalKeyPackInputs, field: string): string {
    const entry = NUMBER_FIELDS[inputs.program].find((f) => f.field === field);
    const raw = (inputs as Record<string, unknown>)[field] as string;
    return entry ? entry.format.normalize(raw) : raw;
}

/** The number fields of a program. */
export function numberFieldsOf(program: LicenseProgram): string[] {
    return NUMBER_FIELDS[program].map(({ field }) => field);
}

/** One number field normalized; undefined when the program has no such field. */
export function normalizedNumber(inputs: CalKeyPackInputs, field: string): string | undefined {
    return numberFieldsOf(inputs.program).includes(field) ? normalized(inputs, field) : undefined;
}

/** The program's numbers, normalized, in the catalog's order (for request keys). */
export function normalizedNumbers(inputs: CalKeyPackInputs): string[] {
    return numberFieldsOf(inputs.program).map((field) => normalized(inputs, field));
}

/** The install request for `count` licenses of this pack. */
export function installSpec(inputs: CalKeyPackInputs, count: number): InstallSpec {
    const shape = { productVersion: inputs.productVersion, licenseType: inputs.licenseType, count };
    const program: LicenseProgram = inputs.program;
    if (program === "retail") return { program, licenseCode: normalized(inputs, "licenseCode"), ...shape };
    if (program === "open-license") {
        return {
            program,
            licenseNumber: normalized(inputs, "licenseNumber"),
            authorizationNumber: normalized(inputs, "authorizationNumber"),
            ...shape,
        };
    }
    return { program, agreementNumber: normalized(inputs, "agreementNumber"), ...shape };
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
