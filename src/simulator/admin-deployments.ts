/**
 * Provisioning RDS deployments and standalone session hosts in rdls-sim, the simulator target's
 * stand-in for building the broker and session host VMs and the deployment on them (what
 * SimulatedDeployment and SimulatedSessionHost call). Like provisionServer for license servers:
 * records carry their creator's owner marker (`<project>/<stack>/<resource name>`) and an instance
 * id, so only the resource that created a deployment or host (that incarnation of it) deletes it,
 * and a deployment only the hosts it created with it.
 *
 * The marker is kept as extra fields of the deployment's and the hosts' files (the farm parsers keep
 * unknown fields, and every writer writes back what it read). Admin actions, not remote executions:
 * nothing here is counted or pays latency. Everything runs in one store transaction per call.
 */
import { randomUUID } from "node:crypto";
import { PRODUCT_VERSIONS, type ProductVersion } from "../licensing/codes";
import { LicensingError, LicensingErrorKind } from "../licensing/errors";
import { nowOf } from "./clock";
import type { StoredDeployment, StoredHost } from "./farm-state";
import { FarmStore } from "./farm-store";
import { removeFile } from "./fs-atomic";
import { deploymentFile, farmExecutionLogFile, resolveHome, serverKey } from "./paths";
import { applyDeploymentTo, newDeployment, newHost } from "./rules-farm";
import { Store } from "./store";

/** A session host of a deployment, as declared. */
export interface DeploymentHostSpec {
    name: string;
    windowsServerVersion: ProductVersion;
}

export interface NewOwnedDeployment {
    broker: string;
    sessionHosts: readonly DeploymentHostSpec[];
    /** The creator's owner marker, kept with the deployment and each host it creates. */
    owner: string;
}

/** What the simulator holds of a deployment: its hosts, its incarnation and its creator. */
export interface DeploymentIdentity {
    broker: string;
    sessionHosts: DeploymentHostSpec[];
    /** New each time a deployment of this broker is created; `legacy-<createdAt>` for unmarked ones. */
    instanceId: string;
    owner?: string;
}

export interface ProvisionDeploymentResult extends DeploymentIdentity {
    /** False: a deployment of this broker was already there and was left as it was. */
    created: boolean;
}

export interface NewOwnedHost extends DeploymentHostSpec {
    /** The creator's owner marker, kept with the host. */
    owner: string;
}

/** What the simulator holds of a session host: its version, its incarnation, its creator. */
export interface HostIdentity extends DeploymentHostSpec {
    createdAt: string;
    /** New each time a host of this name is created or rebuilt; `legacy-<createdAt>` for unmarked ones. */
    instanceId: string;
    owner?: string;
    /** The broker of the deployment the host belongs to, when it belongs to one. */
    deployment?: string;
}

export interface ProvisionHostResult extends HostIdentity {
    /** False: a host of this name was already there and was left as it was. */
    created: boolean;
}

type Owned = { owner?: string; instanceId?: string };
type OwnedDeployment = StoredDeployment & Owned;
type OwnedHost = StoredHost & Owned;

const invalid = (message: string) => new LicensingError({ kind: LicensingErrorKind.InvalidParameter, message });
const conflict = (message: string) => new LicensingError({ kind: LicensingErrorKind.Conflict, message });

function keyOf(name: unknown, what: string): string {
    const key = serverKey(name);
    if (!key) throw invalid(`${JSON.stringify(name)} is not a ${what} name (1 to 63 letters, digits or inner hyphens)`);
    return key;
}

/** A declared host, checked (a valid name, a known version); its file key. */
function checkHostSpec(h: DeploymentHostSpec): string {
    const key = keyOf(h?.name, "session host");
    if (!PRODUCT_VERSIONS.includes(h.windowsServerVersion)) throw invalid(`session host ${h.name}: the Windows Server version must be one of ${PRODUCT_VERSIONS.join(", ")}`);
    return key;
}

/** The declared hosts, checked: valid names, known versions, none twice, not the broker itself. */
export function checkHostSpecs(broker: string, hosts: readonly DeploymentHostSpec[]): void {
    const brokerKey = keyOf(broker, "Connection Broker");
    const seen = new Set<string>();
    for (const h of hosts) {
        const key = checkHostSpec(h);
        if (seen.has(key)) throw invalid(`session host ${h.name} is listed twice`);
        if (key === brokerKey) throw invalid(`session host ${h.name} is the Connection Broker's own name; give the hosts their own names`);
        seen.add(key);
    }
}

export const deploymentInstanceIdOf = (d: OwnedDeployment): string => d.instanceId ?? `legacy-${d.createdAt}`;
export const hostInstanceIdOf = (h: OwnedHost): string => h.instanceId ?? `legacy-${h.createdAt}`;

/**
 * A host rebuilt with another Windows Server version, as a reinstalled VM: a new record (a new grace
 * period, licensing NotConfigured), the same owner, its execution counter going on (its log stays).
 */
function rebuiltHost(old: OwnedHost, windowsServerVersion: ProductVersion, owner: string, now: Date): OwnedHost {
    return { ...newHost(old.name, windowsServerVersion, now), executions: old.executions, owner };
}

/** The store and what both provisioners do with hosts. */
abstract class FarmProvisioner {
    readonly store: Store;
    readonly farm: FarmStore;

    constructor(home?: string) {
        this.store = new Store(resolveHome(home));
        this.farm = new FarmStore(this.store);
    }

    get home(): string {
        return this.store.home;
    }

    protected async now(): Promise<Date> {
        return nowOf(await this.farm.readClock());
    }

    /** A host's file and its execution log. */
    protected async deleteHostFiles(name: string): Promise<void> {
        const hk = name.toLowerCase();
        await this.farm.deleteHost(hk);
        await removeFile(farmExecutionLogFile(this.store.paths, hk));
    }
}

export class DeploymentProvisioner extends FarmProvisioner {
    /** The deployment of `broker` with its hosts, or undefined when there is none. */
    async identity(broker: string): Promise<DeploymentIdentity | undefined> {
        const d = (await this.farm.readDeployment(keyOf(broker, "Connection Broker"))) as OwnedDeployment | undefined;
        if (!d) return undefined;
        return this.identityOf(d, await this.farm.readMembers(d));
    }

    private identityOf(d: OwnedDeployment, members: StoredHost[]): DeploymentIdentity {
        const id: DeploymentIdentity = {
            broker: d.broker,
            sessionHosts: members.map((h) => ({ name: h.name, windowsServerVersion: h.windowsServerVersion })),
            instanceId: deploymentInstanceIdOf(d),
        };
        if (d.owner !== undefined) id.owner = d.owner;
        return id;
    }

    /**
     * Create the deployment and its hosts, marked as `owner`'s; an existing deployment of this broker
     * is returned unchanged (`created: false`) for the caller to decide. A host already there is
     * taken only when it carries `owner`'s marker and belongs to no deployment (a create retried
     * after a crash); any other is refused, naming it, and nothing is created.
     */
    async provision(input: NewOwnedDeployment): Promise<ProvisionDeploymentResult> {
        const key = keyOf(input?.broker, "Connection Broker");
        checkHostSpecs(input.broker, input.sessionHosts);
        await this.store.init();
        return this.store.transaction(async () => {
            const existing = (await this.farm.readDeployment(key)) as OwnedDeployment | undefined;
            if (existing) return { ...this.identityOf(existing, await this.farm.readMembers(existing)), created: false };
            const now = await this.now();
            const d: OwnedDeployment = { ...newDeployment(input.broker, now), owner: input.owner, instanceId: randomUUID() };
            const hosts: OwnedHost[] = [];
            for (const spec of input.sessionHosts) hosts.push(await this.hostFor(spec, input.owner, now));
            d.sessionHosts = hosts.map((h) => h.name);
            // Hosts first, the deployment that lists them last: a crash in between leaves marked standalone hosts a retry takes.
            for (const h of hosts) await this.farm.writeHost(h.name.toLowerCase(), h);
            await this.farm.writeDeployment(key, d);
            return { ...this.identityOf(d, hosts), created: true };
        });
    }

    /** A new host of `owner`'s, or its own standalone host left by an interrupted create (same version). */
    private async hostFor(spec: DeploymentHostSpec, owner: string, now: Date): Promise<OwnedHost> {
        const hk = spec.name.toLowerCase();
        const found = (await this.farm.readHost(hk)) as OwnedHost | undefined;
        if (!found) return { ...newHost(spec.name, spec.windowsServerVersion, now), owner };
        const other = await this.farm.deploymentOf(found.name);
        if (found.owner !== owner || other) {
            const by = other ? `in the deployment of ${other.broker}` : found.owner === undefined ? "made outside Pulumi (no owner marker)" : `created by ${found.owner}`;
            throw conflict(`session host ${found.name} already exists in the simulator store ${this.home}, ${by}; use another host name (nothing was created)`);
        }
        if (found.windowsServerVersion === spec.windowsServerVersion) return found;
        return rebuiltHost(found, spec.windowsServerVersion, owner, now);
    }

    /**
     * Bring the hosts of `owner`'s deployment (instance `instanceId`) to `sessionHosts`: new hosts are
     * created (with the deployment's licensing applied), hosts no longer listed leave it (deleted
     * when `owner` created them, else left standalone), a host of another version is rebuilt (a new
     * grace period, as a reinstalled VM gets).
     */
    async reconcileHosts(broker: string, expected: { instanceId: string; owner: string }, sessionHosts: readonly DeploymentHostSpec[]): Promise<DeploymentIdentity> {
        const key = keyOf(broker, "Connection Broker");
        checkHostSpecs(broker, sessionHosts);
        return this.store.transaction(async () => {
            const d = (await this.farm.readDeployment(key)) as OwnedDeployment | undefined;
            if (!d) throw new LicensingError({ kind: LicensingErrorKind.NotFound, message: `no deployment with Connection Broker ${broker} in the simulator store ${this.home}` });
            if (deploymentInstanceIdOf(d) !== expected.instanceId) {
                throw conflict(`the deployment of ${d.broker} was deleted and created again outside this resource (instance ${expected.instanceId}, now ${deploymentInstanceIdOf(d)}); run \`pulumi refresh\``);
            }
            const now = await this.now();
            const members = (await this.farm.readMembers(d)) as OwnedHost[];
            const wanted = new Map(sessionHosts.map((s) => [s.name.toLowerCase(), s]));
            const next: OwnedHost[] = [];
            const leaving: OwnedHost[] = [];
            for (const m of members) {
                const spec = wanted.get(m.name.toLowerCase());
                if (!spec) leaving.push(m);
                else if (spec.windowsServerVersion === m.windowsServerVersion) next.push(m);
                else next.push(rebuiltHost(m, spec.windowsServerVersion, expected.owner, now));
            }
            for (const spec of sessionHosts) {
                if (next.some((h) => h.name.toLowerCase() === spec.name.toLowerCase())) continue;
                next.push(await this.hostFor(spec, expected.owner, now));
            }
            for (const h of next) applyDeploymentTo(h, d);
            // Declared order; the deployment lists its hosts in that order.
            next.sort((a, b) => sessionHosts.findIndex((s) => s.name.toLowerCase() === a.name.toLowerCase()) - sessionHosts.findIndex((s) => s.name.toLowerCase() === b.name.toLowerCase()));
            d.sessionHosts = next.map((h) => h.name);
            for (const h of next) await this.farm.writeHost(h.name.toLowerCase(), h);
            await this.farm.writeDeployment(key, d);
            // Leaving hosts last: a crash before this leaves them standalone, never listed without a file.
            for (const h of leaving) if (h.owner === expected.owner) await this.deleteHostFiles(h.name);
            return this.identityOf(d, next);
        });
    }

    /**
     * Delete the deployment (instance `instanceId`) and the hosts `owner` created with it; hosts of
     * others stay, standalone. Not found: nothing to do. Another instance: refused (kind `conflict`).
     */
    async deleteDeployment(broker: string, expected: { instanceId?: string; owner: string }): Promise<void> {
        const key = keyOf(broker, "Connection Broker");
        if (!(await this.store.readConfig())) return;
        await this.store.transaction(async () => {
            const d = (await this.farm.readDeployment(key)) as OwnedDeployment | undefined;
            if (!d) return;
            if (expected.instanceId !== undefined && deploymentInstanceIdOf(d) !== expected.instanceId) {
                throw conflict(`the deployment of ${d.broker} is another instance (${deploymentInstanceIdOf(d)}) than the one expected (${expected.instanceId}); not deleted`);
            }
            const members = (await this.farm.readMembers(d)) as OwnedHost[];
            // The deployment first: a crash after it leaves standalone hosts, never a deployment listing missing hosts.
            await removeFile(deploymentFile(this.store.paths, key));
            await removeFile(farmExecutionLogFile(this.store.paths, key));
            for (const h of members) if (h.owner === expected.owner) await this.deleteHostFiles(h.name);
        });
    }
}

/**
 * Standalone session hosts (what SimulatedSessionHost calls): created NotConfigured (the grace
 * period starts), rebuilt with another version, deleted only by their creator's incarnation, never
 * while a deployment lists them.
 */
export class HostProvisioner extends FarmProvisioner {
    /** The host of that name, or undefined when there is none. */
    async identity(name: string): Promise<HostIdentity | undefined> {
        const h = (await this.farm.readHost(keyOf(name, "session host"))) as OwnedHost | undefined;
        return h && this.identityOf(h);
    }

    private async identityOf(h: OwnedHost): Promise<HostIdentity> {
        const id: HostIdentity = { name: h.name, windowsServerVersion: h.windowsServerVersion, createdAt: h.createdAt, instanceId: hostInstanceIdOf(h) };
        if (h.owner !== undefined) id.owner = h.owner;
        const d = await this.farm.deploymentOf(h.name);
        if (d) id.deployment = d.broker;
        return id;
    }

    /**
     * Create the host, marked as `owner`'s, unless a host of that name exists: that one is returned
     * unchanged (`created: false`) for the caller to decide. The name of a deployment's Connection
     * Broker is refused (one machine cannot be both here).
     */
    async provision(input: NewOwnedHost): Promise<ProvisionHostResult> {
        const key = checkHostSpec(input);
        await this.store.init();
        return this.store.transaction(async () => {
            const existing = (await this.farm.readHost(key)) as OwnedHost | undefined;
            if (existing) return { ...(await this.identityOf(existing)), created: false };
            const broker = await this.farm.readDeployment(key);
            if (broker) throw conflict(`${input.name} is the Connection Broker of a deployment in the simulator store ${this.home}; give the session host its own name (nothing was created)`);
            const h: OwnedHost = { ...newHost(input.name, input.windowsServerVersion, await this.now()), owner: input.owner, instanceId: randomUUID() };
            await this.farm.writeHost(key, h);
            return { ...(await this.identityOf(h)), created: true };
        });
    }

    /**
     * Rebuild `owner`'s host (instance `instanceId`) with another Windows Server version: a new
     * instance, a new grace period, licensing NotConfigured (or its deployment's, when it is in one).
     */
    async rebuild(name: string, expected: { instanceId: string; owner: string }, windowsServerVersion: ProductVersion): Promise<HostIdentity> {
        const key = checkHostSpec({ name, windowsServerVersion });
        return this.store.transaction(async () => {
            const h = await this.expectHost(key, name, expected.instanceId, "rebuilt");
            const next: OwnedHost = { ...rebuiltHost(h, windowsServerVersion, expected.owner, await this.now()), instanceId: randomUUID() };
            const d = await this.farm.deploymentOf(h.name);
            if (d) applyDeploymentTo(next, d);
            await this.farm.writeHost(key, next);
            return this.identityOf(next);
        });
    }

    /**
     * Delete the host (instance `instanceId`) and its execution log. Not found: nothing to do.
     * Another instance, or a host a deployment lists: refused (kind `conflict`), left as it is.
     */
    async deleteHost(name: string, expected: { instanceId?: string }): Promise<void> {
        const key = keyOf(name, "session host");
        if (!(await this.store.readConfig())) return;
        await this.store.transaction(async () => {
            if (!(await this.farm.readHost(key))) return;
            const h = await this.expectHost(key, name, expected.instanceId, "deleted");
            const d = await this.farm.deploymentOf(h.name);
            if (d) throw conflict(`session host ${h.name} belongs to the deployment of ${d.broker}; not deleted (remove it from the deployment first)`);
            await this.deleteHostFiles(h.name);
        });
    }

    private async expectHost(key: string, name: string, instanceId: string | undefined, what: string): Promise<OwnedHost> {
        const h = (await this.farm.readHost(key)) as OwnedHost | undefined;
        if (!h) throw new LicensingError({ kind: LicensingErrorKind.NotFound, message: `no session host ${name} in the simulator store ${this.home}` });
        if (instanceId !== undefined && hostInstanceIdOf(h) !== instanceId) {
            throw conflict(`session host ${h.name} is another instance (${hostInstanceIdOf(h)}) than the one expected (${instanceId}); not ${what}`);
        }
        return h;
    }
}
