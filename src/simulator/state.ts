/**
 * The shapes of the store's files. Numbers (agreement numbers, license codes, open-license numbers)
 * never appear here: only salted hashes of them ("entitlement keys").
 */
import type { AgreementProgram, LicenseProgram, LicenseType, ProductVersion } from "../licensing/codes";
import type { ContactInfo, KeyPack } from "../licensing/operations";
import type { IssuedLicensesRecord } from "./farm-state";

export const FORMAT_VERSION = 1;

/** config.json: created once per store; the salt never changes until `reset`. */
export interface StoreConfig {
    formatVersion: number;
    /** Random per-store salt of every hash in the store. */
    salt: string;
    /** Latency added to every remote execution ($RDLS_SIM_LATENCY_MS wins). */
    latencyMs: number;
    createdAt: string;
}

/** A key pack as stored: the WMI view plus what the simulator needs to enforce its rules. */
export interface StoredPack extends KeyPack {
    /** The stack config's program id (e.g. "enterprise-agreement"). */
    program: LicenseProgram;
    /** Salted hash of the numbers the pack was installed with. */
    entitlementKey: string;
    installedAt: string;
    /** Per-device licenses revoked so far (bounded by 20 % of the pack). */
    revokedLicenses: number;
    /** Set on a pack an Import* method migrated here: the source license server's name. */
    importedFrom?: string;
    /** Set on a pack ConvertLicenses made: the key pack its licenses came from. */
    convertedFrom?: number;
}

/** servers/<name>.json (the farm adds the licenses it issued to users and devices: farm-state.ts) */
export interface StoredServer extends IssuedLicensesRecord {
    formatVersion: number;
    name: string;
    windowsServerVersion: ProductVersion;
    /**
     * The display language of this Windows (e.g. fr-FR; absent: en-US): the country/region names
     * its licensing provider takes at activation are in it.
     */
    language?: string;
    createdAt: string;
    /**
     * Random, new each time a server of this name is created. Absent in servers written before it
     * existed: `instanceIdOf` (admin.ts) derives theirs from `createdAt`.
     */
    instanceId?: string;
    /**
     * Who created the server, when it said (a SimulatedLicenseServer: `<project>/<stack>/<resource>`).
     * Never a secret; absent for servers made by hand or before the field existed.
     */
    owner?: string;
    contact: Partial<ContactInfo>;
    activation: "activated" | "not-activated";
    licenseServerId?: string;
    activatedAt?: string;
    /** Key pack ids only grow: a removed pack's id is never reused. */
    nextKeyPackId: number;
    packs: StoredPack[];
    /** HMAC of an install's requestKey → the keyPackId it created (idempotent installs). */
    requests: Record<string, number>;
    /** Salted hashes of the retail codes consumed on this server (each installs once). */
    retailCodesUsed: string[];
    /** Remote executions completed on this server (admin actions are not counted). */
    executions: number;
}

/** The built-in pack's id; installed packs are numbered after it. */
export const BUILT_IN_KEY_PACK_ID = 2;

/** faults.json */
export interface Faults {
    /** Activation and installs fail with clearinghouse-unreachable. */
    clearinghouseUnreachable: boolean;
    /** The next N executions fail as a transport error before running anything. */
    transientFailures: number;
    /** Extra latency per execution, for the next `remaining` executions or forever when absent. */
    slow?: { extraMs: number; remaining?: number };
    /**
     * Every agreement or open-license install makes a pack of this CAL version, whatever was asked:
     * a server whose ProductVersion code means another version (Windows Server 2025's is undocumented).
     */
    installVersion?: ProductVersion;
}

export const NO_FAULTS: Faults = { clearinghouseUnreachable: false, transientFailures: 0 };

/** What the Clearinghouse lets a number install. */
export interface Entitlement {
    key: string;
    productVersion: ProductVersion;
    licenseType: LicenseType;
    /** Agreements and open licenses: total across installs; retail: the pack's size. */
    count: number;
}

/** clearinghouse.json: the purchased entitlements, hashed. Absent = every well-formed number passes. */
export interface Registry {
    loadedAt: string;
    agreements: (Entitlement & { program?: AgreementProgram })[];
    retail: Entitlement[];
    openLicenses: Entitlement[];
}

/** executions/<name>.jsonl, one line per remote execution. Never arguments. */
export interface ExecutionLogEntry {
    /** The server's execution counter after this execution. */
    seq: number;
    pid: number;
    /** Epoch milliseconds: execution lock taken. */
    start: number;
    /** Epoch milliseconds: results committed, just before the execution lock is released. */
    end: number;
    operations: string[];
}

/**
 * retail-codes.json: the Clearinghouse's memory of retail codes, store-wide. A retail code is
 * consumed by its first install; the ledger remembers by whom, so it outlives the server (deleted,
 * rebuilt under the same name) and only `reset` forgets it. Keys are salted hashes, never codes.
 */
export interface RetailLedger {
    formatVersion: number;
    /** Ties the ledger to the store's salt (an HMAC of it, see secrets.ts): one left by a reset store reads as empty. */
    saltId: string;
    /** Entitlement key (salted hash) of a code → who consumed it. */
    codes: Record<string, RetailLedgerEntry>;
}

export interface RetailLedgerEntry {
    /** The license server that consumed the code, as it is named (compared case-insensitively). */
    server: string;
    /** When the ledger learnt of it. */
    recordedAt: string;
    /**
     * The pack the code yields, as first installed. Absent for codes read from a server record of an
     * older store (per-server `retailCodesUsed`): a reinstall then grants what a fresh install would.
     */
    shape?: { productVersion: ProductVersion; licenseType: LicenseType; count: number };
}

export const RETAIL_LEDGER_FORMAT_VERSION = 1;
