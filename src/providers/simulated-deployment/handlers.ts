/**
 * The SimulatedDeployment dynamic provider: creates an RDS deployment (its Connection Broker and
 * session hosts) in rdls-sim and deletes what it created, the simulator target's stand-in for the
 * broker and host VMs and the deployment on them. Not a remote execution: it is "the VMs".
 *
 * Ownership as for every simulated machine (../simulated-machine.ts): the deployment and the hosts
 * it creates carry this resource's owner marker and an instance id; an existing deployment is
 * refused unless adopted (`adoptExisting`: managed, its hosts left as they are, never deleted); a
 * create retried after an interruption takes over its own.
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { PRODUCT_VERSIONS } from "../../licensing";
import type { DeploymentHostSpec, DeploymentIdentity, ProvisionDeploymentResult } from "../../simulator/admin-deployments";
import { diffParsed } from "../check";
import { progress } from "../progress";
import { gone, resourceSchema, type Raw } from "../resource-schema";
import * as machine from "../simulated-machine";

const hostSchema = z.strictObject({ name: z.string().min(1), windowsServerVersion: z.enum(PRODUCT_VERSIONS) });

export const simulatedDeploymentInputsSchema = z.object({
    providerVersion: z.string(),
    home: z.string().min(1),
    broker: z.string().min(1),
    sessionHosts: z
        .array(hostSchema)
        .refine((hosts) => new Set(hosts.map((h) => h.name.toLowerCase())).size === hosts.length, "a session host is listed twice"),
    /** `<project>/<stack>/<resource name>`: kept with the deployment and hosts this resource creates. */
    owner: z.string().min(1),
    adoptExisting: z.boolean().default(false),
});
type Inputs = z.output<typeof simulatedDeploymentInputsSchema>;

const resource = resourceSchema(simulatedDeploymentInputsSchema, machine.OWNERSHIP_OUTPUTS);
const parse = (raw: Raw): Inputs => resource.parse(raw);

async function provisioner(inputs: { home: string }) {
    const { DeploymentProvisioner } = await import("../../simulator/admin-deployments.js");
    return new DeploymentProvisioner(inputs.home);
}

/** The fix a refused create points at. */
export const ADOPT_DEPLOYMENT_HINT = "set `adoptExisting: true` to manage the existing deployment without ever deleting it";

const refusal = (found: ProvisionDeploymentResult): machine.Refusal => ({
    what: `an RDS deployment with Connection Broker ${found.broker}`,
    loses: "it and its session hosts",
    adopt: ADOPT_DEPLOYMENT_HINT,
    otherwise: "use another broker name",
});

const sameHosts = (a: readonly DeploymentHostSpec[], b: readonly DeploymentHostSpec[]) =>
    a.length === b.length && a.every((h, i) => h.name.toLowerCase() === b[i]!.name.toLowerCase() && h.windowsServerVersion === b[i]!.windowsServerVersion);

/** The live hosts, spelled as declared where the names match (a name's case is no change). */
function liveHosts(declared: readonly DeploymentHostSpec[], live: DeploymentIdentity): DeploymentHostSpec[] {
    return live.sessionHosts.map((h) => {
        const d = declared.find((x) => x.name.toLowerCase() === h.name.toLowerCase());
        return { name: d?.name ?? h.name, windowsServerVersion: h.windowsServerVersion };
    });
}

export const simulatedDeploymentProvider = {
    async check(_olds: Raw, news: Raw): Promise<pulumi.dynamic.CheckResult> {
        return resource.check(news);
    },

    async diff(_id: string, olds: Raw, news: Raw): Promise<pulumi.dynamic.DiffResult> {
        return diffParsed(parse, olds, news, (before, after) =>
            machine.diff(before, after, {
                replaces: before.broker.toLowerCase() !== after.broker.toLowerCase() ? ["broker"] : [],
                // Hosts added, removed or of another version: an update (the deployment and its licensing stay).
                changed: !sameHosts(before.sessionHosts, after.sessionHosts) || before.broker !== after.broker,
            }),
        );
    },

    async create(raw: Raw): Promise<pulumi.dynamic.CreateResult> {
        const inputs = parse(raw);
        const sim = await provisioner(inputs);
        const hosts = inputs.sessionHosts.map((h) => `${h.name} (${h.windowsServerVersion})`).join(", ") || "no session hosts";
        progress(`simulator: provisioning RDS deployment ${inputs.broker} with ${hosts}`);
        const found = await sim.provision({ broker: inputs.broker, sessionHosts: inputs.sessionHosts, owner: inputs.owner });
        const ownership = machine.claim(found, { owner: inputs.owner, adoptExisting: inputs.adoptExisting, home: sim.home }, refusal(found));
        if (ownership.how === "resumed") {
            progress(`simulator: deployment ${found.broker} was created by this resource before an interruption; managing it`);
            await sim.reconcileHosts(inputs.broker, { instanceId: ownership.instanceId, owner: inputs.owner }, inputs.sessionHosts);
        }
        if (ownership.how === "adopted") progress(`simulator: adopting the existing deployment ${found.broker} (adoptExisting): its hosts are left as they are, never deleted`);
        return { id: inputs.broker, outs: machine.withOwnership(inputs, ownership) };
    },

    async read(id: string, props: Raw): Promise<pulumi.dynamic.ReadResult> {
        const inputs = parse(props);
        const live = await (await provisioner(inputs)).identity(inputs.broker);
        if (!live) return gone();
        const ownership = machine.refreshOwnership(props, live);
        if (ownership.recreated) progress(`simulator: deployment ${live.broker} was deleted and created again outside this resource; it will no longer delete it`);
        // An adopted deployment's hosts are not managed: they never show as drift.
        const liveInputs = ownership.created ? { ...inputs, sessionHosts: liveHosts(inputs.sessionHosts, live) } : inputs;
        return { id, props: machine.withOwnership(liveInputs, ownership), inputs: liveInputs };
    },

    async update(_id: string, olds: Raw, news: Raw): Promise<pulumi.dynamic.UpdateResult> {
        const inputs = parse(news);
        const ownership = machine.ownershipOnUpdate(olds);
        if (!ownership.created) {
            progress(`simulator: deployment ${inputs.broker} was adopted: its session hosts are not changed by this resource`);
            return { outs: machine.withOwnership(inputs, ownership) };
        }
        const sim = await provisioner(inputs);
        const live = machine.requireLive(await sim.identity(inputs.broker), `the deployment of ${inputs.broker}`, sim.home);
        ownership.instanceId ||= live.instanceId;
        if (!sameHosts(live.sessionHosts, inputs.sessionHosts)) {
            progress(`simulator: deployment ${inputs.broker}: session hosts now ${inputs.sessionHosts.map((h) => `${h.name} (${h.windowsServerVersion})`).join(", ") || "none"}`);
            await sim.reconcileHosts(inputs.broker, { instanceId: ownership.instanceId, owner: inputs.owner }, inputs.sessionHosts);
        }
        return { outs: machine.withOwnership(inputs, ownership) };
    },

    async delete(_id: string, props: Raw): Promise<void> {
        const inputs = parse(props);
        const stored = machine.storedOwnership(props);
        const sim = await provisioner(inputs);
        if (stored.created === false) return progress(`simulator: leaving deployment ${inputs.broker}: this resource adopted it (adoptExisting)`);
        progress(`simulator: deleting RDS deployment ${inputs.broker} and the session hosts it created`);
        // No look first: the simulator deletes only this instance, and only the hosts this owner created.
        await machine.deleteUnlessTaken(`deployment ${inputs.broker}`, () => sim.deleteDeployment(inputs.broker, { instanceId: stored.instanceId, owner: inputs.owner }));
    },
};
