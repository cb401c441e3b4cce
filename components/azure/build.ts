/**
 * What AzureLicenseServer's constructor hands its work to: resource group, network, password,
 * VM, domain join and the roles step (which restarts the VM when needed and waits for its agent),
 * in that order.
 */
import type { AzureRunCommandConnection } from "../connection";
import * as compute from "@pulumi/azure-native/compute";
import * as resources from "@pulumi/azure-native/resources";
import * as pulumi from "@pulumi/pulumi";
import type { ResolvedAzureLicenseServerArgs } from "./resolve-args";
import { domainJoinExtensionArgs } from "./domain-join";
import { adminPasswordFor } from "./admin-password";
import { createNetwork, warnInternetWideRdp, type LicenseServerNetwork } from "./network";
import { RdsRoleFeature } from "../../src/drivers/powershell/roles-script";
import { roleInstallationStep, type RoleInstallation } from "./roles-step";
import { virtualMachineArgs } from "./vm";

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
    /** How the providers reach the VM (never a credential). */
    connection: pulumi.Output<AzureRunCommandConnection>;
    /** The RoleInstallation: done once the roles are installed and the VM's agent is ready. */
    roles: RoleInstallation;
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

    warnInternetWideRdp(args.allowRdpFrom, args.serverName, parent);
    const network = createNetwork({ name, parent, resourceGroupName, location, tags }, args);
    const adminPassword = adminPasswordFor(name, parent, args.adminPassword);

    const vm = new compute.VirtualMachine(
        `${name}-vm`,
        virtualMachineArgs(args, { resourceGroupName, location, nicId: network.nic.id, adminPassword, tags }),
        opts,
    );
    const domainJoin = args.domain
        ? new compute.VirtualMachineExtension(`${name}-domain-join`, domainJoinExtensionArgs(args.domain, { resourceGroupName, location, vmName: vm.name, tags }), opts)
        : undefined;

    const connection = vm.id.apply((id) => ({ kind: "azure-run-command" as const, ...parseVmId(id) }));
    const roles = roleInstallationStep(
        `${name}-roles`,
        { connection, features: roleFeatures(args.connectionBroker), timeoutSeconds: args.rolesTimeoutSeconds },
        // After the domain join: the broker role needs the domain, and the step waits out the join's restart.
        { parent, dependsOn: domainJoin ? [vm, domainJoin] : [vm] },
    );
    return { resourceGroup, resourceGroupName, network, adminPassword, vm, domainJoin, connection, roles };
}
