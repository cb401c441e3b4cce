/**
 * The SimulatedDeployment dynamic provider: creates an RDS deployment (its Connection Broker and
 * session hosts) in rdls-sim and deletes what it created, the simulator target's stand-in for the
 * broker and host VMs and the deployment on them. Not a remote execution: it is "the VMs".
 *
 * Ownership as for SimulatedLicenseServer (../simulated-server/ownership.ts): the deployment and the
 * hosts it creates carry this resource's owner marker and an instance id; an existing deployment is
 * refused unless adopted (`adoptExisting`: managed, its hosts left as they are, never deleted); a
 * create retried after an interruption takes over its own.
 */
import * as path from "path";
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { LicensingError, LicensingErrorKind, PRODUCT_VERSIONS } from "../../licensing";
import type { DeploymentHostSpec, DeploymentIdentity, ProvisionDeploymentResult } from "../../simulator/admin-deployments";
import { diffKnown } from "../check";
import { progress } from "../progress";
import { gone, resourceSchema, type Raw } from "../resource-schema";

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

const OUTPUT_FIELDS = ["created", "instanceId"];
const resource = resourceSchema(simulatedDeploymentInputsSchema, OUTPUT_FIELDS);
const parse = (raw: Raw): Inputs => resource.parse(raw);

interface Ownership {
    created: boolean;
    instanceId: string;
}
const ownershipOf = (props: Raw): Partial<Ownership> =>
    z.object({ created: z.boolean().optional(), instanceId: z.string().min(1).optional() }).parse({ created: props.created, instanceId: props.instanceId });

async function provisioner(inputs: { home: string }) {
    const { DeploymentProvisioner } = await import("../../simulator/admin-deployments.js");
    return new DeploymentProvisioner(inputs.home);
}

/** The fix a refused create points at. */
export const ADOPT_DEPLOYMENT_HINT = "set `adoptExisting: true` to manage the existing deployment without ever deleting it";

/** What `create` makes of what the simulator found: the ownership to record, or a refusal. */
export function claimDeployment(found: ProvisionDeploymentResult, request: { owner: string; adoptExisting: boolean; home: string }): Ownership & { how: "created" | "resumed" | "adopted" } {
    if (found.created) return { created: true, instanceId: found.instanceId, how: "created" };
    if (found.owner === request.owner) return { created: true, instanceId: found.instanceId, how: "resumed" };
    if (request.adoptExisting) return { created: false, instanceId: found.instanceId, how: "adopted" };
    const by = found.owner === undefined ? "made outside Pulumi (it has no owner marker)" : `created by ${found.owner} (project/stack/resource)`;
    throw new LicensingError({
        kind: LicensingErrorKind.Conflict,
        message:
            `an RDS deployment with Connection Broker ${found.broker} already exists in the simulator store ${request.home}, ${by}. ` +
            `Taking it as this resource's own would let this stack's destroy delete it and its session hosts: ${ADOPT_DEPLOYMENT_HINT}, or use another broker name.`,
    });
}

const sameHosts = (a: readonly DeploymentHostSpec[], b: readonly DeploymentHostSpec[]) =>
    a.length === b.length && a.every((h, i) => h.name.toLowerCase() === b[i]!.name.toLowerCase() && h.windowsServerVersion === b[i]!.windowsServerVersion);

/** The live hosts, spelled as declared where the names match (a name's case is no change). */
function liveHosts(declared: readonly DeploymentHostSpec[], live: DeploymentIdentity): DeploymentHostSpec[] {
    return live.sessionHosts.map((h) => {
        const d = declared.find((x) => x.name.toLowerCase() === h.name.toLowerCase());
        return { name: d?.name ?? h.name, windowsServerVersion: h.windowsServerVersion };
    });
}

const outputs = (inputs: Inputs, ownership: Ownership) => ({ ...inputs, created: ownership.created, instanceId: ownership.instanceId });

export const simulatedDeploymentProvider = {
    async check(_olds: Raw, news: Raw): Promise<pulumi.dynamic.CheckResult> {
        return resource.check(news);
    },

    async diff(_id: string, olds: Raw, news: Raw): Promise<pulumi.dynamic.DiffResult> {
        const before = parse(olds);
        return diffKnown(olds, news, (known) => {
            const after = parse(known);
            const replaces = [
                ...(path.resolve(before.home) !== path.resolve(after.home) ? ["home"] : []),
                ...(before.broker.toLowerCase() !== after.broker.toLowerCase() ? ["broker"] : []),
            ];
            // Hosts added, removed or of another version: an update (the deployment and its licensing stay).
            const changed =
                !sameHosts(before.sessionHosts, after.sessionHosts) || (["providerVersion", "owner", "adoptExisting", "broker"] as const).some((k) => before[k] !== after[k]);
            return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: true };
        });
    },

    async create(raw: Raw): Promise<pulumi.dynamic.CreateResult> {
        const inputs = parse(raw);
        const sim = await provisioner(inputs);
        const hosts = inputs.sessionHosts.map((h) => `${h.name} (${h.windowsServerVersion})`).join(", ") || "no session hosts";
        progress(`simulator: provisioning RDS deployment ${inputs.broker} with ${hosts}`);
        const found = await sim.provision({ broker: inputs.broker, sessionHosts: inputs.sessionHosts, owner: inputs.owner });
        const ownership = claimDeployment(found, { owner: inputs.owner, adoptExisting: inputs.adoptExisting, home: sim.home });
        if (ownership.how === "resumed") {
            progress(`simulator: deployment ${found.broker} was created by this resource before an interruption; managing it`);
            await sim.reconcileHosts(inputs.broker, { instanceId: ownership.instanceId, owner: inputs.owner }, inputs.sessionHosts);
        }
        if (ownership.how === "adopted") progress(`simulator: adopting the existing deployment ${found.broker} (adoptExisting): its hosts are left as they are, never deleted`);
        return { id: inputs.broker, outs: outputs(inputs, ownership) };
    },

    async read(id: string, props: Raw): Promise<pulumi.dynamic.ReadResult> {
        const inputs = parse(props);
        const stored = ownershipOf(props);
        const live = await (await provisioner(inputs)).identity(inputs.broker);
        if (!live) return gone();
        const recreated = stored.instanceId !== undefined && stored.instanceId !== live.instanceId;
        if (recreated) progress(`simulator: deployment ${live.broker} was deleted and created again outside this resource; it will no longer delete it`);
        const ownership = { created: (stored.created ?? true) && !recreated, instanceId: live.instanceId };
        // An adopted deployment's hosts are not managed: they never show as drift.
        const liveInputs = ownership.created ? { ...inputs, sessionHosts: liveHosts(inputs.sessionHosts, live) } : inputs;
        return { id, props: outputs(liveInputs, ownership), inputs: liveInputs };
    },

    async update(_id: string, olds: Raw, news: Raw): Promise<pulumi.dynamic.UpdateResult> {
        const inputs = parse(news);
        const stored = ownershipOf(olds);
        const ownership: Ownership = { created: stored.created ?? true, instanceId: stored.instanceId ?? "" };
        if (!ownership.created) {
            progress(`simulator: deployment ${inputs.broker} was adopted: its session hosts are not changed by this resource`);
            return { outs: outputs(inputs, ownership) };
        }
        const sim = await provisioner(inputs);
        const live = await sim.identity(inputs.broker);
        if (!live) {
            throw new LicensingError({
                kind: LicensingErrorKind.NotFound,
                message: `the deployment of ${inputs.broker} no longer exists in the simulator store ${sim.home}: run \`pulumi refresh\`, then \`pulumi up\` creates it again`,
            });
        }
        ownership.instanceId ||= live.instanceId;
        if (!sameHosts(live.sessionHosts, inputs.sessionHosts)) {
            progress(`simulator: deployment ${inputs.broker}: session hosts now ${inputs.sessionHosts.map((h) => `${h.name} (${h.windowsServerVersion})`).join(", ") || "none"}`);
            await sim.reconcileHosts(inputs.broker, { instanceId: ownership.instanceId, owner: inputs.owner }, inputs.sessionHosts);
        }
        return { outs: outputs(inputs, ownership) };
    },

    async delete(_id: string, props: Raw): Promise<void> {
        const inputs = parse(props);
        const stored = ownershipOf(props);
        const sim = await provisioner(inputs);
        if (stored.created === false) return progress(`simulator: leaving deployment ${inputs.broker}: this resource adopted it (adoptExisting)`);
        progress(`simulator: deleting RDS deployment ${inputs.broker} and the session hosts it created`);
        try {
            await sim.deleteDeployment(inputs.broker, { instanceId: stored.instanceId, owner: inputs.owner });
        } catch (err) {
            if (err instanceof LicensingError && err.kind === LicensingErrorKind.Conflict) return progress(`simulator: leaving deployment ${inputs.broker}: ${err.message}`);
            throw err;
        }
    },
};
