/**
 * The SimulatedLicenseServer dynamic provider: creates and deletes a license server in rdls-sim, the
 * simulator target's stand-in for provisioning a VM. Not a remote execution: it is "the VM".
 *
 * Several stacks may declare the same server in one store: each server record carries its creator's
 * owner marker and an instance id, and only the resource that created an instance deletes it (see
 * ../simulated-machine.ts).
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { LicensingError, LicensingErrorKind, PRODUCT_VERSIONS } from "../../licensing";
import type { ProvisionResult } from "../../simulator/admin";
import { diffParsed } from "../check";
import { progress } from "../progress";
import { gone, resourceSchema, type Raw } from "../resource-schema";
import * as machine from "../simulated-machine";

export const inputsSchema = z.object({
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

const resource = resourceSchema(inputsSchema, machine.OWNERSHIP_OUTPUTS);
const stored = resourceSchema(storedInputsSchema, machine.OWNERSHIP_OUTPUTS);
const parse = (raw: Raw): Inputs => resource.parse(raw);
const parseStored = (raw: Raw): StoredInputs => stored.parse(raw);

/**
 * The simulator loads on first use (an Azure stack's provider process never loads it); `import()` of
 * the `.js` name, as in ../registry.ts, resolves in the CommonJS build and under the test runner.
 */
async function simulator(inputs: { home: string }) {
    const { Simulator } = await import("../../simulator/index.js");
    return new Simulator({ home: inputs.home });
}

/** The fix a refused create points at, for library users and for the stack program's config. */
export const ADOPT_SERVER_HINT = "set `adoptExisting: true` (stack config `simulator.adoptExistingServer: true`) to manage the existing server without ever deleting it";

const refusal = (found: ProvisionResult): machine.Refusal => ({
    what: `license server ${found.name}`,
    // Servers predate owner markers: an older rds-licensing made them without one.
    unmarked: "made outside Pulumi or by an older rds-licensing",
    loses: "it with every pack on it",
    adopt: ADOPT_SERVER_HINT,
    otherwise: "use another server name",
});

export const simulatedServerProvider = {
    async check(_olds: Raw, news: Raw): Promise<pulumi.dynamic.CheckResult> {
        return resource.check(news);
    },

    async diff(_id: string, olds: Raw, news: Raw): Promise<pulumi.dynamic.DiffResult> {
        // `news` may be inputs from state too (refresh): states written before `owner` existed parse.
        return diffParsed(parseStored, olds, news, (before, after) =>
            machine.diff(before, after, { replaces: (["serverName", "windowsServerVersion"] as const).filter((k) => before[k] !== after[k]), changed: false }),
        );
    },

    async create(raw: Raw): Promise<pulumi.dynamic.CreateResult> {
        const inputs = parse(raw);
        const sim = await simulator(inputs);
        progress(`simulator: provisioning license server ${inputs.serverName} (Windows Server ${inputs.windowsServerVersion})`);
        const found = await sim.provisionServer({ name: inputs.serverName, windowsServerVersion: inputs.windowsServerVersion, owner: inputs.owner });
        const ownership = machine.claim(found, { owner: inputs.owner, adoptExisting: inputs.adoptExisting, home: sim.home }, refusal(found));
        if (ownership.how === "resumed") progress(`simulator: license server ${found.name} was created by this resource before an interruption; managing it`);
        if (ownership.how === "adopted") {
            progress(`simulator: adopting the existing license server ${found.name} (adoptExisting): managed by this stack, never deleted by it`);
        }
        return { id: inputs.serverName, outs: machine.withOwnership(inputs, ownership) };
    },

    async read(id: string, props: Raw): Promise<pulumi.dynamic.ReadResult> {
        const inputs = parseStored(props);
        const live = await (await simulator(inputs)).identity(inputs.serverName);
        if (!live) return gone();
        const ownership = machine.refreshOwnership(props, live);
        if (ownership.recreated) {
            progress(`simulator: license server ${live.name} was deleted and created again outside this resource; it will no longer delete it`);
        }
        return { id, props: machine.withOwnership(inputs, ownership), inputs };
    },

    async update(_id: string, olds: Raw, news: Raw): Promise<pulumi.dynamic.UpdateResult> {
        const inputs = parse(news);
        const ownership = machine.ownershipOnUpdate(olds);
        if (ownership.instanceId) return { outs: machine.withOwnership(inputs, ownership) };
        // A state written before instance ids existed: the live server's (derived) id.
        const sim = await simulator(inputs);
        const live = machine.requireLive(await sim.identity(inputs.serverName), `license server ${inputs.serverName}`, sim.home);
        return { outs: machine.withOwnership(inputs, { ...ownership, instanceId: live.instanceId }) };
    },

    async delete(_id: string, props: Raw): Promise<void> {
        const inputs = parseStored(props);
        const sim = await simulator(inputs);
        const plan = machine.deletePlan(props, await sim.identity(inputs.serverName));
        if (!plan.delete) return progress(`simulator: leaving license server ${inputs.serverName} in ${sim.home}: ${plan.reason}`);
        progress(`simulator: deleting license server ${inputs.serverName}`);
        await machine.deleteUnlessTaken(`license server ${inputs.serverName}`, async () => {
            try {
                await sim.deleteServer(inputs.serverName, { instanceId: plan.instanceId });
            } catch (err) {
                // Gone between the look and the delete: nothing to delete.
                if (!(err instanceof LicensingError && err.kind === LicensingErrorKind.NotFound)) throw err;
            }
        });
    },
};
