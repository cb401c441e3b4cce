/**
 * What AzureLicenseServer's constructor hands its work to: resource group, network, password,
 * VM, domain join and the roles run command, in that order.
 */
import type { AzureRunCommandConnection } from "../connection";
import * as compute from "@pulumi/azure-native/compute";
import * as resources from "@pulumi/azure-native/resources";
import * as pulumi from "@pulumi/pulumi";
import { RandomPassword } from "@pulumi/random/randomPassword";
import type { ResolvedAzureLicenseServerArgs } from "./resolve-args";
import { domainJoinExtensionArgs } from "./domain-join";
import { createNetwork, internetWideRdpSources, type LicenseServerNetwork } from "./network";
import { RdsRoleFeature, renderRolesScript } from "../../src/drivers/powershell/roles-script";
import { managedRunCommandArgs } from "./run-command";
import { virtualMachineArgs } from "./vm";

/** Name of the roles run command on the VM (one per VM: a second PUT updates it). */
export const ROLES_RUN_COMMAND = "rds-licensing-roles";

/** How the licensing providers reach the VM (the `azure-run-command` connection kind). */
export type { AzureRunCommandConnection };

/** `/subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.Compute/virtualMachines/{vm}` → parts. */
export function parseVmId(id: string): Omit<AzureRunCommandConnection, "kind"> {
    const match = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/virtualMachines\/([^/]+)$/i.exec(id);
    if (!match) throw new Error(`not a virtual machine resource ID: ${id}`);
    return { subscriptionId: match[1]!, resourceGroupName: match[2]!, vmName: match[3]! };
}

/** The roles the server gets: RD Licensing always, RD Connection Broker on request. */
export function roleFeatures(connectionBroker: boolean): RdsRoleFeature[] {
    return connectionBroker ? [RdsRoleFeature.Licensing, RdsRoleFeature.ConnectionBroker] : [RdsRoleFeature.Licensing];
}

/** The name licensing clients use for the server: its FQDN once domain-joined. */
export function licenseServerFqdn(args: Pick<ResolvedAzureLicenseServerArgs, "serverName" | "domain">): string {
    return args.domain ? `${args.serverName}.${args.domain.name}`.toLowerCase() : args.serverName;
}

export interface BuiltLicenseServer {
    resourceGroup?: resources.ResourceGroup;
    resourceGroupName: pulumi.Output<string>;
    network: LicenseServerNetwork;
    adminPassword: pulumi.Output<string>;
    vm: compute.VirtualMachine;
    domainJoin?: compute.VirtualMachineExtension;
    rolesRunCommand: compute.VirtualMachineRunCommandByVirtualMachine;
}

export function createAzureLicenseServer(name: string, parent: pulumi.ComponentResource, args: ResolvedAzureLicenseServerArgs): BuiltLicenseServer {
    const opts = { parent };
    const location = args.location;
    const tags: Record<string, pulumi.Input<string>> = { "rds-licensing": name, ...args.tags };

    let resourceGroup: resources.ResourceGroup | undefined;
    let resourceGroupName: pulumi.Output<string>;
    if (args.createResourceGroup) {
        resourceGroup = new resources.ResourceGroup(`${name}-rg`, { resourceGroupName: args.resourceGroupName, location, tags }, opts);
        resourceGroupName = resourceGroup.name;
    } else {
        resourceGroupName = pulumi.output(args.resourceGroupName!);
    }

    const wide = internetWideRdpSources(args.allowRdpFrom);
    if (wide.length > 0) {
        pulumi.log.warn(`allowRdpFrom lists ${wide.join(", ")}: RDP to ${args.serverName} is open to the whole internet`, parent);
    }
    const network = createNetwork({ name, parent, resourceGroupName, location, tags }, args);

    let adminPassword: pulumi.Output<string>;
    if (args.adminPassword !== undefined) {
        adminPassword = pulumi.secret(args.adminPassword);
    } else {
        // Azure wants 12-123 characters from 3 of 4 classes; 24 from all four is well inside.
        const generated = new RandomPassword(
            `${name}-admin-password`,
            { length: 24, special: true, overrideSpecial: "!#%*()-_=+[]{}:?", minLower: 2, minUpper: 2, minNumeric: 2, minSpecial: 2 },
            opts,
        );
        adminPassword = pulumi.secret(generated.result);
    }

    const vm = new compute.VirtualMachine(
        `${name}-vm`,
        virtualMachineArgs(args, { resourceGroupName, location, nicId: network.nic.id, adminPassword, tags }),
        opts,
    );
    const domainJoin = args.domain
        ? new compute.VirtualMachineExtension(`${name}-domain-join`, domainJoinExtensionArgs(args.domain, { resourceGroupName, location, vmName: vm.name, tags }), opts)
        : undefined;

    const rolesScript = renderRolesScript({ features: roleFeatures(args.connectionBroker), restartDelaySeconds: args.restartDelaySeconds });
    const rolesRunCommand = new compute.VirtualMachineRunCommandByVirtualMachine(
        `${name}-roles`,
        managedRunCommandArgs({ resourceGroupName, vmName: vm.name, location, tags }, ROLES_RUN_COMMAND, rolesScript, args.rolesTimeoutSeconds),
        // After the domain join (and the restart it causes): the broker role needs the domain.
        { parent, dependsOn: domainJoin ? [vm, domainJoin] : [vm] },
    );
    return { resourceGroup, resourceGroupName, network, adminPassword, vm, domainJoin, rolesRunCommand };
}
