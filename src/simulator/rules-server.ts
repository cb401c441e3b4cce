/**
 * Win32_TSLicenseServer rules: contact info, activation (needs the Clearinghouse), deactivation,
 * reactivation, and the read-only views.
 */
import { BUILT_IN_PACK_DESCRIPTION, DEFAULT_PRODUCT_VERSION_IDS, KeyPackType, type ProductVersion } from "../licensing/codes";
import type { CodeContext } from "../licensing/errors";
import type { ContactInfo, KeyPack, ServerStatus } from "../licensing/operations";
import { countryCodeForStatus, requireCountryName, resolveCountry } from "./countries";
import { refuse } from "./refusal";
import { BUILT_IN_KEY_PACK_ID, FORMAT_VERSION, type StoredPack, type StoredServer } from "./state";

/** What the rules need from outside the server: the Clearinghouse's reachability, ids, the time. */
export interface ServerEnv {
    clearinghouseReachable: boolean;
    now: Date;
    newLicenseServerId(): string;
}

const REQUIRED_CONTACT = ["firstName", "lastName", "company", "countryRegion"] as const;
const CONTACT_LABEL: Record<(typeof REQUIRED_CONTACT)[number], string> = {
    firstName: "first name",
    lastName: "last name",
    company: "company",
    countryRegion: "country/region",
};
const CONTACT_FIELDS = [...REQUIRED_CONTACT, "email"] as const;

export function newServer(name: string, windowsServerVersion: ProductVersion, now: Date): StoredServer {
    return {
        formatVersion: FORMAT_VERSION,
        name,
        windowsServerVersion,
        createdAt: now.toISOString(),
        contact: {},
        activation: "not-activated",
        nextKeyPackId: BUILT_IN_KEY_PACK_ID + 1,
        packs: [],
        requests: {},
        retailCodesUsed: [],
        executions: 0,
    };
}

export function statusOf(s: StoredServer): ServerStatus {
    const status: ServerStatus = {
        name: s.name,
        windowsServerVersion: s.windowsServerVersion,
        activation: s.activation,
        contact: { ...s.contact },
    };
    if (s.contact.countryRegion) status.contact.countryRegion = countryCodeForStatus(s.contact.countryRegion, s.language);
    if (s.licenseServerId) status.licenseServerId = s.licenseServerId;
    return status;
}

/** Merge the non-empty string fields of `contact` over the stored ones. */
export function mergeContact(s: StoredServer, contact: Partial<ContactInfo> | undefined): Partial<ContactInfo> {
    const merged: Partial<ContactInfo> = { ...s.contact };
    for (const field of CONTACT_FIELDS) {
        const value = contact?.[field];
        if (typeof value === "string" && value.trim()) merged[field] = value.trim();
    }
    return merged;
}

/**
 * Activation as the driver runs it: the contact's ISO country code (the stack config's, or one
 * stored before) becomes the name in the server's language, then the server activates.
 */
export function activate(s: StoredServer, contact: Partial<ContactInfo> | undefined, env: ServerEnv): ServerStatus {
    if (s.activation === "activated") return statusOf(s);
    const merged = mergeContact(s, contact);
    const country = resolveCountry(merged.countryRegion, s.language);
    return activateServer(s, country === undefined ? merged : { ...merged, countryRegion: country }, env);
}

/**
 * ActivateServerAutomatic itself, with the contact set on the server as given: the country/region
 * must be a name from the server's own list (a bare ISO code is refused, "Invalid parameter").
 */
export function activateServer(s: StoredServer, contact: Partial<ContactInfo> | undefined, env: ServerEnv): ServerStatus {
    // Already activated: ActivateServerAutomatic changes nothing, so a retry converges.
    if (s.activation === "activated") return statusOf(s);
    const merged = mergeContact(s, contact);
    const missing = REQUIRED_CONTACT.filter((f) => !merged[f]);
    if (missing.length) {
        refuse("activate", "contact-incomplete", `activation needs the contact's ${missing.map((f) => CONTACT_LABEL[f]).join(", ")}`);
    }
    requireCountryName(merged.countryRegion!, s.language);
    requireClearinghouse(env, "activate", "activate the license server");
    s.contact = merged;
    s.activation = "activated";
    s.licenseServerId = env.newLicenseServerId();
    s.activatedAt = env.now.toISOString();
    return statusOf(s);
}

/** Deactivation is local to the simulator (no Clearinghouse round-trip); the packs stay installed. */
export function deactivate(s: StoredServer): ServerStatus {
    requireActivated(s, "deactivate");
    s.activation = "not-activated";
    delete s.licenseServerId;
    delete s.activatedAt;
    return statusOf(s);
}

/** A new certificate from the Clearinghouse; the license server ID stays. */
export function reactivate(s: StoredServer, env: ServerEnv): ServerStatus {
    requireActivated(s, "deactivate");
    requireClearinghouse(env, "activate", "reactivate the license server");
    s.activatedAt = env.now.toISOString();
    return statusOf(s);
}

export function requireActivated(s: StoredServer, context: CodeContext): void {
    if (s.activation !== "activated") {
        refuse(context, "not-activated", `license server ${s.name} is not activated; activate it first`);
    }
}

export function requireClearinghouse(env: ServerEnv, context: CodeContext, action: string): void {
    if (!env.clearinghouseReachable) {
        refuse(context, "clearinghouse-unreachable", `cannot ${action}: the Microsoft Clearinghouse is unreachable; retry later`);
    }
}

/** The WMI view of a stored pack (internal fields dropped). */
export function publicPack(p: StoredPack): KeyPack {
    const pack: KeyPack = {
        keyPackId: p.keyPackId,
        keyPackType: p.keyPackType,
        programName: p.programName,
        description: p.description,
        productVersion: p.productVersion,
        productVersionId: p.productVersionId,
        licenseType: p.licenseType,
        totalLicenses: p.totalLicenses,
        issuedLicenses: p.issuedLicenses,
        availableLicenses: p.availableLicenses,
    };
    if (p.expirationDate) pack.expirationDate = p.expirationDate;
    return pack;
}

/**
 * The built-in pack every server carries. It is not stored (nothing changes it) and list-packs never
 * returns it, as readers of a real server filter it out.
 */
export function builtInPack(s: StoredServer): KeyPack {
    return {
        keyPackId: BUILT_IN_KEY_PACK_ID,
        keyPackType: KeyPackType.Unknown,
        programName: "Built-in",
        description: BUILT_IN_PACK_DESCRIPTION,
        productVersion: s.windowsServerVersion,
        productVersionId: DEFAULT_PRODUCT_VERSION_IDS[s.windowsServerVersion],
        licenseType: "per-device",
        totalLicenses: 0,
        issuedLicenses: 0,
        availableLicenses: 0,
    };
}
