/**
 * Install*LicenseKeyPack: every install creates a new key pack (a real server shows a new row per
 * install), unless its requestKey already created a pack that still exists (idempotent retries).
 * Reinstall*LicenseKeyPack, our reading of the documentation (which says only that it "reinstalls" a
 * pack): a retail code is consumed by its first install, store-wide; with `allowReinstall`, the server
 * that consumed it (by name) gets the code's pack back once no pack of it is installed anywhere.
 * Import*LicenseKeyPack (an install with a `migration` origin) and ConvertLicenses (a `conversion`
 * origin, rules-packs.ts) share the request-key idempotency of installs.
 */
import { DEFAULT_PRODUCT_VERSION_IDS, LICENSE_TYPES, PRODUCT_VERSIONS, serverAcceptsCalVersion, type LicenseType, type ProductVersion } from "../licensing/codes";
import { isLicenseProgram, keyPackTypeOf, PROGRAM_DISPLAY_NAME, type LicenseProgram } from "../licensing/programs";
import { migrationProductId } from "../licensing/catalog";
import type { InstallOrigin, InstallSpec, InstalledKeyPack } from "../licensing/operations";
import { resolveEntitlement, type PackShape, type PreparedInstall, type RetailCodeBook } from "./clearinghouse";
import { refuse } from "./refusal";
import { checkCount, convertLicenses } from "./rules-packs";
import { publicPack, requireActivated, requireClearinghouse, type ServerEnv } from "./rules-server";
import type { Registry, RetailLedgerEntry, StoredPack, StoredServer } from "./state";

export interface InstallEnv extends ServerEnv {
    registry: Registry | undefined;
    /** Licenses installed under `key` and shape on the *other* servers of the store. */
    installedElsewhere(key: string, productVersion: ProductVersion, licenseType: LicenseType): number;
    /** The store-wide ledger of consumed retail codes; a fresh retail install records itself in it. */
    retailCodes: RetailCodeBook;
    /** A pack installed under `key` on one of the *other* servers right now, if any. */
    retailPackElsewhere(key: string): { server: string; keyPackId: number } | undefined;
    /** Set when the ledger was read (install-env.ts), to write it back. */
    ledgerSaltId?: string;
    /** The installVersion fault (faults.ts): agreement and open installs make packs of this version. */
    installVersion?: ProductVersion;
    /**
     * Another server of the store by name, as the Clearinghouse knows it, for an Import* method's
     * source (execution.ts sets it when a batch migrates); absent: no source is known.
     */
    migrationSource?(name: string): StoredServer | undefined;
}

export interface InstallOptions {
    /** See the install operation in operations.ts. */
    allowReinstall?: boolean;
    /** See InstallOrigin in operations.ts. */
    origin?: InstallOrigin;
}

/** SPLA licenses are rented: the simulator gives SPLA packs a one-year expiry. Other packs never expire. */
export const SPLA_VALIDITY_DAYS = 365;

const LABEL: Record<LicenseType, string> = { "per-user": "Per User", "per-device": "Per Device" };

function checkSpec(spec: InstallSpec, requestKey: unknown): void {
    const context = "install";
    if (typeof requestKey !== "string" || !requestKey) refuse(context, "invalid-parameter", "the install has no requestKey");
    if (!spec || !isLicenseProgram(spec.program)) refuse(context, "invalid-parameter", "unknown licensing program");
    if (!PRODUCT_VERSIONS.includes(spec.productVersion)) {
        refuse(context, "invalid-parameter", `the product version must be one of ${PRODUCT_VERSIONS.join(", ")}`);
    }
    if (!LICENSE_TYPES.includes(spec.licenseType)) {
        refuse(context, "invalid-parameter", `the license type must be ${LICENSE_TYPES.join(" or ")}`);
    }
    checkCount(spec.count, context);
}

export function install(
    s: StoredServer,
    spec: InstallSpec,
    requestKey: string,
    prepared: PreparedInstall,
    env: InstallEnv,
    options: InstallOptions = {},
): InstalledKeyPack {
    const previous = s.requests[prepared.requestHash];
    const existing = previous === undefined ? undefined : s.packs.find((p) => p.keyPackId === previous);
    if (existing) return publicPack(existing);

    requireActivated(s, "install");
    checkSpec(spec, requestKey);
    // ConvertLicenses sends no number: the pack it converts already holds the entitlement.
    if (options.origin?.kind === "conversion") return convertLicenses(s, options.origin.keyPackId, spec, prepared.requestHash);
    if (prepared.formatProblem || !prepared.entitlementKey) refuse("install", "invalid-number", prepared.formatProblem ?? "the number is missing");
    requireClearinghouse(env, "install", "install licenses");
    const key = prepared.entitlementKey;
    if (options.origin?.kind === "migration") return importPack(s, spec, key, options.origin, prepared, env);
    if (spec.program === "retail") {
        // The ledger knows every code consumed in the store; this server's own record is the fallback.
        const consumed = env.retailCodes.get(key) ?? (s.retailCodesUsed.includes(key) ? { server: s.name, recordedAt: env.now.toISOString() } : undefined);
        if (consumed) {
            if (!options.allowReinstall) refuse("install", "entitlement-refused", `this license code has already been installed on ${consumed.server}`);
            return reinstallRetail(s, spec, key, consumed, prepared, env);
        }
    }
    const shape = resolveEntitlement({
        spec,
        key,
        registry: env.registry,
        installed: (k, v, t) => env.installedElsewhere(k, v, t) + installedHere(s, k, v, t),
    });
    const pack = addPack(s, spec.program, shape, key, prepared, env);
    if (spec.program === "retail") {
        s.retailCodesUsed.push(key);
        env.retailCodes.consume(key, s.name, shape, env.now);
    }
    return publicPack(pack);
}

/**
 * ReinstallRetailPurchaseLicenseKeyPack: the code's full pack again, under a new key pack id, on the
 * server that consumed the code (or one rebuilt under its name), once no pack of it is installed.
 */
function reinstallRetail(
    s: StoredServer,
    spec: InstallSpec,
    key: string,
    consumed: RetailLedgerEntry,
    prepared: PreparedInstall,
    env: InstallEnv,
): InstalledKeyPack {
    const already = `this license code has already been installed on ${consumed.server}`;
    const sameServer = consumed.server.toLowerCase() === s.name.toLowerCase() || s.retailCodesUsed.includes(key);
    if (!sameServer) refuse("install", "entitlement-refused", `${already}; only that license server can reinstall it`);
    const here = s.packs.find((p) => p.entitlementKey === key);
    const installed = here ? { server: s.name, keyPackId: here.keyPackId } : env.retailPackElsewhere(key);
    if (installed) {
        refuse(
            "install",
            "entitlement-refused",
            `${already} and is still installed as key pack ${installed.keyPackId} on ${installed.server}; it can be reinstalled only once that pack is uninstalled`,
        );
    }
    // A code recorded before the ledger kept shapes yields what a fresh install would grant.
    const shape = consumed.shape ?? resolveEntitlement({ spec, key, registry: env.registry, installed: () => 0 });
    const pack = addPack(s, "retail", shape, key, prepared, env);
    if (!s.retailCodesUsed.includes(key)) s.retailCodesUsed.push(key);
    return { ...publicPack(pack), reinstalled: true };
}

/**
 * Import*LicenseKeyPack, our reading (docs/fidelity.md): the Clearinghouse accepts a migration from a
 * license server it knows by name and product ID that holds at least the licenses imported (a retail
 * code: its pack), and counts it as a move, not a purchase: no agreement total is checked and a
 * consumed retail code passes, its ledger entry moving to this server (the one that may reinstall it
 * from now on). The source keeps its licenses until they are removed there: the caller does that next.
 */
function importPack(
    s: StoredServer,
    spec: InstallSpec,
    key: string,
    origin: Extract<InstallOrigin, { kind: "migration" }>,
    prepared: PreparedInstall,
    env: InstallEnv,
): InstalledKeyPack {
    const sourceName = typeof origin.sourceServer === "string" ? origin.sourceServer : "";
    if (!sourceName || sourceName.toLowerCase() === s.name.toLowerCase()) {
        refuse("install", "invalid-parameter", "an import needs another license server as its source (sSourceLSName)");
    }
    if (typeof origin.sourceProductId !== "string" || !/^[A-Z0-9]{1,64}$/.test(origin.sourceProductId)) {
        refuse("install", "invalid-parameter", "the source's product ID (sSourceLSProductId) must be letters and digits, without hyphens");
    }
    const source = env.migrationSource?.(sourceName);
    if (!source || source.activation !== "activated" || !source.licenseServerId || migrationProductId(source.licenseServerId) !== origin.sourceProductId) {
        refuse("install", "entitlement-refused", `the Clearinghouse knows no activated license server ${sourceName} with that product ID`);
    }
    const retail = spec.program === "retail";
    const held = source.packs.filter(
        (p) => p.entitlementKey === key && (retail || (p.productVersion === spec.productVersion && p.licenseType === spec.licenseType)),
    );
    const holds = held.reduce((n, p) => n + p.totalLicenses, 0);
    if (retail ? held.length === 0 : holds < spec.count) {
        refuse(
            "install",
            "entitlement-refused",
            `${source.name} holds ${holds} of these licenses (Windows Server ${spec.productVersion} ${spec.licenseType}); cannot migrate ${spec.count}`,
        );
    }
    // A retail code's pack is the code's, whatever was declared.
    const shape: PackShape = retail
        ? { productVersion: held[0].productVersion, licenseType: held[0].licenseType, count: holds }
        : { productVersion: spec.productVersion, licenseType: spec.licenseType, count: spec.count };
    const pack = addPack(s, spec.program, shape, key, prepared, env);
    pack.importedFrom = source.name;
    if (retail) {
        if (!s.retailCodesUsed.includes(key)) s.retailCodesUsed.push(key);
        env.retailCodes.consume(key, s.name, shape, env.now);
    }
    return publicPack(pack);
}

/** The version check every install and reinstall makes, then the new pack under the next id. */
function addPack(s: StoredServer, program: LicenseProgram, given: PackShape, key: string, prepared: PreparedInstall, env: InstallEnv): StoredPack {
    // A server whose ProductVersion code means another version installs that one (a retail code's pack is the code's).
    const shape = env.installVersion && program !== "retail" ? { ...given, productVersion: env.installVersion } : given;
    if (!serverAcceptsCalVersion(s.windowsServerVersion, shape.productVersion)) {
        refuse(
            "install",
            "version-not-supported",
            `a Windows Server ${s.windowsServerVersion} license server cannot hold ${shape.productVersion} CALs (it takes its own version or older)`,
        );
    }
    const pack = newPack(s.nextKeyPackId, program, shape, key, env.now);
    s.nextKeyPackId += 1;
    s.packs.push(pack);
    s.requests[prepared.requestHash] = pack.keyPackId;
    return pack;
}

export function installedHere(s: StoredServer, key: string, productVersion: ProductVersion, licenseType: LicenseType): number {
    return s.packs
        .filter((p) => p.entitlementKey === key && p.productVersion === productVersion && p.licenseType === licenseType)
        .reduce((sum, p) => sum + p.totalLicenses, 0);
}

function newPack(keyPackId: number, program: LicenseProgram, shape: PackShape, entitlementKey: string, now: Date): StoredPack {
    const pack: StoredPack = {
        keyPackId,
        keyPackType: keyPackTypeOf(program),
        programName: PROGRAM_DISPLAY_NAME[program],
        description: `Windows Server ${shape.productVersion} - RDS ${LABEL[shape.licenseType]} CAL`,
        productVersion: shape.productVersion,
        productVersionId: DEFAULT_PRODUCT_VERSION_IDS[shape.productVersion],
        licenseType: shape.licenseType,
        totalLicenses: shape.count,
        issuedLicenses: 0,
        availableLicenses: shape.count,
        program,
        entitlementKey,
        installedAt: now.toISOString(),
        revokedLicenses: 0,
    };
    if (program === "spla") pack.expirationDate = new Date(now.getTime() + SPLA_VALIDITY_DAYS * 86_400_000).toISOString();
    return pack;
}
