/**
 * The plugin's Pulumi package schema, generated: property types from the handlers' zod input
 * schemas (as JSON Schema), prose from the library's JSDoc (docs.ts) and the catalog's number
 * fields, secrets from the plugin's resource table, the version from package.json.
 */
import { z } from "zod";
import { NUMBER_FIELDS } from "../licensing/catalog";
import { PLUGIN_PACKAGE, PLUGIN_RESOURCE_TYPES } from "../licensing/resource-types";
import type { DocIndex, MemberDoc } from "./docs";
import { PLUGIN_RESOURCES, type PluginResource, type PluginResourceKind } from "./resources";

/** A Pulumi schema property (the subset this package uses). */
export interface SchemaProperty {
    type?: "string" | "integer" | "number" | "boolean" | "array" | "object";
    $ref?: string;
    items?: SchemaProperty;
    description?: string;
    default?: unknown;
    secret?: boolean;
}

interface ObjectType {
    type: "object";
    description: string;
    properties: Record<string, SchemaProperty>;
    required: string[];
}

export interface PackageSchema {
    name: string;
    version: string;
    displayName: string;
    description: string;
    keywords: string[];
    license: string;
    meta: { moduleFormat: string; supportPack: boolean };
    language: Record<string, Record<string, unknown>>;
    resources: Record<string, ObjectType & { inputProperties: Record<string, SchemaProperty>; requiredInputs: string[] }>;
    types: Record<string, ObjectType>;
}

/**
 * Package names of the generated SDKs (docs/plugin.md): not `rds-licensing`, the npm library's name.
 * The Go module path is local until the SDKs are published.
 */
export const SDK_LANGUAGES = {
    nodejs: { packageName: "@rds-licensing/sdk" },
    python: { packageName: "pulumi_rds_licensing" },
    go: { importBasePath: "rds-licensing.local/sdk/go/rdslicensing", rootPackageName: "rdslicensing" },
    csharp: { rootNamespace: "RdsLicensing" },
};

/** Files whose JSDoc documents the plugin's properties (the components' public API). */
export const DOC_FILES = [...new Set([...Object.values(PLUGIN_RESOURCES).map((r: PluginResource) => r.docs.file), "components/connection.ts"])];

/** Object-valued inputs become named types, documented by these interfaces (union members merged). */
const NAMED_TYPES: Record<string, { name: string; description: string; docs: string[] }> = {
    connection: {
        name: "Connection",
        description: "How the provider reaches a license server: `kind` says which, and which other properties apply. Never a credential.",
        docs: ["SimulatorConnection", "AzureRunCommandConnection", "SshConnection"],
    },
    contact: { name: "ActivationContact", description: "Contact information the Clearinghouse records at activation.", docs: ["ActivationContact"] },
    sessionHosts: { name: "SessionHostSpec", description: "A session host of a simulated deployment: its name and Windows Server version.", docs: ["SessionHostSpec"] },
    runAs: { name: "DomainAccount", description: "A domain account the scripts run as (Run Command's runAsUser / runAsPassword). Always a secret.", docs: ["DomainAccount"] },
    collection: { name: "SessionCollection", description: "The session collection the deployment's hosts serve.", docs: ["SessionCollectionArgs"] },
};

type Json = Record<string, any>;

const PULUMI_TYPES = new Set(["string", "integer", "number", "boolean"]);

/** What a JSON Schema constrains, in words: the description of a property the JSDoc leaves undocumented. */
function constraintsText(json: Json): string {
    if (json.const !== undefined) return `Always \`${json.const}\`.`;
    if (json.enum) return `One of ${json.enum.map((v: unknown) => `\`${v}\``).join(", ")}.`;
    const parts: string[] = [];
    if (json.minLength) parts.push(`at least ${json.minLength} character${json.minLength > 1 ? "s" : ""}`);
    if (json.minimum !== undefined && json.maximum !== undefined) parts.push(`${json.minimum} to ${json.maximum}`);
    if (json.format) parts.push(`format ${json.format}`);
    return parts.length ? `A ${json.type ?? "value"}: ${parts.join(", ")}.` : "";
}

function describe(name: string, json: Json, doc: MemberDoc | undefined): string {
    const number = (NUMBER_FIELDS as Record<string, { description: string; format: { expected: string } }>)[name];
    const prose = doc?.description || (number ? `The ${number.description} (${number.format.expected}). Always a secret.` : "");
    const extra = json.enum && !prose.includes(json.enum[0]) ? constraintsText(json) : "";
    const text = [prose || constraintsText(json) || `The \`${name}\` property.`, extra].filter(Boolean).join(" ");
    return doc?.default !== undefined ? `${text}\n@default ${doc.default}` : text;
}

class SchemaBuilder {
    readonly types: Record<string, ObjectType> = {};
    constructor(private readonly docs: DocIndex) {}

    private memberDocs(interfaces: readonly string[], member: string): MemberDoc | undefined {
        return interfaces.map((i) => this.docs.get(i)?.get(member)).find((d) => d?.description || d?.default !== undefined);
    }

    /** A named object type from an object, or a union of objects (merged; only common required stay required). */
    private namedType(property: string, json: Json): SchemaProperty {
        const named = NAMED_TYPES[property];
        if (!named) return { $ref: "pulumi.json#/Any" };
        const variants: Json[] = json.oneOf ?? json.anyOf ?? [json];
        const properties: Record<string, SchemaProperty> = {};
        for (const variant of variants) {
            for (const [name, sub] of Object.entries<Json>(variant.properties ?? {})) {
                const prop = this.property(name, sub, this.memberDocs(named.docs, name));
                const prior = properties[name];
                if (prior && sub.const !== undefined) prior.description = `One of ${[...(prior.description?.match(/`[^`]+`/g) ?? []), `\`${sub.const}\``].join(", ")}.`;
                else properties[name] ??= prop;
            }
        }
        const required = Object.keys(properties).filter((p) => variants.every((v) => (v.required ?? []).includes(p)));
        const token = `${PLUGIN_PACKAGE}:index:${named.name}`;
        // One type for every resource using it (RoleInstallation's connection is a subset of CalKeyPack's).
        const prior = this.types[token];
        this.types[token] = prior
            ? { ...prior, properties: { ...properties, ...prior.properties }, required: prior.required.filter((r) => required.includes(r)) }
            : { type: "object", description: named.description, properties, required };
        return { $ref: `#/types/${token}` };
    }

    property(name: string, json: Json, doc: MemberDoc | undefined): SchemaProperty {
        const description = describe(name, json, doc);
        const options: Json[] | undefined = json.oneOf ?? json.anyOf;
        let shape: SchemaProperty;
        if (json.type === "object" || options?.some((o) => o.type === "object")) shape = this.namedType(name, json);
        else if (options) shape = { type: options.every((o) => o.type === options[0].type) && PULUMI_TYPES.has(options[0].type) ? options[0].type : undefined };
        else if (json.type === "array") shape = { type: "array", items: this.property(name, json.items ?? {}, undefined) };
        else if (PULUMI_TYPES.has(json.type)) shape = { type: json.type };
        else shape = { $ref: "pulumi.json#/Any" };
        if (!shape.type && !shape.$ref) shape = { $ref: "pulumi.json#/Any" };
        // A Pulumi schema takes defaults of primitive properties only (an array's, e.g. `[]`, stays in the prose).
        const primitive = json.default !== undefined && json.default !== null && typeof json.default !== "object";
        return { ...shape, description, ...(primitive ? { default: json.default } : {}) };
    }
}

/** `pulumi.Output<T>` text of a declared output → its schema type. */
function outputShape(type: string | undefined): SchemaProperty {
    if (type === "number" || type === "string" || type === "boolean") return { type };
    if (type === "number[]" || type === "string[]") return { type: "array", items: { type: type.slice(0, -2) as "number" | "string" } };
    return { $ref: "pulumi.json#/Any" };
}

function resourceSchema(builder: SchemaBuilder, docs: DocIndex, resource: PluginResource) {
    const internal = new Set(Object.keys(resource.internal({ project: "p", stack: "s", name: "n" })));
    const json: Json = resource.inputs ? z.toJSONSchema(resource.inputs, { io: "input", unrepresentable: "any" }) : { properties: {} };
    const argsDocs = resource.docs.args ? docs.get(resource.docs.args) : undefined;
    const classDocs = docs.get(resource.docs.class);
    const secret = (name: string) => (resource.secrets.includes(name) ? { secret: true } : {});
    const defaults = resource.defaults ?? {};
    const inputProperties: Record<string, SchemaProperty> = {};
    for (const [name, sub] of Object.entries<Json>(json.properties ?? {})) {
        if (internal.has(name)) continue;
        const withDefault = name in defaults ? { ...sub, default: defaults[name] } : sub;
        inputProperties[name] = { ...builder.property(name, withDefault, argsDocs?.get(name) ?? classDocs?.get(name)), ...secret(name) };
    }
    const requiredInputs = (json.required ?? []).filter((n: string) => !internal.has(n) && !(n in defaults) && n in inputProperties);
    const properties: Record<string, SchemaProperty> = { ...inputProperties };
    for (const name of resource.outputs) {
        const doc = classDocs?.get(name);
        properties[name] = { ...outputShape(doc?.outputType), description: doc?.description || `The \`${name}\` the provider reports.`, ...secret(name) };
    }
    const optionalOutputs = new Set(["expirationDate", "appliedCount"]);
    const required = [...requiredInputs, ...resource.outputs.filter((n) => !optionalOutputs.has(n))];
    const description = `${resource.docs.class}: the same resource as the TypeScript library's \`${resource.docs.class}\` (see its API docs), served by the provider plugin.`;
    return { type: "object" as const, description, properties, required, inputProperties, requiredInputs };
}

/** The package schema of the plugin at `version`, documented from `docs` (readDocs of DOC_FILES). */
export function packageSchema(version: string, docs: DocIndex): PackageSchema {
    const builder = new SchemaBuilder(docs);
    const resources: PackageSchema["resources"] = {};
    for (const kind of Object.keys(PLUGIN_RESOURCES) as PluginResourceKind[]) {
        resources[PLUGIN_RESOURCE_TYPES[kind]] = resourceSchema(builder, docs, PLUGIN_RESOURCES[kind]);
    }
    return {
        name: PLUGIN_PACKAGE,
        version,
        displayName: "RDS Licensing",
        description: "Remote Desktop Services licensing as code: activate RD license servers and manage CAL key packs, offline against a simulator or on Azure.",
        keywords: ["pulumi", "rds", "rd-licensing", "category/utility", "kind/native"],
        license: "Apache-2.0",
        // supportPack: the SDKs carry their own package files (package.json, pyproject.toml, go.mod).
        meta: { moduleFormat: "(.*)", supportPack: true },
        language: SDK_LANGUAGES,
        resources,
        types: builder.types,
    };
}
