/**
 * The SimulatedLicenseServer dynamic provider: creates and deletes a license server in rdls-sim, the
 * simulator target's stand-in for provisioning a VM. Not a remote execution: it is "the VM".
 *
 * Several stacks may declare the same server in one store: each server record carries its creator's
 * owner marker and an instance id, and only the resource that created an instance deletes it (see
 * ./ownership.ts).
 */
import * as path from "path";
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { LicensingError, LicensingErrorKind, PRODUCT_VERSIONS } from "../../licensing";
import { diffKnown } from "../check";
import { progress } from "../progress";
import { gone, resourceSchema, type Raw } from "../resource-schema";
import { claim, deletePlan, refreshOwnership, type Ownership, type StoredOwnership } from "./ownership";

const inputsSchema = z.object({
    providerVersion: z.string(),
    home: z.string().min(1),
    serverName: z.string().min(1),
    windowsServerVersion: z.enum(PRODUCT_VERSIONS),
    /** `<project>/<stack>/<resource name>`: kept with a server this resource creates. */
    owner: z.string().min(1),
    adoptExisting: z.boolean().default(false),
});
type Inputs = z.output<typeof inputsSchema>;

/** States written before `owner` existed lack it; everything else about them reads the same. */
const storedInputsSchema = inputsSchema.extend({ owner: z.string().min(1).optional() });
type StoredInputs = z.output<typeof storedInputsSchema>;

const OUTPUT_FIELDS = ["created", "instanceId"];
const resource = resourceSchema(inputsSchema, OUTPUT_FIELDS);
const stored = resourceSchema(storedInputsSchema, OUTPUT_FIELDS);
const parse = (raw: Raw): Inputs => resource.parse(raw);
const parseStored = (raw: Raw): StoredInputs => stored.parse(raw);

const storedOwnershipSchema = z.object({ created: z.boolean().optional(), instanceId: z.string().min(1).optional() });
const ownershipOf = (props: Raw): StoredOwnership => storedOwnershipSchema.parse({ created: props.created, instanceId: props.instanceId });

/**
 * The simulator loads on first use (an Azure stack's provider process never loads it); `import()` of
 * the `.js` name, as in ../registry.ts, resolves in the CommonJS build and under the test runner.
 */
async function simulator(inputs: { home: string }) {
    const { Simulator } = await import("../../simulator/index.js");
    return new Simulator({ home: inputs.home });
}

const outputs = (inputs: StoredInputs, ownership: Ownership) => ({ ...inputs, created: ownership.created, instanceId: ownership.instanceId });

export const simulatedServerProvider = {
    async check(_olds: Raw, news: Raw): Promise<pulumi.dynamic.CheckResult> {
        return resource.check(news);
    },

    async diff(_id: string, olds: Raw, news: Raw): Promise<pulumi.dynamic.DiffResult> {
        // `news` may be inputs from state too: refresh diffs what it read against what state held.
        const before = parseStored(olds);
        return diffKnown(olds, news, (known) => {
            const after = parseStored(known);
            // The store is the folder `home` names (`.rdls-sim` and `./.rdls-sim` are one), as connections resolve it.
            const replaces = [
                ...(path.resolve(before.home) !== path.resolve(after.home) ? ["home"] : []),
                ...(["serverName", "windowsServerVersion"] as const).filter((k) => before[k] !== after[k]),
            ];
            // owner (a renamed stack) and adoptExisting (read by create only) change nothing on the server.
            const changed = (["providerVersion", "owner", "adoptExisting"] as const).some((k) => before[k] !== after[k]);
            return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: true };
        });
    },

    async create(raw: Raw): Promise<pulumi.dynamic.CreateResult> {
        const inputs = parse(raw);
        const sim = await simulator(inputs);
        progress(`simulator: provisioning license server ${inputs.serverName} (Windows Server ${inputs.windowsServerVersion})`);
        const found = await sim.provisionServer({ name: inputs.serverName, windowsServerVersion: inputs.windowsServerVersion, owner: inputs.owner });
        const ownership = claim(found, { owner: inputs.owner, adoptExisting: inputs.adoptExisting, home: sim.home });
        if (ownership.how === "resumed") progress(`simulator: license server ${found.name} was created by this resource before an interruption; managing it`);
        if (ownership.how === "adopted") {
            progress(`simulator: adopting the existing license server ${found.name} (adoptExisting): managed by this stack, never deleted by it`);
        }
        return { id: inputs.serverName, outs: outputs(inputs, ownership) };
    },

    async read(id: string, props: Raw): Promise<pulumi.dynamic.ReadResult> {
        const inputs = parseStored(props);
        const live = await (await simulator(inputs)).identity(inputs.serverName);
        if (!live) return gone();
        const ownership = refreshOwnership(ownershipOf(props), live);
        if (ownership.recreated) {
            progress(`simulator: license server ${live.name} was deleted and created again outside this resource; it will no longer delete it`);
        }
        return { id, props: outputs(inputs, ownership), inputs };
    },

    async update(_id: string, olds: Raw, news: Raw): Promise<pulumi.dynamic.UpdateResult> {
        const inputs = parse(news);
        const stored = ownershipOf(olds);
        if (stored.instanceId !== undefined) return { outs: outputs(inputs, { created: stored.created ?? true, instanceId: stored.instanceId }) };
        // A state written before instance ids existed: the live server's (derived) id.
        const sim = await simulator(inputs);
        const instanceId = (await sim.identity(inputs.serverName))?.instanceId;
        if (instanceId === undefined) {
            throw new LicensingError({
                kind: LicensingErrorKind.NotFound,
                message: `license server ${inputs.serverName} no longer exists in the simulator store ${sim.home}: run \`pulumi refresh\`, then \`pulumi up\` creates it again`,
            });
        }
        return { outs: outputs(inputs, { created: stored.created ?? true, instanceId }) };
    },

    async delete(_id: string, props: Raw): Promise<void> {
        const inputs = parseStored(props);
        const sim = await simulator(inputs);
        const plan = deletePlan(ownershipOf(props), await sim.identity(inputs.serverName));
        if (!plan.delete) {
            progress(`simulator: leaving license server ${inputs.serverName} in ${sim.home}: ${plan.reason}`);
            return;
        }
        progress(`simulator: deleting license server ${inputs.serverName}`);
        try {
            await sim.deleteServer(inputs.serverName, { instanceId: plan.instanceId });
        } catch (err) {
            if (!(err instanceof LicensingError)) throw err;
            // Gone, or replaced by another instance, between the look and the delete: not ours to delete.
            if (err.kind === LicensingErrorKind.NotFound) return;
            if (err.kind === LicensingErrorKind.Conflict) return progress(`simulator: leaving license server ${inputs.serverName}: ${err.message}`);
            throw err;
        }
    },
};
