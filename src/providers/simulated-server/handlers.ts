/**
 * The SimulatedLicenseServer dynamic provider: creates and deletes a license server in rdls-sim, the
 * simulator target's stand-in for provisioning a VM. Not a remote execution: it is "the VM".
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { LicensingError, LicensingErrorKind, PRODUCT_VERSIONS } from "../../licensing";
import { checkFailures } from "../check";
import { progress } from "../progress";

type Raw = Record<string, unknown>;

const inputsSchema = z.object({
    providerVersion: z.string(),
    home: z.string().min(1),
    serverName: z.string().min(1),
    windowsServerVersion: z.enum(PRODUCT_VERSIONS),
});
type Inputs = z.output<typeof inputsSchema>;

const parse = (raw: Raw): Inputs => inputsSchema.parse(Object.fromEntries(Object.entries(raw).filter(([k]) => k !== "__provider")));

function simulator(inputs: Inputs) {
    const { Simulator } = require("../../simulator") as typeof import("../../simulator");
    return new Simulator({ home: inputs.home });
}

export const simulatedServerProvider = {
    async check(_olds: Raw, news: Raw): Promise<pulumi.dynamic.CheckResult> {
        const parsed = inputsSchema.safeParse(Object.fromEntries(Object.entries(news).filter(([k]) => k !== "__provider")));
        return parsed.success ? { inputs: news } : { failures: checkFailures(parsed.error) };
    },

    async diff(_id: string, olds: Raw, news: Raw): Promise<pulumi.dynamic.DiffResult> {
        const before = parse(olds);
        const after = parse(news);
        const replaces = (["home", "serverName", "windowsServerVersion"] as const).filter((k) => before[k] !== after[k]);
        return { changes: replaces.length > 0 || before.providerVersion !== after.providerVersion, replaces, deleteBeforeReplace: true };
    },

    async create(raw: Raw): Promise<pulumi.dynamic.CreateResult> {
        const inputs = parse(raw);
        progress(`simulator: provisioning license server ${inputs.serverName} (Windows Server ${inputs.windowsServerVersion})`);
        // ensureServer: a create retried after a crash finds the server it made the first time.
        await simulator(inputs).ensureServer({ name: inputs.serverName, windowsServerVersion: inputs.windowsServerVersion });
        return { id: inputs.serverName, outs: inputs };
    },

    async read(id: string, props: Raw): Promise<pulumi.dynamic.ReadResult> {
        const inputs = parse(props);
        const servers = await simulator(inputs).listServers();
        const found = servers.find((s) => s.name.toLowerCase() === inputs.serverName.toLowerCase());
        return found ? { id, props: inputs, inputs } : { id: "", props: {} };
    },

    async update(_id: string, _olds: Raw, news: Raw): Promise<pulumi.dynamic.UpdateResult> {
        return { outs: parse(news) };
    },

    async delete(_id: string, props: Raw): Promise<void> {
        const inputs = parse(props);
        progress(`simulator: deleting license server ${inputs.serverName}`);
        try {
            await simulator(inputs).deleteServer(inputs.serverName);
        } catch (err) {
            if (!(err instanceof LicensingError && err.kind === LicensingErrorKind.NotFound)) throw err;
        }
    },
};
