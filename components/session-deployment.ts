import * as pulumi from "@pulumi/pulumi";
import type { AzureRunCommandConnection, SshConnection } from "./connection";
import { DynamicResource, PROVIDER_VERSION } from "./dynamic-resource";

/** A domain account the deployment scripts run as. */
export interface DomainAccount {
    /**
     * `DOMAIN\user` or `user@domain.fqdn`: an administrator of the broker and the session hosts.
     * @example "CORP\\svc-rds"
     */
    user: pulumi.Input<string>;
    /**
     * Its password. Always stored as a secret; it travels only in the Run Command request's
     * `runAsPassword` field, never in a script, its output or a message.
     * @example config.requireSecret("rdsAdminPassword")
     */
    password: pulumi.Input<string>;
}

/** The session collection the deployment's hosts serve. */
export interface SessionCollectionArgs {
    /**
     * The collection's name: 1-64 letters, digits, spaces, `-`, `_` or `.`. Changing it replaces the
     * resource (a new collection; the old one stays until removed by hand).
     * @example "Desktops"
     */
    name: pulumi.Input<string>;
    /**
     * Its description. When given, it is managed: set at creation, set again when it changes or
     * drifts. Left out, whatever the collection says is left alone.
     * @default undefined (not managed)
     * @example "Full desktops for the finance team"
     */
    description?: pulumi.Input<string>;
}

export interface SessionDeploymentArgs {
    /**
     * How the provider reaches the RD Connection Broker, where the scripts run: its Azure VM (Run
     * Command) or SSH. Changing the machine it reaches replaces the resource.
     * @example
     * ```ts
     * connection: azureLicenseServer.connection   // the VM with the RD Connection Broker role
     * ```
     */
    connection: pulumi.Input<AzureRunCommandConnection | SshConnection>;
    /**
     * The broker's FQDN (`New-RDSessionDeployment -ConnectionBroker`); the resource's ID. Changing it
     * replaces the resource; another spelling of the same name does not.
     * @example "rdcb01.corp.contoso.com"
     */
    connectionBroker: pulumi.Input<string>;
    /**
     * The RD Session Hosts' FQDNs: in the deployment and in the collection. Adding one is an update
     * that adds it to both. Removing one removes nothing (its users' sessions would end): it is
     * reported in `unlistedSessionHosts`, to be removed by hand, or by `removeUnlistedHosts`.
     * @example
     * ```ts
     * sessionHosts: ["rdsh01.corp.contoso.com", "rdsh02.corp.contoso.com"]
     * ```
     */
    sessionHosts: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * License servers' FQDNs to add to the deployment (`Add-RDServer -Role RDS-LICENSING`). Pointing
     * the deployment at them (mode, order of preference) is {@link DeploymentLicensing}'s job.
     * @default []
     * @example
     * ```ts
     * licenseServers: ["rdls01.corp.contoso.com", "rdls02.corp.contoso.com"]
     * ```
     */
    licenseServers?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * The RD Web Access server's FQDN (`-WebAccessServer`, or `Add-RDServer -Role RDS-WEB-ACCESS`).
     * @default undefined (no Web Access)
     * @example "rdcb01.corp.contoso.com"
     */
    webAccessServer?: pulumi.Input<string>;
    /**
     * The session collection.
     * @example
     * ```ts
     * collection: { name: "Desktops", description: "Full desktops" }
     * ```
     */
    collection: pulumi.Input<SessionCollectionArgs>;
    /**
     * The domain account the scripts run as: required with an `azure-run-command` connection (Run
     * Command runs as SYSTEM, which the RemoteDesktop cmdlets refuse); refused with `ssh` (the SSH
     * user is the identity). Always a secret in state, whether or not it was given as one.
     * @default undefined (ssh only)
     * @example
     * ```ts
     * runAs: { user: "CORP\\svc-rds", password: config.requireSecret("rdsAdminPassword") }
     * ```
     */
    runAs?: pulumi.Input<DomainAccount>;
    /**
     * Remove the deployment's session hosts that `sessionHosts` does not list: out of their
     * collection (`Remove-RDSessionHost -Force`), then out of the deployment (`Remove-RDServer
     * -Force`). Their users' sessions end. For a pool whose VMs come and go with the program; off,
     * unlisted hosts are only reported. License servers are never removed.
     * @default false
     * @example A pool that shrinks with its VM count
     * ```ts
     * removeUnlistedHosts: true
     * ```
     */
    removeUnlistedHosts?: pulumi.Input<boolean>;
}

/**
 * An RDS session deployment on its Connection Broker: `New-RDSessionDeployment` with the session
 * hosts (and Web Access), each license server added (`Add-RDServer -Role RDS-LICENSING`), and a
 * session collection of the hosts. Each step finds what exists first, so `up` on a deployment that
 * is already there changes nothing, and a host or license server missing from it is added. A step
 * that cannot apply fails `up` with the cmdlet's own message; nothing is reported as done that was
 * not. `pulumi refresh` reads the deployment back: a host, license server or collection gone shows
 * as drift; a deployment gone shows the resource gone. Create, update and refresh are one remote
 * execution each on the broker; preview makes none.
 *
 * Deleting the resource leaves the deployment in place (the RemoteDesktop module cannot remove
 * one): destroy the VMs to remove it.
 *
 * Order on Azure: domain join, roles installed and their reboot completed (RoleInstallation), then
 * this, then the licensing configuration ({@link DeploymentLicensing}, with `dependsOn` on this).
 *
 * @example A broker with two session hosts and two license servers
 * ```ts
 * const runAs = { user: "CORP\\svc-rds", password: config.requireSecret("rdsAdminPassword") };
 * const deployment = new SessionDeployment("farm", {
 *     connection: azureLicenseServer.connection,  // the broker's VM, its roles installed
 *     connectionBroker: "rdcb01.corp.contoso.com",
 *     sessionHosts: ["rdsh01.corp.contoso.com", "rdsh02.corp.contoso.com"],
 *     licenseServers: ["rdcb01.corp.contoso.com", "rdls02.corp.contoso.com"],
 *     collection: { name: "Desktops" },
 *     runAs,
 * });
 * new DeploymentLicensing("farm-licensing", {
 *     connection: azureLicenseServer.connection, broker: deployment.connectionBroker, runAs,
 *     mode: DeploymentLicensingMode.PerUser, licenseServers: deployment.licenseServers,
 * }, { dependsOn: [deployment] });
 * ```
 */
export class SessionDeployment extends DynamicResource {
    declare readonly connection: pulumi.Output<AzureRunCommandConnection | SshConnection>;
    declare readonly connectionBroker: pulumi.Output<string>;
    /** The asked session hosts the deployment and the collection hold (after refresh: live). */
    declare readonly sessionHosts: pulumi.Output<string[]>;
    declare readonly licenseServers: pulumi.Output<string[]>;
    declare readonly webAccessServer: pulumi.Output<string | undefined>;
    declare readonly collection: pulumi.Output<{ name: string; description?: string }>;
    /** What the last create or update ran, in order (`[]`: nothing was missing). */
    declare readonly actions: pulumi.Output<string[]>;
    /** Every server of the deployment with its role services (Get-RDServer). */
    declare readonly servers: pulumi.Output<{ name: string; roles: string[] }[]>;
    /** Session hosts in the deployment that `sessionHosts` does not list (left in place). */
    declare readonly unlistedSessionHosts: pulumi.Output<string[]>;
    /** License servers in the deployment that `licenseServers` does not list (left in place). */
    declare readonly unlistedLicenseServers: pulumi.Output<string[]>;

    constructor(name: string, args: SessionDeploymentArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            "sessionDeployment",
            { module: "rds", name: "SessionDeployment" },
            name,
            {
                ...args,
                licenseServers: args.licenseServers ?? [],
                removeUnlistedHosts: args.removeUnlistedHosts ?? false,
                runAs: args.runAs === undefined ? undefined : pulumi.secret(args.runAs),
                providerVersion: PROVIDER_VERSION,
                actions: undefined,
                servers: undefined,
                unlistedSessionHosts: undefined,
                unlistedLicenseServers: undefined,
            },
            { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "runAs"] },
        );
    }
}
