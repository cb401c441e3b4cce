/**
 * `rds-licensing:azure`: where and how the license server VM is built on Azure. The zod schema
 * checks each value's shape; `azureCrossChecks` checks what depends on other keys or on secretness
 * (it runs after the whole stack config parsed). Messages never carry a secret value.
 */
import { z } from "zod";

/**
 * Azure public and sovereign region names (`az account list-locations --query "[].name"`), the
 * normalized form ARM returns. New regions appear every year: add them here when they do.
 */
export const AZURE_REGIONS = [
    // Americas
    "eastus", "eastus2", "westus", "westus2", "westus3", "centralus", "northcentralus", "southcentralus",
    "westcentralus", "canadacentral", "canadaeast", "brazilsouth", "brazilsoutheast", "mexicocentral",
    "chilecentral",
    // Europe
    "northeurope", "westeurope", "uksouth", "ukwest", "francecentral", "francesouth", "germanywestcentral",
    "germanynorth", "switzerlandnorth", "switzerlandwest", "norwayeast", "norwaywest", "swedencentral",
    "swedensouth", "polandcentral", "italynorth", "spaincentral", "austriaeast", "belgiumcentral",
    "denmarkeast",
    // Middle East and Africa
    "uaenorth", "uaecentral", "qatarcentral", "israelcentral", "southafricanorth", "southafricawest",
    // Asia Pacific
    "eastasia", "southeastasia", "japaneast", "japanwest", "koreacentral", "koreasouth", "centralindia",
    "southindia", "westindia", "jioindiacentral", "jioindiawest", "australiaeast", "australiasoutheast",
    "australiacentral", "australiacentral2", "newzealandnorth", "indonesiacentral", "malaysiawest",
    "taiwannorth",
    // Azure Government and Azure operated by 21Vianet
    "usgovvirginia", "usgovarizona", "usgovtexas", "usdodcentral", "usdodeast",
    "chinanorth", "chinanorth2", "chinanorth3", "chinaeast", "chinaeast2", "chinaeast3",
] as const;
const REGION_SET = new Set<string>(AZURE_REGIONS);

/** Windows Server versions offered as marketplace images with Trusted Launch (Gen2). */
export const AZURE_WINDOWS_VERSIONS = ["2019", "2022", "2025"] as const;
export type AzureWindowsVersion = (typeof AZURE_WINDOWS_VERSIONS)[number];

export const OS_DISK_TYPES = ["Premium_LRS", "Premium_ZRS", "StandardSSD_LRS", "StandardSSD_ZRS", "Standard_LRS"] as const;

/** Defaults shared by the config schema and the component. */
export const AZURE_DEFAULTS = {
    vmSize: "Standard_D2s_v5",
    osDiskType: "Premium_LRS",
    adminUsername: "rdlsadmin",
    vnetCidr: "10.10.0.0/16",
    subnetCidr: "10.10.1.0/24",
} as const;

// ---------------------------------------------------------------------------------------------
// Atoms (the component validates its arguments with the same ones)

/** "West Europe" and "westeurope" both name a region: ARM normalizes to the second form. */
export function normalizeRegion(value: string): string {
    return value.replace(/\s+/g, "").toLowerCase();
}

/** The closest known region name, for "did you mean" hints. */
export function closestRegion(value: string): string | undefined {
    const wanted = normalizeRegion(value);
    let best: { name: string; distance: number } | undefined;
    for (const name of AZURE_REGIONS) {
        const distance = editDistance(wanted, name);
        if (!best || distance < best.distance) best = { name, distance };
    }
    return best && best.distance <= Math.max(2, Math.floor(wanted.length / 3)) ? best.name : undefined;
}

function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[b.length]!;
}

export const regionSchema = z
    .string({ error: "must be an Azure region name, e.g. westeurope" })
    .transform(normalizeRegion)
    .check((ctx) => {
        if (REGION_SET.has(ctx.value)) return;
        const hint = closestRegion(ctx.value);
        ctx.issues.push({
            code: "custom",
            input: ctx.value,
            message: `is not an Azure region name${hint ? ` (did you mean ${hint}?)` : ""}; use a name from \`az account list-locations -o table\`, e.g. westeurope`,
        });
    });

export const vmSizeSchema = z
    .string({ error: "must be an Azure VM size, e.g. Standard_D2s_v5" })
    .regex(/^Standard_[A-Za-z0-9-]+(_[A-Za-z0-9-]+)*$/, {
        error: "must be an Azure VM size name such as Standard_D2s_v5 (`az vm list-sizes -l <region>` lists them)",
    });

export interface Ipv4Cidr {
    address: number;
    prefix: number;
}

/** "10.0.0.0/16" → numbers; a bare address counts as /32. Undefined when malformed. */
export function parseCidr(text: string): Ipv4Cidr | undefined {
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(text.trim());
    if (!match) return undefined;
    const octets = match.slice(1, 5).map(Number);
    const prefix = match[5] === undefined ? 32 : Number(match[5]);
    if (octets.some((o) => o > 255) || prefix > 32) return undefined;
    return { address: octets.reduce((acc, o) => acc * 256 + o, 0), prefix };
}

const blockSize = (prefix: number) => 2 ** (32 - prefix);
const formatAddress = (address: number) => [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");

/** The network address of a CIDR: "10.0.0.1/16" → "10.0.0.0/16". */
export function alignedCidr(cidr: Ipv4Cidr): string {
    return `${formatAddress(cidr.address - (cidr.address % blockSize(cidr.prefix)))}/${cidr.prefix}`;
}

export function cidrContains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
    if (inner.prefix < outer.prefix) return false;
    const start = outer.address - (outer.address % blockSize(outer.prefix));
    return inner.address >= start && inner.address < start + blockSize(outer.prefix);
}

/** An address prefix of a VNet or subnet: aligned, within the sizes Azure accepts. */
export function addressPrefixSchema(minPrefix: number, maxPrefix: number) {
    return z.string({ error: "must be an IPv4 CIDR, e.g. 10.10.0.0/16" }).check((ctx) => {
        const cidr = parseCidr(ctx.value);
        const push = (message: string) => void ctx.issues.push({ code: "custom", input: ctx.value, message });
        if (!cidr || !ctx.value.includes("/")) return push("must be an IPv4 CIDR, e.g. 10.10.0.0/16");
        if (cidr.prefix < minPrefix || cidr.prefix > maxPrefix) return push(`must have a prefix length between /${minPrefix} and /${maxPrefix}`);
        const aligned = alignedCidr(cidr);
        if (aligned !== ctx.value.trim()) push(`has host bits set; Azure wants the network address (did you mean ${aligned}?)`);
    });
}

/** What may be listed as a source of RDP traffic: CIDRs and addresses, or the few tags Azure knows. */
export const RDP_SOURCE_TAGS = ["VirtualNetwork", "Internet", "*"] as const;
/** Sources that open RDP to the whole internet: allowed only because the user typed them. */
export function isInternetWide(source: string): boolean {
    return source === "*" || source === "Internet" || source.trim() === "0.0.0.0/0";
}

export const rdpSourceSchema = z.string({ error: "must be a CIDR, an IPv4 address, VirtualNetwork, Internet or *" }).check((ctx) => {
    if ((RDP_SOURCE_TAGS as readonly string[]).includes(ctx.value)) return;
    const cidr = parseCidr(ctx.value);
    if (!cidr) {
        ctx.issues.push({ code: "custom", input: ctx.value, message: "must be a CIDR (203.0.113.0/24), an IPv4 address, VirtualNetwork, Internet or *" });
    } else if (ctx.value.includes("/") && alignedCidr(cidr) !== ctx.value.trim()) {
        ctx.issues.push({ code: "custom", input: ctx.value, message: `has host bits set (did you mean ${alignedCidr(cidr)}?)` });
    }
});

const ipv4Schema = z.string({ error: "must be an IPv4 address" }).refine((v) => !v.includes("/") && parseCidr(v) !== undefined, {
    error: "must be an IPv4 address, e.g. 10.10.0.4",
});

/** A subnet's ARM resource ID. */
export const SUBNET_ID = /^\/subscriptions\/[0-9a-fA-F-]{36}\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+\/subnets\/[^/]+$/i;

export const resourceGroupNameSchema = z.string({ error: "must be a resource group name" }).regex(/^[-\w.()]{0,89}[-\w()]$/u, {
    error: "must be 1 to 90 letters, digits, underscores, hyphens, periods or parentheses, not ending in a period",
});

/** Names Azure refuses for a Windows VM's administrator. */
const RESERVED_ADMIN_NAMES = new Set(
    "administrator admin user user1 user2 user3 user4 user5 test test1 test2 test3 1 123 a actuser adm admin1 admin2 aspnet backup console david guest john owner root server sql support support_388945a0 sys".split(" "),
);

export const adminUsernameSchema = z
    .string({ error: "must be a user name" })
    .regex(/^[^\\/"[\]:|<>+=;,?*@&\s]{1,20}$/, { error: "must be 1 to 20 characters without spaces or any of \\ / \" [ ] : | < > + = ; , ? * @ &" })
    .refine((v) => !v.endsWith("."), { error: "must not end with a period" })
    .refine((v) => !RESERVED_ADMIN_NAMES.has(v.toLowerCase()), { error: "is a name Azure refuses for the VM administrator (e.g. admin, administrator, root); pick another" });

export const domainNameSchema = z
    .string({ error: "must be a DNS domain name, e.g. corp.contoso.com" })
    .regex(/^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/, {
        error: "must be the domain's DNS name, e.g. corp.contoso.com (not the NetBIOS name)",
    });

export const ouPathSchema = z.string({ error: "must be a distinguished name" }).regex(/^(?:(?:OU|CN)=[^,]+,)+(?:DC=[^,]+,)*DC=[^,]+$/i, {
    error: "must be an OU distinguished name, e.g. OU=License Servers,DC=corp,DC=contoso,DC=com",
});

export const joinUserSchema = z.string({ error: "must be a user name" }).regex(/^(?:[^\\@\s]+\\[^\\@\s]+|[^\\@\s]+@[^\\@\s]+\.[^\\@\s]+)$/, {
    error: "must name the domain too: CORP\\svc-join or svc-join@corp.contoso.com",
});

export const imageSkuSchema = z.string({ error: "must be an image SKU" }).regex(/^20\d\d-[a-z0-9-]+$/, {
    error: "must be a WindowsServer image SKU such as 2022-datacenter-azure-edition (`az vm image list-skus -l <region> -p MicrosoftWindowsServer -f WindowsServer`)",
});

// `pulumi config set --path x 2022` stores a number: accept it as the version string.
export const azureWindowsVersionSchema = z.preprocess(
    (v) => (typeof v === "number" ? String(v) : v),
    z.enum(AZURE_WINDOWS_VERSIONS, { error: `must be one of ${AZURE_WINDOWS_VERSIONS.join(", ")} on Azure` }),
);

const bool = z.boolean({ error: "must be true or false" });

/** How the CAL numbers reach the VM (components/azure/numbers-vault.ts); the first is the default. */
export const NUMBERS_DELIVERIES = ["protected-parameters", "key-vault"] as const;

// ---------------------------------------------------------------------------------------------
// The namespace key

export const azureNetworkSchema = z.strictObject({
    /** An existing subnet (ARM ID): the VM joins it, nothing network-wide is created. */
    subnetId: z.string({ error: "must be a subnet resource ID" }).regex(SUBNET_ID, {
        error: "must be a subnet resource ID: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>",
    }).optional(),
    /** A new VNet's address space, with `subnetCidr`. */
    vnetCidr: addressPrefixSchema(8, 29).optional(),
    subnetCidr: addressPrefixSchema(8, 29).optional(),
    /** With a new network: a NAT gateway for outbound HTTPS (Clearinghouse). Default true. */
    natGateway: bool.optional(),
});

export const azureDomainSchema = z.strictObject({
    name: domainNameSchema,
    ouPath: ouPathSchema.optional(),
    joinUser: joinUserSchema,
    /** Checked for secretness by azureCrossChecks. */
    joinPassword: z.string({ error: "must be a string (set it with `pulumi config set --secret --path azure.domain.joinPassword`)" }).min(1, { error: "must not be empty" }),
});

export const azureSchema = z.strictObject({
    location: regionSchema,
    /** The resource group to create (createResourceGroup true), or the existing one to use. */
    resourceGroupName: resourceGroupNameSchema.optional(),
    createResourceGroup: bool.default(true),
    vmSize: vmSizeSchema.default(AZURE_DEFAULTS.vmSize),
    /** Must equal licenseServer.windowsServerVersion when set (it defaults to it). */
    windowsServerVersion: azureWindowsVersionSchema.optional(),
    imageSku: imageSkuSchema.optional(),
    /** Default: on when the image is a Gen2 image (every default image is). */
    trustedLaunch: bool.optional(),
    osDiskType: z.enum(OS_DISK_TYPES, { error: `must be one of ${OS_DISK_TYPES.join(", ")}` }).default(AZURE_DEFAULTS.osDiskType),
    osDiskSizeGb: z.number({ error: "must be a number of GiB" }).int({ error: "must be a whole number" }).min(127, { error: "must be at least 127 (the image's size)" }).max(4095, { error: "must be at most 4095" }).optional(),
    network: azureNetworkSchema.optional(),
    /** DNS servers set on the NIC: the domain controllers when joining a domain from a new VNet. */
    dnsServers: z.array(ipv4Schema, { error: "must be a list of IPv4 addresses" }).default([]),
    allowRdpFrom: z.array(rdpSourceSchema, { error: "must be a list of CIDRs" }).default([]),
    publicIp: bool.default(false),
    connectionBroker: bool.default(false),
    domain: azureDomainSchema.optional(),
    adminUsername: adminUsernameSchema.default(AZURE_DEFAULTS.adminUsername),
    /** Checked for secretness by azureCrossChecks; generated (RandomPassword) when absent. */
    adminPassword: z.string({ error: "must be a string (set it with `pulumi config set --secret --path azure.adminPassword`)" }).optional(),
    hybridBenefit: bool.default(false),
    /**
     * How the CAL numbers reach the VM: protected-parameters (the managed Run Command's protected
     * parameter, on the script's command line while it runs) or key-vault (a Key Vault secret only
     * the VM's identity reads). See docs/secrets-on-the-vm.md.
     */
    numbersDelivery: z
        .enum(NUMBERS_DELIVERIES, { error: `must be ${NUMBERS_DELIVERIES.join(" or ")} (see docs/secrets-on-the-vm.md)` })
        .default("protected-parameters"),
    tags: z
        .record(
            z.string().regex(/^[^<>%&\\?/]{1,512}$/, { error: "tag names are 1 to 512 characters without < > % & \\ ? /" }),
            z.string({ error: "tag values must be strings" }).max(256, { error: "tag values are at most 256 characters" }),
            { error: "must be a map of tag names to values" },
        )
        .refine((tags) => Object.keys(tags).length <= 45, { error: "has more than 45 tags (Azure allows 50, the component adds its own)" })
        .default({}),
});

export type AzureConfig = z.output<typeof azureSchema>;

// ---------------------------------------------------------------------------------------------
// Cross checks

/** A problem found by a cross check, keyed by its `--path` (without the namespace). */
export interface AzureProblem {
    path: string;
    problem: string;
    fix: string;
}

/** Azure's rule for Windows administrator passwords: 12-123 characters, 3 of 4 character classes. */
export function passwordComplexityProblem(password: string): string | undefined {
    if (password.length < 12 || password.length > 123) return "must be 12 to 123 characters long";
    const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
    if (classes < 3) return "must mix at least three of: lower case, upper case, digits, symbols";
    return undefined;
}

/** The image SKU each version gets by default: all Gen2, so Trusted Launch applies. */
export const DEFAULT_IMAGE_SKU: Record<AzureWindowsVersion, string> = {
    "2025": "2025-datacenter-azure-edition",
    "2022": "2022-datacenter-azure-edition",
    "2019": "2019-datacenter-gensecond",
};

/** Gen2 WindowsServer SKUs: Azure Edition, `-g2` and `-gensecond` ones. Gen1 images cannot use Trusted Launch. */
export function isGen2Sku(sku: string): boolean {
    return /azure-edition|-g2$|-g2-|gensecond/.test(sku);
}

const set = (path: string, what: string, secret = false) => `pulumi config set${secret ? " --secret" : ""} --path '${path}' ${what}`;

/**
 * Checks across keys. `licenseServerVersion` is licenseServer.windowsServerVersion; `isSecret` tells
 * whether a key path was set with --secret.
 */
export function azureCrossChecks(azure: AzureConfig, licenseServerVersion: string, isSecret: (path: string) => boolean): AzureProblem[] {
    const problems: AzureProblem[] = [];
    const add = (path: string, problem: string, fix: string) => problems.push({ path, problem, fix });

    if (!(AZURE_WINDOWS_VERSIONS as readonly string[]).includes(licenseServerVersion)) {
        add("licenseServer.windowsServerVersion", `is ${licenseServerVersion}; the Azure target builds Windows Server ${AZURE_WINDOWS_VERSIONS.join(", ")} only`, set("licenseServer.windowsServerVersion", "2022"));
    } else if (azure.windowsServerVersion && azure.windowsServerVersion !== licenseServerVersion) {
        add(
            "azure.windowsServerVersion",
            `is ${azure.windowsServerVersion} but licenseServer.windowsServerVersion is ${licenseServerVersion}; the VM image must be the license server's version`,
            `remove it (pulumi config rm --path 'azure.windowsServerVersion'): it defaults to licenseServer.windowsServerVersion`,
        );
    }
    const version = azure.windowsServerVersion ?? licenseServerVersion;
    if (azure.imageSku && !azure.imageSku.startsWith(`${version}-`)) {
        add("azure.imageSku", `is a Windows Server ${azure.imageSku.slice(0, 4)} image but the license server is ${version}`, set("azure.imageSku", DEFAULT_IMAGE_SKU[version as AzureWindowsVersion] ?? "<sku>"));
    }
    if (azure.imageSku && azure.trustedLaunch === true && !isGen2Sku(azure.imageSku)) {
        add("azure.trustedLaunch", `is true but ${azure.imageSku} is a Gen1 image, which cannot use Trusted Launch`, `use a Gen2 SKU (…-g2, …-gensecond, …-azure-edition) or ${set("azure.trustedLaunch", "false")}`);
    }

    if (!azure.createResourceGroup && !azure.resourceGroupName) {
        add("azure.resourceGroupName", "is required when createResourceGroup is false (it names the existing group)", set("azure.resourceGroupName", "<existing-group>"));
    }

    const network = azure.network ?? {};
    if (network.subnetId && (network.vnetCidr || network.subnetCidr)) {
        add("azure.network", "sets both subnetId (an existing subnet) and vnetCidr/subnetCidr (a new network)", "keep one: remove subnetId, or remove vnetCidr and subnetCidr");
    } else if (network.subnetId && network.natGateway !== undefined) {
        add("azure.network.natGateway", "applies to a new network only; with subnetId, outbound traffic is the existing network's business", "remove it (pulumi config rm --path 'azure.network.natGateway')");
    } else if (!network.subnetId && Boolean(network.vnetCidr) !== Boolean(network.subnetCidr)) {
        const missing = network.vnetCidr ? "azure.network.subnetCidr" : "azure.network.vnetCidr";
        add(missing, "is required with the other one to build a new network", set(missing, "<cidr>"));
    } else if (network.vnetCidr && network.subnetCidr) {
        const vnet = parseCidr(network.vnetCidr)!;
        const subnet = parseCidr(network.subnetCidr)!;
        if (!cidrContains(vnet, subnet)) {
            add("azure.network.subnetCidr", `(${network.subnetCidr}) is not inside azure.network.vnetCidr (${network.vnetCidr})`, set("azure.network.subnetCidr", `<a /24 inside ${network.vnetCidr}>`));
        }
    }

    if (azure.connectionBroker && !azure.domain) {
        add("azure.domain", "is required when connectionBroker is true: the RD Connection Broker role needs a domain-joined server", `${set("azure.domain.name", "corp.contoso.com")}; ${set("azure.domain.joinUser", "'CORP\\svc-join'")}; ${set("azure.domain.joinPassword", "<password>", true)}`);
    }
    if (azure.domain) {
        if (!isSecret("azure.domain.joinPassword")) {
            add("azure.domain.joinPassword", "is stored in plain text; the domain join password must be a stack secret", `${set("azure.domain.joinPassword", "<password>", true)} (this encrypts it in Pulumi.<stack>.yaml)`);
        }
        const ouDomain = azure.domain.ouPath?.match(/DC=[^,]+/gi)?.map((dc) => dc.slice(3)).join(".");
        if (ouDomain && ouDomain.toLowerCase() !== azure.domain.name.toLowerCase()) {
            add("azure.domain.ouPath", `is in the domain ${ouDomain}, not ${azure.domain.name}`, set("azure.domain.ouPath", `'OU=...,${azure.domain.name.split(".").map((l) => `DC=${l}`).join(",")}'`));
        }
    }
    if (azure.adminPassword !== undefined) {
        if (!isSecret("azure.adminPassword")) {
            add("azure.adminPassword", "is stored in plain text; the VM administrator password must be a stack secret", `${set("azure.adminPassword", "<password>", true)}, or remove it to have one generated`);
        } else {
            const weak = passwordComplexityProblem(azure.adminPassword);
            if (weak) add("azure.adminPassword", weak, `${set("azure.adminPassword", "<password>", true)}, or remove it to have one generated`);
        }
    }
    return problems;
}
