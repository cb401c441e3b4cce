import * as pulumi from "@pulumi/pulumi";
import type { ProductVersion } from "../src/licensing/codes";
import { DynamicResource } from "./dynamic-resource";
import { simulatedMachineOptions, simulatedMachineProps } from "./simulated-machine";

export interface SimulatedLicenseServerArgs {
    /**
     * The simulator's store, relative to the Pulumi project folder.
     * @default ".rdls-sim"
     */
    home?: pulumi.Input<string>;
    /** Computer name of the simulated server. */
    serverName: pulumi.Input<string>;
    /** Windows Server version the simulated license server runs. */
    windowsServerVersion: pulumi.Input<ProductVersion>;
    /**
     * What to do when a server of this name is already in the store, made by someone else (another
     * stack, an admin with `rdls-sim create-server`): with `false`, `up` fails and names the server
     * and its creator; with `true`, this resource manages the existing server but never deletes it
     * (`created` is false). Only read when the resource is created: it never hands over a server this
     * resource created.
     * @default false
     * @example Two stacks sharing one simulated server
     * ```ts
     * // The stack that made RDLS01 owns it; this one installs its packs there and leaves it on destroy.
     * new SimulatedLicenseServer("shared", { serverName: "RDLS01", windowsServerVersion: "2022", adoptExisting: true });
     * ```
     */
    adoptExisting?: pulumi.Input<boolean>;
}

/**
 * A license server in rdls-sim, the simulator target's stand-in for the Azure VM. A server this
 * resource creates is deleted with it, with everything on it; a server it found already there is
 * refused, or with `adoptExisting` managed and left in place on delete.
 *
 * The server record keeps this resource's owner marker (`<project>/<stack>/<resource name>`, not a
 * secret): a `create` retried after an interruption finds its own server and takes it over as created
 * by itself. Two stacks in different backends with the same project and stack names look alike to it.
 *
 * @example A server per stack: the server, its activation, then its packs
 * ```ts
 * const config = new pulumi.Config();
 * const server = new SimulatedLicenseServer("server", { serverName: "RDLS01", windowsServerVersion: "2022" });
 * const connection = server.home.apply((home) => ({ kind: "simulator" as const, home }));
 * const activation = new LicenseServerActivation("activation", {
 *     connection, server: server.serverName, serverInstance: server.instanceId, contact,
 * });
 * new CalKeyPack("ea-users", {
 *     connection, server: server.serverName, serverInstance: server.instanceId,
 *     program: "enterprise-agreement", agreementNumber: config.requireSecret("eaNumber"),
 *     productVersion: "2022", licenseType: "per-user", count: 50,
 * }, { dependsOn: [activation] });   // a pack installs only on an activated server
 * ```
 */
export class SimulatedLicenseServer extends DynamicResource {
    declare readonly serverName: pulumi.Output<string>;
    declare readonly windowsServerVersion: pulumi.Output<string>;
    declare readonly home: pulumi.Output<string>;
    /** Whether this resource created the server, and so deletes it on delete (false: adopted). */
    declare readonly created: pulumi.Output<boolean>;
    /**
     * Which incarnation of the server this is: new each time the server is (re)created, so a changed
     * value after `refresh` means the server was deleted and created again. For servers created
     * before instance ids existed, `legacy-<createdAt>`.
     */
    declare readonly instanceId: pulumi.Output<string>;

    constructor(name: string, args: SimulatedLicenseServerArgs, opts?: pulumi.CustomResourceOptions) {
        super("simulatedServer", { module: "simulator", name: "SimulatedLicenseServer" }, name, simulatedMachineProps(name, args), simulatedMachineOptions(opts));
    }
}

