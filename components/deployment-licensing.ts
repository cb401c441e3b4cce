import * as pulumi from "@pulumi/pulumi";
import type { SessionHostLicensing } from "../src/licensing/farm";
import type { Connection } from "./connection";
import type { DomainAccount } from "./session-deployment";
import { DynamicResource, PROVIDER_VERSION } from "./dynamic-resource";

/** The licensing mode a deployment is set to: the license type of the CALs its users need. */
export const DeploymentLicensingMode = { PerUser: "PerUser", PerDevice: "PerDevice" } as const;
export type DeploymentLicensingMode = (typeof DeploymentLicensingMode)[keyof typeof DeploymentLicensingMode];

export interface DeploymentLicensingArgs {
    /**
     * How the provider reaches the deployment's RD Connection Broker: the simulator store holding the
     * deployment, or the broker VM (Azure Run Command, SSH), where the licensing scripts run.
     * Changing the machine it reaches replaces the resource.
     * @example
     * ```ts
     * connection: { kind: "simulator", home: ".rdls-sim" }
     * ```
     */
    connection: pulumi.Input<Connection>;
    /**
     * Computer name of the deployment's RD Connection Broker; the resource's ID. Changing it replaces
     * the resource; another spelling of the same name does not.
     * @example
     * ```ts
     * broker: deployment.broker
     * ```
     */
    broker: pulumi.Input<string>;
    /**
     * The deployment's licensing mode (`Set-RDLicenseConfiguration -Mode`), applied to all its
     * session hosts. Per-user deployments need per-user CALs, per-device ones per-device CALs.
     * A change is an in-place update; a mode changed by hand shows as drift on refresh.
     * @example
     * ```ts
     * mode: DeploymentLicensingMode.PerUser
     * ```
     */
    mode: pulumi.Input<DeploymentLicensingMode>;
    /**
     * The license servers the session hosts ask for CALs, in preference order
     * (`Set-RDLicenseConfiguration -LicenseServer`); at least one. A change (order included) is an
     * in-place update; a list changed by hand shows as drift on refresh.
     * @example Two license servers, the first preferred
     * ```ts
     * licenseServers: [primary.serverName, secondary.serverName]
     * ```
     */
    licenseServers: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Set the deployment back to NotConfigured (no license server) when the resource is deleted.
     * Off by default: deleting the resource from a program leaves a working deployment licensed as it
     * was, rather than starting its hosts' way to refused connections.
     * @default false
     * @example Tearing down a rehearsal farm
     * ```ts
     * resetOnDelete: true
     * ```
     */
    resetOnDelete?: pulumi.Input<boolean>;
    /**
     * Which incarnation of the deployment this configures: an ID that changes when it is rebuilt
     * (a {@link SimulatedDeployment}'s `instanceId`). When it changes, the next `up` sets the
     * licensing again, without waiting for a refresh to show the new deployment unconfigured.
     * @default undefined (the deployment is never rebuilt under this resource)
     * @example
     * ```ts
     * deploymentInstance: deployment.instanceId
     * ```
     */
    deploymentInstance?: pulumi.Input<string>;
    /**
     * The domain account the broker's scripts run as, with an `azure-run-command` connection: the
     * RemoteDesktop cmdlets (Get/Set-RDLicenseConfiguration, Get-RDServer) refuse SYSTEM, which
     * managed Run Command runs as otherwise. Stored as a secret; the password travels only in the
     * run command's `runAsPassword` field. A change (a rotated password) is stored, nothing runs.
     * Refused with other connections (SSH runs as its own user).
     * @default undefined (SYSTEM)
     * @example
     * ```ts
     * runAs: { user: "CORP\\svc-rds", password: cfg.requireSecret("rdsAdminPassword") }
     * ```
     */
    runAs?: pulumi.Input<DomainAccount>;
}

/**
 * An RDS deployment's licensing configuration: its mode and license servers in preference order,
 * as `Set-RDLicenseConfiguration` sets them and `Get-RDLicenseConfiguration` reads them on its
 * Connection Broker. `pulumi refresh` reads them back, so a mode or list changed by hand shows as
 * drift and the next `up` repairs it. Its ID is the broker's name. Each create, read, update (and a
 * `resetOnDelete` delete) is one remote execution on the broker, however many session hosts the
 * deployment has: the same execution reads every host's licensing (`hosts`); preview makes none.
 *
 * The license servers should be activated, and hold packs of the deployment's mode, before users
 * connect: depend on their {@link LicenseServerActivation}.
 *
 * @example A simulated deployment licensed per user
 * ```ts
 * const connection = { kind: "simulator" as const, home: ".rdls-sim" };
 * const deployment = new SimulatedDeployment("farm", { broker: "RDCB01", sessionHosts: [{ name: "RDSH01", windowsServerVersion: "2022" }] });
 * new DeploymentLicensing("farm-licensing", {
 *     connection, broker: deployment.broker, deploymentInstance: deployment.instanceId,
 *     mode: DeploymentLicensingMode.PerUser, licenseServers: [server.serverName],
 * }, { dependsOn: [activation] });
 * ```
 *
 * @example An Azure broker with two license servers
 * ```ts
 * new DeploymentLicensing("prod-licensing", {
 *     connection: { kind: "azure-run-command", subscriptionId, resourceGroupName: "rds", vmName: "rdcb01" },
 *     broker: "rdcb01.contoso.com",
 *     mode: DeploymentLicensingMode.PerDevice,
 *     licenseServers: ["rdls01.contoso.com", "rdls02.contoso.com"],
 * });
 * ```
 */
export class DeploymentLicensing extends DynamicResource {
    declare readonly connection: pulumi.Output<Connection>;
    declare readonly broker: pulumi.Output<string>;
    /** The live mode (after refresh: what the broker says). */
    declare readonly mode: pulumi.Output<string>;
    declare readonly licenseServers: pulumi.Output<string[]>;
    /** The deployment's session hosts, as the broker lists them. */
    declare readonly sessionHosts: pulumi.Output<string[]>;
    /**
     * What each session host of the deployment says about its licensing, in the broker's order (one
     * row of RD Licensing Diagnoser each: mode, servers, each server's connectivity, grace days left,
     * the settings Group Policy makes), read from the broker in the same execution as the
     * configuration. Outputs only: a host's value never shows as drift (a host whose Group Policy
     * keeps another mode shows it here, not as a change). The shape of {@link HostLicensing}'s.
     */
    declare readonly hosts: pulumi.Output<SessionHostLicensing[]>;

    constructor(name: string, args: DeploymentLicensingArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            "deploymentLicensing",
            { module: "licensing", name: "DeploymentLicensing" },
            name,
            {
                ...args,
                runAs: args.runAs === undefined ? undefined : pulumi.secret(args.runAs),
                resetOnDelete: args.resetOnDelete ?? false,
                providerVersion: PROVIDER_VERSION,
                sessionHosts: undefined,
                hosts: undefined,
            },
            { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "runAs"] },
        );
    }
}
