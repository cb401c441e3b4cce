/**
 * The AzureLicenseServer's arguments, written out by hand for readers and tooling (resolve-args.ts
 * checks them with the atoms the stack config uses, so both say the same thing).
 *
 * Arguments that decide which resources exist (create a resource group or not, a new network or an
 * existing subnet, the NSG rules, the roles) are plain values: the resource graph must be known
 * before any Output resolves. Names, secrets and tags are `pulumi.Input`.
 */
import type * as pulumi from "@pulumi/pulumi";

/** Windows Server versions the component builds (marketplace images with Trusted Launch). */
export const AzureWindowsServerVersion = { WS2019: "2019", WS2022: "2022", WS2025: "2025" } as const;
export type AzureWindowsServerVersion = (typeof AzureWindowsServerVersion)[keyof typeof AzureWindowsServerVersion];

/** Managed disk types for the OS disk. */
export const OsDiskType = {
    PremiumLRS: "Premium_LRS",
    PremiumZRS: "Premium_ZRS",
    StandardSSDLRS: "StandardSSD_LRS",
    StandardSSDZRS: "StandardSSD_ZRS",
    StandardLRS: "Standard_LRS",
} as const;
export type OsDiskType = (typeof OsDiskType)[keyof typeof OsDiskType];

/** Joining an Active Directory domain (JsonADDomainExtension). */
export interface AzureDomainJoinArgs {
    /** DNS name of the domain. @example "corp.contoso.com" */
    name: string;
    /**
     * OU for the computer account.
     * @default the domain's default Computers container
     * @example "OU=License Servers,DC=corp,DC=contoso,DC=com"
     */
    ouPath?: string;
    /** Account allowed to join computers, with its domain. @example "CORP\\svc-join" */
    joinUser: pulumi.Input<string>;
    /** Its password. Pass a secret; it goes to the extension's protectedSettings only. */
    joinPassword: pulumi.Input<string>;
}

/** Network of the VM: an existing subnet, or a new VNet with one subnet. */
export type AzureNetworkArgs =
    | {
          /** ARM ID of an existing subnet. Nothing network-wide is created. */
          subnetId: pulumi.Input<string>;
      }
    | {
          /** Address space of a new VNet. @example "10.10.0.0/16" */
          vnetCidr: string;
          /** The subnet of the VM, inside `vnetCidr`. @example "10.10.1.0/24" */
          subnetCidr: string;
          /**
           * Give the subnet a NAT gateway for outbound traffic (activation and CAL installs reach the
           * Clearinghouse over HTTPS; new subnets have no default outbound access). Outbound only:
           * its public IP accepts no inbound connection. Turn it off when a firewall routes outbound.
           * @default true
           */
          natGateway?: boolean;
      };

export interface AzureLicenseServerArgs {
    /**
     * Computer name of the license server, also the VM's name: 1-15 letters, digits or hyphens.
     * The licensing resources address the server by it.
     * @example "RDLS01"
     */
    serverName: string;
    /**
     * Azure region.
     * @example "westeurope"
     */
    location: string;
    /**
     * Windows Server version of the VM image. Must match the CALs it will hold (a license server
     * takes CALs of its own version or older).
     * @default "2022"
     */
    windowsServerVersion?: AzureWindowsServerVersion;
    /**
     * WindowsServer image SKU, to override the default of the version
     * (`2025-datacenter-azure-edition`, `2022-datacenter-azure-edition`, `2019-datacenter-gensecond`).
     * @default the version's Gen2 Datacenter image
     * @example "2022-datacenter-g2"
     */
    imageSku?: string;
    /**
     * Trusted Launch (secure boot + vTPM). Gen1 images cannot use it.
     * @default true for Gen2 images (every default image), false otherwise
     */
    trustedLaunch?: boolean;
    /**
     * Name of the resource group. With `createResourceGroup: false` it must exist.
     * @default a generated name (when created)
     */
    resourceGroupName?: string;
    /**
     * Create the resource group, or use `resourceGroupName` as it is.
     * @default true
     */
    createResourceGroup?: boolean;
    /**
     * VM size.
     * @default "Standard_D2s_v5"
     */
    vmSize?: string;
    /** @default "Premium_LRS" */
    osDiskType?: OsDiskType;
    /** OS disk size in GiB. @default the image's (127) */
    osDiskSizeGb?: number;
    /**
     * Where the NIC goes.
     * @default { vnetCidr: "10.10.0.0/16", subnetCidr: "10.10.1.0/24" }
     * @example An existing subnet
     * ```ts
     * network: { subnetId: hub.subnets["servers"].id }
     * ```
     */
    network?: AzureNetworkArgs;
    /**
     * DNS servers of the NIC, e.g. the domain controllers when the VNet's DNS does not resolve the domain.
     * @default [] (the VNet's DNS)
     */
    dnsServers?: pulumi.Input<string>[];
    /**
     * Sources allowed to reach RDP (TCP 3389): CIDRs, addresses, `VirtualNetwork`. Nothing is open by
     * default and inbound RDP from the internet is denied explicitly. `Internet`, `*` and `0.0.0.0/0`
     * are accepted only because you typed them: they open RDP to the world (a warning is logged).
     * @default []
     * @example ["10.0.0.0/8", "VirtualNetwork"]
     */
    allowRdpFrom?: string[];
    /**
     * Give the VM a public IP (Standard SKU, static). Without one, reach it through a VPN, Bastion
     * or peering; Run Command needs no inbound path at all.
     * @default false
     */
    publicIp?: boolean;
    /**
     * VM administrator name.
     * @default "rdlsadmin"
     */
    adminUsername?: string;
    /**
     * VM administrator password. Pass a secret.
     * @default generated (RandomPassword, 24 characters), available as the secret output `adminPassword`
     */
    adminPassword?: pulumi.Input<string>;
    /** Join an Active Directory domain. Required with `connectionBroker`. @default undefined (workgroup) */
    domain?: AzureDomainJoinArgs;
    /**
     * Install the RD Connection Broker role next to RD Licensing.
     * @default false
     */
    connectionBroker?: boolean;
    /**
     * Azure Hybrid Benefit for Windows Server (`licenseType: Windows_Server`).
     * @default false
     */
    hybridBenefit?: boolean;
    /** Tags for every resource, merged over the component's own (`rds-licensing`). @default {} */
    tags?: Record<string, pulumi.Input<string>>;
    /**
     * Bound of the role installation step, 60 to 16200 seconds: the wait for the VM agent (after
     * the domain join's restart), the install script, and the restart Windows may need with the
     * wait for the agent after it. (There is no restart delay any more: the step restarts the VM
     * itself and waits for it; `restartDelaySeconds` is refused.)
     * @default 3600
     * @example A slow image with updates to finish
     * ```ts
     * rolesTimeoutSeconds: 5400
     * ```
     */
    rolesTimeoutSeconds?: number;
}
