/**
 * CAL numbers in Azure Key Vault, for the license server VM to read with its managed identity
 * (`numbersDelivery: "key-vault"`): a vault in Azure RBAC mode (or an existing one), one secret per
 * CAL pack, and one role assignment per secret that lets the VM's identity read that secret only.
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as pulumi from "@pulumi/pulumi";
import { RESOURCE_TYPES } from "../../src/licensing/resource-types";
import { NUMBER_FIELDS } from "../../src/licensing/catalog";

/** Where the CAL numbers travel to the license server. */
export const NumbersDelivery = {
    /** In the managed Run Command's protected parameter: on the script's command line while it runs. */
    ProtectedParameters: "protected-parameters",
    /** In a Key Vault secret the VM reads with its managed identity: never on a command line. */
    KeyVault: "key-vault",
} as const;
export type NumbersDelivery = (typeof NumbersDelivery)[keyof typeof NumbersDelivery];

/** Built-in role "Key Vault Secrets User": read secret contents (Microsoft Learn, Key Vault RBAC guide). */
export const KEY_VAULT_SECRETS_USER_ROLE_ID = "4633458b-17de-408a-b874-0445c86b69e6";

/** An existing vault's ARM ID. */
export const KEY_VAULT_ID = /^\/subscriptions\/([0-9a-fA-F-]{36})\/resourceGroups\/([^/]+)\/providers\/Microsoft\.KeyVault\/vaults\/([A-Za-z][A-Za-z0-9-]{1,22}[A-Za-z0-9])$/i;

type NumberName = keyof typeof NUMBER_FIELDS;

/** One pack's numbers, as its CalKeyPack gets them (any may be absent: the program decides). */
export interface CalNumbersVaultPack {
    /** The pack's name in the component: names the secret `cal-<name>` and the child resources. */
    name: string;
    /** Agreement or enrollment number. @default undefined */
    agreementNumber?: pulumi.Input<string>;
    /** Open License number. @default undefined */
    licenseNumber?: pulumi.Input<string>;
    /** Open License authorization number. @default undefined */
    authorizationNumber?: pulumi.Input<string>;
    /** Retail license code. @default undefined */
    licenseCode?: pulumi.Input<string>;
}

/** Who may reach the vault over the network. */
export interface CalNumbersVaultNetworkArgs {
    /**
     * Subnets (ARM IDs) let through the vault's firewall; each needs the `Microsoft.KeyVault` service
     * endpoint. With subnets or addresses set, everything else is denied.
     * @default [] (the public endpoint is open to the network; Azure RBAC still decides who reads)
     * @example ["/subscriptions/.../virtualNetworks/vnet-rds/subnets/servers"]
     */
    allowedSubnetIds?: pulumi.Input<string>[];
    /**
     * Public addresses or CIDRs let through (e.g. the NAT gateway's IP the VM goes out with).
     * @default []
     * @example ["203.0.113.10"]
     */
    allowedIpRanges?: pulumi.Input<string>[];
}

export interface CalNumbersVaultArgs {
    /** The resource group of a new vault (the license server's). */
    resourceGroupName: pulumi.Input<string>;
    /** Region of a new vault. @example "westeurope" */
    location: pulumi.Input<string>;
    /** Object ID of the license server VM's system-assigned identity (`AzureLicenseServer.principalId`). */
    principalId: pulumi.Input<string>;
    /** The packs whose numbers go to the vault: one secret each. */
    packs: CalNumbersVaultPack[];
    /**
     * Use this existing vault (ARM ID) instead of creating one. It must use Azure RBAC
     * (`enableRbacAuthorization`), and whoever runs `pulumi up` must be allowed to write its secrets.
     * @default undefined (a new vault)
     * @example "/subscriptions/<id>/resourceGroups/rg-sec/providers/Microsoft.KeyVault/vaults/kv-rds"
     */
    existingVaultId?: string;
    /**
     * Name of a new vault (3-24 letters, digits, hyphens; globally unique).
     * @default auto-named from the component's name
     */
    vaultName?: pulumi.Input<string>;
    /**
     * Microsoft Entra tenant of a new vault.
     * @default the tenant Pulumi is signed in to (`authorization.getClientConfig`)
     */
    tenantId?: pulumi.Input<string>;
    /** Network rules of a new vault. @default open public endpoint, RBAC decides */
    network?: CalNumbersVaultNetworkArgs;
    /** Tags of a new vault and its secrets. @default {} */
    tags?: Record<string, pulumi.Input<string>>;
}

/** The secret's value: the catalog's field names to the numbers normalized as WMI takes them. */
export function numbersSecretValue(pack: CalNumbersVaultPack): pulumi.Output<string> {
    const names = (Object.keys(NUMBER_FIELDS) as NumberName[]).filter((name) => pack[name] !== undefined);
    const values = names.map((name) => pulumi.output(pack[name]!));
    return pulumi.secret(
        pulumi.all(values).apply((given) => {
            const numbers: Record<string, string> = {};
            names.forEach((name, i) => (numbers[name] = NUMBER_FIELDS[name].format.normalize(given[i]!)));
            return JSON.stringify(numbers);
        }),
    );
}

/** What the pack's role assignment needs from a vault ID: the role's full ID in that subscription. */
export function secretsUserRoleDefinitionId(vaultId: string): string {
    const subscription = /^\/subscriptions\/[^/]+/i.exec(vaultId)?.[0];
    if (!subscription) throw new Error(`CalNumbersVault: ${vaultId} is not a Key Vault resource ID`);
    return `${subscription}/providers/Microsoft.Authorization/roleDefinitions/${KEY_VAULT_SECRETS_USER_ROLE_ID}`;
}

/** Problems with the arguments, each naming the setting and the fix (nothing registered if any). */
export function calNumbersVaultProblems(name: string, args: CalNumbersVaultArgs): string[] {
    const problems: string[] = [];
    if (args.existingVaultId !== undefined && !KEY_VAULT_ID.test(args.existingVaultId)) {
        problems.push(`CalNumbersVault ${name}: existingVaultId is not a Key Vault resource ID; use /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/<name>`);
    }
    if (args.existingVaultId !== undefined && (args.network || args.vaultName !== undefined)) {
        problems.push(`CalNumbersVault ${name}: network and vaultName apply to a new vault; with existingVaultId, set that vault's rules on the vault itself`);
    }
    const seen = new Set<string>();
    for (const pack of args.packs) {
        if (!/^[A-Za-z0-9-]{1,123}$/.test(pack.name)) problems.push(`CalNumbersVault ${name}: pack name "${pack.name}" must be letters, digits and hyphens (it names a Key Vault secret)`);
        if (seen.has(pack.name.toLowerCase())) problems.push(`CalNumbersVault ${name}: pack name "${pack.name}" is used twice (Key Vault secret names ignore case)`);
        seen.add(pack.name.toLowerCase());
    }
    return problems;
}

/**
 * The CAL packs' numbers in Azure Key Vault, readable by the license server VM only, each secret on
 * its own: the VM's identity gets **Key Vault Secrets User** on each pack's secret (never on the
 * vault), so it reads those secrets and nothing else of the vault. A new vault uses Azure RBAC
 * (access policies off), soft delete and purge protection.
 *
 * `secretUris` are the secrets' versioned URIs: a change of numbers writes a new version, whose URI
 * the pack sees. Give them to the packs as `numbersSecretUri` ({@link RdsLicensing} does it with
 * `azure.numbersDelivery: "key-vault"`).
 *
 * @example The numbers of one pack, for the VM of an AzureLicenseServer
 * ```ts
 * const vault = new CalNumbersVault("rds-numbers", {
 *     resourceGroupName: server.resourceGroupName, location: server.location, principalId: server.principalId,
 *     packs: [{ name: "ea-users", agreementNumber: cfg.requireSecret("eaNumber") }],
 * });
 * new CalKeyPack("ea-users", {
 *     connection: server.connection, server: server.computerName, serverInstance: server.vmId,
 *     program: "enterprise-agreement", agreementNumber: cfg.requireSecret("eaNumber"),
 *     productVersion: "2022", licenseType: "per-user", count: 50,
 *     numbersSecretUri: vault.secretUris["ea-users"],
 * }, { dependsOn: [activation] });
 * ```
 */
export class CalNumbersVault extends pulumi.ComponentResource {
    /** The vault's ARM ID (the new vault's, or `existingVaultId`). */
    public readonly vaultId: pulumi.Output<string>;
    /** Each pack's secret, by pack name. */
    public readonly secrets: Record<string, keyvault.Secret>;
    /** Each pack's role assignment (Key Vault Secrets User, scoped to its secret), by pack name. */
    public readonly roleAssignments: Record<string, authorization.RoleAssignment>;
    /** Each pack's versioned secret URI, by pack name: its CalKeyPack's `numbersSecretUri`. */
    public readonly secretUris: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: CalNumbersVaultArgs, opts?: pulumi.ComponentResourceOptions) {
        const problems = calNumbersVaultProblems(name, args);
        if (problems.length > 0) throw new Error(problems.join("\n"));
        super(RESOURCE_TYPES.calNumbersVault, name, {}, opts);

        const vault = args.existingVaultId === undefined ? createVault(name, args, this) : undefined;
        const existing = args.existingVaultId !== undefined ? KEY_VAULT_ID.exec(args.existingVaultId)! : undefined;
        this.vaultId = vault ? vault.id : pulumi.output(args.existingVaultId!);
        const vaultName = vault ? vault.name : pulumi.output(existing![3]!);
        const resourceGroupName = vault ? pulumi.output(args.resourceGroupName) : pulumi.output(existing![2]!);

        this.secrets = {};
        this.roleAssignments = {};
        this.secretUris = {};
        for (const pack of args.packs) {
            const secret = new keyvault.Secret(
                `${name}-${pack.name}`,
                {
                    resourceGroupName,
                    vaultName,
                    secretName: `cal-${pack.name}`,
                    properties: { value: numbersSecretValue(pack), contentType: "application/json" },
                    tags: args.tags ?? {},
                },
                { parent: this },
            );
            // Scoped to the secret, not the vault: the VM reads this pack's numbers and nothing else.
            const role = new authorization.RoleAssignment(
                `${name}-${pack.name}-reader`,
                {
                    scope: secret.id,
                    principalId: args.principalId,
                    principalType: "ServicePrincipal",
                    roleDefinitionId: this.vaultId.apply(secretsUserRoleDefinitionId),
                    description: `rds-licensing: the license server reads the CAL numbers of pack ${pack.name}`,
                },
                { parent: this },
            );
            this.secrets[pack.name] = secret;
            this.roleAssignments[pack.name] = role;
            // The URI names no number: plain, so diffs and state show which version a pack reads.
            // It resolves once the role assignment exists, so no pack installs before the VM may read.
            this.secretUris[pack.name] = pulumi.unsecret(pulumi.all([secret.properties, role.id]).apply(([properties]) => properties.secretUriWithVersion));
        }
        this.registerOutputs({ vaultId: this.vaultId, secretUris: this.secretUris });
    }
}

function createVault(name: string, args: CalNumbersVaultArgs, parent: pulumi.Resource): keyvault.Vault {
    const tenantId = args.tenantId ?? authorization.getClientConfigOutput({ parent }).tenantId;
    const subnets = args.network?.allowedSubnetIds ?? [];
    const addresses = args.network?.allowedIpRanges ?? [];
    const restricted = subnets.length + addresses.length > 0;
    return new keyvault.Vault(
        `${name}-vault`,
        {
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            ...(args.vaultName !== undefined ? { vaultName: args.vaultName } : {}),
            properties: {
                tenantId,
                sku: { family: "A", name: "standard" },
                // Azure RBAC, not access policies: the role assignments below are the only way in.
                enableRbacAuthorization: true,
                enableSoftDelete: true,
                enablePurgeProtection: true,
                softDeleteRetentionInDays: 90,
                publicNetworkAccess: "Enabled",
                networkAcls: restricted
                    ? {
                          defaultAction: "Deny",
                          bypass: "AzureServices",
                          virtualNetworkRules: subnets.map((id) => ({ id })),
                          ipRules: addresses.map((value) => ({ value })),
                      }
                    : { defaultAction: "Allow", bypass: "AzureServices" },
            },
            tags: args.tags ?? {},
        },
        { parent },
    );
}
