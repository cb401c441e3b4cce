/** Azure stack configs and component arguments the Azure tests share. Passwords are fictitious. */
import { validConfig, type RawConfig } from "../../support/config-fixtures";

export const JOIN_PASSWORD = "Join-Secret-Pa55-9d21";
export const ADMIN_PASSWORD = "Admin-Secret-Pa55-4e07";
export const SUBNET_ID =
    "/subscriptions/00000000-0000-0000-0000-00000000abcd/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/hub/subnets/servers";

/** A valid `target: azure` stack config (raw, as the runtime hands it over). */
export function azureConfig(azure: Record<string, unknown> = {}): RawConfig {
    return {
        ...validConfig(),
        target: "azure",
        azure: { location: "westeurope", resourceGroupName: "rg-rds-licensing", ...azure },
    };
}

export function domainSettings(): Record<string, unknown> {
    return { name: "corp.contoso.com", ouPath: "OU=RDS,DC=corp,DC=contoso,DC=com", joinUser: "CORP\\svc-join", joinPassword: JOIN_PASSWORD };
}

/** The secret paths of the base fixture (CAL numbers) plus the Azure passwords. */
export const AZURE_SECRET_PATHS = [
    "calPacks[0].agreementNumber",
    "calPacks[1].licenseNumber",
    "calPacks[1].authorizationNumber",
    "calPacks[2].licenseCode",
    "azure.domain.joinPassword",
    "azure.adminPassword",
];
