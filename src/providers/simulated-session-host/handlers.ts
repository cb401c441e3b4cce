/**
 * The SimulatedSessionHost dynamic provider: creates a standalone RD Session Host in rdls-sim and
 * deletes what it created, the simulator target's stand-in for a session host VM (licensed by a
 * HostLicensing). Not a remote execution: it is "the VM".
 *
 * Ownership as for SimulatedDeployment: the host carries this resource's owner marker and an instance
 * id (new at every creation and rebuild); a host already there is refused unless adopted
 * (`adoptExisting`: managed as it is, never rebuilt or deleted); a create retried after an
 * interruption takes over its own. Another Windows Server version rebuilds the host in place: a new
 * instance, a new 120-day grace period, licensing NotConfigured until its HostLicensing sets it again.
 */
import * as path from "path";
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { LicensingError, LicensingErrorKind, PRODUCT_VERSIONS } from "../../licensing";
import type { ProvisionHostResult } from "../../simulator/admin-deployments";
import { diffKnown } from "../check";
import { progress } from "../progress";
import { gone, resourceSchema, type Raw } from "../resource-schema";
import { deletePlan, refreshOwnership, type Ownership, type StoredOwnership } from "../simulated-server/ownership";

export const simulatedSessionHostInputsSchema = z.object({
    providerVersion: z.string(),
    home: z.string().min(1),
    name: z.string().min(1),
    windowsServerVersion: z.enum(PRODUCT_VERSIONS),
    /** `<project>/<stack>/<resource name>`: kept with the host this resource creates. */
    owner: z.string().min(1),
    adoptExisting: z.boolean().default(false),
});
type Inputs = z.output<typeof simulatedSessionHostInputsSchema>;

const OUTPUT_FIELDS = ["created", "instanceId"];
const resource = resourceSchema(simulatedSessionHostInputsSchema, OUTPUT_FIELDS);
const parse = (raw: Raw): Inputs => resource.parse(raw);

const ownershipOf = (props: Raw): StoredOwnership =>
    z.object({ created: z.boolean().optional(), instanceId: z.string().min(1).optional() }).parse({ created: props.created, instanceId: props.instanceId });

async function provisioner(inputs: { home: string }) {
    const { HostProvisioner } = await import("../../simulator/admin-deployments.js");
    return new HostProvisioner(inputs.home);
}

/** The fix a refused create points at. */
export const ADOPT_HOST_HINT = "set `adoptExisting: true` to manage the existing host without ever deleting it";

/** What `create` makes of what the simulator found: the ownership to record, or a refusal. */
export function claimHost(found: ProvisionHostResult, request: { owner: string; adoptExisting: boolean; home: string }): Ownership & { how: "created" | "resumed" | "adopted" } {
    const ownership = { created: found.created || found.owner === request.owner, instanceId: found.instanceId };
    // Our own marker on a host found there: the create that made it crashed before the engine saved the state.
    if (ownership.created) return { ...ownership, how: found.created ? "created" : "resumed" };
    if (request.adoptExisting) return { ...ownership, how: "adopted" };
    const by = found.owner === undefined ? "made outside Pulumi (it has no owner marker)" : `created by ${found.owner} (project/stack/resource)`;
    const where = found.deployment === undefined ? "" : ` in the deployment of ${found.deployment}`;
    throw new LicensingError({
        kind: LicensingErrorKind.Conflict,
        message:
            `session host ${found.name} already exists${where} in the simulator store ${request.home}, ${by}. ` +
            `Taking it as this resource's own would let this stack's destroy delete it: ${ADOPT_HOST_HINT}, or use another host name.`,
    });
}

const outputs = (inputs: Inputs, ownership: Ownership) => ({ ...inputs, created: ownership.created, instanceId: ownership.instanceId });

export const simulatedSessionHostProvider = {
    async check(_olds: Raw, news: Raw): Promise<pulumi.dynamic.CheckResult> {
        return resource.check(news);
    },

    async diff(_id: string, olds: Raw, news: Raw): Promise<pulumi.dynamic.DiffResult> {
        const before = parse(olds);
        return diffKnown(olds, news, (known) => {
            const after = parse(known);
            const replaces = [
                ...(path.resolve(before.home) !== path.resolve(after.home) ? ["home"] : []),
                ...(before.name.toLowerCase() !== after.name.toLowerCase() ? ["name"] : []),
            ];
            // Another version: an update that rebuilds the host (its HostLicensing follows its instanceId).
            const changed = (["providerVersion", "owner", "adoptExisting", "name", "windowsServerVersion"] as const).some((k) => before[k] !== after[k]);
            return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: true };
        });
    },

    async create(raw: Raw): Promise<pulumi.dynamic.CreateResult> {
        const inputs = parse(raw);
        const sim = await provisioner(inputs);
        progress(`simulator: provisioning session host ${inputs.name} (Windows Server ${inputs.windowsServerVersion})`);
        const found = await sim.provision({ name: inputs.name, windowsServerVersion: inputs.windowsServerVersion, owner: inputs.owner });
        const ownership = claimHost(found, { owner: inputs.owner, adoptExisting: inputs.adoptExisting, home: sim.home });
        if (ownership.how === "resumed") {
            progress(`simulator: session host ${found.name} was created by this resource before an interruption; managing it`);
            if (found.windowsServerVersion !== inputs.windowsServerVersion) {
                ownership.instanceId = (await sim.rebuild(inputs.name, { instanceId: found.instanceId, owner: inputs.owner }, inputs.windowsServerVersion)).instanceId;
            }
        }
        if (ownership.how === "adopted") progress(`simulator: adopting the existing session host ${found.name} (adoptExisting): left as it is, never rebuilt or deleted`);
        return { id: inputs.name, outs: outputs(inputs, ownership) };
    },

    async read(id: string, props: Raw): Promise<pulumi.dynamic.ReadResult> {
        const inputs = parse(props);
        const live = await (await provisioner(inputs)).identity(inputs.name);
        if (!live) return gone();
        const ownership = refreshOwnership(ownershipOf(props), live);
        if (ownership.recreated) progress(`simulator: session host ${live.name} was deleted and created again outside this resource; it will no longer delete it`);
        // An adopted host's version is not managed: it never shows as drift.
        const liveInputs = ownership.created ? { ...inputs, windowsServerVersion: live.windowsServerVersion } : inputs;
        return { id, props: outputs(liveInputs, { created: ownership.created, instanceId: ownership.instanceId }), inputs: liveInputs };
    },

    async update(_id: string, olds: Raw, news: Raw): Promise<pulumi.dynamic.UpdateResult> {
        const inputs = parse(news);
        const stored = ownershipOf(olds);
        const ownership: Ownership = { created: stored.created ?? true, instanceId: stored.instanceId ?? "" };
        if (!ownership.created) {
            progress(`simulator: session host ${inputs.name} was adopted: this resource does not rebuild it`);
            return { outs: outputs(inputs, ownership) };
        }
        const sim = await provisioner(inputs);
        const live = await sim.identity(inputs.name);
        if (!live) {
            throw new LicensingError({
                kind: LicensingErrorKind.NotFound,
                message: `session host ${inputs.name} no longer exists in the simulator store ${sim.home}: run \`pulumi refresh\`, then \`pulumi up\` creates it again`,
            });
        }
        ownership.instanceId ||= live.instanceId;
        if (live.windowsServerVersion !== inputs.windowsServerVersion) {
            progress(`simulator: rebuilding session host ${inputs.name} with Windows Server ${inputs.windowsServerVersion} (was ${live.windowsServerVersion}): a new grace period, licensing not configured`);
            ownership.instanceId = (await sim.rebuild(inputs.name, { instanceId: ownership.instanceId, owner: inputs.owner }, inputs.windowsServerVersion)).instanceId;
        }
        return { outs: outputs(inputs, ownership) };
    },

    async delete(_id: string, props: Raw): Promise<void> {
        const inputs = parse(props);
        const sim = await provisioner(inputs);
        const plan = deletePlan(ownershipOf(props), await sim.identity(inputs.name));
        if (!plan.delete) return progress(`simulator: leaving session host ${inputs.name} in ${sim.home}: ${plan.reason}`);
        progress(`simulator: deleting session host ${inputs.name}`);
        try {
            await sim.deleteHost(inputs.name, { instanceId: plan.instanceId });
        } catch (err) {
            if (err instanceof LicensingError && err.kind === LicensingErrorKind.Conflict) return progress(`simulator: leaving session host ${inputs.name}: ${err.message}`);
            throw err;
        }
    },
};
