/**
 * The SessionDeployment dynamic provider: an RDS session deployment (broker, session hosts, Web
 * Access, license servers, one session collection) on its Connection Broker, built and read back by
 * the scripts of drivers/powershell/session-deployment.ts, run as the domain identity `runAs`.
 *
 * - `check` and `diff` never touch a server; create, update and read are one remote execution each.
 * - `read` returns the live deployment as inputs: a host or license server gone from it, or the
 *   collection gone, shows as drift, and `up` adds it back; a deployment gone reads as gone.
 * - `diff`: another broker (machine or name) or another collection name replaces; hosts, license
 *   servers, Web Access, the description, the identity and `removeUnlistedHosts` are updates (the
 *   script adds what is missing). A host or license server dropped from the inputs is an update
 *   that removes nothing: it is reported in `unlistedSessionHosts` / `unlistedLicenseServers` (see
 *   the driver for why), unless `removeUnlistedHosts` asks for the hosts to be removed.
 * - `delete` leaves the deployment as it is and says so: the RemoteDesktop module has no cmdlet
 *   that removes a deployment, and taking it apart server by server would log every user off and
 *   still leave the broker's role in place. Tear the VMs down to remove it.
 */
import type * as pulumi from "@pulumi/pulumi";
import { LicensingError, LicensingErrorKind } from "../../licensing";
import { RdsRole, SessionDeploymentDriver, serversWithRole, type SessionDeploymentState } from "../../drivers/powershell/session-deployment";
import { diffParsed } from "../check";
import { connectionKey, executorKey } from "../connection";
import { progress } from "../progress";
import { gone, type Raw } from "../resource-schema";
import { brokerRunner, onBroker } from "./broker";
import { sessionDeploymentResource, sessionDeploymentStored, specOf, type SessionDeploymentInputs } from "./inputs";

const parse = (raw: Raw): SessionDeploymentInputs => sessionDeploymentStored.parse(raw);

const lower = (names: readonly string[]) => new Set(names.map((n) => n.toLowerCase()));
const sameSet = (a: readonly string[], b: readonly string[]) => {
    const left = lower(a);
    const right = lower(b);
    return left.size === right.size && [...left].every((n) => right.has(n));
};
const within = (names: readonly string[], live: readonly string[]) => {
    const present = lower(live);
    return names.filter((n) => present.has(n.toLowerCase()));
};
const outside = (live: readonly string[], names: readonly string[]) => {
    const asked = lower(names);
    return live.filter((n) => !asked.has(n.toLowerCase()));
};
const secretsOf = (inputs: SessionDeploymentInputs) => (inputs.runAs ? [inputs.runAs.password] : []);

/** Inputs as stored: what was given, defaults applied, nothing else. */
function bagOf(inputs: SessionDeploymentInputs): Raw {
    return { ...inputs };
}

/** `bag` (the inputs to store) with the outputs; what is unlisted is judged against the inputs `declared`. */
function outputsFrom(bag: SessionDeploymentInputs, declared: SessionDeploymentInputs, state: SessionDeploymentState, actions: readonly string[]): Raw {
    return {
        ...bagOf(bag),
        actions: [...actions],
        servers: state.servers,
        unlistedSessionHosts: outside(serversWithRole(state, RdsRole.SessionHost), declared.sessionHosts),
        unlistedLicenseServers: outside(serversWithRole(state, RdsRole.Licensing), declared.licenseServers),
    };
}

/**
 * The inputs the live deployment fulfils: the asked hosts that are in the deployment and the
 * collection, the asked license servers and Web Access server it holds, the collection's live
 * description (when managed). Whatever is missing drops out, so refresh shows it as a change.
 */
export function liveInputs(inputs: SessionDeploymentInputs, state: SessionDeploymentState): SessionDeploymentInputs {
    const members = state.collection?.sessionHosts ?? [];
    const hosts = serversWithRole(state, RdsRole.SessionHost);
    // Hosts to be removed that are still there are drift too: they show in the live list.
    const extra = inputs.removeUnlistedHosts ? outside(hosts, inputs.sessionHosts) : [];
    const live: SessionDeploymentInputs = {
        ...inputs,
        sessionHosts: [...within(within(inputs.sessionHosts, hosts), members), ...extra],
        licenseServers: within(inputs.licenseServers, serversWithRole(state, RdsRole.Licensing)),
        collection: { ...inputs.collection },
    };
    if (inputs.webAccessServer !== undefined && within([inputs.webAccessServer], serversWithRole(state, RdsRole.WebAccess)).length === 0) delete live.webAccessServer;
    if (inputs.collection.description !== undefined && state.collection) live.collection.description = state.collection.description;
    return live;
}

async function ensure(inputs: SessionDeploymentInputs): Promise<Raw> {
    const spec = specOf(inputs);
    progress(`${inputs.connectionBroker}: building the RDS deployment (${inputs.sessionHosts.length} session host(s), collection ${inputs.collection.name})`);
    const outcome = await onBroker(inputs.connection, inputs.connectionBroker, async () =>
        new SessionDeploymentDriver().ensure(await brokerRunner(inputs.connection, inputs.runAs), spec, secretsOf(inputs)),
    );
    for (const action of outcome.actions) progress(`${inputs.connectionBroker}: ${action}`);
    const outs = outputsFrom(inputs, inputs, outcome.state, outcome.actions);
    const unlisted = outs.unlistedSessionHosts as string[];
    if (unlisted.length > 0) progress(`${inputs.connectionBroker}: session host(s) ${unlisted.join(", ")} are in the deployment but not in sessionHosts; left in place (remove them by hand: Remove-RDSessionHost, then Remove-RDServer)`);
    return outs;
}

export const sessionDeploymentProvider = {
    async check(_olds: Raw, news: Raw): Promise<pulumi.dynamic.CheckResult> {
        return sessionDeploymentResource.check(news);
    },

    async diff(_id: string, olds: Raw, news: Raw): Promise<pulumi.dynamic.DiffResult> {
        return diffParsed(parse, olds, news, (before, after) => {
            const replaces = [
                ...(connectionKey(before.connection) !== connectionKey(after.connection) ? ["connection"] : []),
                ...(before.connectionBroker.toLowerCase() !== after.connectionBroker.toLowerCase() ? ["connectionBroker"] : []),
                // Another collection: a session host belongs to one only, so it is a new collection, not this one renamed.
                ...(before.collection.name.toLowerCase() !== after.collection.name.toLowerCase() ? ["collection"] : []),
            ];
            const updates = [
                ...(sameSet(before.sessionHosts, after.sessionHosts) ? [] : ["sessionHosts"]),
                ...(sameSet(before.licenseServers, after.licenseServers) ? [] : ["licenseServers"]),
                ...((before.webAccessServer ?? "").toLowerCase() !== (after.webAccessServer ?? "").toLowerCase() ? ["webAccessServer"] : []),
                ...(replaces.length === 0 && JSON.stringify(before.collection) !== JSON.stringify(after.collection) ? ["collection"] : []),
                ...(JSON.stringify(before.runAs ?? null) !== JSON.stringify(after.runAs ?? null) ? ["runAs"] : []),
                ...(["providerVersion", "removeUnlistedHosts"] as const).filter((k) => before[k] !== after[k]),
                // Another spelling of the broker's name, or the same machine reached otherwise: stored.
                ...(replaces.length === 0 && before.connectionBroker !== after.connectionBroker ? ["connectionBroker"] : []),
                ...(replaces.length === 0 && executorKey(before.connection) !== executorKey(after.connection) ? ["connection"] : []),
            ];
            return { changes: replaces.length + updates.length > 0, replaces, deleteBeforeReplace: false };
        });
    },

    async create(raw: Raw): Promise<pulumi.dynamic.CreateResult> {
        const inputs = parse(raw);
        return { id: inputs.connectionBroker, outs: await ensure(inputs) };
    },

    async read(id: string, props: Raw): Promise<pulumi.dynamic.ReadResult> {
        const inputs = parse(props);
        let state: SessionDeploymentState;
        try {
            state = await onBroker(inputs.connection, inputs.connectionBroker, async () =>
                new SessionDeploymentDriver().read(await brokerRunner(inputs.connection, inputs.runAs), specOf(inputs), secretsOf(inputs)),
            );
        } catch (err) {
            if (err instanceof LicensingError && err.kind === LicensingErrorKind.NotFound) return gone();
            throw err;
        }
        // `actions` stays what the last create or update ran: a read runs nothing.
        const outs = outputsFrom(liveInputs(inputs, state), inputs, state, Array.isArray(props.actions) ? (props.actions as string[]) : []);
        return { id, props: outs, inputs: sessionDeploymentStored.inputsOf(outs) };
    },

    async update(_id: string, _olds: Raw, news: Raw): Promise<pulumi.dynamic.UpdateResult> {
        // Whatever changed, the script adds what is missing and reads back: one execution.
        return { outs: await ensure(parse(news)) };
    },

    async delete(_id: string, props: Raw): Promise<void> {
        const inputs = parse(props);
        progress(
            `${inputs.connectionBroker}: leaving the RDS deployment and collection ${inputs.collection.name} in place: the RemoteDesktop module cannot remove a deployment, and removing its servers would log their users off; delete the VMs to remove it`,
        );
    },
};
