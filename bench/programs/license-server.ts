/**
 * One license server of the bench programs (packs.ts, farm.ts), built from the components the way a
 * user's program would: a SimulatedLicenseServer, its LicenseServerActivation and CAL packs, all on
 * connection `{ kind: "simulator", home }`.
 */
import type * as pulumi from "@pulumi/pulumi";
import { CalKeyPack, LicenseServerActivation, SimulatedLicenseServer } from "../../components";
import { contact, home, packArgs, serverName } from "./shape";

export const connection = { kind: "simulator" as const, home };

/** Server `s` (BENCH<s+1>) with the packs `packs` of shape.ts's packArgs, installing after the activation. */
export function licenseServer(s: number, packs: number[], requestKeySecret: pulumi.Input<string>) {
    const server = new SimulatedLicenseServer(`server-${s + 1}`, { home, serverName: serverName(s), windowsServerVersion: "2022" });
    // The server's output: every licensing resource of this server waits for the server.
    const activation = new LicenseServerActivation(`activation-${s + 1}`, { connection, server: server.serverName, contact });
    for (const p of packs) {
        new CalKeyPack(`pack-${s + 1}-${p + 1}`, { connection, server: server.serverName, ...packArgs(s, p), requestKeySecret }, { dependsOn: [activation] });
    }
    return { server, activation };
}
