/**
 * The durable store: reads without locking (every file is replaced atomically, so a read sees a whole
 * version), read-modify-write only inside `transaction`, which holds the store lock for just that.
 *
 * Absence is only believed when it is confirmed. The store does not exist when its folder does not,
 * or when the folder holds no data file yet (a fresh `mkdtemp`, or an `init` that was killed before
 * writing config.json): then there are no servers. A store that cannot be read is an error naming
 * the file and the fix, never "nothing here": a missing config.json while servers/, faults.json or
 * clearinghouse.json exist, a missing servers/ folder while config.json exists, a file that is not
 * valid JSON or not a valid store file, a file that cannot be read. Such errors are LicensingErrors of
 * kind `failed` (not `not-found`), so a provider's read fails instead of reporting its server gone,
 * and nothing writes a new salt over an existing store.
 */
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { LicensingError, LicensingErrorKind } from "../licensing/errors";
import {
    appendLine,
    cleanTempFiles,
    createFileAtomic,
    describeReadError,
    fsyncDir,
    readJson,
    removeFile,
    UnreadableFileError,
    writeFileAtomic,
} from "./fs-atomic";
import { withLock } from "./lock";
import { executionLogFile, serverFile, storePaths, type StorePaths } from "./paths";
import { newSalt } from "./secrets";
import type { ExecutionLogEntry, Faults, Registry, StoreConfig, StoredServer } from "./state";
import { FORMAT_VERSION } from "./state";
import { parseConfig, parseFaults, parseRegistry, parseServer } from "./validate";
// The retail ledger (block below).
import { ledgerSaltId } from "./secrets";
import type { RetailLedger } from "./state";
import { parseRetailLedger } from "./validate";

const STORE_LOCK_TIMEOUT_MS = 60_000;
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const errno = (err: unknown) => (err as NodeJS.ErrnoException)?.code;

/** How to get out of a damaged store: repair or restore the file, or start again with an empty store. */
export function storeFix(home: string, missing = false): string {
    return (
        `${missing ? "restore it from a backup" : "repair it or restore it from a backup"}, or run ` +
        `\`rdls-sim reset --home ${home}\` to empty the store (every server and key pack in it is lost)`
    );
}

/** The error of a store that cannot be read: kind `failed`, never `not-found`. */
export function storeDamaged(problem: string, home: string, missing = false): LicensingError {
    return new LicensingError({ kind: LicensingErrorKind.Failed, message: `simulator store ${problem}; ${storeFix(home, missing)}` });
}

export class Store {
    readonly paths: StorePaths;

    constructor(readonly home: string) {
        this.paths = storePaths(home);
    }

    /**
     * The config, or undefined when no store exists here (its folder is absent, or holds no data file).
     * Throws, naming the file, when the store exists but its config cannot be read.
     */
    async readConfig(): Promise<StoreConfig | undefined> {
        const config = await this.loadConfig();
        if (config) return config;
        const data = await this.dataFiles();
        if (data.length === 0) return undefined;
        // init writes config.json before any other file: a concurrent init may have just done so.
        const again = await this.loadConfig();
        if (again) return again;
        const shown = data.slice(0, 3).join(", ") + (data.length > 3 ? ` and ${data.length - 3} more` : "");
        throw storeDamaged(
            `file ${this.paths.config} is missing, but the store holds ${shown}: without it the salt of every hash in the store ` +
                `is lost, so nothing can be read (nothing was changed)`,
            this.home,
            true,
        );
    }

    /** The config, creating the store (directories, salt) on first use. Never replaces an existing config. */
    async init(): Promise<StoreConfig> {
        const existing = await this.readConfig(); // a damaged store throws here: no new salt over it
        if (existing) return existing;
        for (const dir of [this.paths.home, this.paths.serversDir, this.paths.executionsDir, this.paths.locksDir]) {
            await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
        }
        return this.transaction(async () => {
            const again = await this.readConfig();
            if (again) return again;
            const config: StoreConfig = { formatVersion: FORMAT_VERSION, salt: newSalt(), latencyMs: 0, createdAt: new Date().toISOString() };
            if (await createFileAtomic(this.paths.config, json(config))) return config;
            // Someone wrote one without the lock (by hand): theirs stands.
            const theirs = await this.loadConfig();
            if (!theirs) throw storeDamaged(`file ${this.paths.config} appeared and vanished while the store was created`, this.home);
            return theirs;
        });
    }

    /** Run `fn` holding the store lock. Only call the write methods from inside a transaction. */
    async transaction<T>(fn: () => Promise<T>): Promise<T> {
        await fsp.mkdir(this.paths.locksDir, { recursive: true, mode: 0o700 });
        return withLock(this.paths.storeLock, { timeoutMs: STORE_LOCK_TIMEOUT_MS, purpose: "store" }, fn);
    }

    async readFaults(): Promise<Faults> {
        await this.readConfig();
        return this.load(this.paths.faults, parseFaults);
    }

    async readRegistry(): Promise<Registry | undefined> {
        await this.readConfig();
        return this.load(this.paths.registry, parseRegistry);
    }

    /** The server, or undefined when it does not exist (a confirmed absence: the store reads fine). */
    async readServer(key: string): Promise<StoredServer | undefined> {
        if (!(await this.readConfig())) return undefined;
        return this.readServerFile(key);
    }

    /** The keys of the servers in the store. */
    async serverKeys(): Promise<string[]> {
        if (!(await this.readConfig())) return [];
        const keys = await this.listServerFiles();
        if (keys === undefined) throw this.serversDirMissing();
        return keys;
    }

    async readServers(): Promise<StoredServer[]> {
        const servers = await Promise.all((await this.serverKeys()).map((k) => this.readServerFile(k)));
        return servers.filter((s): s is StoredServer => s !== undefined);
    }

    async readExecutionLog(key: string): Promise<ExecutionLogEntry[]> {
        const file = executionLogFile(this.paths, key);
        let text: string;
        try {
            text = await fsp.readFile(file, "utf8");
        } catch (err) {
            if (errno(err) === "ENOENT") return [];
            throw storeDamaged(`file ${file} ${describeReadError(err)}`, this.home);
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

    // ---- The retail ledger: <home>/retail-codes.json (rules in install-env.ts and rules-install.ts) ----

    /** Where the store-wide ledger of consumed retail codes lives; it outlives server files. */
    get retailLedgerFile(): string {
        return path.join(this.home, "retail-codes.json");
    }

    /** The ledger of this store generation (empty when absent or left by a reset store). Read it inside a transaction to update it. */
    readRetailLedger(salt: string): Promise<RetailLedger> {
        return this.load(this.retailLedgerFile, (raw, file) => parseRetailLedger(raw, file, ledgerSaltId(salt)));
    }

    /** Replace the ledger atomically. Only inside a transaction. */
    writeRetailLedger(ledger: RetailLedger): Promise<void> {
        return writeFileAtomic(this.retailLedgerFile, json(ledger));
    }

    // ---- end of the retail ledger ----

    /** True when the store folder exists (whatever it holds); throws when that path is not a folder. */
    async homeExists(): Promise<boolean> {
        try {
            if ((await fsp.stat(this.home)).isDirectory()) return true;
        } catch (err) {
            if (errno(err) === "ENOENT") return false;
            if (errno(err) !== "ENOTDIR") throw storeDamaged(`folder ${this.home} ${describeReadError(err)}`, this.home);
        }
        throw this.notAFolder();
    }

    /**
     * Remove every file of the store, readable or not, config.json last (so that no reader ever sees
     * data without a config). Call inside a transaction. What `reset` does, damaged stores included.
     */
    async wipe(): Promise<void> {
        const p = this.paths;
        let keys: string[] | undefined;
        try {
            keys = await this.listServerFiles();
        } catch {
            keys = undefined; // servers/ is not a folder: replace it
        }
        if (keys) for (const key of keys) await fsp.rm(serverFile(p, key), { recursive: true, force: true });
        else await fsp.rm(p.serversDir, { recursive: true, force: true });
        await fsp.mkdir(p.serversDir, { recursive: true, mode: 0o700 });
        await fsp.rm(p.executionsDir, { recursive: true, force: true });
        await fsp.mkdir(p.executionsDir, { recursive: true, mode: 0o700 });
        for (const dir of [p.hostsDir, p.deploymentsDir]) await fsp.rm(dir, { recursive: true, force: true });
        for (const file of [p.registry, this.retailLedgerFile, p.faults, p.clock, p.config]) await fsp.rm(file, { recursive: true, force: true });
        await fsyncDir(p.home);
    }

    /** Remove temporary files of killed writers. */
    async sweep(): Promise<void> {
        for (const dir of [this.paths.home, this.paths.serversDir, this.paths.locksDir, this.paths.hostsDir, this.paths.deploymentsDir]) await cleanTempFiles(dir);
    }

    private loadConfig(): Promise<StoreConfig | undefined> {
        return this.load(this.paths.config, (raw, file) => (raw === undefined ? undefined : parseConfig(raw, file)));
    }

    private async readServerFile(key: string): Promise<StoredServer | undefined> {
        const file = serverFile(this.paths, key);
        const server = await this.load(file, (raw, f) => (raw === undefined ? undefined : parseServer(raw, f)));
        // No file is a confirmed absence only while the servers folder itself is there.
        if (server === undefined && !(await this.isFolder(this.paths.serversDir))) throw this.serversDirMissing();
        return server;
    }

    private async isFolder(dir: string): Promise<boolean> {
        try {
            return (await fsp.stat(dir)).isDirectory();
        } catch (err) {
            if (errno(err) === "ENOENT" || errno(err) === "ENOTDIR") return false;
            throw storeDamaged(`folder ${dir} ${describeReadError(err)}`, this.home);
        }
    }

    private homeIsFolder(): Promise<boolean> {
        return this.isFolder(this.home).catch(() => true);
    }

    /** Read and check one JSON file (absent: `parse` gets undefined); a problem is a store error naming the file. */
    loadFile<T>(file: string, parse: (raw: unknown, file: string) => T): Promise<T> {
        return this.load(file, parse);
    }

    /** Read and check one JSON file; any problem is a store error that names the file and the fix. */
    private async load<T>(file: string, parse: (raw: unknown, file: string) => T): Promise<T> {
        let raw: unknown;
        try {
            raw = await readJson(file);
        } catch (err) {
            if (!(err instanceof UnreadableFileError)) throw err;
            if (err.code === "ENOTDIR" && !(await this.homeIsFolder())) throw this.notAFolder();
            throw storeDamaged(`file ${err.file} ${err.problem}`, this.home);
        }
        try {
            return parse(raw, file);
        } catch (err) {
            // validate.ts says which file and what is wrong; add the way out.
            if (err instanceof LicensingError) throw new LicensingError({ kind: err.kind, message: `${err.detail}; ${storeFix(this.home)}` });
            throw err;
        }
    }

    /** Server keys from servers/*.json; undefined when the folder does not exist. */
    private listServerFiles(): Promise<string[] | undefined> {
        return this.listJsonFiles(this.paths.serversDir);
    }

    /** Keys of the `<key>.json` files of a store folder; undefined when the folder does not exist. */
    async listJsonFiles(dir: string): Promise<string[] | undefined> {
        let names: string[];
        try {
            names = await fsp.readdir(dir);
        } catch (err) {
            if (errno(err) === "ENOENT") return undefined;
            throw storeDamaged(`folder ${dir} ${describeReadError(err)}`, this.home);
        }
        return names.filter((n) => n.endsWith(".json") && !n.startsWith(".")).map((n) => n.slice(0, -".json".length)).sort();
    }

    /** The files that only a created store has (their hashes depend on its salt), relative to home. */
    private async dataFiles(): Promise<string[]> {
        const found = ((await this.listServerFiles()) ?? []).map((k) => path.relative(this.home, serverFile(this.paths, k)));
        for (const dir of [this.paths.hostsDir, this.paths.deploymentsDir]) {
            for (const key of (await this.listJsonFiles(dir)) ?? []) found.push(path.relative(this.home, path.join(dir, `${key}.json`)));
        }
        for (const file of [this.paths.registry, this.retailLedgerFile, this.paths.faults, this.paths.clock]) {
            try {
                await fsp.lstat(file);
                found.push(path.basename(file));
            } catch (err) {
                if (errno(err) !== "ENOENT" && errno(err) !== "ENOTDIR") throw storeDamaged(`file ${file} ${describeReadError(err)}`, this.home);
            }
        }
        return found;
    }

    private notAFolder(): LicensingError {
        return new LicensingError({
            kind: LicensingErrorKind.Failed,
            message: `simulator store ${this.home} is not a folder (it, or a folder above it, is a file); point --home or $RDLS_SIM_HOME at a folder`,
        });
    }

    private serversDirMissing(): LicensingError {
        return storeDamaged(
            `folder ${this.paths.serversDir} is missing, but ${this.paths.config} exists: the store lost its servers (nothing was changed)`,
            this.home,
            true,
        );
    }
}
