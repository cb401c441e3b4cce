/**
 * THE catalog of licensing programs: what RD Licensing Manager's *Install Licenses* wizard offers,
 * the numbers each program asks for and the Win32_TSLicenseKeyPack methods that install them. The
 * stack config schema, the CalKeyPack inputs and secret outputs, the simulator's Clearinghouse checks,
 * the PowerShell scripts, the policy pack and the README's programs table all derive from here
 * (lookups in programs.ts). Source: licensing-facts.md (Microsoft Learn, Win32_TSLicenseKeyPack).
 *
 * Program ids and field names are stored in users' configs and in state: never rename them.
 * A new program is an entry in PROGRAMS; with numbers of its own, also its NUMBER_FIELDS and its
 * INSTALL_METHODS entry.
 */
import { KeyPackType } from "./codes";
import { numberFormat, type NumberFormat } from "./numbers";

export interface NumberField {
    /** The config key and the CalKeyPack input that holds it. */
    readonly name: string;
    /** What the number is, for docs. */
    readonly description: string;
    readonly format: NumberFormat;
    /** Kept as a Pulumi secret everywhere: config, inputs, outputs, policy. */
    readonly secret: boolean;
    /** The named argument of the install and reinstall methods that takes it. */
    readonly wmiArgument: string;
    /** The member of the script's (protected) input that carries it: a short PowerShell name. */
    readonly scriptInput: string;
}

/** The numbers of every program, in the order request keys and scripts list them. */
export const NUMBER_FIELDS = {
    agreementNumber: {
        name: "agreementNumber",
        description: "agreement or enrollment number",
        format: numberFormat({ label: "agreement number", expected: "7 digits", separators: "keep", pattern: /^\d{7}$/, example: "1234567" }),
        secret: true,
        wmiArgument: "sAgreementNumber",
        scriptInput: "num",
    },
    licenseNumber: {
        name: "licenseNumber",
        description: "Open License number",
        format: numberFormat({ label: "license number", expected: "8 digits", separators: "keep", pattern: /^\d{8}$/, example: "12345678" }),
        secret: true,
        wmiArgument: "sLicenseNumber",
        scriptInput: "lic",
    },
    authorizationNumber: {
        name: "authorizationNumber",
        description: "Open License authorization number",
        format: numberFormat({ label: "authorization number", expected: "15 letters or digits", separators: "strip", pattern: /^[A-Z0-9]{15}$/, example: "ABCDE12345FGHIJ" }),
        secret: true,
        wmiArgument: "sAuthorizationNumber",
        scriptInput: "auth",
    },
    licenseCode: {
        name: "licenseCode",
        description: "retail license code",
        format: numberFormat({
            label: "license code",
            expected: "25 letters or digits (hyphens between groups of 5 are allowed)",
            separators: "strip",
            pattern: /^[A-Z0-9]{25}$/,
            example: "ABCDE-12345-FGHIJ-67890-KLMNO",
        }),
        secret: true,
        wmiArgument: "sLicenseCode",
        scriptInput: "code",
    },
} as const satisfies Record<string, NumberField>;

export interface InstallMethod {
    /** The Win32_TSLicenseKeyPack method that installs a pack. */
    readonly install: string;
    /** The documented Reinstall* method: the same named arguments, the same KeyPackId out. */
    readonly reinstall: string;
    /** The numbers it takes, each as its own named argument. */
    readonly fields: readonly NumberField[];
    /** Whether it takes the program's AgreementType code (then every program using it has one). */
    readonly takesAgreementType: boolean;
    /**
     * The numbers alone determine version, type and count (a retail code): the method takes no
     * ProductVersion / ProductType / LicenseCount, the pack cannot grow, and the Clearinghouse consumes
     * the numbers at their first install, so installing them again goes through `reinstall`.
     */
    readonly packFromNumbers: boolean;
    /** Win32_TSLicenseKeyPack.KeyPackType of the packs it installs. */
    readonly keyPackType: KeyPackType;
}

/**
 * The install methods, keyed by the family of numbers they take (the key also separates the
 * simulator's hashes of equal digits in two families).
 */
export const INSTALL_METHODS = {
    agreement: {
        install: "InstallAgreementLicenseKeyPack",
        reinstall: "ReinstallAgreementLicenseKeyPack",
        fields: [NUMBER_FIELDS.agreementNumber],
        takesAgreementType: true,
        packFromNumbers: false,
        keyPackType: KeyPackType.Volume,
    },
    "open-license": {
        install: "InstallOpenLicenseKeyPack",
        reinstall: "ReinstallOpenPurchaseLicenseKeyPack",
        fields: [NUMBER_FIELDS.licenseNumber, NUMBER_FIELDS.authorizationNumber],
        takesAgreementType: false,
        packFromNumbers: false,
        keyPackType: KeyPackType.OpenLicense,
    },
    retail: {
        install: "InstallRetailPurchaseLicenseKeyPack",
        reinstall: "ReinstallRetailPurchaseLicenseKeyPack",
        fields: [NUMBER_FIELDS.licenseCode],
        takesAgreementType: false,
        packFromNumbers: true,
        keyPackType: KeyPackType.Retail,
    },
} as const satisfies Record<string, InstallMethod>;

export type InstallMethodFamily = keyof typeof INSTALL_METHODS;

export interface ProgramEntry {
    /** The name RD Licensing Manager shows in its "License Program" column. */
    readonly label: string;
    readonly method: InstallMethodFamily;
    /** InstallAgreementLicenseKeyPack's AgreementType code, for the programs installed with it. */
    readonly agreementType?: number;
}

/** The programs of the *Install Licenses* wizard, keyed by the id the stack config uses. */
export const PROGRAMS = {
    retail: { label: "Retail Purchase", method: "retail" },
    "open-license": { label: "Open License", method: "open-license" },
    select: { label: "Select License", method: "agreement", agreementType: 0 },
    "enterprise-agreement": { label: "Enterprise Agreement", method: "agreement", agreementType: 1 },
    campus: { label: "Campus Agreement", method: "agreement", agreementType: 2 },
    school: { label: "School Agreement", method: "agreement", agreementType: 3 },
    spla: { label: "Service Provider License Agreement", method: "agreement", agreementType: 4 },
    /** Open Value, Multi-Year Open, Open Subscription. */
    "other-agreement": { label: "Other Agreement", method: "agreement", agreementType: 5 },
} as const satisfies Record<string, ProgramEntry>;

/** The formats by their older names (the drivers' tests use them). */
export const AGREEMENT_NUMBER = NUMBER_FIELDS.agreementNumber.format;
export const OPEN_LICENSE_NUMBER = NUMBER_FIELDS.licenseNumber.format;
export const OPEN_LICENSE_AUTHORIZATION = NUMBER_FIELDS.authorizationNumber.format;
export const RETAIL_LICENSE_CODE = NUMBER_FIELDS.licenseCode.format;
