/**
 * Bench program: N CAL packs on each of M simulated license servers, built from the components the
 * way a user's program would (server, activation, packs), all on one simulator store.
 *
 * Stack config (written by bench/project.ts):
 *   bench:servers         M, number of license servers (BENCH1 … BENCHM)
 *   bench:packsPerServer  N, number of CalKeyPacks per server
 *   bench:simulatorHome   the store, relative to the project folder (default .rdls-sim)
 */
import * as pulumi from "@pulumi/pulumi";
import { CalKeyPack, LicenseServerActivation, SimulatedLicenseServer } from "../../components";
import type { LicenseProgram } from "../../src/licensing/codes";

const config = new pulumi.Config("bench");
const servers = config.requireNumber("servers");
const packsPerServer = config.requireNumber("packsPerServer");
const home = config.get("simulatorHome") ?? ".rdls-sim";

/** Agreement programs only: every well-formed agreement number installs, on any server, any number of times. */
const PROGRAMS: readonly LicenseProgram[] = ["select", "enterprise-agreement", "campus", "school"];

export const serverNames: pulumi.Output<string>[] = [];
export const packCount = servers * packsPerServer;

for (let s = 0; s < servers; s++) {
    const server = new SimulatedLicenseServer(`server-${s + 1}`, {
        home,
        serverName: `BENCH${s + 1}`,
        windowsServerVersion: "2022",
    });
    const connection = { kind: "simulator" as const, home };
    const activation = new LicenseServerActivation(`activation-${s + 1}`, {
        connection,
        // The server's output: every licensing resource of this server waits for the server.
        server: server.serverName,
        contact: { firstName: "Bench", lastName: "Mark", company: "Contoso (fictitious)", countryRegion: "NL" },
    });
    for (let p = 0; p < packsPerServer; p++) {
        new CalKeyPack(
            `pack-${s + 1}-${p + 1}`,
            {
                connection,
                server: server.serverName,
                program: PROGRAMS[p % PROGRAMS.length],
                // Fictitious, well-formed 7-digit numbers, as stack secrets are passed.
                agreementNumber: pulumi.secret(String(9_300_000 + s * 1_000 + p)),
                productVersion: "2022",
                licenseType: p % 3 === 0 ? "per-device" : "per-user",
                count: (p % 25) + 1,
            },
            { dependsOn: [activation] },
        );
    }
    serverNames.push(server.serverName);
}
