/**
 * Network of the Azure VMs: the NSG (no inbound RDP unless asked) and NIC every VM of the package
 * gets (license server, session hosts), and for the license server optionally a new VNet/subnet
 * with a NAT gateway for outbound traffic and a public IP only on request.
 */
import * as network from "@pulumi/azure-native/network";
import * as pulumi from "@pulumi/pulumi";
import { isInternetWide } from "../../src/config/azure";
import type { ResolvedAzureLicenseServerArgs } from "./resolve-args";

export const RDP_PORT = "3389";
/** Priority of the explicit deny of RDP from the internet; opt-in allows come before it. */
export const DENY_INTERNET_RDP_PRIORITY = 4000;
export const ALLOW_RDP_FIRST_PRIORITY = 300;

export interface SecurityRule {
    name: string;
    priority: number;
    direction: "Inbound";
    access: "Allow" | "Deny";
    protocol: "*";
    sourcePortRange: "*";
    destinationPortRange: string;
    destinationAddressPrefix: "*";
    sourceAddressPrefix?: string;
    sourceAddressPrefixes?: string[];
    description: string;
}

/**
 * NSG rules for RDP (TCP and UDP 3389). Always an explicit deny from `Internet`, so audits see the
 * intent; allows for the listed sources come first. Address ranges share one rule; tags (which
 * Azure accepts only one per rule) get one each.
 */
export function rdpSecurityRules(allowRdpFrom: readonly string[]): SecurityRule[] {
    const common = { direction: "Inbound", protocol: "*", sourcePortRange: "*", destinationPortRange: RDP_PORT, destinationAddressPrefix: "*" } as const;
    const rules: SecurityRule[] = [];
    const ranges = allowRdpFrom.filter((s) => /^\d/.test(s));
    const tags = allowRdpFrom.filter((s) => !/^\d/.test(s));
    let priority = ALLOW_RDP_FIRST_PRIORITY;
    if (ranges.length > 0) {
        rules.push({ ...common, name: "allow-rdp-ranges", priority, access: "Allow", sourceAddressPrefixes: [...ranges], description: "RDP from the ranges listed in allowRdpFrom" });
        priority += 10;
    }
    for (const tag of tags) {
        const slug = tag === "*" ? "any" : tag.toLowerCase();
        rules.push({ ...common, name: `allow-rdp-${slug}`, priority, access: "Allow", sourceAddressPrefix: tag, description: `RDP from ${tag}, listed in allowRdpFrom` });
        priority += 10;
    }
    rules.push({
        ...common,
        name: "deny-rdp-internet",
        priority: DENY_INTERNET_RDP_PRIORITY,
        access: "Deny",
        sourceAddressPrefix: "Internet",
        description: "No RDP from the internet unless allowRdpFrom says so (rds-licensing default)",
    });
    return rules;
}

/** The sources that open RDP to the whole internet (the component warns about them). */
export function internetWideRdpSources(allowRdpFrom: readonly string[]): string[] {
    return allowRdpFrom.filter(isInternetWide);
}

/** Log a warning on `resource` when `allowRdpFrom` opens RDP to the whole internet. */
export function warnInternetWideRdp(allowRdpFrom: readonly string[], what: string, resource: pulumi.Resource): void {
    const wide = internetWideRdpSources(allowRdpFrom);
    if (wide.length > 0) pulumi.log.warn(`allowRdpFrom lists ${wide.join(", ")}: RDP to ${what} is open to the whole internet`, resource);
}

export interface NetworkContext {
    name: string;
    parent: pulumi.Resource;
    resourceGroupName: pulumi.Input<string>;
    location: string;
    tags: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export interface LicenseServerNetwork {
    nsg: network.NetworkSecurityGroup;
    nic: network.NetworkInterface;
    subnetId: pulumi.Output<string>;
    vnet?: network.VirtualNetwork;
    subnet?: network.Subnet;
    natGateway?: network.NatGateway;
    publicIp?: network.PublicIPAddress;
}

/** The NSG `${ctx.name}-nsg` with {@link rdpSecurityRules}: the same rules on every VM of the package. */
export function createSecurityGroup(ctx: NetworkContext, allowRdpFrom: readonly string[]): network.NetworkSecurityGroup {
    const base = { resourceGroupName: ctx.resourceGroupName, location: ctx.location, tags: ctx.tags };
    return new network.NetworkSecurityGroup(`${ctx.name}-nsg`, { ...base, securityRules: rdpSecurityRules(allowRdpFrom) }, { parent: ctx.parent });
}

export interface NicSpec {
    nsgId: pulumi.Input<string>;
    subnetId: pulumi.Input<string>;
    dnsServers?: pulumi.Input<string>[];
    /** Only the license server's opt-in public IP; never a session host's. */
    publicIpId?: pulumi.Input<string>;
    /** Set only when decided (session hosts), so the license server's NIC keeps its arguments. */
    acceleratedNetworking?: boolean;
}

/** A VM's NIC: one dynamic private IP in the subnet, behind the NSG. */
export function networkInterfaceArgs(ctx: Omit<NetworkContext, "name" | "parent">, spec: NicSpec): network.NetworkInterfaceArgs {
    return {
        resourceGroupName: ctx.resourceGroupName,
        location: ctx.location,
        tags: ctx.tags,
        networkSecurityGroup: { id: spec.nsgId },
        dnsSettings: spec.dnsServers && spec.dnsServers.length > 0 ? { dnsServers: spec.dnsServers } : undefined,
        ...(spec.acceleratedNetworking !== undefined ? { enableAcceleratedNetworking: spec.acceleratedNetworking } : {}),
        ipConfigurations: [
            {
                name: "ipconfig1",
                primary: true,
                privateIPAllocationMethod: "Dynamic",
                subnet: { id: spec.subnetId },
                publicIPAddress: spec.publicIpId !== undefined ? { id: spec.publicIpId } : undefined,
            },
        ],
    };
}

export function createNetwork(ctx: NetworkContext, args: ResolvedAzureLicenseServerArgs): LicenseServerNetwork {
    const opts = { parent: ctx.parent };
    const base = { resourceGroupName: ctx.resourceGroupName, location: ctx.location, tags: ctx.tags };
    const nsg = createSecurityGroup(ctx, args.allowRdpFrom);

    let subnetId: pulumi.Output<string>;
    let vnet: network.VirtualNetwork | undefined;
    let subnet: network.Subnet | undefined;
    let natGateway: network.NatGateway | undefined;
    if ("subnetId" in args.network) {
        subnetId = pulumi.output(args.network.subnetId);
    } else {
        vnet = new network.VirtualNetwork(`${ctx.name}-vnet`, { ...base, addressSpace: { addressPrefixes: [args.network.vnetCidr] } }, opts);
        if (args.network.natGateway !== false) {
            // Outbound HTTPS is required (Clearinghouse, VM agent); new subnets have no default outbound access.
            const natIp = new network.PublicIPAddress(`${ctx.name}-nat-ip`, { ...base, sku: { name: "Standard" }, publicIPAllocationMethod: "Static" }, opts);
            natGateway = new network.NatGateway(`${ctx.name}-nat`, { ...base, sku: { name: "Standard" }, publicIpAddresses: [{ id: natIp.id }] }, opts);
        }
        subnet = new network.Subnet(
            `${ctx.name}-subnet`,
            {
                resourceGroupName: ctx.resourceGroupName,
                virtualNetworkName: vnet.name,
                addressPrefix: args.network.subnetCidr,
                networkSecurityGroup: { id: nsg.id },
                natGateway: natGateway ? { id: natGateway.id } : undefined,
                defaultOutboundAccess: false,
            },
            opts,
        );
        subnetId = subnet.id;
    }

    const publicIp = args.publicIp
        ? new network.PublicIPAddress(`${ctx.name}-pip`, { ...base, sku: { name: "Standard" }, publicIPAllocationMethod: "Static" }, opts)
        : undefined;
    const nic = new network.NetworkInterface(
        `${ctx.name}-nic`,
        networkInterfaceArgs(ctx, { nsgId: nsg.id, subnetId, dnsServers: args.dnsServers, publicIpId: publicIp?.id }),
        opts,
    );
    return { nsg, nic, subnetId, vnet, subnet, natGateway, publicIp };
}
