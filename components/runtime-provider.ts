import type * as pulumi from "@pulumi/pulumi";
import type { ProviderKind } from "../src/providers/runtime";

/**
 * Bump when the providers' behaviour changes: the engine runs refresh and delete with the provider
 * code stored at the last update, and a changed input is what makes it store the new code.
 */
export const PROVIDER_VERSION = "1";

/**
 * A dynamic provider that holds nothing but its kind. The engine serializes the provider object into
 * state and runs it in its own process; serializing the real handlers would drag our modules (and
 * zod) into every resource's state. Each method instead loads the handlers by package name, resolved
 * from the project folder: in users' projects `rds-licensing` is in node_modules; in this repository
 * `tools/run.mjs` links it there.
 */
export function runtimeProvider(kind: ProviderKind): pulumi.dynamic.ResourceProvider {
    // One object per kind: the SDK caches a provider's serialization by object identity, and
    // serializing a closure costs tens of milliseconds (50 packs would pay it 50 times).
    let provider = providers.get(kind);
    if (!provider) {
        provider = makeProvider(kind);
        providers.set(kind, provider);
    }
    return provider;
}

const providers = new Map<ProviderKind, pulumi.dynamic.ResourceProvider>();

function makeProvider(kind: ProviderKind): pulumi.dynamic.ResourceProvider {
    const load = () => require("rds-licensing/provider").providers[kind];
    return {
        check: (olds, news) => load().check(olds, news),
        diff: (id, olds, news) => load().diff(id, olds, news),
        create: (inputs) => load().create(inputs),
        read: (id, props) => load().read(id, props),
        update: (id, olds, news) => load().update(id, olds, news),
        delete: (id, props) => load().delete(id, props),
    };
}
