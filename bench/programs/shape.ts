/**
 * The resource graphs the bench programs build (packs.ts and farm.ts with our resources,
 * baseline.ts and baseline-farm.ts with do-nothing dynamic resources), read from the stack config
 * that bench/project.ts writes:
 *   bench:servers         M, number of license servers (BENCH1 … BENCHM)
 *   bench:packsPerServer  N, number of packs per server
 *   bench:simulatorHome   the store, relative to the project folder (default .rdls-sim)
 *   bench:broker          farm programs: the deployment's Connection Broker
 *   bench:sessionHosts    farm programs: its number of session hosts (BENCH-RDSH1 …)
 */
import * as pulumi from "@pulumi/pulumi";
import type { LicenseProgram, LicenseType, ProductVersion } from "../../src/licensing/codes";

const config = new pulumi.Config("bench");
export const servers = config.requireNumber("servers");
export const packsPerServer = config.requireNumber("packsPerServer");
export const home = config.get("simulatorHome") ?? ".rdls-sim";

/** Agreement programs only: every well-formed agreement number installs, on any server, any number of times. */
const PROGRAMS: readonly LicenseProgram[] = ["select", "enterprise-agreement", "campus", "school"];

export const serverName = (s: number): string => `BENCH${s + 1}`;

export const contact = { firstName: "Bench", lastName: "Mark", company: "Contoso (fictitious)", countryRegion: "NL" };

/** Pack `p` of server `s`: program, fictitious 7-digit agreement number (a secret, as stack secrets are passed), type, count. */
export function packArgs(s: number, p: number) {
    return {
        program: PROGRAMS[p % PROGRAMS.length],
        agreementNumber: pulumi.secret(String(9_300_000 + s * 1_000 + p)),
        productVersion: "2022" as const,
        licenseType: (p % 3 === 0 ? "per-device" : "per-user") as LicenseType,
        count: (p % 25) + 1,
    };
}

/** The packs of server `s` in packs.ts / baseline.ts: 0 … N-1. */
export const packIndexes = (): number[] => Array.from({ length: packsPerServer }, (_, p) => p);

/** The farm's one pack (farm.ts / baseline-farm.ts): index 1, per-user (enterprise agreement, 2 CALs, version 2022). */
export const FARM_PACK = 1;

/** The farm's deployment: its broker and its session hosts, alternately Windows Server 2019 and 2022. */
export function farmShape(): { broker: string; sessionHosts: { name: string; windowsServerVersion: ProductVersion }[] } {
    const count = config.requireNumber("sessionHosts");
    return {
        broker: config.require("broker"),
        sessionHosts: Array.from({ length: count }, (_, h) => ({
            name: `BENCH-RDSH${h + 1}`,
            windowsServerVersion: (h % 2 === 0 ? "2019" : "2022") as ProductVersion,
        })),
    };
}
