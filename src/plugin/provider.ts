/**
 * The provider plugin's provider: check / diff / create / read / update / delete of each
 * `rds-licensing:index:<Name>` resource, dispatched to the dynamic provider's handlers as they are
 * (src/providers/runtime.ts). The plugin adds only what the TypeScript component adds: the inputs it
 * sets itself (resources.ts) and the secret wrapping the dynamic provider host leaves to the engine.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as provider from "@pulumi/pulumi/provider";
import { providers } from "../providers/runtime";
import { coerceToSchema } from "./coerce";
import { unwrapBag, wrapBag, type Bag } from "./secrets";
import { parseUrn, pluginResourceOf, type PluginResource } from "./resources";

/** The handlers' shape (each provider of the table implements all six). */
interface Handlers {
    check(olds: Bag, news: Bag): Promise<pulumi.dynamic.CheckResult>;
    diff(id: string, olds: Bag, news: Bag): Promise<pulumi.dynamic.DiffResult>;
    create(inputs: Bag): Promise<pulumi.dynamic.CreateResult>;
    read(id: string, props: Bag): Promise<pulumi.dynamic.ReadResult>;
    update(id: string, olds: Bag, news: Bag): Promise<pulumi.dynamic.UpdateResult>;
    delete(id: string, props: Bag): Promise<void>;
}

function resolve(urn: string): { resource: PluginResource; handlers: Handlers } {
    const { type } = parseUrn(urn);
    const resource = pluginResourceOf(type);
    if (!resource) throw new Error(`rds-licensing: unknown resource type ${type}; see the package schema for the types this plugin serves`);
    return { resource, handlers: providers[resource.kind] as unknown as Handlers };
}

const sameBag = (bag: Bag) => bag;
/** A resource's adoption hooks, or ones that change nothing. */
const adopted = (resource: PluginResource) => resource.adoption ?? { withProgramValues: sameBag, forDelete: sameBag };

/** The properties to keep secret in what goes back to the engine: what came in secret, and the always-secret ones. */
const secretNames = (resource: PluginResource, ...came: Set<string>[]) => new Set([...resource.secrets, ...came.flatMap((s) => [...s])]);

export function pluginProvider(version: string, schema: () => Promise<string>): provider.Provider {
    return {
        version,
        getSchema: schema,

        async check(urn, olds, news) {
            const { resource, handlers } = resolve(urn);
            const given = unwrapBag(news);
            const inputs = { ...resource.defaults, ...coerceToSchema(resource.inputs, given.plain), ...resource.internal(parseUrn(urn)) };
            const result = await handlers.check(unwrapBag(olds).plain, inputs);
            if (result.failures?.length) return { failures: result.failures };
            return { inputs: wrapBag(result.inputs ?? inputs, secretNames(resource, given.secrets)) };
        },

        async diff(id, urn, olds, news) {
            const { resource, handlers } = resolve(urn);
            const after = unwrapBag(news).plain;
            return handlers.diff(id, adopted(resource).withProgramValues(unwrapBag(olds).plain, after), after);
        },

        async create(urn, inputs) {
            const { resource, handlers } = resolve(urn);
            const given = unwrapBag(inputs);
            const result = await handlers.create(given.plain);
            return { id: result.id, outs: wrapBag(result.outs ?? {}, secretNames(resource, given.secrets)) };
        },

        async read(id, urn, props) {
            const { resource, handlers } = resolve(urn);
            const stored = unwrapBag(props);
            const names = secretNames(resource, stored.secrets);
            const adoption = resource.adoption;
            if (adoption && (stored.plain.connection === undefined || adoption.lacksUnrevealed(stored.plain))) {
                // An import (only the ID is known) or an imported state (see cal-key-pack-import.ts).
                const found = await adoption.read(id, stored.plain, resource.internal(parseUrn(urn)));
                if (!found) return { id: "", props: {} };
                return { id: found.id, props: wrapBag(found.props, names), inputs: wrapBag(found.inputs, names) };
            }
            const result = await handlers.read(id, stored.plain);
            if (!result.id) return { id: "", props: {} };
            return { id: result.id, props: wrapBag(result.props ?? {}, names), ...(result.inputs ? { inputs: wrapBag(result.inputs, names) } : {}) };
        },

        async update(id, urn, olds, news) {
            const { resource, handlers } = resolve(urn);
            const before = unwrapBag(olds);
            const after = unwrapBag(news);
            const result = await handlers.update(id, adopted(resource).withProgramValues(before.plain, after.plain), after.plain);
            return { outs: wrapBag(result.outs ?? {}, secretNames(resource, before.secrets, after.secrets)) };
        },

        async delete(id, urn, props) {
            const { resource, handlers } = resolve(urn);
            await handlers.delete(id, adopted(resource).forDelete(unwrapBag(props).plain));
        },
    };
}
