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
import type { ProductVersion } from "../../src/licensing/codes";
import { packSpec } from "./pack-spec";

const config = new pulumi.Config("bench");
export const servers = config.requireNumber("servers");
export const packsPerServer = config.requireNumber("packsPerServer");
export const home = config.get("simulatorHome") ?? ".rdls-sim";

export { contact, serverName } from "./pack-spec";

/** Pack `p` of server `s`: program, fictitious 7-digit agreement number (a secret, as stack secrets are passed), type, count. */
export function packArgs(s: number, p: number) {
    const spec = packSpec(s, p);
    return { ...spec, agreementNumber: pulumi.secret(spec.agreementNumber) };
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
