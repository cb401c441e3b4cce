/**
 * The AzureSessionHostPool's arguments, written out by hand for readers and tooling
 * (session-host-pool-resolve.ts checks them). Arguments that decide which resources exist (count,
 * zones, availability set, RDP sources) are plain values: the resource graph must be known before
 * any Output resolves. Names of existing Azure objects, secrets and tags are `pulumi.Input`.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { AzureDomainJoinArgs, AzureWindowsServerVersion, OsDiskType } from "./args";

/** Where the pool's hosts are placed when not in zones: an existing availability set, or a new one. */
export type AzureAvailabilitySetArgs =
    | {
          /** ARM ID of an existing availability set (`Aligned` SKU, in the pool's region and group). */
          id: pulumi.Input<string>;
      }
    | {
          /**
           * Create an availability set `${name}-avset` for the pool (`Aligned` SKU, for managed disks).
           */
          create: true;
          /** @default 2 (what every region offers) */
          faultDomainCount?: number;
          /** @default 5 */
          updateDomainCount?: number;
      };

export interface AzureSessionHostPoolArgs {
    /**
     * How many session hosts. Changing it adds or removes hosts at the end of the pool only: host n
     * keeps its name and resources whatever the count.
     * @example 2
     */
    count: number;
    /**
     * Computer names of the hosts are `<namePrefix>-<n>` (n from 1), also the VMs' names. With the
     * number, they must fit Windows' 15 characters: a 10-character prefix allows 9 999 hosts, an
     * 11-character one 999, a 13-character one 9.
     * @example "RDSH"
     */
    namePrefix: string;
    /**
     * Azure region.
     * @example "westeurope"
     */
    location: string;
    /**
     * An existing resource group (the license server's, or your own).
     * @example server.resourceGroupName
     */
    resourceGroupName: pulumi.Input<string>;
    /**
     * ARM ID of an existing subnet for the hosts' NICs: the license server's network or your VNet.
     * It must reach the domain controllers and have a route out (VM agent, Windows activation).
     * @example "/subscriptions/.../resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/snet-rds"
     */
    subnetId: pulumi.Input<string>;
    /**
     * The domain the hosts join; required, since the session hosts of an RDS deployment must be
     * domain members. The join password must be a secret: it goes to the extension's protectedSettings only.
     * @example
     * ```ts
     * domain: { name: "corp.contoso.com", joinUser: "CORP\\svc-join", joinPassword: cfg.requireSecret("joinPassword") }
     * ```
     */
    domain: AzureDomainJoinArgs;
    /**
     * VM size of every host.
     * @default "Standard_D4s_v5"
     */
    vmSize?: string;
    /**
     * Windows Server version of the hosts' image.
     * @default "2022"
     */
    windowsServerVersion?: AzureWindowsServerVersion;
    /**
     * WindowsServer image SKU, to override the version's default (see `AzureLicenseServerArgs.imageSku`).
     * @default the version's Gen2 Datacenter image
     * @example "2022-datacenter-g2"
     */
    imageSku?: string;
    /**
     * Trusted Launch (secure boot + vTPM). Gen1 images cannot use it.
     * @default true for Gen2 images, false otherwise
     */
    trustedLaunch?: boolean;
    /**
     * Managed disk type of the OS disks.
     * @default "Premium_LRS"
     */
    osDiskType?: OsDiskType;
    /** OS disk size in GiB. @default the image's (127) */
    osDiskSizeGb?: number;
    /**
     * Availability zones to spread the hosts over, round-robin by host number (host 1 in the first
     * zone, host 2 in the second...). Exclusive with `availabilitySet`.
     * @default [] (no zone)
     * @example ["1", "2", "3"]
     */
    zones?: string[];
    /**
     * An availability set for the hosts, when the region has no zones. Exclusive with `zones`.
     * @default undefined (none)
     * @example `{ create: true }` or `{ id: existingSet.id }`
     */
    availabilitySet?: AzureAvailabilitySetArgs;
    /**
     * Accelerated networking on the hosts' NICs.
     * @default true for sizes known to support it (components/azure/accelerated-networking.ts), false for others
     */
    acceleratedNetworking?: boolean;
    /**
     * DNS servers of the NICs, e.g. the domain controllers when the VNet's DNS does not resolve the domain.
     * @default [] (the VNet's DNS)
     */
    dnsServers?: pulumi.Input<string>[];
    /**
     * Sources allowed to reach RDP (TCP/UDP 3389) through the pool's NSG: the same rules as the license
     * server's. Users usually come through an RD Gateway or the VNet: nothing is open by default, and
     * RDP from the internet is denied explicitly.
     * @default []
     * @example ["VirtualNetwork"]
     */
    allowRdpFrom?: string[];
    /**
     * VM administrator name of every host.
     * @default "rdlsadmin"
     */
    adminUsername?: string;
    /**
     * VM administrator password of every host. Pass a secret.
     * @default generated (RandomPassword, 24 characters), available as the secret output `adminPassword`
     */
    adminPassword?: pulumi.Input<string>;
    /**
     * Azure Hybrid Benefit for Windows Server (`licenseType: Windows_Server`).
     * @default false
     */
    hybridBenefit?: boolean;
    /** Tags for every resource, merged over the component's own (`rds-licensing`). @default {} */
    tags?: Record<string, pulumi.Input<string>>;
    /**
     * Bound of each host's RD Session Host role step (install, restart and the wait for the VM agent).
     * @default 3600
     */
    rolesTimeoutSeconds?: number;
}
