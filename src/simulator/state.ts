/**
 * The shapes of the store's files. Numbers (agreement numbers, license codes, open-license numbers)
 * never appear here: only salted hashes of them ("entitlement keys").
 */
import type { AgreementProgram, LicenseProgram, LicenseType, ProductVersion } from "../licensing/codes";
import type { ContactInfo, KeyPack } from "../licensing/operations";

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
}

/** servers/<name>.json */
export interface StoredServer {
    formatVersion: number;
    name: string;
    windowsServerVersion: ProductVersion;
    createdAt: string;
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
