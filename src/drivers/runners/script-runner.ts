/**
 * A ScriptRunner runs one PowerShell script on one Windows server and hands back what it printed.
 * It knows nothing about licensing: the PowerShell driver renders the script and reads the output.
 */

/** Options of one execution. */
export interface RunOptions {
    /** How long the script may run before the transport gives up (and, where it can, stops it). */
    timeoutMs: number;
}

/** What one execution printed. Output may be cut (Run Command keeps only its last 4,096 bytes). */
export interface RunOutput {
    stdout: string;
    stderr: string;
    /** The script's exit code, or -1 when the transport could not tell. */
    exitCode: number;
}

export interface ScriptRunner {
    /** Short transport name for messages, e.g. "azure-run-command" or "ssh". */
    readonly transport: string;
    /**
     * Run `script` once. `secretParameters` become named script parameters (`param([string]$Name)`)
     * and travel out of band: Azure protected parameters, SSH stdin. They never appear in the
     * script text, a command line, a log or an error message.
     *
     * Rejects with a LicensingError: kind `transient` when the same call may succeed later (network,
     * agent busy, throttled: `retryAfterMs` set when the service said how long to wait), `failed`
     * otherwise (bad credentials, host key mismatch, VM not running, ...).
     */
    run(script: string, secretParameters: Readonly<Record<string, string>>, options: RunOptions): Promise<RunOutput>;
}

/** Parameter names are PowerShell identifiers: checked so a name can never inject code. */
export function assertParameterName(name: string): void {
    if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(name)) {
        throw new TypeError(`invalid script parameter name ${JSON.stringify(name)}`);
    }
}
