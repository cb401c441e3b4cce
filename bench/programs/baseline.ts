/**
 * Bench reference: the graph of packs.ts (see shape.ts) with the same input and output properties,
 * as plain `pulumi.dynamic.Resource`s whose inline provider does nothing and touches no server. It is
 * what the Pulumi SDK and engine cost for that many dynamic resources through the standard API; the
 * bench program's time beyond it is our providers' (their code, the scheduler, the simulator).
 */
import * as pulumi from "@pulumi/pulumi";
import { contact, home, packArgs, packsPerServer, serverName, servers } from "./shape";

const noop: pulumi.dynamic.ResourceProvider = {
    async create(inputs) {
        return { id: String(inputs.key), outs: inputs };
    },
    async diff() {
        return { changes: false };
    },
    async read(id, props) {
        return { id, props };
    },
    async delete() {},
};

class Noop extends pulumi.dynamic.Resource {
    constructor(type: string, name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
        super(noop, name, { key: name, providerVersion: "1", ...props }, opts, "baseline", type);
    }
}

class NoopServer extends Noop {
    declare readonly serverName: pulumi.Output<string>;
}

export const packCount = servers * packsPerServer;

// packs.ts's RequestKeySecret.
const requestKeySecret = new Noop("RequestKeySecret", "request-key", { value: undefined });

for (let s = 0; s < servers; s++) {
    const server = new NoopServer("Server", `server-${s + 1}`, { home, serverName: serverName(s), windowsServerVersion: "2022" });
    const connection = { kind: "simulator", home };
    const activation = new Noop("Activation", `activation-${s + 1}`, {
        connection,
        server: server.serverName,
        contact,
        activated: true,
        deactivateOnDelete: false,
        activationStatus: undefined,
        licenseServerId: undefined,
    });
    for (let p = 0; p < packsPerServer; p++) {
        new Noop(
            "Pack",
            `pack-${s + 1}-${p + 1}`,
            {
                connection,
                server: server.serverName,
                ...packArgs(s, p),
                requestKeySecret: requestKeySecret.urn,
                packKey: `${pulumi.getProject()}/${pulumi.getStack()}/pack-${s + 1}-${p + 1}`,
                allowDeleteWithIssuedLicenses: false,
                keyPackIds: undefined,
                keyPackType: undefined,
                programName: undefined,
                totalLicenses: undefined,
                issuedLicenses: undefined,
                availableLicenses: undefined,
            },
            { dependsOn: [activation], additionalSecretOutputs: ["agreementNumber"] },
        );
    }
}
