/**
 * Bench program: N CAL packs on each of M simulated license servers (see shape.ts), built from the
 * components the way a user's program would (server, activation, packs), all on one simulator store.
 */
import type * as pulumi from "@pulumi/pulumi";
import { CalKeyPack, LicenseServerActivation, RequestKeySecret, SimulatedLicenseServer } from "../../components";
import { contact, home, packArgs, packsPerServer, serverName, servers } from "./shape";

export const serverNames: pulumi.Output<string>[] = [];
export const packCount = servers * packsPerServer;

// One secret for every pack's install request keys, as RdsLicensing makes it.
const requestKeySecret = new RequestKeySecret("request-key").value;

for (let s = 0; s < servers; s++) {
    const server = new SimulatedLicenseServer(`server-${s + 1}`, { home, serverName: serverName(s), windowsServerVersion: "2022" });
    const connection = { kind: "simulator" as const, home };
    // The server's output: every licensing resource of this server waits for the server.
    const activation = new LicenseServerActivation(`activation-${s + 1}`, { connection, server: server.serverName, contact });
    for (let p = 0; p < packsPerServer; p++) {
        new CalKeyPack(`pack-${s + 1}-${p + 1}`, { connection, server: server.serverName, ...packArgs(s, p), requestKeySecret }, { dependsOn: [activation] });
    }
    serverNames.push(server.serverName);
}
