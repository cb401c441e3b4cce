/**
 * The DeploymentLicensing dynamic provider: an RDS deployment's licensing configuration (mode and
 * license servers in preference order, Set/Get-RDLicenseConfiguration on its Connection Broker) as
 * a resource. `read` returns the live settings as inputs, so `pulumi refresh` shows a changed mode or
 * list as drift and `up` repairs it. `check` and `diff` never touch a server; every other handler
 * makes exactly one remote execution on the broker (../farm-registry.ts).
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { LicensingError, LicensingErrorKind } from "../../licensing";
import { HostLicensingMode, type DeploymentLicensing, type LicensingSettings } from "../../licensing/farm";
import { diffKnown } from "../check";
import { connectionKey, connectionSchema, executorKey } from "../connection";
import { runFarmOperation } from "../farm-registry";
import { progress } from "../progress";
import { gone, resourceSchema, type Raw } from "../resource-schema";

const uniqueNames = (names: string[]) => new Set(names.map((n) => n.trim().toLowerCase())).size === names.length;

/** What a program may ask for: a licensed deployment (PerUser or PerDevice) with at least one server. */
export const deploymentLicensingInputsSchema = z.object({
    providerVersion: z.string(),
    connection: connectionSchema,
    broker: z.string().min(1),
    mode: z.enum([HostLicensingMode.PerUser, HostLicensingMode.PerDevice], {
        error: "mode must be PerUser or PerDevice (the deployment's CALs' license type)",
    }),
    licenseServers: z
        .array(z.string().trim().min(1))
        .min(1, "list at least one license server (in preference order)")
        .refine(uniqueNames, "a license server is listed twice"),
    resetOnDelete: z.boolean().default(false),
    deploymentInstance: z.string().min(1).optional(),
});

/** What state and `read` may hold: the live settings, whatever they are (NotConfigured, no server). */
const storedInputsSchema = deploymentLicensingInputsSchema.extend({
    mode: z.enum(Object.values(HostLicensingMode) as [HostLicensingMode, ...HostLicensingMode[]]),
    licenseServers: z.array(z.string()),
});
type Inputs = z.output<typeof storedInputsSchema>;

const OUTPUT_FIELDS = ["sessionHosts"];
const resource = resourceSchema(deploymentLicensingInputsSchema, OUTPUT_FIELDS);
const stored = resourceSchema(storedInputsSchema, OUTPUT_FIELDS);
const parse = (raw: Raw): Inputs => stored.parse(raw);

/** The same list in the same order; a name's case is no change (Windows names are case-insensitive). */
export function sameServerList(a: readonly string[], b: readonly string[]): boolean {
    return a.length === b.length && a.every((n, i) => n.trim().toLowerCase() === b[i]!.trim().toLowerCase());
}

const settingsOf = (inputs: Inputs): LicensingSettings => ({ mode: inputs.mode, licenseServers: inputs.licenseServers.map((n) => n.trim()) });
const isGone = (err: unknown) => err instanceof LicensingError && err.kind === LicensingErrorKind.NotFound;

function outputsFrom(inputs: Inputs, live: DeploymentLicensing) {
    return {
        ...stored.inputsOf(inputs as unknown as Raw),
        mode: live.mode,
        // As declared when the live list is the same one (the broker may spell a name otherwise).
        licenseServers: sameServerList(inputs.licenseServers, live.licenseServers) ? inputs.licenseServers : live.licenseServers,
        sessionHosts: live.sessionHosts,
    };
}

async function apply(inputs: Inputs): Promise<DeploymentLicensing> {
    const settings = settingsOf(inputs);
    progress(`${inputs.broker}: Set-RDLicenseConfiguration -Mode ${settings.mode} -LicenseServer ${settings.licenseServers.join(", ")}`);
    return runFarmOperation(inputs.connection, inputs.broker, { op: "set-deployment-licensing", ...settings });
}

export const deploymentLicensingProvider = {
    async check(_olds: Raw, news: Raw): Promise<pulumi.dynamic.CheckResult> {
        return resource.check(news);
    },

    async diff(_id: string, olds: Raw, news: Raw): Promise<pulumi.dynamic.DiffResult> {
        // `news` may be what `read` returned (refresh): the live settings, NotConfigured included.
        const before = parse(olds);
        return diffKnown(olds, news, (known) => {
            const after = parse(known);
            const replaces: string[] = [];
            if (connectionKey(before.connection) !== connectionKey(after.connection)) replaces.push("connection");
            if (before.broker.toLowerCase() !== after.broker.toLowerCase()) replaces.push("broker");
            const updates = [
                ...(before.mode !== after.mode ? ["mode"] : []),
                ...(!sameServerList(before.licenseServers, after.licenseServers) ? ["licenseServers"] : []),
                ...(["providerVersion", "resetOnDelete", "deploymentInstance", "broker"] as const).filter((k) => before[k] !== after[k]),
                // The same broker reached otherwise (SSH user, host key pin): stored, so refresh and delete use it.
                ...(replaces.length === 0 && executorKey(before.connection) !== executorKey(after.connection) ? ["connection"] : []),
            ];
            return { changes: replaces.length + updates.length > 0, replaces, deleteBeforeReplace: false };
        });
    },

    async create(raw: Raw): Promise<pulumi.dynamic.CreateResult> {
        const inputs = parse(raw);
        const live = await apply(inputs);
        return { id: inputs.broker, outs: outputsFrom(inputs, live) };
    },

    async read(id: string, props: Raw): Promise<pulumi.dynamic.ReadResult> {
        const inputs = parse(props);
        let live: DeploymentLicensing;
        try {
            live = await runFarmOperation(inputs.connection, inputs.broker, { op: "get-deployment-licensing" });
        } catch (err) {
            // No deployment on the broker any more (a deleted deployment or VM): so is its configuration.
            if (isGone(err)) return gone();
            throw err;
        }
        const outs = outputsFrom(inputs, live);
        const { sessionHosts: _hosts, ...liveInputs } = outs;
        return { id, props: outs, inputs: liveInputs };
    },

    async update(_id: string, olds: Raw, news: Raw): Promise<pulumi.dynamic.UpdateResult> {
        const inputs = parse(news);
        const before = parse(olds);
        const unchanged =
            before.mode === inputs.mode &&
            sameServerList(before.licenseServers, inputs.licenseServers) &&
            before.deploymentInstance === inputs.deploymentInstance &&
            connectionKey(before.connection) === connectionKey(inputs.connection) &&
            Array.isArray(olds.sessionHosts);
        // Only bookkeeping changed (provider version, resetOnDelete): nothing to run on the broker.
        if (unchanged) return { outs: { ...stored.inputsOf(inputs as unknown as Raw), sessionHosts: olds.sessionHosts } };
        if (before.deploymentInstance !== undefined && before.deploymentInstance !== inputs.deploymentInstance) {
            progress(`${inputs.broker}: the deployment was rebuilt; configuring its licensing again`);
        }
        return { outs: outputsFrom(inputs, await apply(inputs)) };
    },

    async delete(_id: string, props: Raw): Promise<void> {
        const inputs = parse(props);
        if (!inputs.resetOnDelete) {
            progress(`${inputs.broker}: leaving the deployment's licensing configuration as it is (resetOnDelete is false)`);
            return;
        }
        progress(`${inputs.broker}: resetting the deployment's licensing mode to NotConfigured (resetOnDelete)`);
        try {
            await runFarmOperation(inputs.connection, inputs.broker, { op: "set-deployment-licensing", mode: HostLicensingMode.NotConfigured, licenseServers: [] });
        } catch (err) {
            if (isGone(err)) return;
            throw err;
        }
    },
};
