/**
 * Domain join through the JsonADDomainExtension. The password goes to protectedSettings (never
 * returned by ARM) and is wrapped secret here, so state holds it encrypted.
 */
import type * as compute from "@pulumi/azure-native/compute";
import * as pulumi from "@pulumi/pulumi";
import type { AzureDomainJoinArgs } from "./args";

/** NETSETUP_JOIN_DOMAIN | NETSETUP_ACCT_CREATE: join, creating the computer account if needed. */
export const JOIN_OPTIONS = "3";

export interface DomainJoinContext {
    resourceGroupName: pulumi.Input<string>;
    location: string;
    vmName: pulumi.Input<string>;
    tags: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export function domainJoinExtensionArgs(domain: AzureDomainJoinArgs, ctx: DomainJoinContext): compute.VirtualMachineExtensionArgs {
    return {
        resourceGroupName: ctx.resourceGroupName,
        location: ctx.location,
        vmName: ctx.vmName,
        vmExtensionName: "join-domain",
        publisher: "Microsoft.Compute",
        type: "JsonADDomainExtension",
        typeHandlerVersion: "1.3",
        autoUpgradeMinorVersion: true,
        settings: {
            Name: domain.name,
            OUPath: domain.ouPath ?? "",
            User: domain.joinUser,
            // The extension restarts the VM to finish the join; later run commands wait for the agent.
            Restart: "true",
            Options: JOIN_OPTIONS,
        },
        protectedSettings: { Password: pulumi.secret(domain.joinPassword) },
        tags: ctx.tags,
    };
}
