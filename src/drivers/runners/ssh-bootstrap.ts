/**
 * What goes over SSH. The command line is a fixed bootstrap (`powershell.exe -EncodedCommand`);
 * the script and the secret parameters follow on stdin, so argv, which other local users and
 * process listings can see, never holds anything but the bootstrap.
 *
 * stdin: line 1 = base64(JSON of the parameters), line 2 = base64(UTF-8 script text).
 */
import { assertParameterName } from "./script-runner";

export const POWERSHELL_BOOTSTRAP = `$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$rdlsStdin = [Console]::In
$rdlsParameterLine = $rdlsStdin.ReadLine()
$rdlsScriptLine = $rdlsStdin.ReadLine()
$rdlsArguments = @{}
$rdlsParameters = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($rdlsParameterLine)) | ConvertFrom-Json
if ($null -ne $rdlsParameters) {
    foreach ($property in $rdlsParameters.PSObject.Properties) { $rdlsArguments[$property.Name] = [string]$property.Value }
}
$rdlsScript = [ScriptBlock]::Create([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($rdlsScriptLine)))
& $rdlsScript @rdlsArguments
`;

/** `-EncodedCommand` takes base64 of UTF-16LE text. */
export function encodePowerShellCommand(script: string): string {
    return Buffer.from(script, "utf16le").toString("base64");
}

export function bootstrapCommand(executable = "powershell.exe"): string {
    if (!/^[A-Za-z0-9_.:\\/ -]+$/.test(executable)) throw new TypeError("invalid PowerShell executable path");
    const quoted = executable.includes(" ") ? `"${executable}"` : executable;
    return `${quoted} -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ${encodePowerShellCommand(POWERSHELL_BOOTSTRAP)}`;
}

export function bootstrapStdin(script: string, parameters: Readonly<Record<string, string>>): string {
    Object.keys(parameters).forEach(assertParameterName);
    const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
    return `${b64(JSON.stringify(parameters))}\n${b64(script)}\n`;
}
