/**
 * Bench program: N CAL packs on each of M simulated license servers (see shape.ts), built from the
 * components the way a user's program would (server, activation, packs), all on one simulator store.
 */
import type * as pulumi from "@pulumi/pulumi";
import { RequestKeySecret } from "../../components";
import { licenseServer } from "./license-server";
import { packIndexes, packsPerServer, servers } from "./shape";

export const serverNames: pulumi.Output<string>[] = [];
export const packCount = servers * packsPerServer;

// One secret for every pack's install request keys, as RdsLicensing makes it.
const requestKeySecret = new RequestKeySecret("request-key").value;

for (let s = 0; s < servers; s++) {
    serverNames.push(licenseServer(s, packIndexes(), requestKeySecret).server.serverName);
}
