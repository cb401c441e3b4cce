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
    /**
     * The documented Import* method, which migrates the pack from another license server: the same
     * named arguments plus MIGRATION_ARGUMENTS (the source's name and product ID), the same KeyPackId out.
     */
    readonly import: string;
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
        import: "ImportAgreementLicenseKeyPack",
        fields: [NUMBER_FIELDS.agreementNumber],
        takesAgreementType: true,
        packFromNumbers: false,
        keyPackType: KeyPackType.Volume,
    },
    "open-license": {
        install: "InstallOpenLicenseKeyPack",
        reinstall: "ReinstallOpenPurchaseLicenseKeyPack",
        import: "ImportOpenPurchaseLicenseKeyPack",
        fields: [NUMBER_FIELDS.licenseNumber, NUMBER_FIELDS.authorizationNumber],
        takesAgreementType: false,
        packFromNumbers: false,
        keyPackType: KeyPackType.OpenLicense,
    },
    retail: {
        install: "InstallRetailPurchaseLicenseKeyPack",
        reinstall: "ReinstallRetailPurchaseLicenseKeyPack",
        import: "ImportRetailPurchaseLicenseKeyPack",
        fields: [NUMBER_FIELDS.licenseCode],
        takesAgreementType: false,
        packFromNumbers: true,
        keyPackType: KeyPackType.Retail,
    },
} as const satisfies Record<string, InstallMethod>;

export type InstallMethodFamily = keyof typeof INSTALL_METHODS;

/**
 * The arguments every Import* method adds to its Install* counterpart (Microsoft Learn,
 * Win32_TSLicenseKeyPack Import*LicenseKeyPack): the source license server's name (FQDN or IP address)
 * and its identifier, "a 35-character alphanumeric string that cannot include hyphens". Our reading
 * where the docs are silent (docs/fidelity.md): the identifier is the source's license server ID as
 * GetLicenseServerId returns it, hyphens removed; the Import* call runs on the target server.
 */
export const MIGRATION_ARGUMENTS = {
    sourceName: "sSourceLSName",
    sourceProductId: "sSourceLSProductId",
    /** The documented length of sSourceLSProductId (rdls-sim's own IDs are 32: see docs/fidelity.md). */
    productIdLength: 35,
} as const;

/**
 * Win32_TSLicenseKeyPack.ConvertLicenses: an instance method of the pack converted. Converts `Count`
 * of its licenses per-user ↔ per-device into the key pack it returns as `KeypackID` (note the
 * spelling); Windows Server 2012 or later. The Convert-License cmdlet's page adds that only available
 * (unissued) licenses convert. The docs name no program or pack type: our reading is every pack this
 * product installs (docs/fidelity.md).
 */
export const CONVERT_METHOD = {
    method: "ConvertLicenses",
    countArgument: "Count",
    keyPackIdOut: "KeypackID",
    /** The first license server version with the method. */
    minimumServerVersion: "2012",
} as const;

/** sSourceLSProductId as the Import* methods take it: the license server ID without hyphens, upper case. */
export function migrationProductId(licenseServerId: string): string {
    return licenseServerId.replace(/-/g, "").toUpperCase();
}

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
