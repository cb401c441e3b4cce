/**
 * What AzureSessionHostPool's constructor hands its work to: the pool's NSG, admin password and
 * availability set, then per host NIC → VM → domain join → RD Session Host role step. Every host's
 * resources are named by its number (`${name}-host-<n>-...`), so a resize touches only the hosts
 * added or removed.
 */
import * as compute from "@pulumi/azure-native/compute";
import * as network from "@pulumi/azure-native/network";
import * as pulumi from "@pulumi/pulumi";
import { RdsRoleFeature } from "../../src/drivers/powershell/roles-script";
import type { AzureRunCommandConnection } from "../connection";
import { adminPasswordFor } from "./admin-password";
import { parseVmId } from "./build";
import { domainJoinExtensionArgs } from "./domain-join";
import { createSecurityGroup, networkInterfaceArgs, warnInternetWideRdp } from "./network";
import { createRolesStep } from "./roles-step";
import type { ResolvedAzureSessionHostPoolArgs } from "./session-host-pool-resolve";
import type { PlannedSessionHost } from "./session-host-names";
import { virtualMachineArgs } from "./vm";

/** One session host and the resources it is made of. */
export interface BuiltSessionHost {
    index: number;
    computerName: string;
    /** `<computer name>.<domain>`, lower case: how the deployment and users address the host. */
    fqdn: string;
    zone?: string;
    nic: network.NetworkInterface;
    vm: compute.VirtualMachine;
    domainJoin: compute.VirtualMachineExtension;
    /** The RD Session Host role, installed and its restart waited for: the deployment depends on it. */
    rolesStep: pulumi.CustomResource;
    /** For the deployment's run commands (`azure-run-command`); never holds a credential. */
    connection: pulumi.Output<AzureRunCommandConnection>;
}

export interface BuiltSessionHostPool {
    nsg: network.NetworkSecurityGroup;
    availabilitySet?: compute.AvailabilitySet;
    adminPassword: pulumi.Output<string>;
    hosts: BuiltSessionHost[];
}

interface PoolContext {
    name: string;
    parent: pulumi.Resource;
    args: ResolvedAzureSessionHostPoolArgs;
    tags: Record<string, pulumi.Input<string>>;
    nsgId: pulumi.Input<string>;
    adminPassword: pulumi.Output<string>;
    availabilitySetId?: pulumi.Input<string>;
}

export function sessionHostFqdn(computerName: string, domainName: string): string {
    return `${computerName}.${domainName}`.toLowerCase();
}

function createSessionHost(ctx: PoolContext, host: PlannedSessionHost): BuiltSessionHost {
    const { args, tags, parent } = ctx;
    const base = `${ctx.name}-host-${host.index}`;
    const location = args.location;
    const resourceGroupName = args.resourceGroupName;
    const nic = new network.NetworkInterface(
        `${base}-nic`,
        // Never a public IP: users reach session hosts through the broker / RD Gateway, admins through the VNet.
        networkInterfaceArgs({ resourceGroupName, location, tags }, { nsgId: ctx.nsgId, subnetId: args.subnetId, dnsServers: args.dnsServers, acceleratedNetworking: args.acceleratedNetworking }),
        { parent },
    );
    const vm = new compute.VirtualMachine(
        `${base}-vm`,
        virtualMachineArgs(
            { ...args, serverName: host.computerName },
            { resourceGroupName, location, nicId: nic.id, adminPassword: ctx.adminPassword, tags, zone: host.zone, availabilitySetId: ctx.availabilitySetId },
        ),
        { parent, dependsOn: [nic] },
    );
    const domainJoin = new compute.VirtualMachineExtension(
        `${base}-domain-join`,
        domainJoinExtensionArgs(args.domain, { resourceGroupName, location, vmName: vm.name, tags }),
        { parent, dependsOn: [vm] },
    );
    const connection = vm.id.apply((id) => ({ kind: "azure-run-command" as const, ...parseVmId(id) }));
    const rolesStep = createRolesStep(
        `${base}-roles`,
        { connection, features: [RdsRoleFeature.SessionHost], timeoutSeconds: args.rolesTimeoutSeconds },
        // After the join and its restart: RD Session Host in a deployment needs the domain.
        { parent, dependsOn: [vm, domainJoin] },
    );
    return { index: host.index, computerName: host.computerName, fqdn: sessionHostFqdn(host.computerName, args.domain.name), zone: host.zone, nic, vm, domainJoin, rolesStep, connection };
}

export function createSessionHostPool(name: string, parent: pulumi.ComponentResource, args: ResolvedAzureSessionHostPoolArgs): BuiltSessionHostPool {
    const tags: Record<string, pulumi.Input<string>> = { "rds-licensing": name, ...args.tags };
    warnInternetWideRdp(args.allowRdpFrom, `the session hosts of ${name}`, parent);
    const nsg = createSecurityGroup({ name, parent, resourceGroupName: args.resourceGroupName, location: args.location, tags }, args.allowRdpFrom);
    const adminPassword = adminPasswordFor(name, parent, args.adminPassword);

    let availabilitySet: compute.AvailabilitySet | undefined;
    let availabilitySetId: pulumi.Input<string> | undefined;
    if (args.availabilitySet && "id" in args.availabilitySet) {
        availabilitySetId = args.availabilitySet.id;
    } else if (args.availabilitySet) {
        availabilitySet = new compute.AvailabilitySet(
            `${name}-avset`,
            {
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                // Aligned: required for VMs with managed disks.
                sku: { name: "Aligned" },
                platformFaultDomainCount: args.availabilitySet.faultDomainCount ?? 2,
                platformUpdateDomainCount: args.availabilitySet.updateDomainCount ?? 5,
                tags,
            },
            { parent },
        );
        availabilitySetId = availabilitySet.id;
    }

    const ctx: PoolContext = { name, parent, args, tags, nsgId: nsg.id, adminPassword, availabilitySetId };
    return { nsg, availabilitySet, adminPassword, hosts: args.hosts.map((host) => createSessionHost(ctx, host)) };
}
