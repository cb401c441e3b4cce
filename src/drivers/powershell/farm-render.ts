/**
 * Render farm scripts: the shared core prelude (input, step wrapper, errors, framed results), the
 * farm functions, one `Invoke-RdlsStep` per operation and the result printer. Codes, modes, class
 * and role names are literals; license server names are read from the input (`$I.s`).
 *
 * Checked against Microsoft's documentation: Win32_TerminalServiceSetting (root\cimv2\TerminalServices;
 * LicensingType, PolicySourceLicensingType, PolicySourceConfiguredLicenseServers, TerminalServerMode;
 * ChangeMode([in] uint32 LicensingType), SetSpecifiedLicenseServerList([in] string SpecifiedLSList[]),
 * GetSpecifiedLicenseServerList([out] string SpecifiedLSList[]), GetGracePeriodDays([out] uint32 DaysLeft),
 * GetTStoLSConnectivityStatus([in] string ServerName, [out] uint32 TStoLSConnectivityStatus));
 * Get-RDLicenseConfiguration / Set-RDLicenseConfiguration / Get-RDServer -Role RDS-RD-SERVER
 * (RemoteDesktop module); New-CimSession -ComputerName (WSMan by default), Remove-CimSession.
 */
import { LicensingErrorKind } from "../../licensing";
import type { FarmStep, FarmStepShape } from "./farm-plan";
import { psInt, psString, psUint32 } from "./ps-literal";
import { corePrelude } from "./script-prelude";

export const TS_NAMESPACE = "root\\cimv2\\TerminalServices";
export const SESSION_HOST_ROLE = "RDS-RD-SERVER";
/** PolicySource* value of a setting made by Group Policy. */
export const POLICY_SOURCE_GROUP_POLICY = 1;
/** Win32_TerminalServiceSetting.TerminalServerMode of an RD Session Host (application server). */
export const TERMINAL_SERVER_MODE_SESSION_HOST = 1;
/** Seconds each CIM operation on a session host may take. */
export const HOST_OPERATION_TIMEOUT_SECONDS = 120;

/** The refusal kinds each farm step may report (errors.ts believes no other). */
export const FARM_REFUSALS: Readonly<Record<FarmStepShape["kind"], readonly LicensingErrorKind[]>> = {
    "get-deployment-licensing": [LicensingErrorKind.NotFound],
    "set-deployment-licensing": [LicensingErrorKind.NotFound, LicensingErrorKind.Failed],
    "get-host-licensing": [LicensingErrorKind.NotFound],
    "set-host-licensing": [LicensingErrorKind.NotFound, LicensingErrorKind.InvalidParameter, LicensingErrorKind.Failed],
    "read-host-licensing": [LicensingErrorKind.NotFound],
};

export interface FarmScriptOptions {
    nonce: string;
    budget: number;
}

export function renderFarmScript(steps: readonly FarmStep[], options: FarmScriptOptions): string {
    const body = steps.map((step, position) => renderFarmStep(position, step.shape)).join("\n");
    const prelude = corePrelude({ nonce: options.nonce, budget: options.budget, secretFields: [], what: "RDS farm licensing operations" });
    return `${prelude}${farmFunctions()}\n${body}\nWrite-RdlsResults\n`;
}

const refuse = (kind: LicensingErrorKind, message: string) => `throw (New-RdlsRefusal ${psString(kind)} ${message})`;

function farmFunctions(): string {
    const gp = psUint32(POLICY_SOURCE_GROUP_POLICY);
    return `
$RdlsTsNamespace = ${psString(TS_NAMESPACE)}

function Get-RdlsFqdn {
    return [System.Net.Dns]::GetHostEntry($env:COMPUTERNAME).HostName
}

# The deployment this server brokers: @{ b = <broker FQDN> } or @{ b = $null; r = <why there is none> }.
function Find-RdlsDeployment {
    if (-not (Get-Module -ListAvailable -Name RemoteDesktop)) { return @{ b = $null; r = 'the RemoteDesktop module is not installed' } }
    Import-Module -Name RemoteDesktop
    $broker = Get-RdlsFqdn
    try {
        $servers = @(Get-RDServer -ConnectionBroker $broker -ErrorAction Stop)
    } catch {
        return @{ b = $null; r = ('Get-RDServer -ConnectionBroker ' + $broker + ': ' + (Protect-RdlsText $_.Exception.Message)) }
    }
    if ($servers.Count -eq 0) { return @{ b = $null; r = ('Get-RDServer -ConnectionBroker ' + $broker + ' lists no server') } }
    return @{ b = $broker; r = $null }
}

function Assert-RdlsDeployment {
    $found = Find-RdlsDeployment
    if ($null -eq $found.b) {
        ${refuse(LicensingErrorKind.NotFound, "('no RDS deployment on this server (' + $found.r + '); nothing was read or changed')")}
    }
    return $found.b
}

function Get-RdlsDeploymentLicensing([string]$Broker) {
    $config = Get-RDLicenseConfiguration -ConnectionBroker $Broker
    if ($null -eq $config) { ${refuse(LicensingErrorKind.NotFound, "('Get-RDLicenseConfiguration returned nothing for ' + $Broker)")} }
    $hosts = @(Get-RDServer -ConnectionBroker $Broker -Role ${psString(SESSION_HOST_ROLE)} -ErrorAction Stop | ForEach-Object { [string]$_.Server })
    $servers = @(@($config.LicenseServer) | Where-Object { $_ } | ForEach-Object { [string]$_ })
    return @{ b = $Broker; m = [string]$config.Mode; l = $servers; h = $hosts }
}

# Win32_TerminalServiceSetting of this host ($Session $null) or of a session host over its CIM session.
function Get-RdlsTsSetting($Session) {
    $at = @{}
    if ($null -ne $Session) { $at['CimSession'] = $Session }
    $setting = Get-CimInstance @at -Namespace $RdlsTsNamespace -ClassName Win32_TerminalServiceSetting
    if ($null -eq $setting) { throw (New-RdlsError ${psUint32(0x80041002)} 'Win32_TerminalServiceSetting has no instance: is the RD Session Host role installed?') }
    return $setting
}

function Test-RdlsSameNames($Left, $Right) {
    $a = @($Left)
    $b = @($Right)
    if ($a.Count -ne $b.Count) { return $false }
    for ($at = 0; $at -lt $a.Count; $at++) {
        # -ne compares strings case-insensitively, as Windows compares computer names.
        if ([string]$a[$at] -ne [string]$b[$at]) { return $false }
    }
    return $true
}

# One row of the Licensing Diagnoser: mode, list, grace days, connectivity to each listed server, policy sources.
function Get-RdlsHostLicensing($Session, [string]$Name) {
    $at = @{}
    if ($null -ne $Session) { $at['CimSession'] = $Session }
    $setting = Get-RdlsTsSetting $Session
    $list = Invoke-CimMethod @at -InputObject $setting -MethodName GetSpecifiedLicenseServerList
    Assert-RdlsReturn $list 'GetSpecifiedLicenseServerList'
    $servers = @(@($list.SpecifiedLSList) | Where-Object { $_ } | ForEach-Object { [string]$_ })
    $grace = Invoke-CimMethod @at -InputObject $setting -MethodName GetGracePeriodDays
    Assert-RdlsReturn $grace 'GetGracePeriodDays'
    $links = New-Object System.Collections.ArrayList
    foreach ($server in $servers) {
        $link = Invoke-CimMethod @at -InputObject $setting -MethodName GetTStoLSConnectivityStatus -Arguments @{ ServerName = [string]$server }
        Assert-RdlsReturn $link 'GetTStoLSConnectivityStatus'
        [void]$links.Add(@{ s = [string]$server; c = [uint32]$link.TStoLSConnectivityStatus })
    }
    $os = Get-CimInstance @at -ClassName Win32_OperatingSystem
    return @{
        n = $Name
        b = [uint32]$os.BuildNumber
        t = [uint32]$setting.LicensingType
        l = $servers
        g = [uint32]$grace.DaysLeft
        k = $links.ToArray()
        pm = [uint32]$setting.PolicySourceLicensingType
        ps = [uint32]$setting.PolicySourceConfiguredLicenseServers
        d = $null
    }
}

function Test-RdlsByGroupPolicy($Value) {
    return [uint32]$Value -eq ${gp}
}
`;
}

function step(position: number, op: string, lines: string[]): string {
    const indented = lines.map((line) => (line ? `    ${line}` : line)).join("\n");
    return `Invoke-RdlsStep ${psInt(position)} ${psString(op)} {\n    param($I)\n${indented}\n}\n`;
}

function renderFarmStep(position: number, shape: FarmStepShape): string {
    switch (shape.kind) {
        case "get-deployment-licensing":
            return step(position, shape.kind, ["$broker = Assert-RdlsDeployment", "Get-RdlsDeploymentLicensing $broker"]);
        case "set-deployment-licensing": {
            const mode = psString(shape.mode);
            const servers = shape.withServers ? " -LicenseServer $wanted" : "";
            return step(position, shape.kind, [
                "$broker = Assert-RdlsDeployment",
                "$wanted = [string[]]@($I.s)",
                `Set-RDLicenseConfiguration -ConnectionBroker $broker -Mode ${mode}${servers} -Force -ErrorAction Stop`,
                "$after = Get-RdlsDeploymentLicensing $broker",
                `if ([string]$after.m -ne ${mode} -or -not (Test-RdlsSameNames $after.l $wanted)) {`,
                `    ${refuse(LicensingErrorKind.Failed, `('Set-RDLicenseConfiguration returned, but the deployment reads back ' + $after.m + ' with ' + @($after.l).Count + ' license server(s), not ' + ${mode} + ' with the ' + $wanted.Count + ' asked')`)}`,
                "}",
                "$after",
            ]);
        }
        case "get-host-licensing":
            return step(position, shape.kind, ["Get-RdlsHostLicensing $null (Get-RdlsFqdn)"]);
        case "set-host-licensing": {
            const code = psUint32(shape.licensingType);
            return step(position, shape.kind, [
                "$wanted = [string[]]@($I.s)",
                "$setting = Get-RdlsTsSetting $null",
                "$list = Invoke-CimMethod -InputObject $setting -MethodName GetSpecifiedLicenseServerList",
                "Assert-RdlsReturn $list 'GetSpecifiedLicenseServerList'",
                "$needList = -not (Test-RdlsSameNames @(@($list.SpecifiedLSList) | Where-Object { $_ }) $wanted)",
                `$needMode = [uint32]$setting.LicensingType -ne ${code}`,
                "# A value set by Group Policy makes the setters fail (WBEM_E_INVALID_OPERATION): refuse first, nothing changed.",
                "if ($needMode -and (Test-RdlsByGroupPolicy $setting.PolicySourceLicensingType)) {",
                `    ${refuse(LicensingErrorKind.InvalidParameter, psString('the licensing mode of this host is set by Group Policy (PolicySourceLicensingType = 1): change the policy "Set the Remote Desktop licensing mode"; nothing was changed'))}`,
                "}",
                "if ($needList -and (Test-RdlsByGroupPolicy $setting.PolicySourceConfiguredLicenseServers)) {",
                `    ${refuse(LicensingErrorKind.InvalidParameter, psString('the license server list of this host is set by Group Policy (PolicySourceConfiguredLicenseServers = 1): change the policy "Use the specified Remote Desktop license servers"; nothing was changed'))}`,
                "}",
                "if ($needList) {",
                "    $result = Invoke-RdlsMethod 'SetSpecifiedLicenseServerList' { Invoke-CimMethod -InputObject $setting -MethodName SetSpecifiedLicenseServerList -Arguments @{ SpecifiedLSList = $wanted } }",
                "    Assert-RdlsReturn $result 'SetSpecifiedLicenseServerList'",
                "}",
                "if ($needMode) {",
                `    $result = Invoke-RdlsMethod 'ChangeMode' { Invoke-CimMethod -InputObject $setting -MethodName ChangeMode -Arguments @{ LicensingType = ${code} } }`,
                "    Assert-RdlsReturn $result 'ChangeMode'",
                "}",
                "$after = Get-RdlsHostLicensing $null (Get-RdlsFqdn)",
                `if ([uint32]$after.t -ne ${code} -or -not (Test-RdlsSameNames $after.l $wanted)) {`,
                `    ${refuse(LicensingErrorKind.Failed, "('the methods returned 0, but the host reads back LicensingType ' + $after.t + ' with ' + @($after.l).Count + ' license server(s), not the settings asked')")}`,
                "}",
                "$after",
            ]);
        }
        case "read-host-licensing":
            return step(position, shape.kind, [
                "$found = Find-RdlsDeployment",
                "$rows = New-Object System.Collections.ArrayList",
                "if ($null -ne $found.b) {",
                "    # A broker: every session host of its deployment, each over its own CIM session, closed after use.",
                `    foreach ($server in @(Get-RDServer -ConnectionBroker $found.b -Role ${psString(SESSION_HOST_ROLE)} -ErrorAction Stop)) {`,
                "        $name = [string]$server.Server",
                "        $session = $null",
                "        try {",
                `            $session = New-CimSession -ComputerName $name -OperationTimeoutSec ${psInt(HOST_OPERATION_TIMEOUT_SECONDS)} -ErrorAction Stop`,
                "            $row = Get-RdlsHostLicensing $session $name",
                "        } catch {",
                "            throw [System.Exception]::new(('session host ' + $name + ': ' + $_.Exception.Message), $_.Exception)",
                "        } finally {",
                "            if ($null -ne $session) { Remove-CimSession -CimSession $session }",
                "        }",
                "        $row.d = $found.b",
                "        [void]$rows.Add($row)",
                "    }",
                "} else {",
                "    # No deployment: this server answers for itself, if it is a session host.",
                "    $setting = $null",
                "    try { $setting = Get-RdlsTsSetting $null } catch { $setting = $null }",
                `    if ($null -eq $setting -or [uint32]$setting.TerminalServerMode -ne ${psUint32(TERMINAL_SERVER_MODE_SESSION_HOST)}) {`,
                `        ${refuse(LicensingErrorKind.NotFound, "('no RDS deployment on this server (' + $found.r + ') and it is not an RD Session Host: no session host to read')")}`,
                "    }",
                "    [void]$rows.Add((Get-RdlsHostLicensing $null (Get-RdlsFqdn)))",
                "}",
                "@{ h = $rows.ToArray() }",
            ]);
    }
}
