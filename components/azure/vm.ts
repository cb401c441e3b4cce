/**
 * A Windows Server VM's arguments, as a pure function (unit-tested): image, size, disk, identity,
 * boot diagnostics, Trusted Launch, placement (zone or availability set), tags. The license server
 * and the session hosts share it. The admin password is wrapped secret here whatever the caller passed.
 */
import type * as compute from "@pulumi/azure-native/compute";
import * as pulumi from "@pulumi/pulumi";
import type { ResolvedAzureLicenseServerArgs } from "./resolve-args";
import { imageFor } from "./image";

/**
 * What the VM is made of, as the license server's resolved arguments name it (they fit as they are);
 * `serverName` is the computer name, which is also the VM's name.
 */
export type VmSpec = Pick<
    ResolvedAzureLicenseServerArgs,
    "serverName" | "windowsServerVersion" | "imageSku" | "trustedLaunch" | "vmSize" | "osDiskType" | "osDiskSizeGb" | "adminUsername" | "hybridBenefit"
>;

export interface VmContext {
    resourceGroupName: pulumi.Input<string>;
    location: string;
    nicId: pulumi.Input<string>;
    adminPassword: pulumi.Input<string>;
    tags: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Availability zone ("1", "2", "3"); exclusive with `availabilitySetId`. */
    zone?: string;
    /** ARM ID of the availability set; exclusive with `zone`. */
    availabilitySetId?: pulumi.Input<string>;
}

export function virtualMachineArgs(args: VmSpec, ctx: VmContext): compute.VirtualMachineArgs {
    if (ctx.zone !== undefined && ctx.availabilitySetId !== undefined) {
        throw new Error(`VM ${args.serverName}: a zone and an availability set exclude each other`);
    }
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
        // Only when placed, so a VM without placement gets exactly the arguments it always had.
        ...(ctx.zone !== undefined ? { zones: [ctx.zone] } : {}),
        ...(ctx.availabilitySetId !== undefined ? { availabilitySet: { id: ctx.availabilitySetId } } : {}),
    };
}
