/**
 * Check each operation locally and turn it into a step the script renders. Number formats are
 * checked here because the Clearinghouse cannot be counted on to refuse a wrong number.
 */
import {
    ALL_NUMBER_FIELDS,
    CONVERT_METHOD,
    INSTALL_METHODS,
    type InstallMethod,
    LicensingErrorKind,
    PRODUCT_TYPE,
    PRODUCT_VERSIONS,
    agreementTypeOf,
    checkNumber,
    installMethodOf,
    isLicenseProgram,
    type InstallSpec,
    type LicenseProgram,
    type LicensingErrorData,
    type NumberFormat,
    type Operation,
    type ProductVersion,
} from "../../licensing";

/**
 * The Win32_TSLicenseKeyPack methods of each family of numbers (the catalog's): the install, and the
 * documented Reinstall* method, which takes the same inputs (named alike) and returns KeyPackId the same way.
 */
export const INSTALL_METHOD = INSTALL_METHODS;

export type StepShape =
    | { kind: "status" | "list-packs" | "activate" | "deactivate" }
    | {
          kind: "install";
          program: LicenseProgram;
          /** The catalog's install method of the program. */
          method: string;
          /**
           * With `allowReinstall`: the Reinstall* method the script calls, with the same arguments, only
           * when the install returns non-zero. A failed reinstall reports the install's error.
           */
          reinstallMethod?: string;
          /** Only for the methods that take one (InstallAgreementLicenseKeyPack). */
          agreementType?: number;
          /** The CAL version asked: the script checks the installed pack's version text names it. */
          productVersion: ProductVersion;
          productVersionId: number;
          productType: number;
          count: number;
          /**
           * The numbers come from an Azure Key Vault secret (`$I.kv`, its versioned URI), read on the
           * server with the machine's managed identity: the input parameter carries no number.
           */
          numbersFromVault?: true;
          /**
           * An Import* method (`method`) migrating the pack from another server: the input carries the
           * source's name (`src`) and product ID (`srcid`, empty when the source could not be read: then
           * only a journaled retry succeeds).
           */
          migration?: true;
          /** ConvertLicenses on this key pack instead of an install method: no number is sent. */
          convertKeyPackId?: number;
      }
    /** `expectedTotal`: the guard of operations.ts, checked on the live pack before the method. */
    | { kind: "remove-licenses"; keyPackId: number; count: number; expectedTotal?: number }
    | { kind: "uninstall"; keyPackId: number; refuseIfIssued: boolean };

export interface Step {
    /** Position in the caller's batch. */
    index: number;
    op: Operation;
    /** Names the operation in messages; never holds a secret. */
    label: string;
    shape: StepShape;
    /** What the script reads from its (protected) input for this step. */
    input: Record<string, string>;
    /** Values to scrub from any message. */
    secrets: string[];
}

export type Planned = { ok: true; step: Step } | { ok: false; error: LicensingErrorData };

const UINT32_MAX = 0xffffffff;

function isCount(n: unknown): n is number {
    return Number.isInteger(n) && (n as number) > 0 && (n as number) <= UINT32_MAX;
}

function isUint32(n: unknown): n is number {
    return Number.isInteger(n) && (n as number) >= 0 && (n as number) <= UINT32_MAX;
}

function invalid(kind: LicensingErrorData["kind"], message: string): Planned {
    return { ok: false, error: { kind, message } };
}

export function planStep(index: number, op: Operation, productVersionIds: Readonly<Record<ProductVersion, number>>): Planned {
    switch (op.op) {
        case "status":
        case "list-packs":
        case "deactivate":
            return { ok: true, step: { index, op, label: op.op === "list-packs" ? "list key packs" : op.op, shape: { kind: op.op }, input: {}, secrets: [] } };
        case "activate": {
            const c = op.contact;
            for (const [field, value] of Object.entries({ firstName: c.firstName, lastName: c.lastName, company: c.company })) {
                if (typeof value !== "string" || !value.trim()) return invalid(LicensingErrorKind.ContactIncomplete, `activate: ${field} is required`);
            }
            if (typeof c.countryRegion !== "string" || !/^[A-Za-z]{2}$/.test(c.countryRegion.trim())) {
                return invalid(LicensingErrorKind.ContactIncomplete, "activate: countryRegion must be a two-letter ISO 3166 code, e.g. NL");
            }
            const input = {
                first: c.firstName.trim(),
                last: c.lastName.trim(),
                company: c.company.trim(),
                country: c.countryRegion.trim().toUpperCase(),
                email: (c.email ?? "").trim(),
            };
            return { ok: true, step: { index, op, label: "activate", shape: { kind: "activate" }, input, secrets: [] } };
        }
        case "install":
            return planInstall(index, op, productVersionIds);
        case "remove-licenses": {
            const label = `remove ${op.count} licenses from key pack ${op.keyPackId}`;
            if (!isCount(op.keyPackId)) return invalid(LicensingErrorKind.InvalidParameter, `${label}: keyPackId must be a positive integer`);
            if (!isCount(op.count)) return invalid(LicensingErrorKind.InvalidParameter, `${label}: count must be a positive integer`);
            const shape: Extract<StepShape, { kind: "remove-licenses" }> = { kind: "remove-licenses", keyPackId: op.keyPackId, count: op.count };
            if (op.expectedTotal !== undefined) {
                // Rendered as a literal: it must be a uint32 like the TotalLicenses it is compared with.
                if (!isUint32(op.expectedTotal)) return invalid(LicensingErrorKind.InvalidParameter, `${label}: expectedTotal must be a whole number from 0 to ${UINT32_MAX}`);
                shape.expectedTotal = op.expectedTotal;
            }
            return { ok: true, step: { index, op, label, shape, input: {}, secrets: [] } };
        }
        case "uninstall": {
            const label = `uninstall key pack ${op.keyPackId}`;
            if (!isCount(op.keyPackId)) return invalid(LicensingErrorKind.InvalidParameter, `${label}: keyPackId must be a positive integer`);
            const shape: Extract<StepShape, { kind: "uninstall" }> = { kind: "uninstall", keyPackId: op.keyPackId, refuseIfIssued: op.refuseIfIssued === true };
            return { ok: true, step: { index, op, label, shape, input: {}, secrets: [] } };
        }
    }
}

/**
 * A versioned Key Vault secret URI (public and sovereign clouds): the version pins the numbers the
 * pack was declared with, so a change of numbers is a new URI the provider sees.
 */
export const KEY_VAULT_SECRET_URI =
    /^https:\/\/[a-z][a-z0-9-]{1,22}[a-z0-9]\.vault\.(?:azure\.net|azure\.cn|usgovcloudapi\.net|microsoftazure\.de)\/secrets\/[A-Za-z0-9-]{1,127}\/[0-9a-f]{32}$/i;

/**
 * An install whose numbers the server reads from Key Vault. The numbers stay in the spec (checked
 * here, scrubbed from messages, the simulator's and the request keys' business); `numbersSecretUri`
 * names the secret (a JSON object of the catalog's field names to the normalized numbers) that the
 * script reads instead of taking the numbers from its input.
 */
export type VaultInstallSpec = InstallSpec & { numbersSecretUri?: string };

/** The spec's Key Vault reference, if any. */
export function numbersSecretUriOf(spec: InstallSpec): string | undefined {
    const uri = (spec as VaultInstallSpec).numbersSecretUri;
    return typeof uri === "string" && uri.length > 0 ? uri : undefined;
}

function planInstall(index: number, op: Extract<Operation, { op: "install" }>, ids: Readonly<Record<ProductVersion, number>>): Planned {
    const spec: InstallSpec = op.spec;
    const label = `install ${spec.program} ${spec.productVersion} ${spec.licenseType} x${spec.count}`;
    if (!PRODUCT_VERSIONS.includes(spec.productVersion)) return invalid(LicensingErrorKind.InvalidParameter, `${label}: unknown product version`);
    if (!Object.prototype.hasOwnProperty.call(PRODUCT_TYPE, spec.licenseType)) return invalid(LicensingErrorKind.InvalidParameter, `${label}: unknown license type`);
    if (!isCount(spec.count)) return invalid(LicensingErrorKind.InvalidParameter, `${label}: count must be a positive integer`);
    if (typeof op.requestKey !== "string" || !op.requestKey || op.requestKey.length > 256) {
        return invalid(LicensingErrorKind.InvalidParameter, `${label}: requestKey must be a non-empty string of at most 256 characters`);
    }
    const secrets: string[] = [];
    const input: Record<string, string> = { key: op.requestKey };
    // Each number is normalized and checked; messages name the number, never its value.
    const take = (field: string, format: NumberFormat, raw: unknown): string | undefined => {
        if (typeof raw !== "string") return undefined;
        secrets.push(raw, raw.trim());
        const checked = checkNumber(format, raw);
        if (!checked.ok) return undefined;
        secrets.push(checked.value);
        input[field] = checked.value;
        return checked.value;
    };
    const refuse = (format: NumberFormat, raw: unknown): Planned => {
        const problem = typeof raw === "string" ? checkNumber(format, raw) : undefined;
        const why = problem && !problem.ok ? problem.problem : `is missing`;
        return invalid(LicensingErrorKind.InvalidNumber, `${label}: the ${format.label} ${why}`);
    };
    const base = { productVersion: spec.productVersion, productVersionId: ids[spec.productVersion], productType: PRODUCT_TYPE[spec.licenseType], count: spec.count };
    if (!isLicenseProgram(spec.program)) return invalid(LicensingErrorKind.InvalidParameter, `${label}: unknown licensing program`);
    const family = installMethodOf(spec.program);
    const numbers = spec as unknown as Record<string, unknown>;
    for (const field of family.fields) {
        if (!take(field.scriptInput, field.format, numbers[field.name])) return refuse(field.format, numbers[field.name]);
    }
    const vault = numbersSecretUriOf(spec);
    if (vault !== undefined) {
        if (!KEY_VAULT_SECRET_URI.test(vault)) {
            return invalid(
                LicensingErrorKind.InvalidParameter,
                `${label}: numbersSecretUri must be a versioned Key Vault secret URI (https://<vault>.vault.azure.net/secrets/<name>/<32 hex digits>)`,
            );
        }
        // The reference replaces the numbers in the input: nothing secret travels as a parameter.
        for (const field of family.fields) delete input[field.scriptInput];
        input.kv = vault;
    }
    const origin = planOrigin(op, label, input, family);
    if (!origin.ok) return origin;
    const agreementType = agreementTypeOf(spec.program);
    const shape: StepShape = {
        kind: "install",
        program: spec.program,
        method: origin.method,
        ...origin.shape,
        ...(op.allowReinstall === true && op.origin === undefined ? { reinstallMethod: family.reinstall } : {}),
        ...(family.takesAgreementType && agreementType !== undefined ? { agreementType } : {}),
        ...base,
        ...(vault !== undefined && origin.shape.convertKeyPackId === undefined ? { numbersFromVault: true as const } : {}),
    };
    if (!Number.isInteger(base.productVersionId) || base.productVersionId < 0) {
        return invalid(LicensingErrorKind.InvalidParameter, `${label}: no ProductVersion code configured for ${spec.productVersion}`);
    }
    return { ok: true, step: { index, op, label, shape, input, secrets } };
}

/** Server names as WMI takes them for sSourceLSName: a computer name, FQDN or IP address. */
const SOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9.\-]{0,254}$/;

type PlannedOrigin = { ok: true; method: string; shape: { migration?: true; convertKeyPackId?: number } } | Extract<Planned, { ok: false }>;

/**
 * The method an install runs by its origin (operations.ts InstallOrigin): the install method, the
 * program's Import* method (adding the source to the input), or ConvertLicenses (no number sent:
 * the input keeps only the request key, and a Key Vault reference is not read).
 */
function planOrigin(op: Extract<Operation, { op: "install" }>, label: string, input: Record<string, string>, family: InstallMethod): PlannedOrigin {
    const origin = op.origin;
    if (origin === undefined) return { ok: true, method: family.install, shape: {} };
    if (origin.kind === "migration") {
        if (typeof origin.sourceServer !== "string" || !SOURCE_NAME.test(origin.sourceServer)) {
            return invalid(LicensingErrorKind.InvalidParameter, `${label}: the source license server's name must be a computer name, FQDN or IP address`) as Extract<Planned, { ok: false }>;
        }
        if (typeof origin.sourceProductId !== "string" || !/^[A-Z0-9]{0,64}$/.test(origin.sourceProductId)) {
            return invalid(LicensingErrorKind.InvalidParameter, `${label}: the source's product ID must be letters and digits without hyphens`) as Extract<Planned, { ok: false }>;
        }
        input.src = origin.sourceServer;
        input.srcid = origin.sourceProductId;
        return { ok: true, method: family.import, shape: { migration: true } };
    }
    if (origin.kind === "conversion") {
        if (!isCount(origin.keyPackId)) return invalid(LicensingErrorKind.InvalidParameter, `${label}: the key pack to convert must be a positive integer`) as Extract<Planned, { ok: false }>;
        for (const field of Object.keys(input)) if (field !== "key") delete input[field];
        return { ok: true, method: CONVERT_METHOD.method, shape: { convertKeyPackId: origin.keyPackId } };
    }
    return invalid(LicensingErrorKind.InvalidParameter, `${label}: unknown install origin`) as Extract<Planned, { ok: false }>;
}

/** The input fields that hold secrets; the script scrubs their values from its messages. */
export const SECRET_INPUT_FIELDS: readonly string[] = ALL_NUMBER_FIELDS.filter((f) => f.secret).map((f) => f.scriptInput);
