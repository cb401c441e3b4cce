/**
 * The LicenseServerActivation dynamic provider: activation with the Clearinghouse (contact info in,
 * activation status and license server ID out). A deactivated server reads as drift (`activated`
 * becomes false), which the next `up` repairs.
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { contactSchema } from "../../config/schema";
import { LicensingError, LicensingErrorKind, type ServerStatus } from "../../licensing";
import { diffParsed } from "../check";
import { connectionKey, connectionSchema, executorKey } from "../connection";
import { progress } from "../progress";
import { licenseServer } from "../registry";
import { gone, resourceSchema, type Raw } from "../resource-schema";

export const activationInputsSchema = z.object({
    providerVersion: z.string(),
    connection: connectionSchema,
    server: z.string().min(1),
    contact: contactSchema,
    /** The desired state; `read` reports the live one here. */
    activated: z.boolean().default(true),
    deactivateOnDelete: z.boolean().default(false),
    /** Which instance of the server (see CalKeyPack's serverInstance): a new one is activated again. */
    serverInstance: z.string().optional(),
});
export type ActivationInputs = z.output<typeof activationInputsSchema>;

const resource = resourceSchema(activationInputsSchema, ["activationStatus", "licenseServerId"]);
const parse = (raw: Raw): ActivationInputs => resource.parse(raw);

function outputs(inputs: ActivationInputs, status: ServerStatus) {
    return { ...inputs, activationStatus: status.activation, licenseServerId: status.licenseServerId ?? "" };
}

async function ensureActivated(inputs: ActivationInputs): Promise<ServerStatus> {
    const server = licenseServer(inputs.connection, inputs.server);
    progress(`${inputs.server}: activating the license server with the Clearinghouse`);
    const status = await server.activate(inputs.contact);
    if (status.activation !== "activated") {
        throw new LicensingError({ kind: LicensingErrorKind.Failed, message: `${inputs.server}: activation reported status "${status.activation}"` });
    }
    progress(`${inputs.server}: activated (license server ID ${status.licenseServerId})`);
    return status;
}

/** A new instance of the server (not a first instance ID in state written before there was one). */
const rebuilt = (before: ActivationInputs, after: ActivationInputs) =>
    before.serverInstance !== undefined && after.serverInstance !== undefined && before.serverInstance !== after.serverInstance;

export const activationProvider = {
    async check(_olds: Raw, news: Raw): Promise<pulumi.dynamic.CheckResult> {
        return resource.check(news);
    },

    async diff(_id: string, olds: Raw, news: Raw): Promise<pulumi.dynamic.DiffResult> {
        return diffParsed(parse, olds, news, (before, after) => {
            const replaces: string[] = [];
            if (before.server !== after.server) replaces.push("server");
            if (connectionKey(before.connection) !== connectionKey(after.connection)) replaces.push("connection");
            const changed =
                rebuilt(before, after) ||
                // The same machine reached otherwise (SSH user, host key pin): stored, so refresh and delete use it.
                executorKey(before.connection) !== executorKey(after.connection) ||
                before.activated !== after.activated ||
                before.deactivateOnDelete !== after.deactivateOnDelete ||
                before.providerVersion !== after.providerVersion ||
                JSON.stringify(before.contact) !== JSON.stringify(after.contact);
            return { changes: changed || replaces.length > 0, replaces };
        });
    },

    async create(raw: Raw): Promise<pulumi.dynamic.CreateResult> {
        const inputs = parse(raw);
        const status = await ensureActivated(inputs);
        return { id: `${inputs.server}/activation`, outs: outputs(inputs, status) };
    },

    async read(id: string, props: Raw): Promise<pulumi.dynamic.ReadResult> {
        const inputs = parse(props);
        let status: ServerStatus;
        try {
            status = await licenseServer(inputs.connection, inputs.server).status();
        } catch (err) {
            if (err instanceof LicensingError && err.kind === LicensingErrorKind.NotFound) return gone();
            throw err;
        }
        const live = { ...inputs, activated: status.activation === "activated" };
        return { id, props: outputs(live, status), inputs: live };
    },

    async update(_id: string, olds: Raw, news: Raw): Promise<pulumi.dynamic.UpdateResult> {
        const before = parse(olds);
        const inputs = parse(news);
        const needsServer = !before.activated || rebuilt(before, inputs) || JSON.stringify(before.contact) !== JSON.stringify(inputs.contact);
        if (!needsServer) return { outs: { ...olds, ...inputs } };
        return { outs: outputs(inputs, await ensureActivated(inputs)) };
    },

    async delete(_id: string, props: Raw): Promise<void> {
        const inputs = parse(props);
        if (!inputs.deactivateOnDelete) {
            progress(`${inputs.server}: left activated (deactivateOnDelete is false)`);
            return;
        }
        progress(`${inputs.server}: deactivating the license server`);
        try {
            await licenseServer(inputs.connection, inputs.server).deactivate();
        } catch (err) {
            if (!(err instanceof LicensingError && err.kind === LicensingErrorKind.NotFound)) throw err;
        }
    },
};
