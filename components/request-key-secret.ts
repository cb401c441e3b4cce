import * as pulumi from "@pulumi/pulumi";
import { DynamicResource, PROVIDER_VERSION } from "./dynamic-resource";

/**
 * A random secret made once and kept encrypted in the stack's state. Every install a
 * {@link CalKeyPack} makes carries an idempotency key (so a retried install after a crash returns
 * the pack the first attempt made); the key is an HMAC under this secret, so what the license
 * server (or rdls-sim) stores cannot be brute-forced back into an agreement number or license code
 * without the stack's secrets. {@link RdsLicensing} makes one for all its packs; a `CalKeyPack`
 * given none makes its own (`<name>-request-key`).
 *
 * @example One secret for several packs (each after the server's activation, as any pack)
 * ```ts
 * const keys = new RequestKeySecret("licensing-request-key");
 * new CalKeyPack("ea-users", { ...eaArgs, requestKeySecret: keys.value }, { dependsOn: [activation] });
 * new CalKeyPack("ea-devices", { ...eaDeviceArgs, requestKeySecret: keys.value }, { dependsOn: [activation] });
 * ```
 */
export class RequestKeySecret extends DynamicResource {
    /** 64 hex characters; a secret output. */
    declare readonly value: pulumi.Output<string>;

    constructor(name: string, opts?: pulumi.CustomResourceOptions) {
        super(
            "requestKeySecret",
            { module: "licensing", name: "RequestKeySecret" },
            name,
            { providerVersion: PROVIDER_VERSION, value: undefined },
            { ...opts, additionalSecretOutputs: ["value"] },
        );
    }
}
