/**
 * The programmatic API of rdls-sim: "a human on the server" (admin actions take the store lock but
 * are not remote executions: not counted, no latency, no execution lock) plus the store's controls
 * (faults, Clearinghouse registry, latency config, execution stats, reset).
 */
import { randomUUID } from "node:crypto";
import { PRODUCT_VERSIONS, type ProductVersion } from "../licensing/codes";
import { LicensingError } from "../licensing/errors";
import type { ContactInfo, InstallSpec, KeyPack, ServerStatus } from "../licensing/operations";
import { prepareInstall } from "./clearinghouse";
import { DEFAULT_LANGUAGE, isLanguageTag } from "./countries";
import { applyChange } from "./engine";
import { keepRetailCodesOf, installEnv } from "./install-env";
import { resolveHome, serverKey } from "./paths";
import { install, type InstallEnv } from "./rules-install";
import { issue, removeLicenses, revoke, uninstall } from "./rules-packs";
import { activate, deactivate, mergeContact, newServer, reactivate, statusOf } from "./rules-server";
import type { StoredServer } from "./state";
import { Store } from "./store";
import { StoreControls } from "./controls";
import type { DeploymentLicensing, HostLicensingMode, SessionHostLicensing } from "../licensing/farm";
import { FarmAdmin, type IssuedLicenseView, type NewDeployment, type NewHost } from "./admin-farm";
import type { ClockView } from "./clock";
import type { ConnectRequest, ConnectResult } from "./connections";
import { packView, summarize, type ServerSummary, type SimulatorPack } from "./views";

export interface SimulatorOptions {
    /** Store directory; default $RDLS_SIM_HOME, else .rdls-sim in the current directory. */
    home?: string;
}

/** Which server an action targets; may be omitted when the store holds exactly one. */
export interface ServerTarget {
    server?: string;
}

export interface NewServer {
    name: string;
    windowsServerVersion: ProductVersion;
    /** Its display language (e.g. fr-FR): the country/region names it takes at activation. @default en-US */
    language?: string;
    contact?: Partial<ContactInfo>;
    /** Who creates it (e.g. `<project>/<stack>/<resource>`), kept with the server. Never a secret. */
    owner?: string;
}

/** Which server a name stands for right now: who made it, and which incarnation it is. */
export interface ServerIdentity {
    name: string;
    windowsServerVersion: ProductVersion;
    createdAt: string;
    /** New each time a server of this name is created (see {@link instanceIdOf}). */
    instanceId: string;
    /** The creator's marker; absent when made by hand or by an older rdls-sim. */
    owner?: string;
}

/** What {@link Simulator.provisionServer} found or did. */
export interface ProvisionResult extends ServerIdentity {
    /** True when this call created the server; false when it was already there (and left unchanged). */
    created: boolean;
}

const notFound = (message: string) => new LicensingError({ kind: "not-found", message });
const invalid = (message: string) => new LicensingError({ kind: "invalid-parameter", message });

export class Simulator extends StoreControls {
    private readonly farmAdmin: FarmAdmin;

    constructor(options: SimulatorOptions = {}) {
        super(new Store(resolveHome(options.home)));
        this.farmAdmin = new FarmAdmin(this.store);
    }

    // ---- The farm (admin-farm.ts): session hosts, deployments, connections, the clock ----

    /** Add a session host: mode NotConfigured, no license server, its 120-day grace period starting now. */
    createHost(input: NewHost): Promise<SessionHostLicensing> {
        return this.farmAdmin.createHost(input);
    }

    /** Add a deployment (a Connection Broker) with existing standalone hosts; mode NotConfigured. */
    createDeployment(input: NewDeployment): Promise<DeploymentLicensing> {
        return this.farmAdmin.createDeployment(input);
    }

    /** Every session host's licensing: mode, license servers, grace days left, connectivity, policy. */
    hosts(): Promise<SessionHostLicensing[]> {
        return this.farmAdmin.hosts();
    }

    host(name: string): Promise<SessionHostLicensing> {
        return this.farmAdmin.host(name);
    }

    deployments(): Promise<DeploymentLicensing[]> {
        return this.farmAdmin.deployments();
    }

    /** By hand: the mode of a host, or of a deployment (by its broker's name, applied to its hosts). */
    setMode(name: string, mode: HostLicensingMode): Promise<SessionHostLicensing | DeploymentLicensing> {
        return this.farmAdmin.setLicensing(name, { mode });
    }

    /** By hand: the license server list of a host, or of a deployment (by its broker's name). */
    setLicenseServers(name: string, licenseServers: string[]): Promise<SessionHostLicensing | DeploymentLicensing> {
        return this.farmAdmin.setLicensing(name, { licenseServers });
    }

    /** Mark a host's mode and/or license server list as set by Group Policy (false: no longer). */
    lockPolicy(host: string, lock: { mode?: boolean; licenseServers?: boolean }): Promise<SessionHostLicensing> {
        return this.farmAdmin.lockPolicy(host, lock);
    }

    /** A user connects to a session host (see connections.ts for how it gets a license). */
    connect(host: string, request: ConnectRequest, random?: () => number): Promise<ConnectResult> {
        return this.farmAdmin.connect(host, request, random);
    }

    /** Who holds which license: every license the servers issued (never anything secret). */
    issuedLicenses(): Promise<IssuedLicenseView[]> {
        return this.farmAdmin.issuedLicenses();
    }

    clock(): Promise<ClockView> {
        return this.farmAdmin.clock();
    }

    /** Move the simulated clock forward by `ms` milliseconds. */
    advanceClock(ms: number): Promise<ClockView> {
        return this.farmAdmin.advanceClock(ms);
    }

    /** Check the farm's files too (see StoreControls.verify). */
    async verifyFarm(): Promise<{ hosts: number; deployments: number }> {
        return this.farmAdmin.verify();
    }

    /** Create a server (not activated, no packs). Fails if one with that name exists. */
    async createServer(input: NewServer): Promise<ServerStatus> {
        return statusOf((await this.create(input, false)).server);
    }

    /** Create the server unless it exists with the same version (for programs re-run idempotently). */
    async ensureServer(input: NewServer): Promise<ServerStatus> {
        return statusOf((await this.create(input, true)).server);
    }

    /**
     * Create the server unless one of that name exists (same version, else it throws), and say which:
     * an existing server is returned unchanged, with its owner, for the caller to decide whether it
     * may manage it. One store transaction, so two callers never both see `created: true`.
     */
    async provisionServer(input: NewServer): Promise<ProvisionResult> {
        const { server, created } = await this.create(input, true);
        return { ...identityOf(server), created };
    }

    private async create(input: NewServer, existingIsFine: boolean): Promise<{ server: StoredServer; created: boolean }> {
        const key = checkNewServer(input);
        await this.store.init();
        return this.store.transaction(async () => {
            const existing = await this.store.readServer(key);
            if (existing && !existingIsFine) throw invalid(`a license server named ${existing.name} already exists`);
            if (existing && existing.windowsServerVersion !== input.windowsServerVersion) {
                throw invalid(`license server ${existing.name} exists with Windows Server ${existing.windowsServerVersion}, not ${input.windowsServerVersion}`);
            }
            if (existing) return { server: existing, created: false };
            const server: StoredServer = { ...newServer(input.name, input.windowsServerVersion, new Date()), instanceId: randomUUID() };
            if (input.owner !== undefined) server.owner = input.owner;
            if (input.language !== undefined) {
                if (!isLanguageTag(input.language)) throw invalid(`language must be a language tag such as fr-FR, not ${JSON.stringify(input.language)}`);
                if (input.language !== DEFAULT_LANGUAGE) server.language = input.language;
            }
            server.contact = mergeContact(server, input.contact);
            await this.store.writeServer(key, server);
            return { server, created: true };
        });
    }

    /**
     * Delete the server. With `instanceId`, only that incarnation: a server of the same name created
     * since (by someone else) is refused with a `conflict` error and left as it is.
     */
    async deleteServer(name: string, expected: { instanceId?: string } = {}): Promise<void> {
        await this.requireStore();
        await this.store.transaction(async () => {
            const { key, server } = await this.read({ server: name });
            const live = instanceIdOf(server);
            if (expected.instanceId !== undefined && live !== expected.instanceId) {
                throw new LicensingError({
                    kind: "conflict",
                    message: `license server ${server.name} is another instance (${live}) than the one expected (${expected.instanceId}); not deleted`,
                });
            }
            // The Clearinghouse outlives the server: its consumed retail codes stay consumed.
            await keepRetailCodesOf(this.store, server);
            await this.store.deleteServer(key);
        });
    }

    /** Who made the server and which instance it is; undefined when no server of that name exists. */
    async identity(name: string): Promise<ServerIdentity | undefined> {
        const key = serverKey(name);
        if (!key) throw invalid(`${JSON.stringify(name)} is not a server name`);
        const server = await this.store.readServer(key);
        return server && identityOf(server);
    }

    async listServers(): Promise<ServerSummary[]> {
        return (await this.store.readServers()).map(summarize);
    }

    async status(target: ServerTarget = {}): Promise<ServerStatus> {
        return statusOf((await this.read(target)).server);
    }

    /** The packs, with the program id the stack config uses; the built-in pack only on request. */
    async packs(target: ServerTarget & { includeBuiltIn?: boolean } = {}): Promise<SimulatorPack[]> {
        return packView((await this.read(target)).server, target.includeBuiltIn === true);
    }

    setContact(contact: Partial<ContactInfo>, target: ServerTarget = {}): Promise<ServerStatus> {
        return this.mutate(target, (s) => ((s.contact = mergeContact(s, contact)), statusOf(s)));
    }

    activate(contact?: Partial<ContactInfo>, target: ServerTarget = {}): Promise<ServerStatus> {
        return this.mutate(target, (s, env) => activate(s, contact, env));
    }

    reactivate(target: ServerTarget = {}): Promise<ServerStatus> {
        return this.mutate(target, (s, env) => reactivate(s, env));
    }

    deactivate(target: ServerTarget = {}): Promise<ServerStatus> {
        return this.mutate(target, (s) => deactivate(s));
    }

    /** Install by hand through the wizard (drift: a pack nobody declared). */
    async install(spec: InstallSpec, target: ServerTarget & { requestKey?: string } = {}): Promise<KeyPack> {
        const { salt } = await this.store.init();
        const requestKey = target.requestKey ?? `admin-${Date.now()}-${Math.random().toString(36).slice(2)}`;
        const prepared = await prepareInstall(spec, requestKey, salt);
        return this.mutate(target, (s, env) => install(s, spec, requestKey, prepared, env), true);
    }

    /** Users connect: `count` licenses go from available to issued. */
    issue(keyPackId: number, count: number, target: ServerTarget = {}): Promise<KeyPack> {
        return this.mutate(target, (s) => issue(s, keyPackId, count));
    }

    /** Per-device licenses go back from issued to available (at most 20 % of the pack). */
    revoke(keyPackId: number, count: number, target: ServerTarget = {}): Promise<KeyPack> {
        return this.mutate(target, (s) => revoke(s, keyPackId, count));
    }

    removeLicenses(keyPackId: number, count: number, target: ServerTarget = {}): Promise<KeyPack> {
        return this.mutate(target, (s) => removeLicenses(s, keyPackId, count));
    }

    async uninstall(keyPackId: number, target: ServerTarget = {}): Promise<void> {
        await this.mutate(target, (s) => uninstall(s, keyPackId));
    }

    private async read(target: ServerTarget): Promise<{ key: string; server: StoredServer }> {
        const key = await this.resolveKey(target);
        const server = await this.store.readServer(key);
        if (!server) throw notFound(`license server ${target.server ?? key} does not exist in the simulator`);
        return { key, server };
    }

    /** Read-modify-write one server under the store lock; a refusal throws and writes nothing. */
    private async mutate<T>(target: ServerTarget, change: (s: StoredServer, env: InstallEnv) => T, installing = false): Promise<T> {
        await this.requireStore();
        return this.store.transaction(async () => {
            const { key, server } = await this.read(target);
            const env = await installEnv(this.store, key, installing);
            const applied = applyChange(server, (draft) => change(draft, env));
            if (!applied.ok) throw new LicensingError(applied.error);
            await this.store.writeServer(key, applied.server);
            return applied.value;
        });
    }

    /** The target's file key; without a name, the store's only server. */
    async resolveKey(target: ServerTarget): Promise<string> {
        if (target.server !== undefined) {
            const key = serverKey(target.server);
            if (!key || !(await this.store.readServer(key))) throw notFound(`license server ${target.server} does not exist in the simulator`);
            return key;
        }
        const keys = await this.store.serverKeys();
        if (keys.length === 1) return keys[0]!;
        if (keys.length === 0) throw notFound("the simulator has no license server yet; create one first");
        throw invalid(`the simulator has several license servers (${keys.join(", ")}); name one`);
    }
}

/**
 * A server's instance id. Servers written before instance ids existed have none: theirs is derived
 * from `createdAt` (which a re-creation changes) rather than written on first sight, so that reads
 * stay read-only and lock-free, and every reader, in any process, sees the same value.
 */
export function instanceIdOf(server: StoredServer): string {
    return server.instanceId ?? `legacy-${server.createdAt}`;
}

function identityOf(server: StoredServer): ServerIdentity {
    const identity: ServerIdentity = {
        name: server.name,
        windowsServerVersion: server.windowsServerVersion,
        createdAt: server.createdAt,
        instanceId: instanceIdOf(server),
    };
    if (server.owner !== undefined) identity.owner = server.owner;
    return identity;
}

function checkNewServer(input: NewServer): string {
    const key = serverKey(input?.name);
    if (!key) throw invalid("a server name is 1 to 63 letters, digits or inner hyphens");
    if (!PRODUCT_VERSIONS.includes(input.windowsServerVersion)) {
        throw invalid(`the Windows Server version must be one of ${PRODUCT_VERSIONS.join(", ")}`);
    }
    return key;
}

export function openSimulator(options: SimulatorOptions = {}): Simulator {
    return new Simulator(options);
}
