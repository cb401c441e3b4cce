/**
 * Store-wide controls of the simulator: fault injection, the Clearinghouse registry, the latency
 * config, execution statistics, validation and reset.
 */
import { LicensingError } from "../licensing/errors";
import { applyFaultPatch, effectiveLatencyMs, MAX_LATENCY_MS, type FaultPatch } from "./faults";
import { serverKey } from "./paths";
import { readRegistryFile, registryFromDocument } from "./registry";
import type { ExecutionLogEntry, Faults, Registry } from "./state";
import { NO_FAULTS } from "./state";
import type { Store } from "./store";

export interface RegistrySummary {
    loadedAt: string;
    agreements: number;
    retail: number;
    openLicenses: number;
}

export interface ExecutionStats {
    /** Remote executions completed on the server (durable counter). */
    count: number;
    /** One entry per execution, oldest first (a killed execution may be missing). */
    log: ExecutionLogEntry[];
}

export interface LatencyConfig {
    /** What the store's config says. */
    latencyMs: number;
    /** What executions use now ($RDLS_SIM_LATENCY_MS wins over the config). */
    effectiveLatencyMs: number;
}

const summary = (r: Registry): RegistrySummary => ({
    loadedAt: r.loadedAt,
    agreements: r.agreements.length,
    retail: r.retail.length,
    openLicenses: r.openLicenses.length,
});

export class StoreControls {
    constructor(protected readonly store: Store) {}

    /** The store directory. */
    get home(): string {
        return this.store.home;
    }

    /** True once anything was written to the store. */
    async exists(): Promise<boolean> {
        return (await this.store.readConfig()) !== undefined;
    }

    protected async requireStore(): Promise<void> {
        if (!(await this.exists())) throw new LicensingError({ kind: "not-found", message: `no simulator store at ${this.home}` });
    }

    getFaults(): Promise<Faults> {
        return this.store.readFaults();
    }

    async setFaults(patch: FaultPatch): Promise<Faults> {
        applyFaultPatch(await this.store.readFaults(), patch); // refuse a bad patch before creating anything
        await this.store.init();
        return this.store.transaction(async () => {
            const faults = applyFaultPatch(await this.store.readFaults(), patch);
            await this.store.writeFaults(faults);
            return faults;
        });
    }

    async clearFaults(): Promise<Faults> {
        if (!(await this.exists())) return { ...NO_FAULTS };
        await this.store.transaction(() => this.store.writeFaults({ ...NO_FAULTS }));
        return { ...NO_FAULTS };
    }

    /** Load the user's registry file; only salted hashes of its numbers are stored. */
    async loadRegistry(file: string): Promise<RegistrySummary> {
        const { salt } = await this.store.init();
        const registry = await readRegistryFile(file, salt);
        await this.store.transaction(() => this.store.writeRegistry(registry));
        return summary(registry);
    }

    /** Same as loadRegistry, from an in-memory document (tests, programs). */
    async loadRegistryDocument(doc: unknown): Promise<RegistrySummary> {
        const { salt } = await this.store.init();
        const registry = await registryFromDocument(doc, salt);
        await this.store.transaction(() => this.store.writeRegistry(registry));
        return summary(registry);
    }

    /** Forget the registry: every well-formed number is accepted again. */
    async clearRegistry(): Promise<void> {
        if (await this.exists()) await this.store.transaction(() => this.store.writeRegistry(undefined));
    }

    async registrySummary(): Promise<RegistrySummary | undefined> {
        const registry = await this.store.readRegistry();
        return registry && summary(registry);
    }

    async getConfig(env: NodeJS.ProcessEnv = process.env): Promise<LatencyConfig> {
        const latencyMs = (await this.store.readConfig())?.latencyMs ?? 0;
        return { latencyMs, effectiveLatencyMs: effectiveLatencyMs({ latencyMs }, env) };
    }

    async setConfig(patch: { latencyMs?: number }, env: NodeJS.ProcessEnv = process.env): Promise<LatencyConfig> {
        const { latencyMs } = patch;
        if (latencyMs !== undefined && !(Number.isInteger(latencyMs) && latencyMs >= 0 && latencyMs <= MAX_LATENCY_MS)) {
            throw new LicensingError({
                kind: "invalid-parameter",
                message: `latencyMs must be a whole number of milliseconds from 0 to ${MAX_LATENCY_MS} (10 minutes), got ${String(latencyMs)}`,
            });
        }
        await this.store.init();
        await this.store.transaction(async () => {
            const config = await this.store.readConfig();
            if (config && latencyMs !== undefined) await this.store.writeConfig({ ...config, latencyMs });
        });
        return this.getConfig(env);
    }

    async executionStats(server: string): Promise<ExecutionStats> {
        const key = serverKey(server);
        const stored = key ? await this.store.readServer(key) : undefined;
        if (!key || !stored) throw new LicensingError({ kind: "not-found", message: `license server ${server} does not exist in the simulator` });
        return { count: stored.executions, log: await this.store.readExecutionLog(key) };
    }

    /** Read and check every file of the store (and sweep dead writers' temp files); throws naming the first bad file. */
    async verify(): Promise<{ servers: number; packs: number }> {
        await this.store.sweep();
        await this.store.readConfig();
        await this.store.readFaults();
        await this.store.readRegistry();
        const servers = await this.store.readServers();
        for (const s of servers) await this.store.readExecutionLog(s.name.toLowerCase());
        return { servers: servers.length, packs: servers.reduce((n, s) => n + s.packs.length, 0) };
    }

    /**
     * Back to an empty store: servers, logs, faults, registry and config (a new salt) all go. Works on a
     * damaged store too (a missing or corrupt file): it is the way out the store's errors suggest.
     */
    async reset(): Promise<void> {
        if (!(await this.store.homeExists())) return;
        await this.store.transaction(() => this.store.wipe());
        await this.store.sweep();
        await this.store.init();
    }
}
