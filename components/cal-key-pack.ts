import * as pulumi from "@pulumi/pulumi";
import type { LicenseProgram, LicenseType, ProductVersion } from "../src/licensing/codes";
import type { Connection } from "../src/providers/connection";
import { DynamicResource, PROVIDER_VERSION } from "./dynamic-resource";
import { RequestKeySecret } from "./request-key-secret";

/** The inputs that hold a licensing program's numbers: always secrets. */
export const SECRET_NUMBER_INPUTS = ["agreementNumber", "licenseNumber", "authorizationNumber", "licenseCode"] as const;
type SecretNumberInput = (typeof SECRET_NUMBER_INPUTS)[number];

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
    /** The license server's computer name. */
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
     */
    agreementNumber?: pulumi.Input<string>;
    /**
     * Open License number (8 digits), with `authorizationNumber`, for `open-license`.
     * Always a secret: the component wraps it with `pulumi.secret` whatever it is given.
     */
    licenseNumber?: pulumi.Input<string>;
    /**
     * Open License authorization number (15 letters or digits).
     * Always a secret: the component wraps it with `pulumi.secret` whatever it is given.
     */
    authorizationNumber?: pulumi.Input<string>;
    /**
     * Retail license code (25 letters or digits; hyphens allowed), for `retail`.
     * Always a secret: the component wraps it with `pulumi.secret` whatever it is given; pass it as
     * written, hyphens and all.
     */
    licenseCode?: pulumi.Input<string>;
    /** Windows Server version of the CALs; not newer than the license server's. */
    productVersion: pulumi.Input<ProductVersion>;
    /** `per-user` or `per-device`. */
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
}

/**
 * An RDS CAL key pack installed on a license server: the *Install Licenses* wizard as a resource.
 * Its ID is the key pack ID. Issued and available figures are outputs that never cause a diff;
 * `pulumi refresh` reads the live total back, so a changed count shows as drift.
 *
 * @example Enterprise Agreement CALs
 * ```ts
 * const pack = new CalKeyPack("ea-2022-users", {
 *     connection: { kind: "simulator", home: ".rdls-sim" },
 *     server: "rdls01",
 *     program: "enterprise-agreement",
 *     agreementNumber: config.requireSecret("eaNumber"),
 *     productVersion: "2022",
 *     licenseType: "per-user",
 *     count: 50,
 * });
 * export const available = pack.availableLicenses;
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
                additionalSecretOutputs: [...SECRET_NUMBER_INPUTS, "requestKeySecret"],
            },
        );
    }
}
