/**
 * The RoleInstallation dynamic provider: the RD roles of an Azure VM as a step that waits for the
 * VM agent before and after the restart the install may need (./install.ts). `check` and `diff`
 * never touch Azure. `read` runs nothing on the VM either: reading the features costs a Run Command
 * execution (half a minute or more per VM) on every refresh, and a removed role is not drift this
 * resource repairs (the RDS deployment's own read-back shows a broken farm); refresh keeps the state.
 * `delete` removes nothing: the roles stay installed.
 */
import type * as pulumi from "@pulumi/pulumi";
import { diffParsed } from "../check";
import { connectionKey } from "../connection";
import { progress } from "../progress";
import type { Raw } from "../resource-schema";
import { ROLE_INSTALLATION_OUTPUTS, roleInstallationInputsSchema, roleInstallationResource, type RoleInstallationInputs } from "./inputs";
import { installRoles, type RolesOutcome } from "./install";

const parse = (raw: Raw): RoleInstallationInputs => roleInstallationResource.parse(raw);
/** Inputs as stored (defaults applied). */
const bagOf = (inputs: RoleInstallationInputs): Raw => ({ ...inputs });

/** Drivers load on first use (see ../registry.ts), so a simulator run never loads the Azure SDK. */
async function install(inputs: RoleInstallationInputs): Promise<RolesOutcome> {
    const { azureRunner, azureVmAgent } = await import("../../drivers/connect-azure.js");
    const { connection } = inputs;
    const onCleanupError = (error: Error) => progress(`${connection.vmName}: a finished run command could not be deleted (it holds no secret): ${error.message}`);
    return installRoles(inputs.features, inputs.timeoutSeconds, {
        vmName: connection.vmName,
        runner: azureRunner({ ...connection, onCleanupError }),
        agent: azureVmAgent(connection),
        progress,
    });
}

const outputsOf = (inputs: RoleInstallationInputs, outcome: RolesOutcome): Raw => ({ ...bagOf(inputs), state: outcome.state, restarted: outcome.restarted });

export const roleInstallationProvider = {
    async check(_olds: Raw, news: Raw): Promise<pulumi.dynamic.CheckResult> {
        return roleInstallationResource.check(news);
    },

    async diff(_id: string, olds: Raw, news: Raw): Promise<pulumi.dynamic.DiffResult> {
        return diffParsed(parse, olds, news, (before, after) => {
            const replaces = connectionKey(before.connection) !== connectionKey(after.connection) ? ["connection"] : [];
            const sameFeatures = before.features.length === after.features.length && before.features.every((f) => after.features.includes(f));
            const updates = [
                ...(sameFeatures ? [] : ["features"]),
                ...(["providerVersion", "timeoutSeconds"] as const).filter((k) => before[k] !== after[k]),
                // The same VM reached otherwise (an endpoint spelled differently): stored only.
                ...(replaces.length === 0 && JSON.stringify(before.connection) !== JSON.stringify(after.connection) ? ["connection"] : []),
            ];
            return { changes: replaces.length + updates.length > 0, replaces, deleteBeforeReplace: false };
        });
    },

    async create(raw: Raw): Promise<pulumi.dynamic.CreateResult> {
        const inputs = parse(raw);
        const { subscriptionId, resourceGroupName, vmName } = inputs.connection;
        const id = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.Compute/virtualMachines/${vmName}/roles`;
        return { id, outs: outputsOf(inputs, await install(inputs)) };
    },

    async read(id: string, props: Raw): Promise<pulumi.dynamic.ReadResult> {
        // Nothing remote (see the module comment): the stored state, with its inputs for refresh's diff.
        return { id, props, inputs: roleInstallationResource.inputsOf(props) };
    },

    async update(_id: string, olds: Raw, news: Raw): Promise<pulumi.dynamic.UpdateResult> {
        const inputs = parse(news);
        const before = parse(olds);
        const added = inputs.features.filter((f) => !before.features.includes(f));
        const kept = Object.fromEntries(ROLE_INSTALLATION_OUTPUTS.map((k) => [k, olds[k]]));
        // A removed feature stays installed; bookkeeping (timeout, provider version) runs nothing.
        if (added.length === 0) return { outs: { ...bagOf(inputs), ...kept } };
        return { outs: outputsOf(inputs, await install(inputs)) };
    },

    async delete(_id: string, props: Raw): Promise<void> {
        const inputs = roleInstallationInputsSchema.safeParse(roleInstallationResource.inputsOf(props));
        const vm = inputs.success ? inputs.data.connection.vmName : "the VM";
        progress(`${vm}: leaving the Remote Desktop roles installed (deleting RoleInstallation removes nothing)`);
    },
};
