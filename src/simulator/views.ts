/** Read-only views of stored servers for the admin API and the CLI. */
import type { LicenseProgram, ProductVersion } from "../licensing/codes";
import type { KeyPack } from "../licensing/operations";
import { builtInPack, publicPack } from "./rules-server";
import type { StoredServer } from "./state";

/** A pack as the admin sees it: the WMI view plus the stack config's program id. */
export interface SimulatorPack extends KeyPack {
    /** e.g. "enterprise-agreement"; "built-in" for the built-in pack. */
    program: LicenseProgram | "built-in";
    installedAt?: string;
    /** Per-device licenses revoked so far. */
    revokedLicenses: number;
}

export interface ServerSummary {
    name: string;
    windowsServerVersion: ProductVersion;
    activation: "activated" | "not-activated";
    licenseServerId?: string;
    packs: number;
    totalLicenses: number;
    issuedLicenses: number;
    availableLicenses: number;
    /** Remote executions completed (admin actions are not counted). */
    executions: number;
}

export function packView(s: StoredServer, includeBuiltIn: boolean): SimulatorPack[] {
    const packs: SimulatorPack[] = s.packs.map((p) => ({
        ...publicPack(p),
        program: p.program,
        installedAt: p.installedAt,
        revokedLicenses: p.revokedLicenses,
    }));
    return includeBuiltIn ? [{ ...builtInPack(s), program: "built-in", revokedLicenses: 0 }, ...packs] : packs;
}

export function summarize(s: StoredServer): ServerSummary {
    const sum = (f: (p: KeyPack) => number) => s.packs.reduce((n, p) => n + f(p), 0);
    const summary: ServerSummary = {
        name: s.name,
        windowsServerVersion: s.windowsServerVersion,
        activation: s.activation,
        packs: s.packs.length,
        totalLicenses: sum((p) => p.totalLicenses),
        issuedLicenses: sum((p) => p.issuedLicenses),
        availableLicenses: sum((p) => p.availableLicenses),
        executions: s.executions,
    };
    if (s.licenseServerId) summary.licenseServerId = s.licenseServerId;
    return summary;
}
