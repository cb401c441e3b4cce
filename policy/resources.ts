/**
 * Reading the resources a policy is handed: values that may be unknown during preview, the names a
 * person recognises, the Windows Server versions resources state, the license server a resource
 * targets. Shared by the rules of rules.ts and farm.ts.
 */
import type { PolicyResource } from "@pulumi/policy";
import { PRODUCT_VERSIONS, type ProductVersion } from "../src/licensing/codes";

/**
 * Read a property that may be unknown during preview: the framework's proxy throws on unknown values,
 * which would turn the whole policy into an advisory "can't run during preview". Unknown reads as
 * `undefined` here, and rules skip what they cannot know yet.
 */
export function known<T = unknown>(read: () => T): T | undefined {
    try {
        return read();
    } catch {
        return undefined;
    }
}

/** The resource name a person recognises: `rds-ea-users` → `ea-users` under component `rds`. */
export function displayName(resource: { name: string; parent?: { name: string } }): string {
    const prefix = resource.parent ? `${resource.parent.name}-` : "";
    return prefix && resource.name.startsWith(prefix) ? resource.name.slice(prefix.length) : resource.name;
}

/** A Windows Server version as a resource states it (`"2022"`, or the number 2022), else `undefined`. */
export function productVersionOf(value: unknown): ProductVersion | undefined {
    const text = typeof value === "number" ? String(value) : value;
    return typeof text === "string" && (PRODUCT_VERSIONS as readonly string[]).includes(text) ? (text as ProductVersion) : undefined;
}

/**
 * The license server a resource with a `server` input (a CAL key pack, an activation) goes to: through
 * that input's dependency, its dependencies, its name, or the only server.
 */
export function serverOfPack(pack: PolicyResource, servers: PolicyResource[]): PolicyResource | undefined {
    const viaProperty = (pack.propertyDependencies?.server ?? []).find((r) => servers.includes(r));
    if (viaProperty) return viaProperty;
    const viaDependency = (pack.dependencies ?? []).filter((r) => servers.includes(r));
    if (viaDependency.length === 1) return viaDependency[0];
    const name = known(() => pack.props.server);
    if (typeof name === "string") {
        const byName = servers.filter((s) => {
            const serverName = known(() => s.props.serverName ?? s.props.computerName ?? s.props.name);
            return typeof serverName === "string" && serverName.toLowerCase() === name.toLowerCase();
        });
        if (byName.length === 1) return byName[0];
    }
    return servers.length === 1 ? servers[0] : undefined;
}
