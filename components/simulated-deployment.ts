import * as pulumi from "@pulumi/pulumi";
import type { ProductVersion } from "../src/licensing/codes";
import { DynamicResource } from "./dynamic-resource";
import { simulatedMachineOptions, simulatedMachineProps } from "./simulated-machine";

/**
 * A session host of a {@link SimulatedDeployment}, as declared in its `sessionHosts` (a standalone
 * host is a {@link SimulatedSessionHost} resource).
 */
export interface SessionHostSpec {
    /** Computer name of the session host (1 to 63 letters, digits or inner hyphens). */
    name: string;
    /** Windows Server version the host runs: a CAL serves it only when its version is this or newer. */
    windowsServerVersion: ProductVersion;
}

export interface SimulatedDeploymentArgs {
    /**
     * The simulator's store, relative to the Pulumi project folder: the same one as the license
     * servers the deployment is pointed at.
     * @default ".rdls-sim"
     */
    home?: pulumi.Input<string>;
    /**
     * Computer name of the RD Connection Broker: the deployment's name, where its licensing
     * configuration is set and read. Changing it replaces the deployment.
     * @example
     * ```ts
     * broker: "RDCB01"
     * ```
     */
    broker: pulumi.Input<string>;
    /**
     * The deployment's session hosts. Adding, removing or changing a host's version is an in-place
     * update: a new host gets the deployment's licensing, a removed one is deleted, a host of another
     * version is rebuilt (its grace period starts again). A host's name must not be in the store already.
     * @default []
     * @example Two hosts of different versions
     * ```ts
     * sessionHosts: [
     *     { name: "RDSH01", windowsServerVersion: "2019" },
     *     { name: "RDSH02", windowsServerVersion: "2022" },
     * ]
     * ```
     */
    sessionHosts?: pulumi.Input<pulumi.Input<SessionHostSpec>[]>;
    /**
     * What to do when a deployment of this broker is already in the store, made by someone else: with
     * `false`, `up` fails and names it and its creator; with `true`, this resource takes it as it is
     * (its hosts are not changed, `created` is false) and never deletes it. Only read on create.
     * @default false
     * @example Pointing a second stack's licensing at an existing deployment
     * ```ts
     * new SimulatedDeployment("shared", { broker: "RDCB01", adoptExisting: true });
     * ```
     */
    adoptExisting?: pulumi.Input<boolean>;
}

/**
 * An RDS deployment in rdls-sim, the simulator target's stand-in for the broker and session host
 * VMs and the deployment on them: a Connection Broker and its session hosts, created in licensing
 * mode NotConfigured (each host's 120-day grace period starts). A deployment this resource creates is
 * deleted with it, with the hosts it created; one found already there is refused, or with
 * `adoptExisting` managed and left in place.
 *
 * The deployment and its hosts keep this resource's owner marker (`<project>/<stack>/<resource
 * name>`, not a secret) and the deployment an instance id, as {@link SimulatedLicenseServer} does.
 *
 * @example A deployment licensed by a simulated server, once the server is activated
 * ```ts
 * const server = new SimulatedLicenseServer("server", { serverName: "RDLS01", windowsServerVersion: "2022" });
 * const activation = new LicenseServerActivation("activation", {
 *     connection: server.home.apply((home) => ({ kind: "simulator" as const, home })),
 *     server: server.serverName, serverInstance: server.instanceId, contact,
 * });
 * // ... and the server's per-user CalKeyPacks, each with { dependsOn: [activation] }
 * const deployment = new SimulatedDeployment("farm", {
 *     broker: "RDCB01",
 *     sessionHosts: [{ name: "RDSH01", windowsServerVersion: "2019" }, { name: "RDSH02", windowsServerVersion: "2022" }],
 * });
 * new DeploymentLicensing("farm-licensing", {
 *     connection: deployment.home.apply((home) => ({ kind: "simulator" as const, home })),
 *     broker: deployment.broker, deploymentInstance: deployment.instanceId,
 *     mode: DeploymentLicensingMode.PerUser, licenseServers: [server.serverName],
 * }, { dependsOn: [activation] });
 * ```
 */
export class SimulatedDeployment extends DynamicResource {
    declare readonly home: pulumi.Output<string>;
    declare readonly broker: pulumi.Output<string>;
    declare readonly sessionHosts: pulumi.Output<SessionHostSpec[]>;
    /** Whether this resource created the deployment, and so deletes it (false: adopted). */
    declare readonly created: pulumi.Output<boolean>;
    /** New each time the deployment is (re)created: give it to DeploymentLicensing's `deploymentInstance`. */
    declare readonly instanceId: pulumi.Output<string>;

    constructor(name: string, args: SimulatedDeploymentArgs, opts?: pulumi.CustomResourceOptions) {
        const props = simulatedMachineProps(name, { ...args, sessionHosts: args.sessionHosts ?? [] });
        super("simulatedDeployment", { module: "simulator", name: "SimulatedDeployment" }, name, props, simulatedMachineOptions(opts));
    }
}
