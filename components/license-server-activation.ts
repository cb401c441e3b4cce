import * as pulumi from "@pulumi/pulumi";
import type { Connection } from "./connection";
import { DynamicResource, PROVIDER_VERSION } from "./dynamic-resource";

/** Contact information the Clearinghouse records at activation. */
export interface ActivationContact {
    firstName: string;
    lastName: string;
    company: string;
    /** ISO 3166 alpha-2 country code, e.g. `NL`. */
    countryRegion: string;
    email?: string;
}

export interface LicenseServerActivationArgs {
    /** How the provider reaches the license server. */
    connection: pulumi.Input<Connection>;
    /** The license server's computer name. */
    server: pulumi.Input<string>;
    /** Required by the Clearinghouse: first name, last name, company and country/region. */
    contact: pulumi.Input<ActivationContact>;
    /**
     * Deactivate the server with the Clearinghouse when this resource is deleted. Off by default:
     * a destroyed stack usually means "stop managing", not "give the activation back".
     * @default false
     */
    deactivateOnDelete?: pulumi.Input<boolean>;
    /**
     * Which instance of the license server this is (see CalKeyPack's `serverInstance`): when it
     * changes, the rebuilt server is activated again.
     * @default undefined
     */
    serverInstance?: pulumi.Input<string>;
}

/**
 * Activation of an RD License Server with the Microsoft Clearinghouse. `pulumi refresh` reports a
 * server that was deactivated since (as drift on `activated`), and the next `up` reactivates it.
 *
 * @example Activating a simulated server
 * ```ts
 * const server = new SimulatedLicenseServer("rdls01", { serverName: "RDLS01", windowsServerVersion: "2022" });
 * const activation = new LicenseServerActivation("rdls01-activation", {
 *     connection: server.home.apply((home) => ({ kind: "simulator" as const, home })),
 *     server: server.serverName,
 *     serverInstance: server.instanceId,   // a rebuilt server is activated again
 *     contact: { firstName: "Ada", lastName: "Lovelace", company: "Contoso", countryRegion: "GB" },
 * });
 * export const licenseServerId = activation.licenseServerId;
 * ```
 *
 * @example Giving the activation back when the stack is destroyed
 * ```ts
 * const lab = new SimulatedLicenseServer("lab", { serverName: "RDLS-LAB", windowsServerVersion: "2022" });
 * new LicenseServerActivation("lab-activation", {
 *     connection, server: lab.serverName, serverInstance: lab.instanceId, contact, deactivateOnDelete: true,
 * });
 * ```
 */
export class LicenseServerActivation extends DynamicResource {
    /** `activated`, `not-activated` or `unknown`, as GetActivationStatus reports it. */
    declare readonly activationStatus: pulumi.Output<string>;
    /** The license server ID the Clearinghouse assigned. */
    declare readonly licenseServerId: pulumi.Output<string>;
    declare readonly activated: pulumi.Output<boolean>;

    constructor(name: string, args: LicenseServerActivationArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            "activation",
            { module: "licensing", name: "LicenseServerActivation" },
            name,
            {
                ...args,
                providerVersion: PROVIDER_VERSION,
                activated: true,
                deactivateOnDelete: args.deactivateOnDelete ?? false,
                activationStatus: undefined,
                licenseServerId: undefined,
            },
            opts,
        );
    }
}
