import * as pulumi from "@pulumi/pulumi";
import { RESOURCE_TYPES } from "../src/licensing/resource-types";
import type { LicenseType, ProductVersion } from "../src/licensing/codes";
import type { HealthFinding, HostHealth } from "../src/licensing/health";
import { CalKeyPack, secretNumbers } from "./cal-key-pack";
import { RequestKeySecret } from "./request-key-secret";
import { LicensingConfiguration, type AzureLicenseServer } from "./azure";
import { CalNumbersVault } from "./azure/numbers-vault";
import { findingLine, licenseServersOf, rdsLicensingArgsProblems, rdsLicensingArgsWarnings, type RdsLicensingArgs } from "./rds-licensing-args";
import { provisionServer, type ProvisionedServer } from "./rds-licensing-servers";
import { provisionFarm, type ProvisionedFarm } from "./rds-licensing-farm";
import type { DeploymentLicensing } from "./deployment-licensing";

export * from "./rds-licensing-args";

/** What the component tells about each pack. */
export interface RdsPackOutputs {
    /** The license server holding it. */
    licenseServer: string;
    licenseType: LicenseType;
    productVersion: ProductVersion;
    keyPackId: pulumi.Output<string>;
    totalLicenses: pulumi.Output<number>;
    issuedLicenses: pulumi.Output<number>;
    availableLicenses: pulumi.Output<number>;
}

/** What the component tells about each license server. */
export interface RdsLicenseServerOutputs {
    serverName: pulumi.Output<string>;
    activationStatus: pulumi.Output<string>;
    licenseServerId: pulumi.Output<string>;
}

/**
 * A licensed RDS farm: its license servers, their activation and CAL packs, and on the simulator
 * target the deployment and session hosts pointed at them, in that order; then the farm's licensing
 * health, read back on every refresh. With one `licenseServer` and no farm, a licensed RD License
 * Server.
 *
 * Before anything is registered (so at `preview`) it refuses what cannot work: CALs newer than their
 * server, CALs no client of their server asks for (per-device packs for a per-user deployment), a
 * host no CAL can serve; it warns about a host listing a server it does not manage.
 *
 * @example A licensed farm on the simulator: two license servers, a per-user deployment
 * ```ts
 * const farm = new RdsLicensing("farm", {
 *     licenseServers: [
 *         { name: "RDLS01", windowsServerVersion: "2022", contact },
 *         { name: "RDLS02", windowsServerVersion: "2022", contact },
 *     ],
 *     calPacks: [
 *         { name: "ea-users", program: "enterprise-agreement", agreementNumber: cfg.requireSecret("ea"),
 *           productVersion: "2022", licenseType: "per-user", count: 50 },
 *         { name: "ea-users-backup", licenseServer: "RDLS02", program: "enterprise-agreement",
 *           agreementNumber: cfg.requireSecret("ea"), productVersion: "2022", licenseType: "per-user", count: 10 },
 *     ],
 *     licensingMode: "PerUser",
 *     deployment: {
 *         broker: "RDCB01",
 *         sessionHosts: [{ name: "RDSH01", windowsServerVersion: "2019" }, { name: "RDSH02", windowsServerVersion: "2022" }],
 *     },
 * });
 * export const health = farm.health;
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
 *
 * @example Azure, the CAL numbers through Key Vault (never on the VM's command line)
 * ```ts
 * new RdsLicensing("rds", {
 *     target: "azure",
 *     azure: { serverName: "RDLS01", location: "westeurope", numbersDelivery: NumbersDelivery.KeyVault },
 *     licenseServer: { name: "RDLS01", windowsServerVersion: "2022", contact },
 *     calPacks: [{ name: "ea-users", program: "enterprise-agreement", agreementNumber: cfg.requireSecret("ea"),
 *                  productVersion: "2022", licenseType: "per-user", count: 50 }],
 * });
 * ```
 */
export class RdsLicensing extends pulumi.ComponentResource {
    /** The first license server's name, activation status and ID. */
    public readonly serverName: pulumi.Output<string>;
    public readonly activationStatus: pulumi.Output<string>;
    public readonly licenseServerId: pulumi.Output<string>;
    /** Every license server, by name. */
    public readonly licenseServers: Record<string, RdsLicenseServerOutputs>;
    public readonly packs: Record<string, RdsPackOutputs>;
    /** With `deployment`: its licensing configuration (live mode and license servers, its hosts' licensing). */
    public readonly deploymentLicensing?: DeploymentLicensing;
    /**
     * Every session host's licensing health (mode, license servers and how it reaches each, grace
     * days left, the packs that can serve it, findings), as of the last `up` or `refresh`.
     */
    public readonly health: pulumi.Output<HostHealth[]>;
    /** The findings of `health`, every host's together: empty when the farm can license every user. */
    public readonly findings: pulumi.Output<HealthFinding[]>;
    /** With `target: "azure"`: the VM and its network. */
    public readonly azure?: AzureLicenseServer;
    /** With `target: "azure"` and `licensingMode`. */
    public readonly licensingConfiguration?: LicensingConfiguration;
    /** With `target: "azure"` and `azure.numbersDelivery: "key-vault"`: the packs' numbers in Key Vault. */
    public readonly numbersVault?: CalNumbersVault;

    constructor(name: string, args: RdsLicensingArgs, opts?: pulumi.ComponentResourceOptions) {
        // Refused before anything is registered: a wrong farm fails `preview`, not `up`.
        const problems = rdsLicensingArgsProblems(name, args);
        if (problems.length > 0) throw new Error(problems.join("\n"));
        super(RESOURCE_TYPES.rdsLicensing, name, {}, opts);
        for (const warning of rdsLicensingArgsWarnings(args)) pulumi.log.warn(`RdsLicensing ${name}: ${findingLine(warning)}`, this);

        const servers = licenseServersOf(args).map((server, i) => provisionServer(name, server, i, args, this));
        const serverOf = new Map(servers.map((s) => [s.name.toLowerCase(), s]));
        this.azure = servers[0]!.azure;
        // One secret for every install request key of the stack's packs (see RequestKeySecret).
        const requestKeys = new RequestKeySecret(`${name}-request-key`, { parent: this });
        this.numbersVault = numbersVaultOf(name, args, this.azure, this);
        this.packs = {};
        const packResources: CalKeyPack[] = [];
        for (const pack of args.calPacks) {
            const { name: packName, licenseServer, ...packArgs } = pack;
            const server = serverOf.get((licenseServer ?? servers[0]!.name).toLowerCase())!;
            const resource = new CalKeyPack(
                `${name}-${packName}`,
                {
                    ...packArgs,
                    ...secretNumbers(packArgs),
                    connection: server.connection,
                    server: server.serverName,
                    serverInstance: server.serverInstance,
                    requestKeySecret: requestKeys.value,
                    ...(this.numbersVault ? { numbersSecretUri: this.numbersVault.secretUris[packName] } : {}),
                },
                { parent: this, dependsOn: [server.activation] },
            );
            packResources.push(resource);
            this.packs[packName] = {
                licenseServer: server.name,
                licenseType: pack.licenseType,
                productVersion: pack.productVersion,
                // The first key pack the resource holds now (its ID names the first it ever installed).
                keyPackId: resource.keyPackIds.apply((ids) => String(ids?.[0] ?? "")),
                totalLicenses: resource.totalLicenses,
                issuedLicenses: resource.issuedLicenses,
                availableLicenses: resource.availableLicenses,
            };
        }
        // Hosts are pointed at the servers only once these can hand out CALs.
        const licensed: pulumi.Resource[] = [...servers.map((s) => s.activation), ...packResources];
        if (this.azure && args.licensingMode) {
            this.licensingConfiguration = new LicensingConfiguration(
                `${name}-licensing-configuration`,
                { server: this.azure, mode: args.licensingMode, after: licensed },
                { parent: this },
            );
        }
        const farm: ProvisionedFarm = provisionFarm(name, args, { servers, packs: this.packs, after: licensed }, this);
        this.deploymentLicensing = farm.deploymentLicensing;
        this.health = farm.health;
        this.findings = farm.findings;

        this.licenseServers = Object.fromEntries(servers.map((s) => [s.name, outputsOf(s)]));
        const first = this.licenseServers[servers[0]!.name]!;
        this.serverName = first.serverName;
        this.activationStatus = first.activationStatus;
        this.licenseServerId = first.licenseServerId;
        this.registerOutputs({
            serverName: this.serverName,
            activationStatus: this.activationStatus,
            licenseServerId: this.licenseServerId,
            licenseServers: this.licenseServers,
            packs: this.packs,
            health: this.health,
            findings: this.findings,
        });
    }
}

/**
 * With `azure.numbersDelivery: "key-vault"`: every pack's numbers in a Key Vault secret that only
 * the VM's identity reads. The packs then send the secrets' URIs, never a number.
 */
function numbersVaultOf(name: string, args: RdsLicensingArgs, azure: AzureLicenseServer | undefined, parent: pulumi.Resource): CalNumbersVault | undefined {
    if (!azure || args.azure?.numbersDelivery !== "key-vault" || args.calPacks.length === 0) return undefined;
    return new CalNumbersVault(
        `${name}-numbers`,
        {
            resourceGroupName: azure.resourceGroupName,
            location: azure.location,
            principalId: azure.principalId,
            existingVaultId: args.azure.numbersVaultId,
            network: args.azure.numbersVaultNetwork,
            tags: args.azure.tags,
            packs: args.calPacks.map((pack) => ({
                name: pack.name,
                agreementNumber: pack.agreementNumber,
                licenseNumber: pack.licenseNumber,
                authorizationNumber: pack.authorizationNumber,
                licenseCode: pack.licenseCode,
            })),
        },
        { parent },
    );
}

const outputsOf = (s: ProvisionedServer): RdsLicenseServerOutputs => ({
    serverName: s.serverName,
    activationStatus: s.activation.activationStatus,
    licenseServerId: s.activation.licenseServerId,
});
