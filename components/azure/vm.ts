/**
 * The license server VM's arguments, as a pure function (unit-tested): image, size, disk,
 * identity, boot diagnostics, Trusted Launch, tags. The admin password is wrapped secret here
 * whatever the caller passed.
 */
import type * as compute from "@pulumi/azure-native/compute";
import * as pulumi from "@pulumi/pulumi";
import type { ResolvedAzureLicenseServerArgs } from "./resolve-args";
import { imageFor } from "./image";

export interface VmContext {
    resourceGroupName: pulumi.Input<string>;
    location: string;
    nicId: pulumi.Input<string>;
    adminPassword: pulumi.Input<string>;
    tags: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export function virtualMachineArgs(args: ResolvedAzureLicenseServerArgs, ctx: VmContext): compute.VirtualMachineArgs {
    const image = imageFor(args.windowsServerVersion, args.imageSku, args.trustedLaunch);
    return {
        resourceGroupName: ctx.resourceGroupName,
        location: ctx.location,
        // The VM name is the computer name: the licensing resources and Run Command address it so.
        vmName: args.serverName,
        hardwareProfile: { vmSize: args.vmSize },
        identity: { type: "SystemAssigned" },
        licenseType: args.hybridBenefit ? "Windows_Server" : undefined,
        osProfile: {
            computerName: args.serverName,
            adminUsername: args.adminUsername,
            adminPassword: pulumi.secret(ctx.adminPassword),
            windowsConfiguration: { provisionVMAgent: true, enableAutomaticUpdates: true },
            allowExtensionOperations: true,
        },
        storageProfile: {
            imageReference: image.imageReference,
            osDisk: {
                createOption: "FromImage",
                caching: "ReadWrite",
                deleteOption: "Delete",
                diskSizeGB: args.osDiskSizeGb,
                managedDisk: { storageAccountType: args.osDiskType },
            },
        },
        networkProfile: { networkInterfaces: [{ id: ctx.nicId, primary: true }] },
        // No storageUri: boot diagnostics in a managed storage account.
        diagnosticsProfile: { bootDiagnostics: { enabled: true } },
        securityProfile: image.trustedLaunch
            ? { securityType: "TrustedLaunch", uefiSettings: { secureBootEnabled: true, vTpmEnabled: true } }
            : undefined,
        tags: ctx.tags,
    };
}
