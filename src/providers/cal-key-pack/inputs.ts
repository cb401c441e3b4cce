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
}

/** Parse inputs, dropping the dynamic provider's own `__provider` property. */
export function parseInputs(raw: Record<string, unknown>): CalKeyPackInputs {
    const { __provider: _ignored, ...rest } = raw;
    return calKeyPackInputsSchema.parse(rest);
}

function normalized(inputs: CalKeyPackInputs, field: string): string {
    const entry = NUMBER_FIELDS[inputs.program].find((f) => f.field === field);
    const raw = (inputs as Record<string, unknown>)[field] as string;
    return entry ? entry.format.normalize(raw) : raw;
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

/** Sum the server's packs that make up this resource into its outputs. */
export function outputsFrom(inputs: CalKeyPackInputs, packs: KeyPack[]): CalKeyPackOutputs {
    const primary = packs[0];
    return {
        ...inputs,
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
