/** Turn what a script printed (wire.ts) into the domain's values (operations.ts). */
import {
    ActivationStatus,
    BUILT_IN_PACK_DESCRIPTION,
    KeyPackType,
    PRODUCT_TYPE_BUILT_IN,
    PROGRAM_DISPLAY_NAME,
    isLicenseProgram,
    licenseTypeFromProductType,
    productVersionFromId,
    programsOfKeyPackType,
    type ActivationState,
    type KeyPack,
    type ProductVersion,
    type ServerStatus,
} from "../../licensing";
import type { WirePack, WireStatus } from "./wire";
import { productVersionFromText, windowsServerVersionFromBuild } from "./windows-version";

/** Packs that never expire report a far-future ExpirationDate; only real deadlines are kept. */
const NO_EXPIRY_FROM_YEAR = 2037;

export function isBuiltInPack(row: Pick<WirePack, "d" | "y">): boolean {
    return row.y === PRODUCT_TYPE_BUILT_IN || row.d.toLowerCase().startsWith(BUILT_IN_PACK_DESCRIPTION.toLowerCase());
}

/**
 * The "License Program" column: the program recorded when this tool installed the pack, else what
 * KeyPackType tells (volume packs do not say which agreement they came from).
 */
function programName(row: WirePack): string {
    if (isLicenseProgram(row.g)) return PROGRAM_DISPLAY_NAME[row.g];
    const programs = programsOfKeyPackType(row.t);
    if (programs.length === 1) return PROGRAM_DISPLAY_NAME[programs[0]!];
    if (row.t === KeyPackType.Volume) return "Volume License";
    return "Unknown";
}

/**
 * A key pack in domain form, or undefined when it is not one this product manages (built-in pack,
 * a version outside 2016-2025, an invalid product type).
 */
export function keyPackFromWire(row: WirePack, ids: Readonly<Record<ProductVersion, number>>): KeyPack | undefined {
    if (isBuiltInPack(row)) return undefined;
    const licenseType = licenseTypeFromProductType(row.y);
    // ProductVersionID first; the version text covers an ID the table does not know yet (2025).
    const productVersion = productVersionFromId(row.v, ids) ?? productVersionFromText(`${row.s} ${row.d}`);
    if (!licenseType || !productVersion) return undefined;
    const pack: KeyPack = {
        keyPackId: row.i,
        keyPackType: row.t,
        programName: programName(row),
        description: row.d,
        productVersion,
        productVersionId: row.v,
        licenseType,
        totalLicenses: row.n,
        issuedLicenses: row.u,
        availableLicenses: row.a,
    };
    if (row.x && Number(row.x.slice(0, 4)) < NO_EXPIRY_FROM_YEAR) pack.expirationDate = row.x;
    return pack;
}

function activationState(code: number): ActivationState {
    if (code === ActivationStatus.Activated) return "activated";
    if (code === ActivationStatus.NotActivated) return "not-activated";
    return "unknown";
}

/** The server status, or a problem statement when the server is not one this product manages. */
export function statusFromWire(w: WireStatus): { ok: true; status: ServerStatus } | { ok: false; problem: string } {
    const windowsServerVersion = windowsServerVersionFromBuild(w.b);
    if (!windowsServerVersion) {
        return { ok: false, problem: `Windows build ${w.b} is older than Windows Server 2016, which this product does not manage` };
    }
    const contact: ServerStatus["contact"] = {};
    if (w.fn) contact.firstName = w.fn;
    if (w.ln) contact.lastName = w.ln;
    if (w.co) contact.company = w.co;
    if (w.cr) contact.countryRegion = w.cr;
    if (w.em) contact.email = w.em;
    const status: ServerStatus = { name: w.n, windowsServerVersion, activation: activationState(w.a), contact };
    if (w.id) status.licenseServerId = w.id;
    return { ok: true, status };
}
