/**
 * Install*LicenseKeyPack: every install creates a new key pack (a real server shows a new row per
 * install), unless its requestKey already created a pack that still exists (idempotent retries).
 */
import {
    DEFAULT_PRODUCT_VERSION_IDS,
    keyPackTypeOf,
    LICENSE_PROGRAMS,
    PRODUCT_VERSIONS,
    PROGRAM_DISPLAY_NAME,
    serverAcceptsCalVersion,
    type LicenseProgram,
    type LicenseType,
    type ProductVersion,
} from "../licensing/codes";
import type { InstallSpec, KeyPack } from "../licensing/operations";
import { resolveEntitlement, type PackShape, type PreparedInstall } from "./clearinghouse";
import { refuse } from "./refusal";
import { checkCount } from "./rules-packs";
import { publicPack, requireActivated, requireClearinghouse, type ServerEnv } from "./rules-server";
import type { Registry, StoredPack, StoredServer } from "./state";

export interface InstallEnv extends ServerEnv {
    registry: Registry | undefined;
    /** Licenses installed under `key` and shape on the *other* servers of the store. */
    installedElsewhere(key: string, productVersion: ProductVersion, licenseType: LicenseType): number;
}

/** SPLA licenses are rented: the simulator gives SPLA packs a one-year expiry. Other packs never expire. */
export const SPLA_VALIDITY_DAYS = 365;

const LABEL: Record<LicenseType, string> = { "per-user": "Per User", "per-device": "Per Device" };

function checkSpec(spec: InstallSpec, requestKey: unknown): void {
    const context = "install";
    if (typeof requestKey !== "string" || !requestKey) refuse(context, "invalid-parameter", "the install has no requestKey");
    if (!spec || !LICENSE_PROGRAMS.includes(spec.program as LicenseProgram)) refuse(context, "invalid-parameter", "unknown licensing program");
    if (!PRODUCT_VERSIONS.includes(spec.productVersion)) {
        refuse(context, "invalid-parameter", `the product version must be one of ${PRODUCT_VERSIONS.join(", ")}`);
    }
    if (spec.licenseType !== "per-user" && spec.licenseType !== "per-device") {
        refuse(context, "invalid-parameter", "the license type must be per-user or per-device");
    }
    checkCount(spec.count, context);
}

export function install(s: StoredServer, spec: InstallSpec, requestKey: string, prepared: PreparedInstall, env: InstallEnv): KeyPack {
    const previous = s.requests[prepared.requestHash];
    const existing = previous === undefined ? undefined : s.packs.find((p) => p.keyPackId === previous);
    if (existing) return publicPack(existing);

    requireActivated(s, "install");
    checkSpec(spec, requestKey);
    if (prepared.formatProblem || !prepared.entitlementKey) refuse("install", "invalid-number", prepared.formatProblem ?? "the number is missing");
    requireClearinghouse(env, "install", "install licenses");
    const key = prepared.entitlementKey;
    if (spec.program === "retail" && s.retailCodesUsed.includes(key)) {
        refuse("install", "entitlement-refused", `this license code has already been installed on ${s.name}`);
    }
    const shape = resolveEntitlement({
        spec,
        key,
        registry: env.registry,
        installed: (k, v, t) => env.installedElsewhere(k, v, t) + installedHere(s, k, v, t),
    });
    if (!serverAcceptsCalVersion(s.windowsServerVersion, shape.productVersion)) {
        refuse(
            "install",
            "version-not-supported",
            `a Windows Server ${s.windowsServerVersion} license server cannot hold ${shape.productVersion} CALs (it takes its own version or older)`,
        );
    }
    const pack = newPack(s.nextKeyPackId, spec.program, shape, key, env.now);
    s.nextKeyPackId += 1;
    s.packs.push(pack);
    s.requests[prepared.requestHash] = pack.keyPackId;
    if (spec.program === "retail") s.retailCodesUsed.push(key);
    return publicPack(pack);
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
