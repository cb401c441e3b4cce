import * as pulumi from "@pulumi/pulumi";
import { RESOURCE_TYPES } from "../src/licensing/resource-types";
import { serverAcceptsCalVersion, type LicenseProgram, type LicenseType, type ProductVersion } from "../src/licensing/codes";
import type { Connection } from "./connection";
import { CalKeyPack, secretNumbers } from "./cal-key-pack";
import { RequestKeySecret } from "./request-key-secret";
import { LicenseServerActivation, type ActivationContact } from "./license-server-activation";
import { SimulatedLicenseServer } from "./simulated-license-server";
// azure-native submodules load lazily: importing them costs the simulator target under 0.1 s.
import { AzureLicenseServer, LicensingConfiguration, type AzureLicenseServerArgs, type LicensingMode } from "./azure";

/** One CAL pack of an {@link RdsLicensing}. */
export interface RdsCalPackArgs {
    /** Unique within the component; names the child resource `${name}-<pack name>`. */
    name: string;
    program: LicenseProgram;
    /**
     * Agreement programs: 7 digits. Always a secret: the component wraps every number with
     * `pulumi.secret` whatever it is given, so a plain string never reaches state in plain text.
     * Pass it as written (the provider normalizes it where it is used).
     * @default undefined (required by the agreement programs)
     */
    agreementNumber?: pulumi.Input<string>;
    /**
     * Open License: 8 digits. Always a secret (wrapped with `pulumi.secret` whatever it is given).
     * @default undefined (required by `open-license`)
     */
    licenseNumber?: pulumi.Input<string>;
    /**
     * Open License: 15 letters or digits. Always a secret (wrapped with `pulumi.secret` whatever it is given).
     * @default undefined (required by `open-license`)
     */
    authorizationNumber?: pulumi.Input<string>;
    /**
     * Retail: 25 letters or digits, hyphens allowed. Always a secret (wrapped with `pulumi.secret` whatever it is given).
     * @default undefined (required by `retail`)
     */
    licenseCode?: pulumi.Input<string>;
    /** Not newer than `licenseServer.windowsServerVersion`: the component refuses such a pack at preview. */
    productVersion: ProductVersion;
    licenseType: LicenseType;
    count: pulumi.Input<number>;
    /**
     * Take over this key pack of the server instead of installing one. At most one pack of the
     * component may adopt a given key pack (two would count its licenses twice).
     * @default undefined
     */
    adoptKeyPackId?: number;
    /**
     * Let `destroy` (or removing the pack) uninstall it while licenses are issued.
     * @default false
     */
    allowDeleteWithIssuedLicenses?: boolean;
}

export interface RdsLicensingArgs {
    /**
     * Where the license server runs. `simulator` creates a server in rdls-sim; `azure` builds an
     * AzureLicenseServer VM from `azure` (see examples/azure).
     * @default "simulator"
     */
    target?: "simulator" | "azure";
    /**
     * The Azure VM, with `target: "azure"`. Its `serverName` must be `licenseServer.name`.
     * @default undefined
     */
    azure?: AzureLicenseServerArgs;
    /**
     * With `target: "azure"`: licensing mode pointed at the server (a LicensingConfiguration run
     * command) once the activation and every pack are in place. Omit to leave it alone.
     * @default undefined
     */
    licensingMode?: LicensingMode;
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
    /**
     * With the simulator target: manage a server of `licenseServer.name` that is already in the
     * store (made by another stack, or by hand) without ever deleting it. Without it, `up` refuses a
     * server this stack did not create, so one stack's `destroy` cannot delete another's server.
     * @default false
     */
    adoptExistingServer?: boolean;
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
 *
 * @example Azure: the VM, its roles, activation, packs and the licensing mode
 * ```ts
 * const licensing = new RdsLicensing("rds", {
 *     target: "azure",
 *     azure: { serverName: "RDLS01", location: "westeurope", resourceGroupName: "rg-rds", network, adminPassword },
 *     licensingMode: LicensingMode.PerUser,
 *     licenseServer: { name: "RDLS01", windowsServerVersion: "2022", contact },
 *     calPacks: [{ name: "retail-devices", program: "retail", licenseCode: cfg.requireSecret("retailCode"),
 *                  productVersion: "2022", licenseType: "per-device", count: 20 }],
 * });
 * ```
 */
export class RdsLicensing extends pulumi.ComponentResource {
    public readonly serverName: pulumi.Output<string>;
    public readonly activationStatus: pulumi.Output<string>;
    public readonly licenseServerId: pulumi.Output<string>;
    public readonly packs: Record<string, RdsPackOutputs>;
    /** With `target: "azure"`: the VM and its network. */
    public readonly azure?: AzureLicenseServer;
    /** With `target: "azure"` and `licensingMode`. */
    public readonly licensingConfiguration?: LicensingConfiguration;

    constructor(name: string, args: RdsLicensingArgs, opts?: pulumi.ComponentResourceOptions) {
        // Refused before anything is registered: a wrong pack fails `preview`, not `up`.
        checkRdsLicensingArgs(name, args);
        super(RESOURCE_TYPES.rdsLicensing, name, {}, opts);
        const server = provisionServer(name, args, this);
        const { connection, serverName, serverInstance } = server;
        this.azure = server.azure;
        // One secret for every install request key of the stack's packs (see RequestKeySecret).
        const requestKeys = new RequestKeySecret(`${name}-request-key`, { parent: this });
        const activation = new LicenseServerActivation(
            `${name}-activation`,
            {
                connection,
                server: serverName,
                contact: args.licenseServer.contact,
                deactivateOnDelete: args.licenseServer.deactivateOnDelete ?? false,
                serverInstance,
            },
            { parent: this, dependsOn: server.ready },
        );
        this.packs = {};
        const packResources: CalKeyPack[] = [];
        for (const pack of args.calPacks) {
            const { name: packName, ...packArgs } = pack;
            const resource = new CalKeyPack(
                `${name}-${packName}`,
                { ...packArgs, ...secretNumbers(packArgs), connection, server: serverName, serverInstance, requestKeySecret: requestKeys.value },
                { parent: this, dependsOn: [activation] },
            );
            packResources.push(resource);
            this.packs[packName] = {
                // The first key pack the resource holds now (its ID names the first it ever installed).
                keyPackId: resource.keyPackIds.apply((ids) => String(ids?.[0] ?? "")),
                totalLicenses: resource.totalLicenses,
                issuedLicenses: resource.issuedLicenses,
                availableLicenses: resource.availableLicenses,
            };
        }
        if (this.azure && args.licensingMode) {
            // Session hosts are sent to the server only once it can hand out CALs.
            this.licensingConfiguration = new LicensingConfiguration(
                `${name}-licensing-configuration`,
                { server: this.azure, mode: args.licensingMode, after: [activation, ...packResources] },
                { parent: this },
            );
        }
        this.serverName = serverName;
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

/** The license server a target provides, and how the licensing resources reach it. */
interface ProvisionedServer {
    connection: pulumi.Output<Connection>;
    serverName: pulumi.Output<string>;
    /** Changes when the server is rebuilt: its packs and activation are then applied again. */
    serverInstance: pulumi.Output<string>;
    /** What must exist before anything runs on the server. */
    ready: pulumi.Resource[];
    azure?: AzureLicenseServer;
}

/** Provision the server for the target: a simulated server, or the Azure VM (roles installed). */
export function provisionServer(name: string, args: RdsLicensingArgs, parent: pulumi.Resource): ProvisionedServer {
    if (args.target === "azure") {
        if (!args.azure) throw new Error(`RdsLicensing ${name}: azure is required with target "azure"`);
        if (args.azure.serverName !== args.licenseServer.name) {
            throw new Error(`RdsLicensing ${name}: azure.serverName (${args.azure.serverName}) must be licenseServer.name (${args.licenseServer.name})`);
        }
        const azure = new AzureLicenseServer(`${name}-azure`, args.azure, { parent });
        // Activation runs a script on the VM: the roles must be installed first.
        return {
            connection: azure.connection,
            serverName: pulumi.output(azure.computerName),
            // The VM's unique ID (not its ARM ID, which a VM recreated under the same name keeps).
            serverInstance: azure.vm.vmId,
            ready: [azure.rolesRunCommand],
            azure,
        };
    }
    const server = new SimulatedLicenseServer(
        `${name}-server`,
        {
            home: args.simulatorHome ?? ".rdls-sim",
            serverName: args.licenseServer.name,
            windowsServerVersion: args.licenseServer.windowsServerVersion,
            adoptExisting: args.adoptExistingServer ?? false,
        },
        { parent },
    );
    // Every licensing resource names the server through these outputs, so each depends on it.
    return {
        connection: server.home.apply((home) => ({ kind: "simulator" as const, home })),
        serverName: server.serverName,
        serverInstance: server.instanceId,
        ready: [],
    };
}

/**
 * What RdsLicensing refuses in its arguments, before it registers anything (so at `preview`):
 * pack names used twice, a key pack adopted by two packs, CALs newer than the license server.
 */
export function rdsLicensingArgsProblems(name: string, args: RdsLicensingArgs): string[] {
    const problems: string[] = [];
    const names = new Set<string>();
    const adopters = new Map<number, string>();
    const serverVersion = args.licenseServer.windowsServerVersion;
    for (const pack of args.calPacks) {
        if (names.has(pack.name)) problems.push(`calPacks: the name "${pack.name}" is used twice; pack names must be unique`);
        names.add(pack.name);
        if (pack.adoptKeyPackId !== undefined) {
            const first = adopters.get(pack.adoptKeyPackId);
            if (first !== undefined) {
                problems.push(
                    `calPacks "${first}" and "${pack.name}" both adopt key pack ${pack.adoptKeyPackId}; both would count its licenses. Keep adoptKeyPackId in one of them`,
                );
            } else adopters.set(pack.adoptKeyPackId, pack.name);
        }
        if (!serverAcceptsCalVersion(serverVersion, pack.productVersion)) {
            problems.push(
                `calPacks "${pack.name}" has productVersion ${pack.productVersion}, newer than licenseServer.windowsServerVersion ${serverVersion}; ` +
                    `a license server only holds CALs of its own version or older. Use CALs of ${serverVersion} or older, or raise licenseServer.windowsServerVersion`,
            );
        }
    }
    return problems.map((p) => `RdsLicensing ${name}: ${p}`);
}

function checkRdsLicensingArgs(name: string, args: RdsLicensingArgs): void {
    const problems = rdsLicensingArgsProblems(name, args);
    if (problems.length > 0) throw new Error(problems.join("\n"));
}
