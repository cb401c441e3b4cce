import * as pulumi from "@pulumi/pulumi";
import type { ProductVersion } from "../src/licensing/codes";
import { DynamicResource } from "./dynamic-resource";
import { simulatedMachineOptions, simulatedMachineProps } from "./simulated-machine";

export interface SimulatedSessionHostArgs {
    /**
     * The simulator's store, relative to the Pulumi project folder: the same one as the license
     * servers the host is pointed at. Changing it replaces the host.
     * @default ".rdls-sim"
     * @example
     * ```ts
     * home: ".rdls-sim"
     * ```
     */
    home?: pulumi.Input<string>;
    /**
     * Computer name of the session host (1 to 63 letters, digits or inner hyphens), the resource's
     * ID. It must not be in the store already (unless `adoptExisting`), nor be a deployment's
     * Connection Broker. Changing it replaces the host; another spelling of the same name does not.
     * @example
     * ```ts
     * name: "RDSH01"
     * ```
     */
    name: pulumi.Input<string>;
    /**
     * Windows Server version the host runs: a CAL serves it only when its version is this or newer,
     * and a license server only when it runs this version or a newer one. A change rebuilds the host
     * in place, as a reinstalled VM: a new `instanceId`, a new 120-day grace period, licensing
     * NotConfigured until its {@link HostLicensing} (given the new `instanceId` as `hostInstance`)
     * sets it again in the same `up`.
     * @example
     * ```ts
     * windowsServerVersion: "2019"
     * ```
     */
    windowsServerVersion: pulumi.Input<ProductVersion>;
    /**
     * What to do when a session host of this name is already in the store, made by someone else
     * (another stack, an admin with `rds-licensing sim create-host`): with `false`, `up` fails and
     * names it and its creator; with `true`, this resource takes it as it is (`created` is false):
     * it never rebuilds nor deletes it. Only read on create.
     * @default false
     * @example Licensing a host an admin created by hand
     * ```ts
     * new SimulatedSessionHost("rdsh01", { name: "RDSH01", windowsServerVersion: "2022", adoptExisting: true });
     * ```
     */
    adoptExisting?: pulumi.Input<boolean>;
}

/**
 * A standalone RD Session Host in rdls-sim, the simulator target's stand-in for a session host VM
 * that belongs to no deployment: created in licensing mode NotConfigured (its 120-day grace period
 * starts), to be licensed by a {@link HostLicensing}. A host this resource creates is deleted with
 * it; one found already there is refused, or with `adoptExisting` managed and left in place. A host
 * that joined a deployment since is left in place on delete.
 *
 * The host keeps this resource's owner marker (`<project>/<stack>/<resource name>`, not a secret)
 * and an instance id, as {@link SimulatedDeployment} does: a `create` retried after an interruption
 * takes its own host back, and a host deleted and created again by someone else is no longer deleted
 * by this resource.
 *
 * @example A standalone host licensed per device by a simulated server
 * ```ts
 * const server = new SimulatedLicenseServer("server", { serverName: "RDLS01", windowsServerVersion: "2022" });
 * const activation = new LicenseServerActivation("activation", {
 *     connection: server.home.apply((home) => ({ kind: "simulator" as const, home })),
 *     server: server.serverName, serverInstance: server.instanceId, contact,
 * });
 * // ... and the server's per-device CalKeyPacks, each with { dependsOn: [activation] }
 * const host = new SimulatedSessionHost("rdsh01", { name: "RDSH01", windowsServerVersion: "2019" });
 * new HostLicensing("rdsh01-licensing", {
 *     connection: host.home.apply((home) => ({ kind: "simulator" as const, home })),
 *     host: host.name, hostInstance: host.instanceId,
 *     mode: "PerDevice", licenseServers: [server.serverName],
 * }, { dependsOn: [activation] });
 * ```
 */
export class SimulatedSessionHost extends DynamicResource {
    declare readonly home: pulumi.Output<string>;
    declare readonly name: pulumi.Output<string>;
    declare readonly windowsServerVersion: pulumi.Output<ProductVersion>;
    /** Whether this resource created the host, and so deletes it (false: adopted). */
    declare readonly created: pulumi.Output<boolean>;
    /** New each time the host is (re)created or rebuilt: give it to HostLicensing's `hostInstance`. */
    declare readonly instanceId: pulumi.Output<string>;

    constructor(name: string, args: SimulatedSessionHostArgs, opts?: pulumi.CustomResourceOptions) {
        super("simulatedSessionHost", { module: "simulator", name: "SimulatedSessionHost" }, name, simulatedMachineProps(name, args), simulatedMachineOptions(opts));
    }
}
