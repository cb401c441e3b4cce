/**
 * Checks the AzureLicenseServer's arguments and applies their defaults, before anything is
 * registered. Plain values are checked now; Outputs (a subnet ID from another resource) are Azure's
 * to check when they resolve.
 */
import { z } from "zod";
import {
    AZURE_DEFAULTS,
    AZURE_WINDOWS_VERSIONS,
    OS_DISK_TYPES,
    SUBNET_ID,
    addressPrefixSchema,
    adminUsernameSchema,
    cidrContains,
    domainNameSchema,
    imageSkuSchema,
    ouPathSchema,
    parseCidr,
    rdpSourceSchema,
    regionSchema,
    resourceGroupNameSchema,
    vmSizeSchema,
} from "../../src/config/azure";
import { AzureWindowsServerVersion, type AzureLicenseServerArgs } from "./args";
import { DEFAULT_ROLES_TIMEOUT_SECONDS, ROLES_TIMEOUT_RANGE } from "../../src/providers/role-installation/inputs";

/** The arguments with their defaults applied. */
export type ResolvedAzureLicenseServerArgs = AzureLicenseServerArgs &
    Required<
        Pick<
            AzureLicenseServerArgs,
            | "windowsServerVersion"
            | "createResourceGroup"
            | "vmSize"
            | "osDiskType"
            | "network"
            | "allowRdpFrom"
            | "publicIp"
            | "adminUsername"
            | "connectionBroker"
            | "hybridBenefit"
            | "rolesTimeoutSeconds"
        >
    >;

const plainString = (schema: z.ZodType) => z.unknown().superRefine((v, ctx) => {
    // Outputs are checked by Azure when they resolve; plain strings are checked now.
    if (typeof v !== "string") return;
    const result = schema.safeParse(v);
    if (!result.success) for (const issue of result.error.issues) ctx.addIssue({ code: "custom", message: issue.message });
});

const existingSubnetSchema = z.strictObject({ subnetId: plainString(z.string().regex(SUBNET_ID, { error: "must be a subnet resource ID" })) });
const newNetworkSchema = z.strictObject({
    vnetCidr: addressPrefixSchema(8, 29),
    subnetCidr: addressPrefixSchema(8, 29),
    natGateway: z.boolean().optional(),
});

const argsSchema = z.object({
    serverName: z.string().regex(/^(?![0-9]+$)[A-Za-z0-9][A-Za-z0-9-]{0,14}$/, {
        error: "must be a Windows computer name: 1 to 15 letters, digits or hyphens, not only digits",
    }),
    location: regionSchema,
    windowsServerVersion: z.enum(AZURE_WINDOWS_VERSIONS, { error: `must be one of ${AZURE_WINDOWS_VERSIONS.join(", ")}` }).optional(),
    imageSku: imageSkuSchema.optional(),
    trustedLaunch: z.boolean().optional(),
    resourceGroupName: resourceGroupNameSchema.optional(),
    createResourceGroup: z.boolean().optional(),
    vmSize: vmSizeSchema.optional(),
    osDiskType: z.enum(OS_DISK_TYPES).optional(),
    osDiskSizeGb: z.number().int().min(127).max(4095).optional(),
    // A union would hide the inner messages ("did you mean ..."): pick the branch by its key.
    network: z
        .unknown()
        .transform((v, ctx) => {
            const branch = v && typeof v === "object" && "subnetId" in v ? existingSubnetSchema : newNetworkSchema;
            const result = branch.safeParse(v);
            if (!result.success) for (const issue of result.error.issues) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
            return v;
        })
        .optional(),
    allowRdpFrom: z.array(rdpSourceSchema).optional(),
    publicIp: z.boolean().optional(),
    adminUsername: adminUsernameSchema.optional(),
    domain: z.object({ name: domainNameSchema, ouPath: ouPathSchema.optional() }).optional(),
    connectionBroker: z.boolean().optional(),
    hybridBenefit: z.boolean().optional(),
    rolesTimeoutSeconds: z
        .number()
        .int()
        .min(ROLES_TIMEOUT_RANGE.min, { error: `must be at least ${ROLES_TIMEOUT_RANGE.min} (the step waits for the VM agent and may restart the VM)` })
        .max(ROLES_TIMEOUT_RANGE.max, { error: `must be at most ${ROLES_TIMEOUT_RANGE.max} (three Run Command maximums of 90 minutes)` })
        .optional(),
});

/**
 * Check the arguments and apply defaults; throws one Error listing every problem, before any
 * resource is registered.
 */
export function resolveAzureLicenseServerArgs(name: string, args: AzureLicenseServerArgs): ResolvedAzureLicenseServerArgs {
    const problems: string[] = [];
    const parsed = argsSchema.safeParse(args);
    if (!parsed.success) {
        for (const issue of parsed.error.issues) problems.push(`${issue.path.map(String).join(".") || "args"} ${issue.message}`);
    }
    if (args.connectionBroker && !args.domain) {
        problems.push("domain is required with connectionBroker: the RD Connection Broker role needs a domain-joined server");
    }
    if ("restartDelaySeconds" in args) {
        problems.push(
            "restartDelaySeconds is no longer supported (found " + JSON.stringify((args as Record<string, unknown>).restartDelaySeconds) + "): " +
                "the role installation now restarts the VM itself when Windows needs it and waits for the VM agent; remove restartDelaySeconds (rolesTimeoutSeconds bounds the whole step)",
        );
    }
    if (args.createResourceGroup === false && !args.resourceGroupName) {
        problems.push("resourceGroupName is required with createResourceGroup: false (it names the existing group)");
    }
    const network = args.network;
    if (network && "vnetCidr" in network) {
        const vnet = parseCidr(network.vnetCidr);
        const subnet = parseCidr(network.subnetCidr);
        if (vnet && subnet && !cidrContains(vnet, subnet)) problems.push(`network.subnetCidr ${network.subnetCidr} is not inside network.vnetCidr ${network.vnetCidr}`);
    }
    if (problems.length > 0) {
        throw new Error(`AzureLicenseServer ${name}: invalid arguments:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    }
    return {
        ...args,
        location: parsed.data!.location,
        windowsServerVersion: args.windowsServerVersion ?? AzureWindowsServerVersion.WS2022,
        createResourceGroup: args.createResourceGroup ?? true,
        vmSize: args.vmSize ?? AZURE_DEFAULTS.vmSize,
        osDiskType: args.osDiskType ?? AZURE_DEFAULTS.osDiskType,
        network: args.network ?? { vnetCidr: AZURE_DEFAULTS.vnetCidr, subnetCidr: AZURE_DEFAULTS.subnetCidr },
        allowRdpFrom: args.allowRdpFrom ?? [],
        publicIp: args.publicIp ?? false,
        adminUsername: args.adminUsername ?? AZURE_DEFAULTS.adminUsername,
        connectionBroker: args.connectionBroker ?? false,
        hybridBenefit: args.hybridBenefit ?? false,
        rolesTimeoutSeconds: args.rolesTimeoutSeconds ?? DEFAULT_ROLES_TIMEOUT_SECONDS,
    };
}
