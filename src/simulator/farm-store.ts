/**
 * The farm's files in the durable store: hosts/<name>.json, deployments/<broker>.json, clock.json,
 * with the store's integrity rules. The folders are new with the farm, so a missing hosts/ or
 * deployments/ folder means "none yet" (a store written before the farm existed); a file that is
 * there but unreadable, or a host a deployment lists whose file is missing, is an error naming the
 * file (kind `failed`). Writes go through writeFileAtomic, only inside Store.transaction.
 */
import * as fsp from "node:fs/promises";
import { writeFileAtomic, removeFile } from "./fs-atomic";
import { parseClock, parseDeployment, parseHost, type StoredClock, type StoredDeployment, type StoredHost } from "./farm-state";
import { deploymentFile, hostFile } from "./paths";
import { storeDamaged, type Store } from "./store";

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export class FarmStore {
    constructor(readonly store: Store) {}

    get home(): string {
        return this.store.home;
    }

    async readHost(key: string): Promise<StoredHost | undefined> {
        if (!(await this.store.readConfig())) return undefined;
        return this.store.loadFile(hostFile(this.store.paths, key), (raw, f) => (raw === undefined ? undefined : parseHost(raw, f)));
    }

    async readDeployment(key: string): Promise<StoredDeployment | undefined> {
        if (!(await this.store.readConfig())) return undefined;
        return this.store.loadFile(deploymentFile(this.store.paths, key), (raw, f) => (raw === undefined ? undefined : parseDeployment(raw, f)));
    }

    async hostKeys(): Promise<string[]> {
        if (!(await this.store.readConfig())) return [];
        return (await this.store.listJsonFiles(this.store.paths.hostsDir)) ?? [];
    }

    async deploymentKeys(): Promise<string[]> {
        if (!(await this.store.readConfig())) return [];
        return (await this.store.listJsonFiles(this.store.paths.deploymentsDir)) ?? [];
    }

    async readHosts(): Promise<StoredHost[]> {
        const hosts = await Promise.all((await this.hostKeys()).map((k) => this.readHost(k)));
        return hosts.filter((h): h is StoredHost => h !== undefined);
    }

    async readDeployments(): Promise<StoredDeployment[]> {
        const all = await Promise.all((await this.deploymentKeys()).map((k) => this.readDeployment(k)));
        return all.filter((d): d is StoredDeployment => d !== undefined);
    }

    /** A deployment's hosts, in its order; a listed host without a file is store damage. */
    async readMembers(deployment: StoredDeployment): Promise<StoredHost[]> {
        const members: StoredHost[] = [];
        for (const name of deployment.sessionHosts) {
            const key = name.toLowerCase();
            const host = await this.readHost(key);
            if (!host) {
                throw storeDamaged(
                    `file ${hostFile(this.store.paths, key)} is missing, but deployment ${deployment.broker} lists session host ${name} (nothing was changed)`,
                    this.home,
                    true,
                );
            }
            members.push(host);
        }
        return members;
    }

    /** The deployment a host belongs to (membership is kept in deployment files). */
    async deploymentOf(hostName: string): Promise<StoredDeployment | undefined> {
        const key = hostName.toLowerCase();
        return (await this.readDeployments()).find((d) => d.sessionHosts.some((h) => h.toLowerCase() === key));
    }

    async readClock(): Promise<StoredClock> {
        if (!(await this.store.readConfig())) return parseClock(undefined, this.store.paths.clock);
        return this.store.loadFile(this.store.paths.clock, parseClock);
    }

    async writeHost(key: string, host: StoredHost): Promise<void> {
        await fsp.mkdir(this.store.paths.hostsDir, { recursive: true, mode: 0o700 });
        await writeFileAtomic(hostFile(this.store.paths, key), json(host));
    }

    async writeDeployment(key: string, deployment: StoredDeployment): Promise<void> {
        await fsp.mkdir(this.store.paths.deploymentsDir, { recursive: true, mode: 0o700 });
        await writeFileAtomic(deploymentFile(this.store.paths, key), json(deployment));
    }

    async deleteHost(key: string): Promise<void> {
        await removeFile(hostFile(this.store.paths, key));
    }

    writeClock(clock: StoredClock): Promise<void> {
        return writeFileAtomic(this.store.paths.clock, json(clock));
    }
}
