import type * as compute from "@pulumi/azure-native/compute";
import type * as network from "@pulumi/azure-native/network";
import * as pulumi from "@pulumi/pulumi";
import { RESOURCE_TYPES } from "../../src/licensing/resource-types";
import type { AzureRunCommandConnection } from "../connection";
import type { AzureSessionHostPoolArgs } from "./session-host-pool-args";
import { createSessionHostPool } from "./session-host-pool-build";
import { resolveAzureSessionHostPoolArgs } from "./session-host-pool-resolve";

/** One host of the pool, as the RDS deployment needs it. */
export interface AzureSessionHost {
    /** 1-based number of the host in the pool; its resources are named by it. */
    index: number;
    /** Computer name, also the VM's name: `<namePrefix>-<index>`. */
    computerName: string;
    /** `<computer name>.<domain>`, lower case (what `New-RDSessionDeployment -SessionHost` takes). */
    fqdn: string;
    /** ARM ID of the VM. */
    vmId: pulumi.Output<string>;
    /** For run commands on the host (`azure-run-command`); never holds a credential. */
    connection: pulumi.Output<AzureRunCommandConnection>;
    /** The RD Session Host role step (installed, restart waited for): the deployment must depend on it. */
    rolesStep: pulumi.CustomResource;
    vm: compute.VirtualMachine;
    nic: network.NetworkInterface;
    domainJoin: compute.VirtualMachineExtension;
}

/**
 * A pool of RD Session Hosts on Azure: N Windows Server VMs named `<namePrefix>-1`...`<namePrefix>-N`
 * in an existing subnet, joined to the domain, each with the RD Session Host role installed (and
 * its restart waited for). No public IP, ever; one NSG for the pool with the license server's rules
 * (no RDP from the internet unless `allowRdpFrom` says so); zones round-robin or an availability
 * set; accelerated networking where the size allows it.
 *
 * Growing the pool adds hosts at the end and shrinking it removes the last ones: host n keeps its
 * resources whatever the count. Make the RDS deployment depend on every host's `rolesStep`.
 *
 * @example Two hosts next to the license server, in two zones
 * ```ts
 * const cfg = new pulumi.Config();
 * const hosts = new AzureSessionHostPool("rdsh", {
 *     count: 2,
 *     namePrefix: "RDSH",
 *     location: "westeurope",
 *     resourceGroupName: server.resourceGroupName,
 *     subnetId: "/subscriptions/.../virtualNetworks/vnet-hub/subnets/snet-rds",
 *     zones: ["1", "2"],
 *     domain: { name: "corp.contoso.com", joinUser: "CORP\\svc-join", joinPassword: cfg.requireSecret("joinPassword") },
 * });
 * export const sessionHosts = hosts.hosts.map((h) => h.fqdn);
 * ```
 *
 * @example A region without zones: an availability set, Windows Server 2025, Hybrid Benefit
 * ```ts
 * new AzureSessionHostPool("rdsh", {
 *     count: 4, namePrefix: "RDSH25", location: "westcentralus",
 *     resourceGroupName: "rg-rds-prod", subnetId,
 *     windowsServerVersion: AzureWindowsServerVersion.WS2025,
 *     availabilitySet: { create: true },
 *     hybridBenefit: true,
 *     domain,
 * });
 * ```
 */
export class AzureSessionHostPool extends pulumi.ComponentResource {
    /** The hosts, by number (index 0 is host 1). */
    public readonly hosts: AzureSessionHost[];
    /** Every host's roles step: `dependsOn` of the RDS deployment. */
    public readonly rolesSteps: pulumi.CustomResource[];
    public readonly computerNames: string[];
    public readonly fqdns: string[];
    public readonly adminUsername: string;
    /** Secret; the same for every host. */
    public readonly adminPassword: pulumi.Output<string>;
    public readonly networkSecurityGroup: network.NetworkSecurityGroup;
    /** Only with `availabilitySet: { create: true }`. */
    public readonly availabilitySet: compute.AvailabilitySet | undefined;

    constructor(name: string, args: AzureSessionHostPoolArgs, opts?: pulumi.ComponentResourceOptions) {
        // Checked before anything is registered, the component included.
        const resolved = resolveAzureSessionHostPoolArgs(name, args);
        super(RESOURCE_TYPES.azureSessionHostPool, name, {}, opts);
        const built = createSessionHostPool(name, this, resolved);

        this.hosts = built.hosts.map((h) => ({
            index: h.index,
            computerName: h.computerName,
            fqdn: h.fqdn,
            vmId: h.vm.id,
            connection: h.connection,
            rolesStep: h.rolesStep,
            vm: h.vm,
            nic: h.nic,
            domainJoin: h.domainJoin,
        }));
        this.rolesSteps = built.hosts.map((h) => h.rolesStep);
        this.computerNames = built.hosts.map((h) => h.computerName);
        this.fqdns = built.hosts.map((h) => h.fqdn);
        this.adminUsername = resolved.adminUsername;
        this.adminPassword = built.adminPassword;
        this.networkSecurityGroup = built.nsg;
        this.availabilitySet = built.availabilitySet;

        this.registerOutputs({
            hosts: built.hosts.map((h) => ({ computerName: h.computerName, fqdn: h.fqdn, vmId: h.vm.id, connection: h.connection })),
            adminUsername: this.adminUsername,
            adminPassword: this.adminPassword,
        });
    }
}
