/**
 * Checks the AzureSessionHostPool's arguments and applies their defaults, before anything is
 * registered: one Error listing every problem, each naming the argument, what was found and the fix.
 */
import { z } from "zod";
import {
    AZURE_DEFAULTS,
    AZURE_WINDOWS_VERSIONS,
    OS_DISK_TYPES,
    SUBNET_ID,
    adminUsernameSchema,
    domainNameSchema,
    imageSkuSchema,
    joinUserSchema,
    ouPathSchema,
    rdpSourceSchema,
    regionSchema,
    resourceGroupNameSchema,
    vmSizeSchema,
} from "../../src/config/azure";
import { acceleratedNetworkingFor } from "./accelerated-networking";
import { AzureWindowsServerVersion } from "./args";
import { imageFor } from "./image";
import { plainValue } from "./plain-input";
import type { AzureSessionHostPoolArgs } from "./session-host-pool-args";
import { namePrefixProblem, planSessionHosts, type PlannedSessionHost } from "./session-host-names";

/** Default size of a session host: users' sessions need more than a license server's 2 vCPUs. */
export const DEFAULT_SESSION_HOST_VM_SIZE = "Standard_D4s_v5";
export const AVAILABILITY_ZONES = ["1", "2", "3"] as const;

export type ResolvedAzureSessionHostPoolArgs = AzureSessionHostPoolArgs &
    Required<Pick<AzureSessionHostPoolArgs, "vmSize" | "windowsServerVersion" | "osDiskType" | "zones" | "allowRdpFrom" | "adminUsername" | "hybridBenefit" | "rolesTimeoutSeconds">> & {
        acceleratedNetworking: boolean;
        /** The hosts, by number. */
        hosts: PlannedSessionHost[];
    };

const argsSchema = z.object({
    count: z.number({ error: "must be a number of hosts" }).int({ error: "must be a whole number of hosts" }).min(1, {
        error: "must be at least 1: a pool needs a host (remove the component to remove the pool)",
    }),
    location: regionSchema,
    resourceGroupName: plainValue(resourceGroupNameSchema),
    subnetId: plainValue(z.string().regex(SUBNET_ID, { error: "must be a subnet resource ID (/subscriptions/<id>/resourceGroups/<g>/providers/Microsoft.Network/virtualNetworks/<v>/subnets/<s>)" })),
    vmSize: vmSizeSchema.optional(),
    windowsServerVersion: z.enum(AZURE_WINDOWS_VERSIONS, { error: `must be one of ${AZURE_WINDOWS_VERSIONS.join(", ")}` }).optional(),
    imageSku: imageSkuSchema.optional(),
    trustedLaunch: z.boolean().optional(),
    osDiskType: z.enum(OS_DISK_TYPES, { error: `must be one of ${OS_DISK_TYPES.join(", ")}` }).optional(),
    osDiskSizeGb: z.number().int().min(127).max(4095).optional(),
    zones: z
        .array(z.enum(AVAILABILITY_ZONES, { error: `must be an availability zone: ${AVAILABILITY_ZONES.join(", ")}` }))
        .refine((zones) => new Set(zones).size === zones.length, { error: "lists a zone twice: list each zone once" })
        .optional(),
    availabilitySet: z
        .union([
            z.strictObject({ id: plainValue(z.string().regex(/\/providers\/Microsoft\.Compute\/availabilitySets\/[^/]+$/i, { error: "must be an availability set resource ID" })) }),
            z.strictObject({ create: z.literal(true), faultDomainCount: z.number().int().min(1).max(3).optional(), updateDomainCount: z.number().int().min(1).max(20).optional() }),
        ], { error: "must be { id: <availability set ID> } or { create: true }" })
        .optional(),
    acceleratedNetworking: z.boolean().optional(),
    allowRdpFrom: z.array(rdpSourceSchema).optional(),
    adminUsername: adminUsernameSchema.optional(),
    hybridBenefit: z.boolean().optional(),
    rolesTimeoutSeconds: z.number().int().min(60).max(5400, { error: "must be at most 5400 (Run Command stops scripts after 90 minutes)" }).optional(),
    domain: z.object(
        { name: domainNameSchema, ouPath: ouPathSchema.optional(), joinUser: plainValue(joinUserSchema), joinPassword: z.unknown() },
        { error: "is required: the session hosts of an RDS deployment must be domain members; pass domain: { name, joinUser, joinPassword }" },
    ),
});

function found(value: unknown): string {
    if (value === undefined) return "nothing";
    return typeof value === "string" || typeof value === "number" || typeof value === "boolean" || Array.isArray(value) ? JSON.stringify(value) : "an object";
}

function at(args: unknown, path: readonly PropertyKey[]): unknown {
    return path.reduce<unknown>((v, key) => (v && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[key] : undefined), args);
}

/** Check the arguments and apply defaults; throws one Error listing every problem. */
export function resolveAzureSessionHostPoolArgs(name: string, args: AzureSessionHostPoolArgs): ResolvedAzureSessionHostPoolArgs {
    const problems: string[] = [];
    const parsed = argsSchema.safeParse(args);
    if (!parsed.success) {
        for (const issue of parsed.error.issues) {
            const path = issue.path.map(String).join(".") || "args";
            // Secrets never go into an error: only the password's key is named.
            const shown = issue.path.includes("joinPassword") || issue.path.includes("adminPassword") ? "" : ` (found ${found(at(args, issue.path))})`;
            problems.push(`${path} ${issue.message}${shown}`);
        }
    }
    if (typeof args.namePrefix !== "string") problems.push(`namePrefix must be a string such as "RDSH" (found ${found(args.namePrefix)})`);
    else {
        const problem = namePrefixProblem(args.namePrefix, Number.isInteger(args.count) ? args.count : 1);
        if (problem) problems.push(problem);
    }
    if (args.zones && args.zones.length > 0 && args.availabilitySet) {
        problems.push("zones and availabilitySet exclude each other (a VM is in a zone or in an availability set): keep one of them");
    }
    const vmSize = args.vmSize ?? DEFAULT_SESSION_HOST_VM_SIZE;
    const accelerated = acceleratedNetworkingFor(vmSize, args.acceleratedNetworking);
    if ("problem" in accelerated) problems.push(accelerated.problem);
    const windowsServerVersion = args.windowsServerVersion ?? AzureWindowsServerVersion.WS2022;
    if ((AZURE_WINDOWS_VERSIONS as readonly string[]).includes(windowsServerVersion)) {
        try {
            imageFor(windowsServerVersion, args.imageSku, args.trustedLaunch);
        } catch (err) {
            problems.push(`imageSku / trustedLaunch: ${(err as Error).message}`);
        }
    }
    if (problems.length > 0) {
        throw new Error(`AzureSessionHostPool ${name}: invalid arguments:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    }
    const zones = args.zones ?? [];
    return {
        ...args,
        location: parsed.data!.location as string,
        vmSize,
        windowsServerVersion,
        osDiskType: args.osDiskType ?? AZURE_DEFAULTS.osDiskType,
        zones,
        allowRdpFrom: args.allowRdpFrom ?? [],
        adminUsername: args.adminUsername ?? AZURE_DEFAULTS.adminUsername,
        hybridBenefit: args.hybridBenefit ?? false,
        rolesTimeoutSeconds: args.rolesTimeoutSeconds ?? 3600,
        acceleratedNetworking: "enabled" in accelerated && accelerated.enabled,
        hosts: planSessionHosts(args.namePrefix, args.count, zones),
    };
}
