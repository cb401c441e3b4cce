/**
 * What DeploymentLicensing and HostLicensing share: both are licensing settings (a mode and license
 * servers in preference order) on one machine, the target (a deployment's Connection Broker, a
 * standalone session host), set and read back by one remote execution on it (../farm-registry.ts).
 * `read` returns the live settings as inputs, so `pulumi refresh` shows a mode or list changed by
 * hand as drift and `up` repairs it; `check` and `diff` never touch a machine; outputs that are not
 * inputs (the hosts' licensing) never count as a change.
 *
 * A resource kind is a {@link LicensingSettingsSpec}: the names of its target and instance inputs,
 * the operations that get and set its settings, and what else its outputs read in the same execution.
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { LicensingError, LicensingErrorKind } from "../licensing";
import { HostLicensingMode, type FarmOperation, type LicensingSettings } from "../licensing/farm";
import { diffParsed } from "./check";
import { connectionKey, connectionSchema, executorKey, type Connection } from "./connection";
import { runFarmOperations } from "./farm-registry";
import { progress } from "./progress";
import { gone, resourceSchema, type Raw } from "./resource-schema";
import { runAsSchema, toAzureRunAs, type AzureRunAs } from "./run-as";

/** The same list in the same order; a name's case is no change (Windows names are case-insensitive). */
export function sameServerList(a: readonly string[], b: readonly string[]): boolean {
    return a.length === b.length && a.every((n, i) => n.trim().toLowerCase() === b[i]!.trim().toLowerCase());
}

const uniqueNames = (names: string[]) => new Set(names.map((n) => n.trim().toLowerCase())).size === names.length;

/** What a target's execution gave: the live settings, and the outputs read with them. */
export interface LiveSettings {
    settings: LicensingSettings;
    outputs: Raw;
}

export interface LicensingSettingsSpec<T extends string, I extends string, Op extends FarmOperation> {
    /** The input naming the target machine (a computer name; the resource's ID; a change replaces). */
    target: T;
    /** The input saying which incarnation of the target the settings were set on (a change sets them again). */
    instance: I;
    /** Whose settings these are, in messages: "the deployment", "the session host". */
    noun: string;
    /** The outputs that are not inputs: never diffed, never read back as inputs, kept by a bookkeeping update. */
    outputs: readonly string[];
    /** The operation that reads the target's settings. */
    get: Op;
    /** The operation that sets them (and returns the read-back). */
    set(settings: LicensingSettings): Op;
    /** What a set does, for the progress line ("Set-RDLicenseConfiguration -Mode …"). */
    describe(settings: LicensingSettings): string;
    /**
     * Run `operation` (get or set) on the target in one execution, with whatever else the outputs
     * need, as `runAs` when given.
     */
    run(connection: Connection, target: string, operation: Op, runAs?: AzureRunAs): Promise<LiveSettings>;
    /**
     * The target's scripts need a domain identity (the RemoteDesktop cmdlets refuse SYSTEM): the
     * resource takes a secret `runAs` input, for azure-run-command connections.
     */
    takesRunAs?: boolean;
    /** Inputs the target cannot take although they fit the schema (checked by `check` only). */
    refuse?: { when(inputs: SettingsInputs): boolean; path: string; message: string };
}

/** The inputs every licensing settings resource has (plus its target's and instance's). */
export interface SettingsInputs {
    providerVersion: string;
    connection: Connection;
    mode: HostLicensingMode;
    licenseServers: string[];
    resetOnDelete: boolean;
    /** With {@link LicensingSettingsSpec.takesRunAs}: the identity the scripts run as (a secret). */
    runAs?: { user: string; password: string };
}

interface Parsed extends SettingsInputs {
    /** The inputs as parsed (defaults applied), under their own names. */
    bag: Raw;
    target: string;
    instance: string | undefined;
}

const sameIdentity = (a: SettingsInputs["runAs"], b: SettingsInputs["runAs"]) => a?.user === b?.user && a?.password === b?.password;

/** Only Run Command can run a script as another account; SSH logs on as its own user. */
const RUN_AS_AZURE_ONLY: NonNullable<LicensingSettingsSpec<string, string, FarmOperation>["refuse"]> = {
    when: (inputs) => inputs.runAs !== undefined && inputs.connection.kind !== "azure-run-command",
    path: "runAs",
    message:
        "runAs applies to azure-run-command connections only (managed Run Command's runAsUser / runAsPassword): over SSH the scripts run as the SSH user, on the simulator as nobody; remove runAs",
};

/** The settings NotConfigured: what resetOnDelete sets. */
const RESET: LicensingSettings = { mode: HostLicensingMode.NotConfigured, licenseServers: [] };

const isGone = (err: unknown) => err instanceof LicensingError && err.kind === LicensingErrorKind.NotFound;
const settingsOf = (inputs: SettingsInputs): LicensingSettings => ({ mode: inputs.mode, licenseServers: inputs.licenseServers.map((n) => n.trim()) });

/** The inputs' schemas: what a program may ask for, and what state and `read` may hold. */
export function licensingSettingsSchemas(names: { target: string; instance: string; noun: string; takesRunAs?: boolean }) {
    const base = z.object({
        providerVersion: z.string(),
        connection: connectionSchema,
        [names.target]: z.string().min(1),
        // A licensed target: PerUser or PerDevice, with at least one server.
        mode: z.enum([HostLicensingMode.PerUser, HostLicensingMode.PerDevice], {
            error: `mode must be PerUser or PerDevice (the license type of ${names.noun}'s CALs)`,
        }),
        licenseServers: z
            .array(z.string().trim().min(1))
            .min(1, "list at least one license server (in preference order)")
            .refine(uniqueNames, "a license server is listed twice"),
        resetOnDelete: z.boolean().default(false),
        [names.instance]: z.string().min(1).optional(),
    });
    const inputs = names.takesRunAs ? base.extend({ runAs: runAsSchema.optional() }) : base;
    // The live settings, whatever they are (NotConfigured, no server).
    const stored = inputs.extend({
        mode: z.enum(Object.values(HostLicensingMode) as [HostLicensingMode, ...HostLicensingMode[]]),
        licenseServers: z.array(z.string()),
    });
    return { inputs, stored };
}

/** The dynamic provider of a licensing settings resource kind. */
export function licensingSettingsProvider<T extends string, I extends string, Op extends FarmOperation>(spec: LicensingSettingsSpec<T, I, Op>) {
    const schemas = licensingSettingsSchemas(spec);
    const refusals = [...(spec.refuse ? [spec.refuse] : []), ...(spec.takesRunAs ? [RUN_AS_AZURE_ONLY] : [])];
    const checked = refusals.reduce<z.ZodType>(
        (schema, refuse) => schema.refine((v) => !refuse.when(v as unknown as SettingsInputs), { path: [refuse.path], message: refuse.message }),
        schemas.inputs,
    );
    const resource = resourceSchema(checked, spec.outputs);
    const stored = resourceSchema(schemas.stored, spec.outputs);

    const parse = (raw: Raw): Parsed => {
        const bag = stored.parse(raw) as Raw;
        return { ...(bag as unknown as SettingsInputs), bag, target: bag[spec.target] as string, instance: bag[spec.instance] as string | undefined };
    };

    const outputsFrom = (inputs: Parsed, live: LiveSettings): Raw => ({
        ...inputs.bag,
        mode: live.settings.mode,
        // As declared when the live list is the same one (the target may spell a name otherwise).
        licenseServers: sameServerList(inputs.licenseServers, live.settings.licenseServers) ? inputs.licenseServers : live.settings.licenseServers,
        ...live.outputs,
    });

    const apply = (inputs: Parsed): Promise<LiveSettings> => {
        const settings = settingsOf(inputs);
        progress(`${inputs.target}: ${spec.describe(settings)}`);
        return spec.run(inputs.connection, inputs.target, spec.set(settings), toAzureRunAs(inputs.runAs));
    };

    return {
        async check(_olds: Raw, news: Raw): Promise<pulumi.dynamic.CheckResult> {
            return resource.check(news);
        },

        async diff(_id: string, olds: Raw, news: Raw): Promise<pulumi.dynamic.DiffResult> {
            // `news` may be what `read` returned (refresh): the live settings, NotConfigured included.
            return diffParsed(parse, olds, news, (before, after) => {
                const replaces: string[] = [];
                if (connectionKey(before.connection) !== connectionKey(after.connection)) replaces.push("connection");
                if (before.target.toLowerCase() !== after.target.toLowerCase()) replaces.push(spec.target);
                const updates = [
                    ...(before.mode !== after.mode ? ["mode"] : []),
                    ...(!sameServerList(before.licenseServers, after.licenseServers) ? ["licenseServers"] : []),
                    ...(["providerVersion", "resetOnDelete"] as const).filter((k) => before[k] !== after[k]),
                    // Another identity (a rotated password): stored, used from the next execution on.
                    ...(!sameIdentity(before.runAs, after.runAs) ? ["runAs"] : []),
                    ...(before.instance !== after.instance ? [spec.instance] : []),
                    // Another spelling of the target's name: stored, nothing to run.
                    ...(replaces.length === 0 && before.target !== after.target ? [spec.target] : []),
                    // The same target reached otherwise (SSH user, host key pin): stored, so refresh and delete use it.
                    ...(replaces.length === 0 && executorKey(before.connection) !== executorKey(after.connection) ? ["connection"] : []),
                ];
                return { changes: replaces.length + updates.length > 0, replaces, deleteBeforeReplace: false };
            });
        },

        async create(raw: Raw): Promise<pulumi.dynamic.CreateResult> {
            const inputs = parse(raw);
            return { id: inputs.target, outs: outputsFrom(inputs, await apply(inputs)) };
        },

        async read(id: string, props: Raw): Promise<pulumi.dynamic.ReadResult> {
            const inputs = parse(props);
            let live: LiveSettings;
            try {
                live = await spec.run(inputs.connection, inputs.target, spec.get, toAzureRunAs(inputs.runAs));
            } catch (err) {
                // The target is gone (a deleted deployment, host or VM): so are its settings.
                if (isGone(err)) return gone();
                throw err;
            }
            const outs = outputsFrom(inputs, live);
            return { id, props: outs, inputs: stored.inputsOf(outs) };
        },

        async update(_id: string, olds: Raw, news: Raw): Promise<pulumi.dynamic.UpdateResult> {
            const inputs = parse(news);
            const before = parse(olds);
            const kept = Object.fromEntries(spec.outputs.map((f) => [f, olds[f]]));
            const unchanged =
                before.mode === inputs.mode &&
                sameServerList(before.licenseServers, inputs.licenseServers) &&
                before.instance === inputs.instance &&
                connectionKey(before.connection) === connectionKey(inputs.connection) &&
                Object.values(kept).every(Array.isArray);
            // Only bookkeeping changed (provider version, resetOnDelete, a name's spelling): nothing to run.
            if (unchanged) return { outs: { ...inputs.bag, ...kept } };
            if (before.instance !== undefined && before.instance !== inputs.instance) {
                progress(`${inputs.target}: ${spec.noun} was rebuilt; configuring its licensing again`);
            }
            return { outs: outputsFrom(inputs, await apply(inputs)) };
        },

        async delete(_id: string, props: Raw): Promise<void> {
            const inputs = parse(props);
            if (!inputs.resetOnDelete) {
                progress(`${inputs.target}: leaving ${spec.noun}'s licensing configuration as it is (resetOnDelete is false)`);
                return;
            }
            progress(`${inputs.target}: resetting ${spec.noun}'s licensing mode to NotConfigured (resetOnDelete)`);
            try {
                // The reset alone: nothing else is read, so nothing else can fail the delete.
                await runFarmOperations(inputs.connection, inputs.target, [spec.set(RESET)], toAzureRunAs(inputs.runAs));
            } catch (err) {
                if (isGone(err)) return;
                throw err;
            }
        },
    };
}
