/**
 * `azure.numbersDelivery: key-vault` under mocks: the resource graph holds one Key Vault secret per
 * CAL pack, whose value is secret, and one role assignment per secret (Key Vault Secrets User, the
 * VM's identity, scoped to that secret); each pack names its secret. With the default delivery
 * there is none of it. Two components in one program (the runtime is global: one file, one run).
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { CalNumbersVault, RdsLicensing, azureLicenseServerArgsFromConfig, rdsLicensingArgsProblems, type RdsLicensingArgs } from "../../components";
import { calNumbersVaultProblems, numbersSecretValue, secretsUserRoleDefinitionId } from "../../components/azure/numbers-vault";
import { validateStackConfig } from "../../src/config";
import { SECRETS } from "../support/config-fixtures";
import { expectNoSecrets } from "../support/secrets";
import { AZURE_SECRET_PATHS, azureConfig } from "./support/fixtures";
import { installMocks, isSecretMarker, unwrap, valueOf, withoutSecrets, type MockRecorder, type Registered } from "./support/mocks";

let mocks: MockRecorder;

const SECRET = "azure-native:keyvault:Secret";
const VAULT = "azure-native:keyvault:Vault";
const ROLE = "azure-native:authorization:RoleAssignment";
const PACK = "pulumi-nodejs:dynamic/licensing:CalKeyPack";
const VM_PRINCIPAL = "11111111-2222-3333-4444-555555555555";
const EXISTING_VAULT = "/subscriptions/00000000-0000-0000-0000-00000000abcd/resourceGroups/rg-sec/providers/Microsoft.KeyVault/vaults/kv-rds-shared";

/**
 * RdsLicensing's args from a stack config, as the stack program builds them (numbersDelivery
 * included); `numbersVaultId` is a TypeScript argument only.
 */
function argsFrom(azure: Record<string, unknown>, serverName: string, numbersVaultId?: string): RdsLicensingArgs {
    const raw = azureConfig({ windowsServerVersion: 2022, ...azure });
    (raw.licenseServer as { name: string }).name = serverName;
    const config = validateStackConfig(raw, (path) => AZURE_SECRET_PATHS.includes(path));
    return {
        target: "azure",
        azure: { ...azureLicenseServerArgsFromConfig(config), numbersDelivery: config.azure!.numbersDelivery, numbersVaultId },
        licenseServer: config.licenseServer,
        // Plain strings, as the config loader hands them over: the components make them secrets.
        calPacks: config.calPacks,
    };
}

/**
 * ARM answers a secret's PUT with its versioned URI; the mock monitor echoes inputs as outputs, so
 * this transformation adds the URI ARM would return to each secret's properties.
 */
const armSecretUri: pulumi.ResourceTransformation = ({ type, props, opts }) => {
    if (type !== SECRET) return undefined;
    const uri = pulumi
        .all([props.vaultName, props.secretName])
        .apply(([vault, secret]) => `https://${vault}.vault.azure.net/secrets/${secret}/0123456789abcdef0123456789abcdef`);
    return { props: { ...props, properties: pulumi.all([props.properties, uri]).apply(([p, secretUriWithVersion]) => ({ ...p, secretUriWithVersion })) }, opts };
};
const transformations = () => [mocks.transformation, armSecretUri];

let vaulted: RdsLicensing;
let shared: RdsLicensing;

beforeAll(async () => {
    mocks = await installMocks();
    vaulted = new RdsLicensing("kv", argsFrom({ numbersDelivery: "key-vault" }, "RDLS-KV01"), { transformations: transformations() });
    shared = new RdsLicensing("kvx", argsFrom({ numbersDelivery: "key-vault" }, "RDLS-KV02", EXISTING_VAULT), { transformations: transformations() });
    new RdsLicensing("plain", argsFrom({}, "RDLS-PP01"), { transformations: transformations() });
    await mocks.settle();
});

const of = (prefix: string, type: string): Registered[] => mocks.byType(type).filter((r) => r.name.startsWith(`${prefix}-`));

describe("numbersDelivery: key-vault", () => {
    it("creates a vault in Azure RBAC mode with soft delete and purge protection", () => {
        const [vault, ...more] = of("kv", VAULT);
        expect(more).toEqual([]);
        const properties = unwrap(vault!.inputs).properties;
        expect(properties).toMatchObject({ enableRbacAuthorization: true, enableSoftDelete: true, enablePurgeProtection: true, sku: { name: "standard" } });
        expect(unwrap(vault!.inputs).resourceGroupName).toBe("rg-rds-licensing");
    });

    it("holds one secret per pack, each value secret, written as the numbers' JSON", async () => {
        const secrets = of("kv", SECRET);
        expect(secrets.map((s) => unwrap(s.inputs).secretName).sort()).toEqual(["cal-ea-users", "cal-open-devices", "cal-retail-users"].sort());
        for (const secret of secrets) {
            const properties = secret.inputs.properties as Record<string, unknown>;
            expect(isSecretMarker(properties) || isSecretMarker(properties.value), `${secret.name}: the value is a secret`).toBe(true);
            expectNoSecrets(JSON.stringify(withoutSecrets(secret.inputs)), `${secret.name} without its secrets`);
        }
        const values = Object.fromEntries(secrets.map((s) => [unwrap(s.inputs).secretName, JSON.parse(unwrap(s.inputs).properties.value)]));
        expect(values["cal-ea-users"]).toEqual({ agreementNumber: SECRETS.agreementNumber });
        expect(values["cal-open-devices"]).toEqual({ licenseNumber: SECRETS.licenseNumber, authorizationNumber: SECRETS.authorizationNumber });
        // Normalized as WMI takes it: the hyphens of the retail code are gone.
        expect(values["cal-retail-users"]).toEqual({ licenseCode: SECRETS.licenseCode.replace(/-/g, "") });
    });

    it("lets the VM's identity read each secret, and only that secret: one Key Vault Secrets User assignment per secret", async () => {
        const secrets = of("kv", SECRET);
        const roles = of("kv", ROLE);
        expect(roles).toHaveLength(secrets.length);
        for (const secret of secrets) {
            const role = roles.find((r) => unwrap(r.inputs).scope === secret.id);
            expect(role, `a role assignment scoped to ${secret.name}`).toBeDefined();
            expect(unwrap(role!.inputs)).toMatchObject({
                principalId: VM_PRINCIPAL,
                principalType: "ServicePrincipal",
                roleDefinitionId: expect.stringMatching(/^\/subscriptions\/[^/]+\/providers\/Microsoft\.Authorization\/roleDefinitions\/4633458b-17de-408a-b874-0445c86b69e6$/),
            });
        }
        const vaultId = of("kv", VAULT)[0]!.id;
        expect(roles.some((r) => unwrap(r.inputs).scope === vaultId)).toBe(false);
    });

    it("gives every pack the reference to its secret", async () => {
        const packs = of("kv", PACK);
        expect(packs).toHaveLength(3);
        const uris = packs.map((pack) => unwrap(pack.inputs).numbersSecretUri as string);
        expect(uris.sort()).toEqual(["ea-users", "open-devices", "retail-users"].map((n) => expect.stringMatching(new RegExp(`/secrets/cal-${n}/[0-9a-f]{32}$`))));
        // The reference is no secret: state and diffs show which version a pack reads.
        for (const pack of packs) expect(isSecretMarker(pack.inputs.numbersSecretUri)).toBe(false);
        expect(Object.keys(vaulted.numbersVault!.secretUris).sort()).toEqual(["ea-users", "open-devices", "retail-users"]);
    });

    it("with numbersVaultId, writes the secrets into that vault and creates none", () => {
        expect(of("kvx", VAULT)).toEqual([]);
        const secrets = of("kvx", SECRET);
        expect(secrets).toHaveLength(3);
        for (const secret of secrets) expect(unwrap(secret.inputs)).toMatchObject({ resourceGroupName: "rg-sec", vaultName: "kv-rds-shared" });
        for (const role of of("kvx", ROLE)) expect(unwrap(role.inputs).roleDefinitionId).toBe(secretsUserRoleDefinitionId(EXISTING_VAULT));
        expect(shared.numbersVault).toBeInstanceOf(CalNumbersVault);
    });
});

describe("the default delivery (protected parameters)", () => {
    it("creates no vault, secret or role assignment, and the packs name no secret", () => {
        expect(of("plain", VAULT)).toEqual([]);
        expect(of("plain", SECRET)).toEqual([]);
        expect(of("plain", ROLE)).toEqual([]);
        const packs = of("plain", PACK);
        expect(packs).toHaveLength(3);
        for (const pack of packs) expect(unwrap(pack.inputs).numbersSecretUri).toBeUndefined();
    });
});

describe("RdsLicensing's refusals", () => {
    it("refuses vault settings without key-vault delivery, and an unknown delivery, before registering anything", () => {
        const args = argsFrom({}, "RDLS-PP02");
        const withVault = rdsLicensingArgsProblems("x", { ...args, azure: { ...args.azure!, numbersVaultId: EXISTING_VAULT } });
        expect(withVault).toEqual(['RdsLicensing x: azure.numbersVaultId applies only with azure.numbersDelivery "key-vault"; set numbersDelivery: "key-vault", or remove numbersVaultId']);
        const unknown = rdsLicensingArgsProblems("x", { ...args, azure: { ...args.azure!, numbersDelivery: "blob" as never } });
        expect(unknown).toEqual(['RdsLicensing x: azure.numbersDelivery is "blob"; use "protected-parameters" (the default) or "key-vault"']);
        expect(rdsLicensingArgsProblems("x", args)).toEqual([]);
    });
});

describe("the vault's helpers", () => {
    it("write only the numbers a pack has, normalized, as a secret", async () => {
        const value = numbersSecretValue({ name: "x", licenseNumber: " 12345678 ", authorizationNumber: "abcde-12345-fghij" });
        expect(await pulumi.isSecret(value)).toBe(true);
        expect(JSON.parse(await valueOf(value))).toEqual({ licenseNumber: "12345678", authorizationNumber: "ABCDE12345FGHIJ" });
    });

    it("refuse a malformed vault ID, settings of a new vault with an existing one, and secret names Key Vault rejects", () => {
        const base = { resourceGroupName: "rg", location: "westeurope", principalId: "p", packs: [{ name: "ea_users" }, { name: "EA-users" }, { name: "ea-users" }] };
        const problems = calNumbersVaultProblems("v", { ...base, existingVaultId: "/subscriptions/x/vaults/y", network: { allowedIpRanges: ["203.0.113.10"] } });
        expect(problems).toHaveLength(4);
        expect(problems[0]).toContain("existingVaultId is not a Key Vault resource ID");
        expect(problems[1]).toContain("network and vaultName apply to a new vault");
        expect(problems[2]).toContain('"ea_users" must be letters, digits and hyphens');
        expect(problems[3]).toContain('"ea-users" is used twice');
    });
});
