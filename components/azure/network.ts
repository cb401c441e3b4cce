/**
 * Network of the license server: NSG (no inbound RDP unless asked), optionally a new VNet/subnet
 * with a NAT gateway for outbound traffic, the NIC, and a public IP only on request.
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

export function createNetwork(ctx: NetworkContext, args: ResolvedAzureLicenseServerArgs): LicenseServerNetwork {
    const opts = { parent: ctx.parent };
    const base = { resourceGroupName: ctx.resourceGroupName, location: ctx.location, tags: ctx.tags };
    const nsg = new network.NetworkSecurityGroup(`${ctx.name}-nsg`, { ...base, securityRules: rdpSecurityRules(args.allowRdpFrom) }, opts);

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
        {
            ...base,
            networkSecurityGroup: { id: nsg.id },
            dnsSettings: args.dnsServers && args.dnsServers.length > 0 ? { dnsServers: args.dnsServers } : undefined,
            ipConfigurations: [
                {
                    name: "ipconfig1",
                    primary: true,
                    privateIPAllocationMethod: "Dynamic",
                    subnet: { id: subnetId },
                    publicIPAddress: publicIp ? { id: publicIp.id } : undefined,
                },
            ],
        },
        opts,
    );
    return { nsg, nic, subnetId, vnet, subnet, natGateway, publicIp };
}
