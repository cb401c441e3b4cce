import * as pulumi from "@pulumi/pulumi";
import type { SessionHostLicensing } from "../src/licensing/farm";
import type { Connection } from "./connection";
import type { DeploymentLicensingMode } from "./deployment-licensing";
import { DynamicResource, PROVIDER_VERSION } from "./dynamic-resource";

export interface HostLicensingArgs {
    /**
     * How the provider reaches the session host: the simulator store holding it, or the host's VM
     * (Azure Run Command, SSH), where the licensing scripts run. Changing the machine it reaches
     * replaces the resource.
     * @example
     * ```ts
     * connection: { kind: "simulator", home: ".rdls-sim" }
     * ```
     */
    connection: pulumi.Input<Connection>;
    /**
     * Computer name of the standalone session host (one in no deployment: a deployment's hosts take
     * their licensing from it, see {@link DeploymentLicensing}); the resource's ID. Changing it
     * replaces the resource; another spelling of the same name does not.
     * @example
     * ```ts
     * host: sessionHost.name
     * ```
     */
    host: pulumi.Input<string>;
    /**
     * The host's licensing mode (`Win32_TerminalServiceSetting.ChangeMode`): `"PerUser"` or
     * `"PerDevice"` (the values of {@link DeploymentLicensingMode}), the license type of the CALs its
     * users need. A change is an in-place update; a mode changed by hand shows as drift on refresh.
     * @example
     * ```ts
     * mode: "PerDevice"
     * ```
     */
    mode: pulumi.Input<DeploymentLicensingMode>;
    /**
     * The license servers the host asks for CALs, in preference order
     * (`SetSpecifiedLicenseServerList`); at least one. A change (order included) is an in-place
     * update; a list changed by hand shows as drift on refresh.
     * @example Two license servers, the first preferred
     * ```ts
     * licenseServers: [primary.serverName, "rdls02.contoso.com"]
     * ```
     */
    licenseServers: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Set the host back to NotConfigured (no license server) when the resource is deleted. Off by
     * default: deleting the resource leaves a working host licensed as it was. Only the simulator can
     * do it: Windows has no ChangeMode code for "not configured", so `true` with an Azure or SSH
     * connection fails `preview`, naming this input.
     * @default false
     * @example Tearing down a rehearsal host
     * ```ts
     * resetOnDelete: true
     * ```
     */
    resetOnDelete?: pulumi.Input<boolean>;
    /**
     * Which incarnation of the host this configures: an ID that changes when it is rebuilt (a
     * {@link SimulatedSessionHost}'s `instanceId`, a VM's `vmId`). When it changes, the next `up`
     * sets the licensing again, without waiting for a refresh to show the new host unconfigured.
     * @default undefined (the host is never rebuilt under this resource)
     * @example
     * ```ts
     * hostInstance: sessionHost.instanceId
     * ```
     */
    hostInstance?: pulumi.Input<string>;
}

/**
 * A standalone session host's licensing: its mode and license servers in preference order, as
 * `Win32_TerminalServiceSetting` sets (`ChangeMode`, `SetSpecifiedLicenseServerList`) and reads them
 * on the host. `pulumi refresh` reads them back, so a mode or list changed by hand shows as drift
 * and the next `up` repairs it; a host that no longer exists reads as gone. Its ID is the host's
 * name. Each create, read and update (and a `resetOnDelete` delete) is one remote execution on the
 * host; preview makes none.
 *
 * A setting Group Policy makes (`PolicySourceLicensingType` / `PolicySourceConfiguredLicenseServers`
 * 1) cannot be changed on the host: `up` fails with the host's reason and changes nothing; change
 * the policy instead.
 *
 * Its `hosts` output has the shape of {@link DeploymentLicensing}'s (one element here), so health
 * checks and reports treat a standalone host and a deployment's hosts alike.
 *
 * @example A simulated host licensed per device
 * ```ts
 * const server = new SimulatedLicenseServer("server", { serverName: "RDLS01", windowsServerVersion: "2022" });
 * const activation = new LicenseServerActivation("activation", { connection, server: server.serverName, serverInstance: server.instanceId, contact });
 * const host = new SimulatedSessionHost("rdsh01", { name: "RDSH01", windowsServerVersion: "2019" });
 * new HostLicensing("rdsh01-licensing", {
 *     connection: host.home.apply((home) => ({ kind: "simulator" as const, home })),
 *     host: host.name, hostInstance: host.instanceId,
 *     mode: "PerDevice", licenseServers: [server.serverName],
 * }, { dependsOn: [activation] });
 * ```
 *
 * @example A session host VM on Azure
 * ```ts
 * new HostLicensing("rdsh01-licensing", {
 *     connection: { kind: "azure-run-command", subscriptionId, resourceGroupName: "rds", vmName: "rdsh01" },
 *     host: "rdsh01", mode: "PerUser", licenseServers: ["rdls01.contoso.com", "rdls02.contoso.com"],
 * });
 * ```
 */
export class HostLicensing extends DynamicResource {
    declare readonly connection: pulumi.Output<Connection>;
    declare readonly host: pulumi.Output<string>;
    /** The live mode (after refresh: what the host says). */
    declare readonly mode: pulumi.Output<string>;
    /** The live license server list, in preference order (spelled as declared when it is the same list). */
    declare readonly licenseServers: pulumi.Output<string[]>;
    /**
     * What the host says about its licensing (one element: mode, servers, each server's connectivity,
     * grace days left, the settings Group Policy makes), read in the same execution. Never drift.
     */
    declare readonly hosts: pulumi.Output<SessionHostLicensing[]>;

    constructor(name: string, args: HostLicensingArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            "hostLicensing",
            { module: "licensing", name: "HostLicensing" },
            name,
            {
                ...args,
                resetOnDelete: args.resetOnDelete ?? false,
                providerVersion: PROVIDER_VERSION,
                hosts: undefined,
            },
            opts,
        );
    }
}
