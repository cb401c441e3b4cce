/**
 * The bench's servers and packs as plain values, without the stack config: the TypeScript programs
 * (shape.ts) and the plugin variant's YAML program (bench/plugin.ts) build the same graph from them.
 */
import type { LicenseProgram, LicenseType } from "../../src/licensing/codes";

/** Agreement programs only: every well-formed agreement number installs, on any server, any number of times. */
const PROGRAMS: readonly LicenseProgram[] = ["select", "enterprise-agreement", "campus", "school"];

export const serverName = (s: number): string => `BENCH${s + 1}`;

export const contact = { firstName: "Bench", lastName: "Mark", company: "Contoso (fictitious)", countryRegion: "NL" };

/** Pack `p` of server `s`, its agreement number plain (the programs pass it as a secret). */
export function packSpec(s: number, p: number) {
    return {
        program: PROGRAMS[p % PROGRAMS.length],
        agreementNumber: String(9_300_000 + s * 1_000 + p),
        productVersion: "2022" as const,
        licenseType: (p % 3 === 0 ? "per-device" : "per-user") as LicenseType,
        count: (p % 25) + 1,
    };
}
