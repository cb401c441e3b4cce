/**
 * The resources the provider plugin serves: each is a dynamic resource of the catalog
 * (src/licensing/resource-types.ts), dispatched to its dynamic provider's handlers as they are. An
 * entry says what the handlers need beyond the schema's inputs (the inputs the TypeScript component
 * sets itself: provider version, state keys derived from the resource's name), which outputs are
 * always secrets, and where the library documents the properties.
 */
import type { z } from "zod";
import { PROVIDER_VERSION } from "../../components/dynamic-resource";
import { PLUGIN_RESOURCE_TYPES } from "../licensing/resource-types";
import { SECRET_NUMBER_FIELDS } from "../licensing/programs";
import { activationInputsSchema } from "../providers/activation/handlers";
import { calKeyPackInputsSchema, OUTPUT_FIELDS as CAL_KEY_PACK_OUTPUTS } from "../providers/cal-key-pack/inputs";
import { licensingSettingsSchemas } from "../providers/licensing-settings";
import { ROLE_INSTALLATION_OUTPUTS, roleInstallationInputsSchema } from "../providers/role-installation/inputs";
import type { ProviderKind } from "../providers/runtime";
import { SESSION_DEPLOYMENT_OUTPUTS, sessionDeploymentInputsSchema } from "../providers/session-deployment/inputs";
import { OWNERSHIP_OUTPUTS } from "../providers/simulated-machine";
import { simulatedDeploymentInputsSchema } from "../providers/simulated-deployment/handlers";
import { inputsSchema as simulatedServerInputsSchema } from "../providers/simulated-server/handlers";
import { simulatedSessionHostInputsSchema } from "../providers/simulated-session-host/handlers";
import { numbersMissing, readAdopted, withProgramNumbers, withStandInNumbers } from "./cal-key-pack-import";
import type { Bag } from "./secrets";

/** What a resource's URN says: the handlers key their state by project, stack and name. */
export interface ResourceName {
    project: string;
    stack: string;
    name: string;
}

export interface PluginResource {
    kind: ProviderKind;
    /** The handler's input schema: the package schema's input properties derive from it (none: no program inputs). */
    inputs?: z.ZodType;
    /** Inputs the plugin sets (never in the schema), from the resource's name. */
    internal(name: ResourceName): Record<string, unknown>;
    /** Defaults the TypeScript component sets that the handler's schema does not (the schema shows them). */
    defaults?: Bag;
    /** Outputs beyond the inputs, as the handlers name them. */
    outputs: readonly string[];
    /** Inputs and outputs that are secrets whatever the program passed. */
    secrets: readonly string[];
    /** The library's documentation: the component's Args interface and its class (components/). */
    docs: { file: string; args?: string; class: string };
    /** `pulumi import` (see cal-key-pack-import.ts): resources whose live state the ID finds. */
    adoption?: Adoption;
}

export interface Adoption {
    /** Whether stored props are an imported state's (lacking what a server never reveals). */
    lacksUnrevealed(props: Bag): boolean;
    /** Read by ID: an import (stored = {}) or the refresh of an imported state; undefined when gone. */
    read(id: string, stored: Bag, internal: Bag): Promise<{ id: string; props: Bag; inputs: Bag } | undefined>;
    /** Old props with what they lack taken from the program's (diff, update). */
    withProgramValues(olds: Bag, news: Bag): Bag;
    /** Props for a delete, which only validates what they lack. */
    forDelete(props: Bag): Bag;
}

/** The simulator store a simulated machine's component defaults to (components/simulated-machine.ts). */
const DEFAULT_SIM_HOME = ".rdls-sim";

const versionOnly = () => ({ providerVersion: PROVIDER_VERSION });

/** A simulated machine's owner marker, as its component spells it: `<project>/<stack>/<resource name>`. */
const machineInternal = ({ project, stack, name }: ResourceName) => ({ providerVersion: PROVIDER_VERSION, owner: `${project}/${stack}/${name}` });

/** The plugin's resources, by provider kind: every dynamic resource of the catalog. */
export const PLUGIN_RESOURCES = {
    calKeyPack: {
        kind: "calKeyPack",
        inputs: calKeyPackInputsSchema,
        internal: ({ project, stack, name }) => ({ providerVersion: PROVIDER_VERSION, packKey: `${project}/${stack}/${name}` }),
        outputs: CAL_KEY_PACK_OUTPUTS,
        secrets: [...SECRET_NUMBER_FIELDS, "requestKeySecret"],
        docs: { file: "components/cal-key-pack.ts", args: "CalKeyPackArgs", class: "CalKeyPack" },
        adoption: { lacksUnrevealed: numbersMissing, read: readAdopted, withProgramValues: withProgramNumbers, forDelete: withStandInNumbers },
    },
    activation: {
        kind: "activation",
        inputs: activationInputsSchema,
        internal: versionOnly,
        outputs: ["activationStatus", "licenseServerId"],
        secrets: [],
        docs: { file: "components/license-server-activation.ts", args: "LicenseServerActivationArgs", class: "LicenseServerActivation" },
    },
    requestKeySecret: {
        kind: "requestKeySecret",
        internal: versionOnly,
        outputs: ["value"],
        secrets: ["value"],
        docs: { file: "components/request-key-secret.ts", class: "RequestKeySecret" },
    },
    simulatedServer: {
        kind: "simulatedServer",
        inputs: simulatedServerInputsSchema,
        internal: machineInternal,
        defaults: { home: DEFAULT_SIM_HOME },
        outputs: OWNERSHIP_OUTPUTS,
        secrets: [],
        docs: { file: "components/simulated-license-server.ts", args: "SimulatedLicenseServerArgs", class: "SimulatedLicenseServer" },
    },
    simulatedDeployment: {
        kind: "simulatedDeployment",
        inputs: simulatedDeploymentInputsSchema,
        internal: machineInternal,
        defaults: { home: DEFAULT_SIM_HOME, sessionHosts: [] },
        outputs: OWNERSHIP_OUTPUTS,
        secrets: [],
        docs: { file: "components/simulated-deployment.ts", args: "SimulatedDeploymentArgs", class: "SimulatedDeployment" },
    },
    simulatedSessionHost: {
        kind: "simulatedSessionHost",
        inputs: simulatedSessionHostInputsSchema,
        internal: machineInternal,
        defaults: { home: DEFAULT_SIM_HOME },
        outputs: OWNERSHIP_OUTPUTS,
        secrets: [],
        docs: { file: "components/simulated-session-host.ts", args: "SimulatedSessionHostArgs", class: "SimulatedSessionHost" },
    },
    deploymentLicensing: {
        kind: "deploymentLicensing",
        // The handler's own schema (src/providers/deployment-licensing/handlers.ts passes the same names).
        inputs: licensingSettingsSchemas({ target: "broker", instance: "deploymentInstance", noun: "the deployment", takesRunAs: true }).inputs,
        internal: versionOnly,
        outputs: ["sessionHosts", "hosts"],
        secrets: ["runAs"],
        docs: { file: "components/deployment-licensing.ts", args: "DeploymentLicensingArgs", class: "DeploymentLicensing" },
    },
    hostLicensing: {
        kind: "hostLicensing",
        inputs: licensingSettingsSchemas({ target: "host", instance: "hostInstance", noun: "the session host" }).inputs,
        internal: versionOnly,
        outputs: ["hosts"],
        secrets: [],
        docs: { file: "components/host-licensing.ts", args: "HostLicensingArgs", class: "HostLicensing" },
    },
    roleInstallation: {
        kind: "roleInstallation",
        inputs: roleInstallationInputsSchema,
        internal: versionOnly,
        outputs: ROLE_INSTALLATION_OUTPUTS,
        // No runAs: installing Windows features runs as SYSTEM (Run Command's default).
        secrets: [],
        docs: { file: "components/azure/roles-step.ts", args: "RoleInstallationArgs", class: "RoleInstallation" },
    },
    sessionDeployment: {
        kind: "sessionDeployment",
        inputs: sessionDeploymentInputsSchema,
        internal: versionOnly,
        outputs: SESSION_DEPLOYMENT_OUTPUTS,
        secrets: ["runAs"],
        docs: { file: "components/session-deployment.ts", args: "SessionDeploymentArgs", class: "SessionDeployment" },
    },
} satisfies Record<ProviderKind, PluginResource>;

export type PluginResourceKind = keyof typeof PLUGIN_RESOURCES;

/** The plugin resource of a type token, or undefined for a token the plugin does not serve. */
export function pluginResourceOf(token: string): PluginResource | undefined {
    const kind = (Object.keys(PLUGIN_RESOURCES) as PluginResourceKind[]).find((k) => PLUGIN_RESOURCE_TYPES[k] === token);
    return kind ? PLUGIN_RESOURCES[kind] : undefined;
}

/** `urn:pulumi:<stack>::<project>::<type>::<name>` → its parts (a parent's types may precede the type). */
export function parseUrn(urn: string): ResourceName & { type: string } {
    const parts = urn.split("::");
    if (parts.length < 4 || !parts[0].startsWith("urn:pulumi:")) throw new Error(`not a Pulumi URN: ${urn}`);
    const types = parts[2].split("$");
    return { stack: parts[0].slice("urn:pulumi:".length), project: parts[1], type: types[types.length - 1], name: parts.slice(3).join("::") };
}
