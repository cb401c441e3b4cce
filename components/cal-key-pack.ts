import * as pulumi from "@pulumi/pulumi";
import type { LicenseProgram, LicenseType, ProductVersion } from "../src/licensing/codes";
import type { Connection } from "./connection";
import { SECRET_NUMBER_FIELDS } from "../src/licensing/programs";
import { DynamicResource, PROVIDER_VERSION } from "./dynamic-resource";
import { RequestKeySecret } from "./request-key-secret";

/** The inputs that hold a licensing program's numbers: always secrets (the catalog's number fields). */
export const SECRET_NUMBER_INPUTS = SECRET_NUMBER_FIELDS;
type SecretNumberInput = (typeof SECRET_NUMBER_INPUTS)[number];

/**
 * The outputs a CalKeyPack registers as secret: the numbers and the request key secret, plus any
 * the caller asked for (merged, never dropped).
 */
export function calKeyPackSecretOutputs(requested: readonly string[] = []): string[] {
    return [...new Set([...SECRET_NUMBER_INPUTS, "requestKeySecret", ...requested])];
}

/**
 * The number inputs given, each wrapped with `pulumi.secret` (a secret stays one; a plain string
 * becomes one). The values are kept exactly as given: normalizing is the provider's business.
 */
export function secretNumbers(args: Partial<Record<SecretNumberInput, pulumi.Input<string> | undefined>>): Partial<Record<SecretNumberInput, pulumi.Output<string>>> {
    const out: Partial<Record<SecretNumberInput, pulumi.Output<string>>> = {};
    for (const field of SECRET_NUMBER_INPUTS) {
        const value = args[field];
        if (value !== undefined) out[field] = pulumi.secret(value);
    }
    return out;
}

export interface CalKeyPackArgs {
    /**
     * How the provider reaches the license server.
     * @example
     * ```ts
     * connection: { kind: "simulator", home: ".rdls-sim" }
     * ```
     */
    connection: pulumi.Input<Connection>;
    /**
     * The license server's computer name.
     *
     * Changing it to another server of the stack (the same simulator store, or another Azure / SSH
     * server) **moves** the pack as an in-place update, the documented migration: the program's
     * Import* method on the new server with the old server's name and product ID, then the old key
     * packs uninstalled, so the Clearinghouse sees a move, not a second purchase (a retail code
     * consumed on the old server moves too). A pack with issued licenses is not moved unless
     * `allowDeleteWithIssuedLicenses` is set. Every step is safe to retry after a crash. Changing the
     * server together with `licenseType`, or to a server of another store, replaces the pack.
     * @example
     * ```ts
     * server: "RDLS02" // was "RDLS01": `pulumi preview` shows an update
     * ```
     */
    server: pulumi.Input<string>;
    /**
     * The licensing program the CALs were bought under, as the *Install Licenses* wizard lists them.
     * Changing it installs a new pack and removes this one.
     */
    program: pulumi.Input<LicenseProgram>;
    /**
     * Agreement or enrollment number (7 digits) for `select`, `enterprise-agreement`, `campus`,
     * `school`, `spla` and `other-agreement`.
     *
     * Always a secret: the component wraps it with `pulumi.secret` whatever it is given, so a plain
     * string is never stored in plain text in state, its history or its backups. Pass it exactly as
     * written (the provider normalizes it where it is used).
     * @example
     * ```ts
     * agreementNumber: config.requireSecret("eaNumber")
     * ```
     * @default undefined (required by the agreement programs)
     */
    agreementNumber?: pulumi.Input<string>;
    /**
     * Open License number (8 digits), with `authorizationNumber`, for `open-license`.
     * Always a secret: the component wraps it with `pulumi.secret` whatever it is given.
     * @default undefined (required by `open-license`)
     */
    licenseNumber?: pulumi.Input<string>;
    /**
     * Open License authorization number (15 letters or digits).
     * Always a secret: the component wraps it with `pulumi.secret` whatever it is given.
     * @default undefined (required by `open-license`)
     */
    authorizationNumber?: pulumi.Input<string>;
    /**
     * Retail license code (25 letters or digits; hyphens allowed), for `retail`.
     * Always a secret: the component wraps it with `pulumi.secret` whatever it is given; pass it as
     * written, hyphens and all.
     * @default undefined (required by `retail`)
     */
    licenseCode?: pulumi.Input<string>;
    /** Windows Server version of the CALs; not newer than the license server's. */
    productVersion: pulumi.Input<ProductVersion>;
    /**
     * `per-user` or `per-device`.
     *
     * Changing it **converts** the pack in place (Win32_TSLicenseKeyPack.ConvertLicenses, Windows
     * Server 2012 and later): its available licenses become licenses of the other type, an update.
     * ConvertLicenses converts available licenses only, so a pack whose state shows issued licenses
     * is replaced instead (the reason is printed), as is a retail pack (its code fixes the type).
     * @example
     * ```ts
     * licenseType: "per-user" // was "per-device": `pulumi preview` shows an update
     * ```
     */
    licenseType: pulumi.Input<LicenseType>;
    /**
     * Number of CALs. Raising it installs the difference; lowering it removes available (not issued)
     * licenses. Both are in-place updates.
     */
    count: pulumi.Input<number>;
    /**
     * Take over a key pack already on the server (e.g. installed by hand with RD Licensing Manager)
     * instead of installing one: `pulumi import` does not work for dynamic resources.
     * @default undefined (install a new pack)
     */
    adoptKeyPackId?: pulumi.Input<number>;
    /**
     * Let delete uninstall the pack while licenses of it are issued to users or devices.
     * @default false
     */
    allowDeleteWithIssuedLicenses?: pulumi.Input<boolean>;
    /**
     * The secret that install request keys are HMACs under (a {@link RequestKeySecret}'s `value`).
     * Share one between the packs of a stack; {@link RdsLicensing} does.
     * @default a RequestKeySecret of this pack's own, named `<name>-request-key`
     */
    requestKeySecret?: pulumi.Input<string>;
    /**
     * Which instance of the license server the pack lives on: an ID that changes when the server is
     * rebuilt (a SimulatedLicenseServer's `instanceId`, an Azure VM's `vmId`). When it changes, the
     * next `up` installs the pack on the new server again (a retail code through its Reinstall
     * method) instead of looking for key packs of the old one.
     * @default undefined (the server is never rebuilt under this pack)
     */
    serverInstance?: pulumi.Input<string>;
    /**
     * The versioned URI of an Azure Key Vault secret holding this pack's numbers (a JSON object of
     * the number inputs' names to the numbers, as {@link CalNumbersVault} writes it). The license
     * server then reads the numbers from the vault with its managed identity, and the Run Command
     * that installs the pack carries only this reference: no number on the VM's command line. The
     * numbers are still given above (secrets, as always): they decide when the pack is replaced.
     * {@link RdsLicensing} sets it with `azure.numbersDelivery: "key-vault"`.
     * @default undefined (the numbers travel in the script's protected parameter)
     * @example
     * ```ts
     * numbersSecretUri: vault.secretUris["ea-users"]
     * ```
     */
    numbersSecretUri?: pulumi.Input<string>;
}

/**
 * An RDS CAL key pack installed on a license server: the *Install Licenses* wizard as a resource.
 * Its ID is the key pack ID. Issued and available figures are outputs that never cause a diff;
 * `pulumi refresh` reads the live total back, so a changed count shows as drift.
 *
 * The license server must be activated before a pack installs: depend on its
 * {@link LicenseServerActivation} (or use {@link RdsLicensing}, which wires the order itself).
 *
 * @example Enterprise Agreement CALs on a simulated server
 * ```ts
 * const config = new pulumi.Config();
 * const server = new SimulatedLicenseServer("rdls01", { serverName: "RDLS01", windowsServerVersion: "2022" });
 * const connection = server.home.apply((home) => ({ kind: "simulator" as const, home }));
 * const activation = new LicenseServerActivation("rdls01-activation", {
 *     connection, server: server.serverName, serverInstance: server.instanceId,
 *     contact: { firstName: "Ada", lastName: "Lovelace", company: "Contoso", countryRegion: "GB" },
 * });
 * const pack = new CalKeyPack("ea-2022-users", {
 *     connection, server: server.serverName, serverInstance: server.instanceId,
 *     program: "enterprise-agreement",
 *     agreementNumber: config.requireSecret("eaNumber"),
 *     productVersion: "2022",
 *     licenseType: "per-user",
 *     count: 50,
 * }, { dependsOn: [activation] });
 * export const available = pack.availableLicenses;
 * ```
 *
 * @example Retail CALs sharing the stack's request key secret
 * ```ts
 * const keys = new RequestKeySecret("request-key");
 * new CalKeyPack("retail-2022-devices", {
 *     connection, server: server.serverName, serverInstance: server.instanceId,
 *     program: "retail",
 *     licenseCode: config.requireSecret("retailCode"),   // hyphens and all: the code installs a fixed pack
 *     productVersion: "2022", licenseType: "per-device", count: 20,
 *     requestKeySecret: keys.value,
 * }, { dependsOn: [activation] });
 * ```
 */
export class CalKeyPack extends DynamicResource {
    /** Key packs making up this resource (a pack that grew owns one key pack per install); the first is its ID. */
    declare readonly keyPackIds: pulumi.Output<number[]>;
    declare readonly keyPackType: pulumi.Output<number>;
    declare readonly programName: pulumi.Output<string>;
    declare readonly productVersion: pulumi.Output<string>;
    declare readonly licenseType: pulumi.Output<string>;
    declare readonly totalLicenses: pulumi.Output<number>;
    declare readonly issuedLicenses: pulumi.Output<number>;
    declare readonly availableLicenses: pulumi.Output<number>;

    /** The total the provider last brought the pack to; `read` keeps it (see the provider). */
    declare readonly appliedCount: pulumi.Output<number>;

    constructor(name: string, args: CalKeyPackArgs, opts?: pulumi.CustomResourceOptions) {
        const requestKeySecret = args.requestKeySecret ?? new RequestKeySecret(`${name}-request-key`, { parent: opts?.parent }).value;
        const props = {
            ...args,
            ...secretNumbers(args),
            requestKeySecret,
            providerVersion: PROVIDER_VERSION,
            packKey: `${pulumi.getProject()}/${pulumi.getStack()}/${name}`,
            allowDeleteWithIssuedLicenses: args.allowDeleteWithIssuedLicenses ?? false,
            keyPackIds: undefined,
            keyPackType: undefined,
            programName: undefined,
            totalLicenses: undefined,
            issuedLicenses: undefined,
            availableLicenses: undefined,
            appliedCount: undefined,
        };
        super(
            "calKeyPack",
            { module: "licensing", name: "CalKeyPack" },
            name,
            props,
            {
                ...opts,
                additionalSecretOutputs: calKeyPackSecretOutputs(opts?.additionalSecretOutputs),
            },
        );
    }
}
