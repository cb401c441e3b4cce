import * as pulumi from "@pulumi/pulumi";
import type { ProductVersion } from "../src/licensing/codes";
import { DynamicResource, PROVIDER_VERSION } from "./dynamic-resource";

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
}

/**
 * A license server in rdls-sim, created and deleted with the stack: the simulator target's stand-in
 * for the Azure VM. Deleting it deletes the simulated server and everything on it.
 */
export class SimulatedLicenseServer extends DynamicResource {
    declare readonly serverName: pulumi.Output<string>;
    declare readonly windowsServerVersion: pulumi.Output<string>;
    declare readonly home: pulumi.Output<string>;

    constructor(name: string, args: SimulatedLicenseServerArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            "simulatedServer",
            { module: "simulator", name: "SimulatedLicenseServer" },
            name,
            { home: ".rdls-sim", ...args, providerVersion: PROVIDER_VERSION },
            opts,
        );
    }
}
