/**
 * ScriptRunner over SSH (Windows OpenSSH server), with the host key pinned by fingerprint.
 * The command line is a constant PowerShell bootstrap; script and secrets travel on stdin.
 */
import { createRequire } from "node:module";
import type { Client, ClientChannel, ConnectConfig } from "ssh2";
import { LicensingError, LicensingErrorKind } from "../../licensing";
import { decodeOutput } from "./decode";
import { bootstrapCommand, bootstrapStdin } from "./ssh-bootstrap";
import type { SshCredentials } from "./ssh-credentials";
import { hostKeyFingerprint, normalizeFingerprint } from "./ssh-host-key";
import type { RunOptions, RunOutput, ScriptRunner } from "./script-runner";

export interface SshRunnerOptions {
    host: string;
    /** @default 22 */
    port?: number;
    /** An administrator of the license server (the WMI licensing methods require it). */
    username: string;
    /**
     * The server's host key fingerprint(s), `SHA256:<base64>` as `ssh-keygen -lf <key>.pub` prints
     * them. Required unless `trustOnFirstUse` is set: a connection to any other key is refused.
     */
    hostKeySha256?: string | readonly string[];
    /**
     * Accept whatever host key the server presents (reported through `onHostKey`, so it can be
     * pinned). Opt-in only: it gives up protection against a man in the middle. @default false
     */
    trustOnFirstUse?: boolean;
    /** Told the fingerprint of the host key of each connection. */
    onHostKey?: (fingerprint: string) => void;
    /** Called for each execution; see sshCredentialsFromEnv for the environment variables. */
    credentials: () => SshCredentials | Promise<SshCredentials>;
    /** TCP connect, key exchange and authentication. @default 20_000 */
    connectTimeoutMs?: number;
    /** @default "powershell.exe" (Windows PowerShell 5.1, present on every Windows Server) */
    powershell?: string;
}

export class SshRunner implements ScriptRunner {
    readonly transport = "ssh";
    private readonly pins: string[];

    constructor(private readonly options: SshRunnerOptions) {
        const pins = options.hostKeySha256 === undefined ? [] : typeof options.hostKeySha256 === "string" ? [options.hostKeySha256] : [...options.hostKeySha256];
        this.pins = pins.map(normalizeFingerprint);
        if (this.pins.length === 0 && !options.trustOnFirstUse) {
            throw new TypeError("SshRunner: hostKeySha256 is required (or set trustOnFirstUse: true to accept an unknown host key explicitly)");
        }
        if (!options.host || !options.username) throw new TypeError("SshRunner: host and username are required");
    }

    private get target(): string {
        return `${this.options.username}@${this.options.host}:${this.options.port ?? 22}`;
    }

    async run(script: string, secretParameters: Readonly<Record<string, string>>, options: RunOptions): Promise<RunOutput> {
        const stdin = bootstrapStdin(script, secretParameters);
        let credentials: SshCredentials;
        try {
            credentials = await this.options.credentials();
        } catch (error) {
            throw this.error(LicensingErrorKind.Failed, `no SSH credentials: ${(error as Error).message}`);
        }
        const { Client: SshClient } = createRequire(__filename)("ssh2") as typeof import("ssh2");
        return new Promise<RunOutput>((resolve, reject) => {
            const connection: Client = new SshClient();
            let presented: string | undefined;
            let refusedKey = false;
            let settled = false;
            let timer: NodeJS.Timeout | undefined;
            const finish = (outcome: { output: RunOutput } | { error: LicensingError }) => {
                if (settled) return;
                settled = true;
                if (timer) clearTimeout(timer);
                connection.end();
                if ("output" in outcome) resolve(outcome.output);
                else reject(outcome.error);
            };

            connection.on("ready", () => {
                timer = setTimeout(() => {
                    finish({
                        error: this.error(
                            LicensingErrorKind.Transient,
                            `the command did not finish within ${Math.ceil(options.timeoutMs / 1000)} s; the connection was closed and the script may still be running`,
                        ),
                    });
                }, options.timeoutMs);
                connection.exec(bootstrapCommand(this.options.powershell), (error, channel) => {
                    if (error) return finish({ error: this.error(LicensingErrorKind.Transient, `the server refused to start the command: ${error.message}`) });
                    this.collect(channel, stdin, (output) => finish({ output }));
                });
            });
            connection.on("error", (error: Error & { level?: string; code?: string }) => {
                finish({ error: this.connectionError(error, refusedKey, presented) });
            });
            connection.on("close", () => {
                finish({ error: this.error(LicensingErrorKind.Transient, "the connection closed before the command finished") });
            });

            const config: ConnectConfig = {
                host: this.options.host,
                port: this.options.port ?? 22,
                username: this.options.username,
                readyTimeout: this.options.connectTimeoutMs ?? 20_000,
                keepaliveInterval: 15_000,
                hostVerifier: (key: Buffer) => {
                    presented = hostKeyFingerprint(key);
                    this.options.onHostKey?.(presented);
                    refusedKey = this.pins.length > 0 ? !this.pins.includes(presented) : !this.options.trustOnFirstUse;
                    return !refusedKey;
                },
                ...(credentials.privateKey !== undefined
                    ? { privateKey: credentials.privateKey, passphrase: credentials.passphrase }
                    : { password: credentials.password }),
            };
            try {
                connection.connect(config);
            } catch (error) {
                // ssh2 parses the private key synchronously; its message never includes the key.
                finish({ error: this.error(LicensingErrorKind.Failed, `the SSH private key cannot be used: ${(error as Error).message}`) });
            }
        });
    }

    private collect(channel: ClientChannel, stdin: string, done: (output: RunOutput) => void): void {
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        channel.on("data", (chunk: Buffer) => stdout.push(chunk));
        channel.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
        channel.on("close", (code: number | null | undefined) => {
            done({ stdout: decodeOutput(Buffer.concat(stdout)), stderr: decodeOutput(Buffer.concat(stderr)), exitCode: typeof code === "number" ? code : -1 });
        });
        channel.end(stdin);
    }

    private connectionError(error: Error & { level?: string; code?: string }, refusedKey: boolean, presented: string | undefined): LicensingError {
        if (refusedKey) {
            return this.error(
                LicensingErrorKind.Failed,
                `host key mismatch: the server presented ${presented}, pinned ${this.pins.join(" or ")}. Refusing to connect ` +
                    "(a man in the middle, or a rebuilt server: then verify the new key and update hostKeySha256)",
            );
        }
        if (error.level === "client-authentication") {
            return this.error(LicensingErrorKind.Failed, "authentication failed: the server refused the key or password for this user");
        }
        if (error.level === "client-timeout") {
            return this.error(LicensingErrorKind.Transient, `no SSH handshake within ${Math.ceil((this.options.connectTimeoutMs ?? 20_000) / 1000)} s`);
        }
        if (error.code && ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "EPIPE"].includes(error.code)) {
            return this.error(LicensingErrorKind.Transient, `cannot connect (${error.code})`);
        }
        return this.error(LicensingErrorKind.Failed, error.message);
    }

    private error(kind: LicensingErrorKind, message: string): LicensingError {
        return new LicensingError({ kind, message: `SSH ${this.target}: ${message}` });
    }
}
