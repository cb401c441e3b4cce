/**
 * The PowerShell that reads a CAL pack's numbers from Azure Key Vault on the server, with the
 * machine's managed identity, instead of taking them from the script's input parameter (which
 * managed Run Command hands to the script on its command line). Rendered only into batches that
 * need it. Sources: Microsoft Learn, "How to use managed identities for Azure resources on an Azure
 * VM to acquire an access token" (IMDS) and the Key Vault REST reference, "Get Secret" (7.4).
 */
import { NUMBER_FIELDS } from "../../licensing";
import { psInt, psName, psString } from "./ps-literal";

/** IMDS's token endpoint: link-local, reachable from the VM only, no proxy. */
export const IMDS_TOKEN_ENDPOINT = "http://169.254.169.254/metadata/identity/oauth2/token";
export const IMDS_API_VERSION = "2018-02-01";
export const KEY_VAULT_API_VERSION = "7.4";

/**
 * How often a 403 is retried, and how long between tries: a new role assignment can take minutes
 * to reach Key Vault, and the pack's role assignment is created just before its first install.
 */
export const VAULT_ATTEMPTS = 10;
export const VAULT_RETRY_SECONDS = 15;

/**
 * What each answer means, with its fix: `{uri}` is the secret's URI (never a number). Keyed by HTTP
 * status; `0` is no answer at all (network), `other` any other status (appended).
 */
export const VAULT_PROBLEMS = {
    "403":
        "Key Vault refused to read {uri} (403 Forbidden): the VM's managed identity needs the Key Vault Secrets User role on this secret, in a vault that uses Azure RBAC. A new role assignment can take several minutes to apply: run pulumi up again",
    "401": "Key Vault did not accept the VM's token for {uri} (401): the VM's identity and the vault must be in the same Microsoft Entra tenant",
    "404": "Key Vault has no secret {uri} (404): this version of the secret was deleted or never written; run pulumi up to write it again",
    "0": "Key Vault could not be reached for {uri}: the VM needs outbound HTTPS to the vault, and the vault's network rules must let the VM in (see docs/secrets-on-the-vm.md)",
    other: "Key Vault answered {uri} with HTTP status",
    imds: "the VM's managed identity gave no token for Key Vault (instance metadata service, {uri}): the VM needs a system-assigned identity",
    format: "the Key Vault secret {uri} is not the JSON object of CAL numbers rds-licensing writes; let pulumi up write it again",
    missing: "the Key Vault secret {uri} holds no",
} as const;

/** The function that fetches the numbers: `$I = Read-RdlsVaultNumbers $I @('<field>', ...)`. */
export function vaultFunctions(): string {
    const fields = Object.values(NUMBER_FIELDS)
        .map((field) => `@(${psString(field.name)}, ${psString(psName(field.scriptInput))})`)
        .join(", ");
    const problems = Object.entries(VAULT_PROBLEMS)
        .map(([key, text]) => `${psString(key)} = ${psString(text)}`)
        .join("; ");
    return `
# CAL numbers delivered through Azure Key Vault: the input carries the secret's versioned URI ($I.kv),
# and the numbers are read here with the VM's managed identity. Every value read (the token too) joins
# the scrub list before anything can print it.
$RdlsVaultAttempts = ${psInt(VAULT_ATTEMPTS)}
$RdlsVaultRetrySeconds = ${psInt(VAULT_RETRY_SECONDS)}
$RdlsVaultFields = @(${fields})
$RdlsVaultProblems = @{ ${problems} }
$RdlsVaultTokens = @{}

function New-RdlsVaultProblem([string]$Problem, [string]$Uri, [string]$Detail) {
    return (New-RdlsRefusal 'failed' (([string]$RdlsVaultProblems[$Problem]).Replace('{uri}', $Uri) + $Detail))
}

function Get-RdlsHttpStatus($Record) {
    $response = $Record.Exception.Response
    if ($null -eq $response) { return 0 }
    try { return [int]$response.StatusCode } catch { return 0 }
}

function Get-RdlsVaultToken([string]$Resource, [string]$Uri) {
    if ($RdlsVaultTokens.ContainsKey($Resource)) { return $RdlsVaultTokens[$Resource] }
    $answer = $null
    try {
        $answer = Invoke-RestMethod -Method Get -UseBasicParsing -TimeoutSec 30 -Headers @{ Metadata = 'true' } -Uri (${psString(`${IMDS_TOKEN_ENDPOINT}?api-version=${IMDS_API_VERSION}&resource=`)} + [Uri]::EscapeDataString($Resource))
    } catch {
        throw (New-RdlsVaultProblem 'imds' $Uri '')
    }
    $token = [string]$answer.access_token
    if ($token.Length -eq 0) { throw (New-RdlsVaultProblem 'imds' $Uri '') }
    [void]$RdlsSecrets.Add($token)
    $RdlsVaultTokens[$Resource] = $token
    return $token
}

function Read-RdlsVaultNumbers($I, [string[]]$Required) {
    # Key Vault speaks TLS 1.2 or newer; Windows PowerShell 5.1 may not offer it by default.
    [Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
    $uri = [string]$I.kv
    $address = [Uri]$uri
    # The token's audience is the vault service of the vault's cloud: https://vault.azure.net for vault.azure.net.
    $resource = 'https://' + $address.Host.Substring($address.Host.IndexOf('.') + 1)
    $token = Get-RdlsVaultToken $resource $uri
    $secret = $null
    for ($attempt = 1; $null -eq $secret; $attempt++) {
        try {
            $secret = Invoke-RestMethod -Method Get -UseBasicParsing -TimeoutSec 30 -Headers @{ Authorization = ('Bearer ' + $token) } -Uri ($uri + ${psString(`?api-version=${KEY_VAULT_API_VERSION}`)})
        } catch {
            $status = Get-RdlsHttpStatus $_
            # Role assignments take a while to reach Key Vault: a 403 is retried, a bounded number of times.
            if ($status -eq 403 -and $attempt -lt $RdlsVaultAttempts) { Start-Sleep -Seconds $RdlsVaultRetrySeconds; continue }
            if ($RdlsVaultProblems.ContainsKey([string]$status)) { throw (New-RdlsVaultProblem ([string]$status) $uri '') }
            throw (New-RdlsVaultProblem 'other' $uri (' ' + $status))
        }
    }
    $text = [string]$secret.value
    if ($text.Length -gt 0) { [void]$RdlsSecrets.Add($text) }
    $numbers = $null
    try { $numbers = $text | ConvertFrom-Json } catch { $numbers = $null }
    if ($null -eq $numbers -or $numbers -isnot [System.Management.Automation.PSCustomObject]) { throw (New-RdlsVaultProblem 'format' $uri '') }
    $values = @{ key = [string]$I.key }
    foreach ($field in $RdlsVaultFields) {
        $value = [string]$numbers.($field[0])
        if ($value.Length -gt 0) {
            [void]$RdlsSecrets.Add($value)
            $values[$field[1]] = $value
        } elseif ($Required -contains $field[0]) {
            throw (New-RdlsVaultProblem 'missing' $uri (' ' + $field[0]))
        }
    }
    return $values
}
`;
}
