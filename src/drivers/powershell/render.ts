/**
 * Render scripts. A batch script is the prelude, one `Invoke-RdlsStep` per operation and the
 * result printer. Codes, ids and counts are rendered as literals (so a reviewer, and the tests,
 * can check them against the documented tables); everything a user typed is read from the input
 * parameter (`$I.<field>`), so the script text is the same whatever the secret values are.
 */
import { CONVERT_METHOD, LicensingErrorKind, MIGRATION_ARGUMENTS, WbemCode, installMethodOf } from "../../licensing";
import { GUARD_KIND } from "./errors";
import type { Step, StepShape } from "./plan";
import { psHexId, psInt, psName, psString, psUint32 } from "./ps-literal";
import { SERVER_HOME_DIR, SPOOL_DIR, batchPrelude, writeBlockFunction } from "./script-prelude";
import { WIRE_REINSTALLED } from "./wire";

export interface BatchScriptOptions {
    nonce: string;
    /** Largest body printed inline (characters). */
    budget: number;
}

export function renderBatchScript(steps: readonly Step[], options: BatchScriptOptions): string {
    const body = steps.map((step, position) => renderStep(position, step.shape)).join("\n");
    const vault = steps.some((s) => s.shape.kind === "install" && s.shape.numbersFromVault === true);
    return `${batchPrelude(options.nonce, options.budget, { vault })}\n${body}\nWrite-RdlsResults\n`;
}

function step(position: number, op: string, lines: string[]): string {
    const indented = lines.map((line) => (line ? `    ${line}` : line)).join("\n");
    return `Invoke-RdlsStep ${psInt(position)} ${psString(op)} {\n    param($I)\n${indented}\n}\n`;
}

function renderStep(position: number, shape: StepShape): string {
    switch (shape.kind) {
        case "status":
            return step(position, "status", ["Get-RdlsStatus"]);
        case "list-packs":
            return step(position, "list-packs", [
                "$rows = New-Object System.Collections.ArrayList",
                "foreach ($pack in @(Get-CimInstance -ClassName Win32_TSLicenseKeyPack)) {",
                "    if (-not (Test-RdlsBuiltIn $pack)) { [void]$rows.Add((ConvertTo-RdlsPackRow $pack)) }",
                "}",
                "@{ p = $rows.ToArray() }",
            ]);
        case "activate":
            return step(position, "activate", [
                "$server = Get-CimInstance -ClassName Win32_TSLicenseServer",
                "# The config's ISO code becomes the country name in this server's display language.",
                "$country = Resolve-RdlsCountryName ([string]$I.country)",
                "Set-CimInstance -InputObject $server -Property @{ FirstName = [string]$I.first; LastName = [string]$I.last; Company = [string]$I.company; CountryRegion = $country; eMail = [string]$I.email }",
                "$state = Invoke-CimMethod -ClassName Win32_TSLicenseServer -MethodName GetActivationStatus",
                "Assert-RdlsReturn $state 'GetActivationStatus'",
                "if ([uint32]$state.ActivationStatus -ne 0) {",
                "    $result = Invoke-RdlsMethod 'ActivateServerAutomatic' { Invoke-CimMethod -ClassName Win32_TSLicenseServer -MethodName ActivateServerAutomatic }",
                "    Assert-RdlsReturn $result 'ActivateServerAutomatic'",
                "    Assert-RdlsActivated $result 'ActivateServerAutomatic'",
                "}",
                "Get-RdlsStatus",
            ]);
        case "deactivate":
            return step(position, "deactivate", [
                "$state = Invoke-CimMethod -ClassName Win32_TSLicenseServer -MethodName GetActivationStatus",
                "Assert-RdlsReturn $state 'GetActivationStatus'",
                "if ([uint32]$state.ActivationStatus -eq 0) {",
                "    $result = Invoke-RdlsMethod 'DeactivateServerAutomatic' { Invoke-CimMethod -ClassName Win32_TSLicenseServer -MethodName DeactivateServerAutomatic }",
                "    Assert-RdlsReturn $result 'DeactivateServerAutomatic'",
                "}",
                "Get-RdlsStatus",
            ]);
        case "install":
            if (shape.convertKeyPackId !== undefined) return step(position, "install", conversionLines(shape, shape.convertKeyPackId));
            return step(position, "install", [
                ...vaultRead(shape),
                "$lock = Enter-RdlsLock",
                "try {",
                "    # A request key seen before, whose pack still exists: that pack is the result.",
                "    $known = Find-RdlsJournal ([string]$I.key)",
                "    if ($null -ne $known) {",
                "        $pack = Get-RdlsPack $known",
                "        if ($null -ne $pack) {",
                ...installedCheck(shape, "            ", false),
                "            return @{ p = (ConvertTo-RdlsPackRow $pack); r = 1 }",
                "        }",
                "    }",
                ...indent(migrationGuard(shape)),
                `    $result = Invoke-RdlsMethod ${psString(shape.method)} { Invoke-CimMethod -ClassName Win32_TSLicenseKeyPack -MethodName ${shape.method} -Arguments ${installArguments(shape)} }`,
                ...indent(reinstallFallback(shape)),
                `    Assert-RdlsReturn $result ${psString(shape.method)}`,
                "    $id = [uint32]$result.KeyPackId",
                `    Save-RdlsJournal ([string]$I.key) $id ${psString(shape.program)}`,
                "    $pack = Assert-RdlsPack $id",
                ...installedCheck(shape, "    ", true),
                shape.reinstallMethod
                    ? `    @{ p = (ConvertTo-RdlsPackRow $pack); ${WIRE_REINSTALLED} = $reinstalled }`
                    : "    @{ p = (ConvertTo-RdlsPackRow $pack) }",
                "} finally {",
                "    Exit-RdlsLock $lock",
                "}",
            ]);
        case "remove-licenses":
            return step(position, "remove-licenses", [
                `$before = Assert-RdlsPack ${psInt(shape.keyPackId)}`,
                ...expectedTotalGuard(shape),
                `if ([uint32]$before.AvailableLicenses -lt ${psInt(shape.count)}) {`,
                `    throw (New-RdlsError ${psInt(WbemCode.ValueOutOfRange)} ('key pack ${shape.keyPackId} has ' + $before.AvailableLicenses + ' available licenses, ${shape.count} asked'))`,
                "}",
                `$result = Invoke-RdlsMethod 'RemoveLicensesWithIdCount' { Invoke-CimMethod -ClassName Win32_TSLicenseKeyPack -MethodName RemoveLicensesWithIdCount -Arguments @{ KeyPackId = ${psUint32(shape.keyPackId)}; LicenseCount = ${psUint32(shape.count)} } }`,
                "Assert-RdlsReturn $result 'RemoveLicensesWithIdCount'",
                "$row = $null",
                `$after = Get-RdlsPack ${psInt(shape.keyPackId)}`,
                "if ($null -ne $after) { $row = ConvertTo-RdlsPackRow $after }",
                "@{ p = $row; b = (ConvertTo-RdlsPackRow $before) }",
            ]);
        case "uninstall":
            return step(position, "uninstall", [
                "$lock = Enter-RdlsLock",
                "try {",
                `    $pack = Assert-RdlsPack ${psInt(shape.keyPackId)}`,
                ...indent(refuseIfIssuedGuard(shape)),
                `    $result = Invoke-RdlsMethod 'UninstallLicenseKeyPackWithId' { Invoke-CimMethod -ClassName Win32_TSLicenseKeyPack -MethodName UninstallLicenseKeyPackWithId -Arguments @{ KeyPackId = ${psUint32(shape.keyPackId)} } }`,
                "    Assert-RdlsReturn $result 'UninstallLicenseKeyPackWithId'",
                `    Remove-RdlsJournalId ${psInt(shape.keyPackId)}`,
                `    @{ i = ${psUint32(shape.keyPackId)} }`,
                "} finally {",
                "    Exit-RdlsLock $lock",
                "}",
            ]);
    }
}

/**
 * The read-back of an install that sent the pack's shape (not a retail code, whose numbers fix the
 * pack): the pack must be the version, type and count sent, else the step fails naming the pack.
 * A pack returned for a known request key is checked too (not its count, which removals change),
 * so a retry never passes a wrong pack as a success.
 */
function installedCheck(shape: Extract<StepShape, { kind: "install" }>, at: string, withCount: boolean): string[] {
    if (installMethodOf(shape.program).packFromNumbers) return [];
    // Plain literals: in a command's arguments [uint32]7 would be the string "[uint32]7".
    const count = withCount ? psInt(shape.count) : "$null";
    return [`${at}Assert-RdlsInstalled $pack ${psString(shape.productVersion)} ${psInt(shape.productVersionId)} ${psInt(shape.productType)} ${count}`];
}

/**
 * With the numbers in Key Vault: read them into a new `$I` holding the request key and the numbers
 * under their input names, so the method's arguments read `$I.<field>` either way. Read before the
 * journal lock is taken: retrying a 403 while the role assignment propagates must not hold the lock
 * other executions wait for (a retried install of a known request key reads the vault again).
 */
function vaultRead(shape: Extract<StepShape, { kind: "install" }>): string[] {
    if (!shape.numbersFromVault) return [];
    const required = installMethodOf(shape.program).fields.map((field) => psString(field.name)).join(", ");
    return [`$I = Read-RdlsVaultNumbers $I @(${required})`];
}

function indent(lines: string[]): string[] {
    return lines.map((line) => `    ${line}`);
}

/*
 * The guards read the pack's live properties (Assert-RdlsPack is a Get-CimInstance) before the
 * method is called, and refuse through New-RdlsRefusal: by kind, with no return value, nothing changed.
 * The journal lock does not cover RD Licensing itself, so a license issued between the check and
 * the method call is not seen: the guards close the retry window, not every race.
 */
function expectedTotalGuard(shape: Extract<StepShape, { kind: "remove-licenses" }>): string[] {
    if (shape.expectedTotal === undefined) return [];
    const expected = shape.expectedTotal;
    return [
        `if ([uint32]$before.TotalLicenses -ne ${psUint32(expected)}) {`,
        `    throw (New-RdlsRefusal ${psString(GUARD_KIND["remove-licenses"])} ('key pack ${shape.keyPackId} holds ' + $before.TotalLicenses + ' licenses, not the expected ${expected}; nothing removed'))`,
        "}",
    ];
}

function refuseIfIssuedGuard(shape: Extract<StepShape, { kind: "uninstall" }>): string[] {
    if (!shape.refuseIfIssued) return [];
    return [
        "if ([uint32]$pack.IssuedLicenses -gt 0) {",
        `    throw (New-RdlsRefusal ${psString(GUARD_KIND.uninstall)} ('key pack ${shape.keyPackId} has ' + $pack.IssuedLicenses + ' issued licenses; not uninstalled'))`,
        "}",
    ];
}

/**
 * With `allowReinstall`: when the install returns non-zero (e.g. a retail code consumed by an earlier
 * install on this server), the matching Reinstall* method with the very same named arguments. Only
 * its success replaces the install's result; if it fails too, in any way, the install's error stands.
 */
function reinstallFallback(shape: Extract<StepShape, { kind: "install" }>): string[] {
    if (!shape.reinstallMethod) return [];
    return [
        "$reinstalled = 0",
        "if ($null -ne $result -and [uint32]$result.ReturnValue -ne 0) {",
        "    $again = $null",
        "    try {",
        `        $again = Invoke-CimMethod -ClassName Win32_TSLicenseKeyPack -MethodName ${shape.reinstallMethod} -Arguments ${installArguments(shape)}`,
        "    } catch {",
        "        $again = $null",
        "    }",
        "    if ($null -ne $again -and [uint32]$again.ReturnValue -eq 0) {",
        "        $result = $again",
        "        $reinstalled = 1",
        "    }",
        "}",
    ];
}

/**
 * Named arguments, as each Install* method declares them (never positional: see licensing-facts):
 * the AgreementType code, each number read from the input by the catalog's names, then the pack's
 * shape unless the numbers alone determine it (a retail code).
 */
function installArguments(shape: Extract<StepShape, { kind: "install" }>): string {
    const method = installMethodOf(shape.program);
    const args = [
        ...(shape.agreementType !== undefined ? [`AgreementType = ${psUint32(shape.agreementType)}`] : []),
        ...method.fields.map((field) => `${psName(field.wmiArgument)} = [string]$I.${psName(field.scriptInput)}`),
        ...(method.packFromNumbers
            ? []
            : [`ProductVersion = ${psUint32(shape.productVersionId)}`, `ProductType = ${psUint32(shape.productType)}`, `LicenseCount = ${psUint32(shape.count)}`]),
        // Import*: the source's name and product ID, read from the input like everything typed.
        ...(shape.migration ? [`${psName(MIGRATION_ARGUMENTS.sourceName)} = [string]$I.src`, `${psName(MIGRATION_ARGUMENTS.sourceProductId)} = [string]$I.srcid`] : []),
    ];
    return `@{ ${args.join("; ")} }`;
}

/**
 * An Import* whose source could not be read (its product ID is empty) can only be a retry: reached
 * here, the journal did not know its key, so nothing was imported and nothing is called.
 */
function migrationGuard(shape: Extract<StepShape, { kind: "install" }>): string[] {
    if (!shape.migration) return [];
    return [
        "if ([string]$I.srcid -eq '') {",
        `    throw (New-RdlsError ${psInt(WbemCode.InvalidMethodParameters)} 'the source license server could not be read, so its product ID is unknown; nothing was imported')`,
        "}",
    ];
}

/**
 * ConvertLicenses, an instance method of the key pack converted: `Count` of its available licenses
 * into the key pack it returns as KeypackID, journaled under the request key like an install, so a
 * retry returns that pack instead of converting again. Only available licenses convert (the
 * Convert-License cmdlet's documentation), checked on the live pack first.
 */
function conversionLines(shape: Extract<StepShape, { kind: "install" }>, keyPackId: number): string[] {
    const method = psString(CONVERT_METHOD.method);
    return [
        "$lock = Enter-RdlsLock",
        "try {",
        "    $known = Find-RdlsJournal ([string]$I.key)",
        "    if ($null -ne $known) {",
        "        $pack = Get-RdlsPack $known",
        "        if ($null -ne $pack) {",
        `            Assert-RdlsInstalled $pack ${psString(shape.productVersion)} ${psInt(shape.productVersionId)} ${psInt(shape.productType)} $null`,
        "            return @{ p = (ConvertTo-RdlsPackRow $pack); r = 1 }",
        "        }",
        "    }",
        `    $source = Assert-RdlsPack ${psInt(keyPackId)}`,
        `    if ([uint32]$source.AvailableLicenses -lt ${psInt(shape.count)}) {`,
        `        throw (New-RdlsRefusal ${psString(LicensingErrorKind.Failed)} ('key pack ${keyPackId} has ' + $source.AvailableLicenses + ' available licenses (issued ones cannot be converted); ${shape.count} asked'))`,
        "    }",
        `    $result = Invoke-RdlsMethod ${method} { Invoke-CimMethod -InputObject $source -MethodName ${CONVERT_METHOD.method} -Arguments @{ ${psName(CONVERT_METHOD.countArgument)} = ${psUint32(shape.count)} } }`,
        `    Assert-RdlsReturn $result ${method}`,
        `    $id = [uint32]$result.${CONVERT_METHOD.keyPackIdOut}`,
        `    Save-RdlsJournal ([string]$I.key) $id ${psString(shape.program)}`,
        "    $pack = Assert-RdlsPack $id",
        `    Assert-RdlsInstalled $pack ${psString(shape.productVersion)} ${psInt(shape.productVersionId)} ${psInt(shape.productType)} ${psInt(shape.count)}`,
        "    @{ p = (ConvertTo-RdlsPackRow $pack) }",
        "} finally {",
        "    Exit-RdlsLock $lock",
        "}",
    ];
}

/** A follow-up script that prints part of a spooled body (see protocol.ts). */
export function renderSpoolReadScript(options: { nonce: string; spool: string; offset: number; length: number }): string {
    return `# Generated by rds-licensing. Prints part of a result that was too large for one output.
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$RdlsNonce = ${psHexId(options.nonce)}
${writeBlockFunction()}
function Read-RdlsSpool([string]$Id, [int]$Offset, [int]$Length) {
    $path = Join-Path (Join-Path (Join-Path $env:ProgramData ${psString(SERVER_HOME_DIR)}) ${psString(SPOOL_DIR)}) ($Id + '.txt')
    try {
        $text = [IO.File]::ReadAllText($path)
        $chunk = $text.Substring($Offset, [Math]::Min($Length, $text.Length - $Offset))
        if ($Offset + $chunk.Length -ge $text.Length) { Remove-Item -LiteralPath $path -Force }
        Write-RdlsBlock 'c' $chunk $text.Length $Id
    } catch {
        $reason = [regex]::Replace([string]$_.Exception.Message, '[^\\u0020-\\u007e]', '?')
        Write-RdlsBlock 'e' $reason 0 $Id
    }
}

Read-RdlsSpool -Id ${psHexId(options.spool)} -Offset ${psInt(options.offset)} -Length ${psInt(options.length)}
`;
}
