/**
 * Lookups and types derived from the catalog (catalog.ts): what the rest of the code asks about a
 * program. Nothing here names a program or a number field.
 */
import type { KeyPackType } from "./codes";
import { INSTALL_METHODS, NUMBER_FIELDS, PROGRAMS, type InstallMethod, type NumberField, type ProgramEntry } from "./catalog";

type Programs = typeof PROGRAMS;

/** A licensing program, as the stack config names it. */
export type LicenseProgram = keyof Programs;
export const LICENSE_PROGRAMS = Object.keys(PROGRAMS) as LicenseProgram[] as readonly LicenseProgram[];

/** `open-license` → `OpenLicense`. */
type Pascal<S extends string> = S extends `${infer H}-${infer T}` ? `${Capitalize<H>}${Pascal<T>}` : Capitalize<S>;
const pascal = (id: string) => id.split("-").map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("");

/** The programs as named constants (`LicenseProgram.OpenLicense`), for public args. */
export const LicenseProgram = Object.fromEntries(LICENSE_PROGRAMS.map((p) => [pascal(p), p])) as {
    readonly [P in LicenseProgram as Pascal<P>]: P;
};

type MethodOf<P extends LicenseProgram> = (typeof INSTALL_METHODS)[Programs[P]["method"]];

/** The number fields a program asks for. */
export type NumberFieldOf<P extends LicenseProgram> = MethodOf<P>["fields"][number]["name"];
export type NumberFieldName = keyof typeof NUMBER_FIELDS;

/** A program's numbers, by field name: `{ agreementNumber: string }` for an agreement program. */
export type ProgramNumbers<P extends LicenseProgram> = { [F in NumberFieldOf<P>]: string };

/** The programs installed with an AgreementType code (InstallAgreementLicenseKeyPack). */
export type AgreementProgram = { [P in LicenseProgram]: Programs[P] extends { agreementType: number } ? P : never }[LicenseProgram];

export const AGREEMENT_TYPE = Object.fromEntries(
    Object.entries(PROGRAMS).flatMap(([p, entry]) => ("agreementType" in entry ? [[p, entry.agreementType]] : [])),
) as Readonly<Record<AgreementProgram, number>>;

export function isAgreementProgram(program: LicenseProgram): program is AgreementProgram {
    return Object.prototype.hasOwnProperty.call(AGREEMENT_TYPE, program);
}

export function isLicenseProgram(value: unknown): value is LicenseProgram {
    return typeof value === "string" && Object.prototype.hasOwnProperty.call(PROGRAMS, value);
}

/** The name RD Licensing Manager shows in its "License Program" column. */
export const PROGRAM_DISPLAY_NAME = Object.fromEntries(LICENSE_PROGRAMS.map((p) => [p, PROGRAMS[p].label])) as Readonly<Record<LicenseProgram, string>>;

/** The install and reinstall methods, and how they take a program's numbers. */
export function installMethodOf(program: LicenseProgram): InstallMethod {
    return INSTALL_METHODS[PROGRAMS[program].method];
}

/** The AgreementType code the program's install method takes, if it takes one. */
export function agreementTypeOf(program: LicenseProgram): number | undefined {
    return (PROGRAMS[program] as ProgramEntry).agreementType;
}

/** The KeyPackType a pack installed through the program carries. */
export function keyPackTypeOf(program: LicenseProgram): KeyPackType {
    return installMethodOf(program).keyPackType;
}

/** The programs whose packs carry this KeyPackType. */
export function programsOfKeyPackType(type: number): LicenseProgram[] {
    return LICENSE_PROGRAMS.filter((p) => keyPackTypeOf(p) === type);
}

/** The number fields of a program, in catalog order. */
export function numberFieldsOf(program: LicenseProgram): readonly NumberField[] {
    return installMethodOf(program).fields;
}

/** Every number field of every program, in catalog order. */
export const ALL_NUMBER_FIELDS: readonly NumberField[] = Object.values(NUMBER_FIELDS);
export const NUMBER_FIELD_NAMES = Object.keys(NUMBER_FIELDS) as NumberFieldName[] as readonly NumberFieldName[];
/** The inputs that must be Pulumi secrets wherever they go (all numbers, today). */
export const SECRET_NUMBER_FIELDS = ALL_NUMBER_FIELDS.filter((f) => f.secret).map((f) => f.name as NumberFieldName) as readonly NumberFieldName[];
