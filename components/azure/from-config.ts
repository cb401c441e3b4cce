/**
 * Stack config (`rds-licensing:azure` + `licenseServer`) → AzureLicenseServer arguments. Secrets
 * are wrapped with pulumi.secret here: the config loader hands back plain strings.
 */
import * as pulumi from "@pulumi/pulumi";
import { AZURE_DEFAULTS } from "../../src/config/azure";
import type { StackConfig } from "../../src/config/schema";
import type { AzureLicenseServerArgs, AzureNetworkArgs, AzureWindowsServerVersion } from "./args";

export function azureLicenseServerArgsFromConfig(config: StackConfig): AzureLicenseServerArgs {
    const azure = config.azure;
    if (!azure) throw new Error("rds-licensing:azure is required when target is azure (see examples/azure/README.md)");
    const net = azure.network;
    const network: AzureNetworkArgs | undefined = net?.subnetId
        ? { subnetId: net.subnetId }
        : net
          ? { vnetCidr: net.vnetCidr ?? AZURE_DEFAULTS.vnetCidr, subnetCidr: net.subnetCidr ?? AZURE_DEFAULTS.subnetCidr, natGateway: net.natGateway }
          : undefined;
    return {
        serverName: config.licenseServer.name,
        location: azure.location,
        // Validation made both versions equal and one of 2019, 2022, 2025.
        windowsServerVersion: (azure.windowsServerVersion ?? config.licenseServer.windowsServerVersion) as AzureWindowsServerVersion,
        imageSku: azure.imageSku,
        trustedLaunch: azure.trustedLaunch,
        resourceGroupName: azure.resourceGroupName,
        createResourceGroup: azure.createResourceGroup,
        vmSize: azure.vmSize,
        osDiskType: azure.osDiskType,
        osDiskSizeGb: azure.osDiskSizeGb,
        network,
        dnsServers: azure.dnsServers,
        allowRdpFrom: azure.allowRdpFrom,
        publicIp: azure.publicIp,
        adminUsername: azure.adminUsername,
        adminPassword: azure.adminPassword === undefined ? undefined : pulumi.secret(azure.adminPassword),
        domain: azure.domain && {
            name: azure.domain.name,
            ouPath: azure.domain.ouPath,
            joinUser: azure.domain.joinUser,
            joinPassword: pulumi.secret(azure.domain.joinPassword),
        },
        connectionBroker: azure.connectionBroker,
        hybridBenefit: azure.hybridBenefit,
        tags: azure.tags,
    };
}
