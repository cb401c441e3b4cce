/**
 * The farm's admin actions (what Simulator exposes for session hosts, deployments, connections and
 * the clock): "a human on the server" or a user population, under the store lock, never counted as
 * remote executions. Refusals are LicensingErrors and change nothing.
 */
import { PRODUCT_VERSIONS, type ProductVersion } from "../licensing/codes";
import { LicensingError } from "../licensing/errors";
import { HostLicensingMode, type DeploymentLicensing, type LicensingSettings, type SessionHostLicensing } from "../licensing/farm";
import { advanceClock, clockView, nowOf, type ClockView } from "./clock";
import { connect, type ConnectRequest, type ConnectResult } from "./connections";
import type { StoredDeployment, StoredHost, StoredIssuedLicense } from "./farm-state";
import { FarmStore } from "./farm-store";
import { serverKey } from "./paths";
import {
    applyDeploymentTo,
    deploymentLicensing,
    hostLicensing,
    licenseServerKey,
    lockPolicy,
    newDeployment,
    newHost,
    setDeploymentSettings,
    setHostSettings,
    type ServerLookup,
} from "./rules-farm";
import type { StoredServer } from "./state";
import type { Store } from "./store";

export interface NewHost {
    name: string;
    windowsServerVersion: ProductVersion;
    /** The broker of the deployment it joins (which then applies its licensing to it). */
    deployment?: string;
}

export interface NewDeployment {
    broker: string;
    sessionHosts?: string[];
}

/** A license a server issued, as the admin sees it (Win32_TSIssuedLicense). */
export interface IssuedLicenseView extends StoredIssuedLicense {
    licenseServer: string;
    /** Past its expiration date by the simulated clock. */
    expired: boolean;
}

const notFound = (message: string) => new LicensingError({ kind: "not-found", message });
const invalid = (message: string) => new LicensingError({ kind: "invalid-parameter", message });

function keyOf(name: unknown, what: string): string {
    const key = serverKey(name);
    if (!key) throw invalid(`${JSON.stringify(name)} is not a ${what} name (1 to 63 letters, digits or inner hyphens)`);
    return key;
}

export class FarmAdmin {
    readonly farm: FarmStore;

    constructor(readonly store: Store) {
        this.farm = new FarmStore(store);
    }

    private async servers(): Promise<ServerLookup> {
        const map = new Map<string, StoredServer>((await this.store.readServers()).map((s) => [s.name.toLowerCase(), s]));
        return (k) => map.get(k);
    }

    private async now(): Promise<Date> {
        return nowOf(await this.farm.readClock());
    }

    /** Add a session host (mode NotConfigured, no license server; its grace period starts now). */
    async createHost(input: NewHost): Promise<SessionHostLicensing> {
        const key = keyOf(input?.name, "session host");
        if (!PRODUCT_VERSIONS.includes(input.windowsServerVersion)) throw invalid(`the Windows Server version must be one of ${PRODUCT_VERSIONS.join(", ")}`);
        const brokerKey = input.deployment === undefined ? undefined : keyOf(input.deployment, "Connection Broker");
        await this.store.init();
        return this.store.transaction(async () => {
            if (await this.farm.readHost(key)) throw invalid(`a session host named ${input.name} already exists`);
            const deployment = brokerKey ? await this.farm.readDeployment(brokerKey) : undefined;
            if (brokerKey && !deployment) throw notFound(`no deployment with Connection Broker ${input.deployment}; create it first (create-deployment)`);
            const host = newHost(input.name, input.windowsServerVersion, await this.now());
            if (deployment) applyDeploymentTo(host, deployment);
            // The host first, then the deployment that lists it: a crash in between leaves a standalone host.
            await this.farm.writeHost(key, host);
            if (deployment) {
                deployment.sessionHosts.push(host.name);
                await this.farm.writeDeployment(brokerKey!, deployment);
            }
            return hostLicensing(host, deployment, await this.servers(), await this.now());
        });
    }

    /** Add a deployment (mode NotConfigured, no license server) with existing, standalone hosts. */
    async createDeployment(input: NewDeployment): Promise<DeploymentLicensing> {
        const key = keyOf(input?.broker, "Connection Broker");
        const hostKeys = (input.sessionHosts ?? []).map((h) => keyOf(h, "session host"));
        if (new Set(hostKeys).size !== hostKeys.length) throw invalid("a session host is listed twice");
        await this.store.init();
        return this.store.transaction(async () => {
            if (await this.farm.readDeployment(key)) throw invalid(`a deployment with Connection Broker ${input.broker} already exists`);
            const d = newDeployment(input.broker, await this.now());
            const members: StoredHost[] = [];
            for (const hk of hostKeys) {
                const host = await this.farm.readHost(hk);
                if (!host) throw notFound(`session host ${hk} does not exist in the simulator; create it first (create-host)`);
                const other = await this.farm.deploymentOf(host.name);
                if (other) throw invalid(`session host ${host.name} already belongs to the deployment of ${other.broker}`);
                members.push(host);
            }
            d.sessionHosts = members.map((h) => h.name);
            for (const h of members) applyDeploymentTo(h, d);
            for (const h of members) await this.farm.writeHost(h.name.toLowerCase(), h);
            await this.farm.writeDeployment(key, d);
            return deploymentLicensing(d);
        });
    }

    /** Every session host's licensing (the Licensing Diagnoser's view), by name. */
    async hosts(): Promise<SessionHostLicensing[]> {
        const [hosts, deployments, servers, now] = [await this.farm.readHosts(), await this.farm.readDeployments(), await this.servers(), await this.now()];
        for (const d of deployments) await this.farm.readMembers(d); // a listed host without a file is damage
        const of = (h: StoredHost) => deployments.find((d) => d.sessionHosts.some((n) => n.toLowerCase() === h.name.toLowerCase()));
        return hosts.map((h) => hostLicensing(h, of(h), servers, now));
    }

    async host(name: string): Promise<SessionHostLicensing> {
        const key = keyOf(name, "session host");
        const host = await this.farm.readHost(key);
        if (!host) throw notFound(`session host ${name} does not exist in the simulator`);
        return hostLicensing(host, await this.farm.deploymentOf(host.name), await this.servers(), await this.now());
    }

    async deployments(): Promise<DeploymentLicensing[]> {
        return (await this.farm.readDeployments()).map(deploymentLicensing);
    }

    /**
     * Change licensing by hand. On a broker's name: Set-RDLicenseConfiguration (the deployment and
     * its hosts); on a host's: ChangeMode / SetSpecifiedLicenseServerList on it alone (a deployment's
     * host then differs from its deployment: drift), refused when Group Policy sets that setting.
     */
    async setLicensing(name: string, patch: Partial<LicensingSettings>): Promise<SessionHostLicensing | DeploymentLicensing> {
        const key = keyOf(name, "session host or Connection Broker");
        await this.requireStore();
        return this.store.transaction(async () => {
            const d = await this.farm.readDeployment(key);
            if (d) {
                const members = await this.farm.readMembers(d);
                const next = structuredClone(d);
                setDeploymentSettings(next, members, { mode: patch.mode ?? d.mode, licenseServers: patch.licenseServers ?? d.licenseServers });
                for (const h of members) await this.farm.writeHost(h.name.toLowerCase(), h);
                await this.farm.writeDeployment(key, next);
                return deploymentLicensing(next);
            }
            const host = await this.farm.readHost(key);
            if (!host) throw notFound(`${name} is neither a session host nor the Connection Broker of a deployment in the simulator`);
            setHostSettings(host, patch);
            await this.farm.writeHost(key, host);
            return hostLicensing(host, await this.farm.deploymentOf(host.name), await this.servers(), await this.now());
        });
    }

    /** Say which of a host's settings Group Policy sets (true) or no longer sets (false). */
    async lockPolicy(name: string, lock: { mode?: boolean; licenseServers?: boolean }): Promise<SessionHostLicensing> {
        const key = keyOf(name, "session host");
        await this.requireStore();
        return this.store.transaction(async () => {
            const host = await this.farm.readHost(key);
            if (!host) throw notFound(`session host ${name} does not exist in the simulator`);
            lockPolicy(host, lock);
            await this.farm.writeHost(key, host);
            return hostLicensing(host, await this.farm.deploymentOf(host.name), await this.servers(), await this.now());
        });
    }

    /** A user (and device) connects to a host: it gets a license, or the grace period, or is refused. */
    async connect(hostName: string, request: ConnectRequest, random: () => number = Math.random): Promise<ConnectResult> {
        const key = keyOf(hostName, "session host");
        await this.requireStore();
        return this.store.transaction(async () => {
            const host = await this.farm.readHost(key);
            if (!host) throw notFound(`session host ${hostName} does not exist in the simulator`);
            const drafts = new Map<string, StoredServer>();
            for (const entry of host.licenseServers) {
                const sk = licenseServerKey(entry);
                const server = sk === undefined ? undefined : await this.store.readServer(sk);
                if (sk && server) drafts.set(sk, server);
            }
            const { result, changed } = connect(host, request, drafts, { now: await this.now(), random });
            for (const sk of changed) await this.store.writeServer(sk, drafts.get(sk)!);
            return result;
        });
    }

    /** The licenses servers issued to users and devices, server by server. */
    async issuedLicenses(): Promise<IssuedLicenseView[]> {
        const now = (await this.now()).getTime();
        return (await this.store.readServers()).flatMap((s) =>
            (s.licenses ?? []).map((l) => ({ licenseServer: s.name, ...l, expired: l.expirationDate !== undefined && Date.parse(l.expirationDate) <= now })),
        );
    }

    async clock(): Promise<ClockView> {
        return clockView(await this.farm.readClock());
    }

    advanceClock(ms: number): Promise<ClockView> {
        return advanceClock(this.farm, ms);
    }

    /** Check the farm's files (named when bad); counts for `check`. */
    async verify(): Promise<{ hosts: number; deployments: number }> {
        await this.farm.readClock();
        const hosts = await this.farm.readHosts();
        const deployments: StoredDeployment[] = await this.farm.readDeployments();
        for (const d of deployments) await this.farm.readMembers(d);
        return { hosts: hosts.length, deployments: deployments.length };
    }

    private async requireStore(): Promise<void> {
        if (!(await this.store.readConfig())) throw notFound(`no simulator store at ${this.store.home}`);
    }
}

export const MODE_CHOICES = Object.values(HostLicensingMode);
