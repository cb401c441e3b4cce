import * as pulumi from "@pulumi/pulumi";
import type { LicenseProgram, LicenseType, ProductVersion } from "../src/licensing/codes";
import type { Connection } from "../src/providers/connection";
import { CalKeyPack } from "./cal-key-pack";
import { LicenseServerActivation, type ActivationContact } from "./license-server-activation";
import { SimulatedLicenseServer } from "./simulated-license-server";

/** One CAL pack of an {@link RdsLicensing}. */
export interface RdsCalPackArgs {
    /** Unique within the component; names the child resource `${name}-<pack name>`. */
    name: string;
    program: LicenseProgram;
    /** Agreement programs: 7 digits. Pass a secret. */
    agreementNumber?: pulumi.Input<string>;
    /** Open License: 8 digits. Pass a secret. */
    licenseNumber?: pulumi.Input<string>;
    /** Open License: 15 letters or digits. Pass a secret. */
    authorizationNumber?: pulumi.Input<string>;
    /** Retail: 25 letters or digits. Pass a secret. */
    licenseCode?: pulumi.Input<string>;
    productVersion: ProductVersion;
    licenseType: LicenseType;
    count: pulumi.Input<number>;
    /** @default undefined */
    adoptKeyPackId?: number;
    /** @default false */
    allowDeleteWithIssuedLicenses?: boolean;
}

export interface RdsLicensingArgs {
    /**
     * Where the license server runs. `simulator` creates a server in rdls-sim; `azure` is the
     * AzureLicenseServer component's job (see examples/azure).
     * @default "simulator"
     */
    target?: "simulator";
    /** The license server's computer name and Windows Server version. */
    licenseServer: {
        name: string;
        windowsServerVersion: ProductVersion;
        /** Activation contact. */
        contact: pulumi.Input<ActivationContact>;
        /** @default false */
        deactivateOnDelete?: boolean;
    };
    /** The CAL packs to install. */
    calPacks: RdsCalPackArgs[];
    /**
     * The simulator's store, relative to the project folder.
     * @default ".rdls-sim"
     */
    simulatorHome?: string;
}

/** What the component tells about each pack. */
export interface RdsPackOutputs {
    keyPackId: pulumi.Output<string>;
    totalLicenses: pulumi.Output<number>;
    issuedLicenses: pulumi.Output<number>;
    availableLicenses: pulumi.Output<number>;
}

/**
 * A licensed RD License Server: the server, its activation, and its CAL packs, in that order.
 *
 * @example The simulator target
 * ```ts
 * const licensing = new RdsLicensing("farm", {
 *     licenseServer: { name: "rdls01", windowsServerVersion: "2022", contact },
 *     calPacks: [{ name: "ea-users", program: "enterprise-agreement",
 *                  agreementNumber: cfg.requireSecret("ea"), productVersion: "2022",
 *                  licenseType: "per-user", count: 50 }],
 * });
 * export const packs = licensing.packs;
 * ```
 */
export class RdsLicensing extends pulumi.ComponentResource {
    public readonly serverName: pulumi.Output<string>;
    public readonly activationStatus: pulumi.Output<string>;
    public readonly licenseServerId: pulumi.Output<string>;
    public readonly packs: Record<string, RdsPackOutputs>;

    constructor(name: string, args: RdsLicensingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("rds-licensing:index:RdsLicensing", name, {}, opts);
        const home = args.simulatorHome ?? ".rdls-sim";
        const server = new SimulatedLicenseServer(
            `${name}-server`,
            { home, serverName: args.licenseServer.name, windowsServerVersion: args.licenseServer.windowsServerVersion },
            { parent: this },
        );
        // Every licensing resource names the server through this output, so each depends on it.
        const connection: pulumi.Output<Connection> = server.home.apply((h) => ({ kind: "simulator" as const, home: h }));
        const activation = new LicenseServerActivation(
            `${name}-activation`,
            {
                connection,
                server: server.serverName,
                contact: args.licenseServer.contact,
                deactivateOnDelete: args.licenseServer.deactivateOnDelete ?? false,
            },
            { parent: this },
        );
        this.packs = {};
        for (const pack of args.calPacks) {
            const { name: packName, ...packArgs } = pack;
            const resource = new CalKeyPack(
                `${name}-${packName}`,
                { ...packArgs, connection, server: server.serverName },
                { parent: this, dependsOn: [activation] },
            );
            this.packs[packName] = {
                keyPackId: resource.id,
                totalLicenses: resource.totalLicenses,
                issuedLicenses: resource.issuedLicenses,
                availableLicenses: resource.availableLicenses,
            };
        }
        this.serverName = server.serverName;
        this.activationStatus = activation.activationStatus;
        this.licenseServerId = activation.licenseServerId;
        this.registerOutputs({
            serverName: this.serverName,
            activationStatus: this.activationStatus,
            licenseServerId: this.licenseServerId,
            packs: this.packs,
        });
    }
}
