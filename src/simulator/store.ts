/**
 * The durable store: reads without locking (every file is replaced atomically, so a read sees a whole
 * version), read-modify-write only inside `transaction`, which holds the store lock for just that.
 */
import * as fsp from "node:fs/promises";
import { appendLine, cleanTempFiles, readJson, removeFile, writeFileAtomic } from "./fs-atomic";
import { withLock } from "./lock";
import { executionLogFile, serverFile, storePaths, type StorePaths } from "./paths";
import { newSalt } from "./secrets";
import type { ExecutionLogEntry, Faults, Registry, StoreConfig, StoredServer } from "./state";
import { FORMAT_VERSION } from "./state";
import { parseConfig, parseFaults, parseRegistry, parseServer } from "./validate";

const STORE_LOCK_TIMEOUT_MS = 60_000;
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export class Store {
    readonly paths: StorePaths;

    constructor(readonly home: string) {
        this.paths = storePaths(home);
    }

    /** The config, or undefined when no store exists here yet. */
    async readConfig(): Promise<StoreConfig | undefined> {
        const raw = await readJson(this.paths.config);
        return raw === undefined ? undefined : parseConfig(raw, this.paths.config);
    }

    /** The config, creating the store (directories, salt) on first use. */
    async init(): Promise<StoreConfig> {
        const existing = await this.readConfig();
        if (existing) return existing;
        for (const dir of [this.paths.home, this.paths.serversDir, this.paths.executionsDir, this.paths.locksDir]) {
            await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
        }
        return this.transaction(async () => {
            const again = await this.readConfig();
            if (again) return again;
            const config: StoreConfig = { formatVersion: FORMAT_VERSION, salt: newSalt(), latencyMs: 0, createdAt: new Date().toISOString() };
            await writeFileAtomic(this.paths.config, json(config));
            return config;
        });
    }

    /** Run `fn` holding the store lock. Only call the write methods from inside a transaction. */
    async transaction<T>(fn: () => Promise<T>): Promise<T> {
        await fsp.mkdir(this.paths.locksDir, { recursive: true, mode: 0o700 });
        return withLock(this.paths.storeLock, { timeoutMs: STORE_LOCK_TIMEOUT_MS, purpose: "store" }, fn);
    }

    readFaults(): Promise<Faults> {
        return readJson(this.paths.faults).then((raw) => parseFaults(raw, this.paths.faults));
    }

    readRegistry(): Promise<Registry | undefined> {
        return readJson(this.paths.registry).then((raw) => parseRegistry(raw, this.paths.registry));
    }

    async readServer(key: string): Promise<StoredServer | undefined> {
        const file = serverFile(this.paths, key);
        const raw = await readJson(file);
        return raw === undefined ? undefined : parseServer(raw, file);
    }

    async serverKeys(): Promise<string[]> {
        let names: string[];
        try {
            names = await fsp.readdir(this.paths.serversDir);
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
            throw err;
        }
        return names.filter((n) => n.endsWith(".json") && !n.startsWith(".")).map((n) => n.slice(0, -".json".length)).sort();
    }

    async readServers(): Promise<StoredServer[]> {
        const servers = await Promise.all((await this.serverKeys()).map((k) => this.readServer(k)));
        return servers.filter((s): s is StoredServer => s !== undefined);
    }

    async readExecutionLog(key: string): Promise<ExecutionLogEntry[]> {
        let text: string;
        try {
            text = await fsp.readFile(executionLogFile(this.paths, key), "utf8");
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
            throw err;
        }
        const entries: ExecutionLogEntry[] = [];
        for (const line of text.split("\n")) {
            if (!line.trim()) continue;
            try {
                entries.push(JSON.parse(line) as ExecutionLogEntry);
            } catch {
                // A writer killed mid-append leaves a partial line: that entry is lost, the rest is intact.
            }
        }
        return entries;
    }

    writeConfig(config: StoreConfig): Promise<void> {
        return writeFileAtomic(this.paths.config, json(config));
    }

    writeFaults(faults: Faults): Promise<void> {
        return writeFileAtomic(this.paths.faults, json(faults));
    }

    writeRegistry(registry: Registry | undefined): Promise<void> {
        return registry ? writeFileAtomic(this.paths.registry, json(registry)) : removeFile(this.paths.registry);
    }

    writeServer(key: string, server: StoredServer): Promise<void> {
        return writeFileAtomic(serverFile(this.paths, key), json(server));
    }

    async deleteServer(key: string): Promise<void> {
        await removeFile(serverFile(this.paths, key));
        await removeFile(executionLogFile(this.paths, key));
    }

    appendExecution(key: string, entry: ExecutionLogEntry): Promise<void> {
        return appendLine(executionLogFile(this.paths, key), JSON.stringify(entry));
    }

    /** Remove temporary files of killed writers. */
    async sweep(): Promise<void> {
        for (const dir of [this.paths.home, this.paths.serversDir, this.paths.locksDir]) await cleanTempFiles(dir);
    }
}
