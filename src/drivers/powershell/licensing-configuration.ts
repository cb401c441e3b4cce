/**
 * Scripts that point Remote Desktop licensing at a license server: the licensing mode and the
 * license server list. With an RDS deployment (a Connection Broker that knows it) the deployment
 * is configured with Set-RDLicenseConfiguration; without one, an RD Session Host configures itself
 * through Win32_TerminalServiceSetting, and any other server fails: it has no licensing
 * configuration to set (installing the RD Connection Broker role creates no deployment; only
 * New-RDSessionDeployment does). Both scripts end with one read-back line, so the last output of a
 * managed run command (or an action run command of the read script) shows the live state for drift.
 *
 * Nothing secret is involved; names are validated, then rendered as literals.
 */
import { LICENSING_TYPE_CODE, LicensingMode } from "../../licensing/modes";
import { WbemCode } from "../../licensing/codes";
import { psString, psUint32 } from "./ps-literal";

// The vocabulary is the licensing domain's; re-exported for the components that import it from here.
export { LICENSING_TYPE_CODE, LicensingMode };

/** The read-back line: `rdls-licensing-configuration=<compact JSON>`. */
export const READ_BACK_PREFIX = "rdls-licensing-configuration=";

/** Exit codes of the configuration script. */
export const LicensingConfigurationExit = { Ok: 0, Failed: 1 } as const;

/** What the read-back line holds. */
export interface LicensingConfigurationState {
    /** `deployment` (Get-RDLicenseConfiguration) or `host` (Win32_TerminalServiceSetting). */
    source: "deployment" | "host";
    broker: string | null;
    mode: LicensingMode | "NotConfigured";
    licenseServers: string[];
    /** Set script only: what it did (`failed`: nothing was changed, `reason` says why). */
    action?: "unchanged" | "changed" | "failed";
    reason?: string;
}

export interface LicensingConfigurationScriptOptions {
    mode: LicensingMode;
    /** License servers, in order of preference (FQDNs when domain-joined). */
    licenseServers: readonly string[];
    /**
     * FQDN of the RD Connection Broker whose deployment to configure.
     * @default the host's own FQDN (the broker runs on the license server)
     */
    connectionBroker?: string;
}

/** Win32_TerminalServiceSetting.TerminalServerMode of an RD Session Host. */
const TERMINAL_SERVER_MODE_SESSION_HOST = 1;

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$/;

function hostLiteral(name: string, what: string): string {
    if (!HOST_NAME.test(name)) throw new TypeError(`${what} must be a host name or FQDN, got ${JSON.stringify(name)}`);
    return psString(name);
}

/** Shared functions: finding the deployment and reading the configuration back. */
function readFunctions(connectionBroker: string | undefined): string {
    const broker = connectionBroker ? hostLiteral(connectionBroker, "connectionBroker") : "''";
    return `$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$WarningPreference = 'SilentlyContinue'
$RdlsBroker = ${broker}

function Assert-RdlsCim($Result, [string]$Method) {
    if ($null -eq $Result) { throw ($Method + ' returned nothing') }
    $code = [uint32]$Result.ReturnValue
    if ($code -eq 0) { return }
    $why = ''
    if ($code -eq ${psUint32(WbemCode.InvalidOperation)}) { $why = ' (WBEM_E_INVALID_OPERATION: the setting is set by Group Policy: change the GPO or remove it)' }
    throw ($Method + ' returned ' + ('0x{0:X8}' -f $code) + $why + $Result.RdlsDetail)
}

# With $ErrorActionPreference = 'Stop', a provider that fails the call with an HRESULT (a
# CimException) rather than a non-zero ReturnValue throws: the WBEM code in its CIM error
# (error_Code) becomes the ReturnValue, so both failures are handled alike.
function Invoke-RdlsMethod([string]$Method, [scriptblock]$Call) {
    try {
        return (& $Call)
    } catch {
        $exception = $_.Exception
        while ($null -ne $exception -and $exception.GetType().Name -ne 'CimException') { $exception = $exception.InnerException }
        if ($null -eq $exception -or $null -eq $exception.ErrorData) { throw }
        $property = $exception.ErrorData.CimInstanceProperties['error_Code']
        if ($null -eq $property -or -not $property.Value) { throw }
        return [pscustomobject]@{ ReturnValue = [uint32]$property.Value; RdlsDetail = (' by exception: ' + $exception.Message) }
    }
}

function Get-RdlsBrokerName {
    if ($RdlsBroker) { return $RdlsBroker }
    return [System.Net.Dns]::GetHostEntry($env:COMPUTERNAME).HostName
}

# A deployment exists when the RemoteDesktop module can list its servers on the broker; when it
# does not, $script:RdlsNoDeployment says why (a failure of the set script reports it).
$RdlsNoDeployment = ''
function Test-RdlsDeployment([string]$Broker) {
    if (-not (Get-Module -ListAvailable -Name RemoteDesktop)) {
        $script:RdlsNoDeployment = 'the RemoteDesktop module is not installed'
        return $false
    }
    Import-Module -Name RemoteDesktop
    try {
        $servers = @(Get-RDServer -ConnectionBroker $Broker -ErrorAction Stop)
    } catch {
        $script:RdlsNoDeployment = ('Get-RDServer -ConnectionBroker ' + $Broker + ': ' + $_.Exception.Message)
        return $false
    }
    if ($servers.Count -eq 0) {
        $script:RdlsNoDeployment = ('Get-RDServer -ConnectionBroker ' + $Broker + ' lists no server')
        return $false
    }
    return $true
}

function Get-RdlsHostSetting {
    return Get-CimInstance -Namespace 'root\\cimv2\\TerminalServices' -ClassName Win32_TerminalServiceSetting
}

function Get-RdlsLicensingState {
    $broker = Get-RdlsBrokerName
    if (Test-RdlsDeployment $broker) {
        $config = Get-RDLicenseConfiguration -ConnectionBroker $broker
        return [ordered]@{
            source = 'deployment'
            broker = $broker
            mode = [string]$config.Mode
            licenseServers = @(@($config.LicenseServer) | Where-Object { $_ } | ForEach-Object { [string]$_ })
        }
    }
    $setting = Get-RdlsHostSetting
    $list = Invoke-CimMethod -InputObject $setting -MethodName GetSpecifiedLicenseServerList
    Assert-RdlsCim $list 'GetSpecifiedLicenseServerList'
    $mode = 'NotConfigured'
    if ([uint32]$setting.LicensingType -eq ${psUint32(LICENSING_TYPE_CODE.PerDevice)}) { $mode = ${psString(LicensingMode.PerDevice)} }
    if ([uint32]$setting.LicensingType -eq ${psUint32(LICENSING_TYPE_CODE.PerUser)}) { $mode = ${psString(LicensingMode.PerUser)} }
    return [ordered]@{
        source = 'host'
        broker = $null
        mode = $mode
        licenseServers = @(@($list.SpecifiedLSList) | Where-Object { $_ } | ForEach-Object { [string]$_ })
    }
}

function Write-RdlsState($State) {
    [Console]::Out.WriteLine(${psString(READ_BACK_PREFIX)} + (ConvertTo-Json -Compress -Depth 4 -InputObject $State))
}
`;
}

/**
 * The configuration script. Idempotent: it changes only what differs, then reads back and fails
 * unless the live state is what was asked. Without a deployment, a server that is not an RD
 * Session Host fails (exit 1, `action: failed` and the reason in the read-back line) before
 * anything is changed: its licensing setting is not the farm's, and reporting success there
 * would leave the farm never pointed at its license server while the run is green.
 */
export function renderLicensingConfigurationScript(options: LicensingConfigurationScriptOptions): string {
    if (!LicensingMode[options.mode]) throw new TypeError(`unknown licensing mode ${JSON.stringify(options.mode)}`);
    if (options.licenseServers.length === 0) throw new TypeError("at least one license server is required");
    const servers = options.licenseServers.map((s) => hostLiteral(s, "license server")).join(", ");
    return `# Generated by rds-licensing. Points Remote Desktop licensing at the license server(s):
# licensing mode and license server list, on the RDS deployment when there is one, else on this host.
# Exit codes: 0 configured (or already so), 1 failed (no deployment on a server that is not a session
# host, a setter refused, or the read-back differs from what was asked).
# The last line is the read-back: ${READ_BACK_PREFIX}{...}
${readFunctions(options.connectionBroker)}
$WantedMode = ${psString(options.mode)}
$WantedServers = [string[]]@(${servers})

function Test-RdlsSameServers($Current) {
    return ((@($Current) -join ';').ToLowerInvariant() -eq ($WantedServers -join ';').ToLowerInvariant())
}

function Set-RdlsLicensing($Current) {
    if ($Current.source -ne 'deployment') {
        $mode = [uint32](Get-RdlsHostSetting).TerminalServerMode
        if ($mode -ne ${psUint32(TERMINAL_SERVER_MODE_SESSION_HOST)}) {
            return @{ action = 'failed'; reason = ('no RDS deployment on ' + (Get-RdlsBrokerName) + ' (' + $RdlsNoDeployment + ') and this server is not an RD Session Host (TerminalServerMode ' + $mode + '): there is no licensing configuration to set; nothing was changed. Create the deployment first (New-RDSessionDeployment, or the SessionDeployment resource), then run this again') }
        }
    }
    if ($Current.mode -eq $WantedMode -and (Test-RdlsSameServers $Current.licenseServers)) { return @{ action = 'unchanged' } }
    if ($Current.source -eq 'deployment') {
        Set-RDLicenseConfiguration -ConnectionBroker $Current.broker -Mode $WantedMode -LicenseServer $WantedServers -Force
        return @{ action = 'changed' }
    }
    $setting = Get-RdlsHostSetting
    if (-not (Test-RdlsSameServers $Current.licenseServers)) {
        $result = Invoke-RdlsMethod 'SetSpecifiedLicenseServerList' { Invoke-CimMethod -InputObject $setting -MethodName SetSpecifiedLicenseServerList -Arguments @{ SpecifiedLSList = $WantedServers } }
        Assert-RdlsCim $result 'SetSpecifiedLicenseServerList'
    }
    if ($Current.mode -ne $WantedMode) {
        $result = Invoke-RdlsMethod 'ChangeMode' { Invoke-CimMethod -InputObject $setting -MethodName ChangeMode -Arguments @{ LicensingType = ${psUint32(LICENSING_TYPE_CODE[options.mode])} } }
        Assert-RdlsCim $result 'ChangeMode'
    }
    return @{ action = 'changed' }
}

try {
    $outcome = Set-RdlsLicensing (Get-RdlsLicensingState)
    $state = Get-RdlsLicensingState
    $state.action = $outcome.action
    if ($outcome.reason) { $state.reason = $outcome.reason }
    if ($outcome.action -eq 'failed') {
        Write-RdlsState $state
        [Console]::Error.WriteLine('rds-licensing: ' + $outcome.reason)
        exit ${LicensingConfigurationExit.Failed}
    }
    if ($state.mode -ne $WantedMode -or -not (Test-RdlsSameServers $state.licenseServers)) {
        Write-RdlsState $state
        [Console]::Error.WriteLine('rds-licensing: the licensing configuration read back differs from the one asked')
        exit ${LicensingConfigurationExit.Failed}
    }
    Write-RdlsState $state
    exit ${LicensingConfigurationExit.Ok}
} catch {
    [Console]::Error.WriteLine('rds-licensing: ' + $_.Exception.Message)
    exit ${LicensingConfigurationExit.Failed}
}
`;
}

/**
 * The read-back script alone, for drift checks: run it as an action run command
 * (`az vm run-command invoke ... --command-id RunPowerShellScript --scripts @file`) and compare the
 * `rdls-licensing-configuration=` line with the stack's settings. Changes nothing.
 */
export function renderLicensingConfigurationReadScript(options: { connectionBroker?: string } = {}): string {
    return `# Generated by rds-licensing. Reads the Remote Desktop licensing configuration (mode, license
# servers) and prints it as one line: ${READ_BACK_PREFIX}{...}. Changes nothing.
${readFunctions(options.connectionBroker)}
try {
    Write-RdlsState (Get-RdlsLicensingState)
    exit 0
} catch {
    [Console]::Error.WriteLine('rds-licensing: ' + $_.Exception.Message)
    exit 1
}
`;
}

/** The state a read-back line holds, or undefined when the output has none (it may be cut). */
export function parseLicensingConfigurationOutput(output: string): LicensingConfigurationState | undefined {
    const line = output
        .split(/\r?\n/)
        .reverse()
        .find((l) => l.startsWith(READ_BACK_PREFIX));
    if (!line) return undefined;
    try {
        const state = JSON.parse(line.slice(READ_BACK_PREFIX.length)) as LicensingConfigurationState;
        // ConvertTo-Json turns a one-element array into a scalar on PowerShell 5.1.
        state.licenseServers = ([] as string[]).concat(state.licenseServers ?? []);
        return state;
    } catch {
        return undefined;
    }
}
