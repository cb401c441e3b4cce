/**
 * Arguments of a managed run command (Microsoft.Compute/virtualMachines/runCommands) that is part
 * of the deployment: synchronous, and a non-zero exit code fails `pulumi up`. Changing the script
 * updates the resource, which runs it again (so scripts must be idempotent).
 */
import type * as compute from "@pulumi/azure-native/compute";
import * as pulumi from "@pulumi/pulumi";

export interface RunCommandContext {
    resourceGroupName: pulumi.Input<string>;
    vmName: pulumi.Input<string>;
    location: pulumi.Input<string>;
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /**
     * Run the script as this account instead of SYSTEM (`runAsUser` / `runAsPassword`): the
     * RemoteDesktop cmdlets need a domain identity. The password is made a secret here, whatever
     * the caller passed.
     * @default undefined (SYSTEM)
     */
    runAs?: { user: pulumi.Input<string>; password: pulumi.Input<string> };
}

export function managedRunCommandArgs(
    ctx: RunCommandContext,
    runCommandName: string,
    script: string,
    timeoutInSeconds: number,
): compute.VirtualMachineRunCommandByVirtualMachineArgs {
    return {
        resourceGroupName: ctx.resourceGroupName,
        vmName: ctx.vmName,
        location: ctx.location,
        runCommandName,
        source: { script },
        asyncExecution: false,
        treatFailureAsDeploymentFailure: true,
        timeoutInSeconds,
        tags: ctx.tags,
        ...(ctx.runAs ? { runAsUser: ctx.runAs.user, runAsPassword: pulumi.secret(ctx.runAs.password) } : {}),
    };
}
