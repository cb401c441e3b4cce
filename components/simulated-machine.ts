import * as pulumi from "@pulumi/pulumi";
import { PROVIDER_VERSION } from "./dynamic-resource";

/**
 * The inputs of a resource that creates machines in the simulator store (a license server, a
 * deployment, a session host): the default store, `adoptExisting`, its owner marker
 * (`<project>/<stack>/<resource name>`) and its ownership outputs. The same for all three, as their
 * providers read them (src/providers/simulated-machine.ts).
 */
export function simulatedMachineProps<A extends { home?: pulumi.Input<string>; adoptExisting?: pulumi.Input<boolean> }>(name: string, args: A): pulumi.Inputs {
    return {
        home: ".rdls-sim",
        ...args,
        adoptExisting: args.adoptExisting ?? false,
        owner: `${pulumi.getProject()}/${pulumi.getStack()}/${name}`,
        created: undefined,
        instanceId: undefined,
        providerVersion: PROVIDER_VERSION,
    };
}

/**
 * A replacement is the same name in the same store: the old one must go first (the resource option
 * says it because `--replace` does not ask the provider's diff).
 */
export const simulatedMachineOptions = (opts?: pulumi.CustomResourceOptions): pulumi.CustomResourceOptions => ({ deleteBeforeReplace: true, ...opts });
