/**
 * The SimulatedSessionHost dynamic provider: creates a standalone RD Session Host in rdls-sim and
 * deletes what it created, the simulator target's stand-in for a session host VM (licensed by a
 * HostLicensing). Not a remote execution: it is "the VM".
 *
 * Ownership as for every simulated machine (../simulated-machine.ts): the host carries this
 * resource's owner marker and an instance id (new at every creation and rebuild); a host already
 * there is refused unless adopted (`adoptExisting`: managed as it is, never rebuilt or deleted); a
 * create retried after an interruption takes over its own. Another Windows Server version rebuilds
 * the host in place: a new instance, a new 120-day grace period, licensing NotConfigured until its
 * HostLicensing sets it again.
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { PRODUCT_VERSIONS } from "../../licensing";
import type { ProvisionHostResult } from "../../simulator/admin-deployments";
import { diffParsed } from "../check";
import { progress } from "../progress";
import { gone, resourceSchema, type Raw } from "../resource-schema";
import * as machine from "../simulated-machine";

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

const resource = resourceSchema(simulatedSessionHostInputsSchema, machine.OWNERSHIP_OUTPUTS);
const parse = (raw: Raw): Inputs => resource.parse(raw);

async function provisioner(inputs: { home: string }) {
    const { HostProvisioner } = await import("../../simulator/admin-deployments.js");
    return new HostProvisioner(inputs.home);
}

/** The fix a refused create points at. */
export const ADOPT_HOST_HINT = "set `adoptExisting: true` to manage the existing host without ever deleting it";

const refusal = (found: ProvisionHostResult): machine.Refusal => ({
    what: `session host ${found.name}`,
    where: found.deployment === undefined ? "" : ` in the deployment of ${found.deployment}`,
    loses: "it",
    adopt: ADOPT_HOST_HINT,
    otherwise: "use another host name",
});

export const simulatedSessionHostProvider = {
    async check(_olds: Raw, news: Raw): Promise<pulumi.dynamic.CheckResult> {
        return resource.check(news);
    },

    async diff(_id: string, olds: Raw, news: Raw): Promise<pulumi.dynamic.DiffResult> {
        return diffParsed(parse, olds, news, (before, after) =>
            machine.diff(before, after, {
                replaces: before.name.toLowerCase() !== after.name.toLowerCase() ? ["name"] : [],
                // Another version: an update that rebuilds the host (its HostLicensing follows its instanceId).
                changed: before.name !== after.name || before.windowsServerVersion !== after.windowsServerVersion,
            }),
        );
    },

    async create(raw: Raw): Promise<pulumi.dynamic.CreateResult> {
        const inputs = parse(raw);
        const sim = await provisioner(inputs);
        progress(`simulator: provisioning session host ${inputs.name} (Windows Server ${inputs.windowsServerVersion})`);
        const found = await sim.provision({ name: inputs.name, windowsServerVersion: inputs.windowsServerVersion, owner: inputs.owner });
        const ownership = machine.claim(found, { owner: inputs.owner, adoptExisting: inputs.adoptExisting, home: sim.home }, refusal(found));
        if (ownership.how === "resumed") {
            progress(`simulator: session host ${found.name} was created by this resource before an interruption; managing it`);
            if (found.windowsServerVersion !== inputs.windowsServerVersion) {
                ownership.instanceId = (await sim.rebuild(inputs.name, { instanceId: found.instanceId, owner: inputs.owner }, inputs.windowsServerVersion)).instanceId;
            }
        }
        if (ownership.how === "adopted") progress(`simulator: adopting the existing session host ${found.name} (adoptExisting): left as it is, never rebuilt or deleted`);
        return { id: inputs.name, outs: machine.withOwnership(inputs, ownership) };
    },

    async read(id: string, props: Raw): Promise<pulumi.dynamic.ReadResult> {
        const inputs = parse(props);
        const live = await (await provisioner(inputs)).identity(inputs.name);
        if (!live) return gone();
        const ownership = machine.refreshOwnership(props, live);
        if (ownership.recreated) progress(`simulator: session host ${live.name} was deleted and created again outside this resource; it will no longer delete it`);
        // An adopted host's version is not managed: it never shows as drift.
        const liveInputs = ownership.created ? { ...inputs, windowsServerVersion: live.windowsServerVersion } : inputs;
        return { id, props: machine.withOwnership(liveInputs, ownership), inputs: liveInputs };
    },

    async update(_id: string, olds: Raw, news: Raw): Promise<pulumi.dynamic.UpdateResult> {
        const inputs = parse(news);
        const ownership = machine.ownershipOnUpdate(olds);
        if (!ownership.created) {
            progress(`simulator: session host ${inputs.name} was adopted: this resource does not rebuild it`);
            return { outs: machine.withOwnership(inputs, ownership) };
        }
        const sim = await provisioner(inputs);
        const live = machine.requireLive(await sim.identity(inputs.name), `session host ${inputs.name}`, sim.home);
        ownership.instanceId ||= live.instanceId;
        if (live.windowsServerVersion !== inputs.windowsServerVersion) {
            progress(`simulator: rebuilding session host ${inputs.name} with Windows Server ${inputs.windowsServerVersion} (was ${live.windowsServerVersion}): a new grace period, licensing not configured`);
            ownership.instanceId = (await sim.rebuild(inputs.name, { instanceId: ownership.instanceId, owner: inputs.owner }, inputs.windowsServerVersion)).instanceId;
        }
        return { outs: machine.withOwnership(inputs, ownership) };
    },

    async delete(_id: string, props: Raw): Promise<void> {
        const inputs = parse(props);
        const sim = await provisioner(inputs);
        const plan = machine.deletePlan(props, await sim.identity(inputs.name));
        if (!plan.delete) return progress(`simulator: leaving session host ${inputs.name} in ${sim.home}: ${plan.reason}`);
        progress(`simulator: deleting session host ${inputs.name}`);
        await machine.deleteUnlessTaken(`session host ${inputs.name}`, () => sim.deleteHost(inputs.name, { instanceId: plan.instanceId }));
    },
};
