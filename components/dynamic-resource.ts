import * as pulumi from "@pulumi/pulumi";
import { dynamicTypeToken, type DynamicResourceType } from "../src/licensing/resource-types";
import type { ProviderKind } from "../src/providers/runtime";

/**
 * An input of every resource. Bump it when the providers' outputs or state shape change: the changed
 * input makes the next `up` run each resource's `update`, which writes its outputs anew. (The code is
 * never stale: the stored provider module loads the installed `rds-licensing`, see
 * `providerModuleSource`.)
 */
export const PROVIDER_VERSION = "1";

/**
 * The code the engine's dynamic provider host runs for a resource of `kind`: a CommonJS module whose
 * `handler()` returns the provider, loaded by package name from the project folder (in users'
 * projects `rds-licensing` is in node_modules; in this repository `tools/run.mjs` links it there).
 * It holds no secret and no closure, so it is the same short text in every resource's state.
 */
export function providerModuleSource(kind: ProviderKind): string {
    return `exports.handler = function () { return require("rds-licensing/provider").providers[${JSON.stringify(kind)}]; };\n`;
}

/**
 * A dynamic resource whose provider is named, not serialized. It is what `pulumi.dynamic.Resource`
 * registers (type `pulumi-nodejs:dynamic/<module>:<Type>`, the provider's code in the `__provider`
 * input, run by the same `pulumi-nodejs` provider host), minus the closure serialization:
 * `pulumi.dynamic.Resource` serializes its provider object with the SDK's closure serializer (a V8
 * inspector session and a TypeScript parse, ~0.4 s before the first resource can register, see
 * docs/performance.md), only to produce the few lines `providerModuleSource` writes directly.
 */
export abstract class DynamicResource extends pulumi.CustomResource {
    protected constructor(
        kind: ProviderKind,
        /** One of the catalog's dynamic resources (src/licensing/resource-types.ts). */
        type: DynamicResourceType,
        name: string,
        props: pulumi.Inputs,
        opts?: pulumi.CustomResourceOptions,
    ) {
        super(dynamicTypeToken(type), name, { ...props, __provider: providerModuleSource(kind) }, opts);
    }
}
