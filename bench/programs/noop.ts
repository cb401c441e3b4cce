/**
 * The baselines' resources (baseline.ts, baseline-farm.ts): plain `pulumi.dynamic.Resource`s whose
 * inline provider does nothing and touches no server, with the input and output properties of ours.
 * What the Pulumi SDK and engine cost for that many dynamic resources through the standard API.
 */
import * as pulumi from "@pulumi/pulumi";
import { contact, home, packArgs, serverName } from "./shape";

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

export class Noop extends pulumi.dynamic.Resource {
    constructor(type: string, name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
        super(noop, name, { key: name, providerVersion: "1", ...props }, opts, "baseline", type);
    }
}

class NoopServer extends Noop {
    declare readonly serverName: pulumi.Output<string>;
}

export const connection = { kind: "simulator", home };

/** license-server.ts's server `s`, activation and packs `packs`, as do-nothing resources. */
export function noopLicenseServer(s: number, packs: number[], requestKeySecret: Noop) {
    const server = new NoopServer("Server", `server-${s + 1}`, { home, serverName: serverName(s), windowsServerVersion: "2022" });
    const activation = new Noop("Activation", `activation-${s + 1}`, {
        connection,
        server: server.serverName,
        contact,
        activated: true,
        deactivateOnDelete: false,
        activationStatus: undefined,
        licenseServerId: undefined,
    });
    for (const p of packs) {
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
    return { server, activation };
}
