/**
 * SSH credentials are obtained per execution (from a callback or the environment) and dropped after
 * it: nothing secret is held in module state or in the runner's options object.
 */
import { readFileSync } from "node:fs";

export type SshCredentials =
    | { privateKey: string | Buffer; passphrase?: string; password?: undefined }
    | { password: string; privateKey?: undefined; passphrase?: undefined };

/** Environment variables read by {@link sshCredentialsFromEnv}. */
export const SSH_ENV = {
    privateKey: "RDLS_SSH_PRIVATE_KEY",
    privateKeyFile: "RDLS_SSH_PRIVATE_KEY_FILE",
    passphrase: "RDLS_SSH_PASSPHRASE",
    password: "RDLS_SSH_PASSWORD",
} as const;

/**
 * Credentials from the environment: a private key (PEM/OpenSSH text, or a file) with an optional
 * passphrase, else a password. Throws, naming the variables, when none is set.
 */
export function sshCredentialsFromEnv(env: NodeJS.ProcessEnv = process.env): SshCredentials {
    const key = env[SSH_ENV.privateKey] || (env[SSH_ENV.privateKeyFile] ? readFileSync(env[SSH_ENV.privateKeyFile]!, "utf8") : undefined);
    if (key) return { privateKey: key, passphrase: env[SSH_ENV.passphrase] || undefined };
    if (env[SSH_ENV.password]) return { password: env[SSH_ENV.password]! };
    throw new TypeError(`no SSH credentials: set ${SSH_ENV.privateKey}, ${SSH_ENV.privateKeyFile} or ${SSH_ENV.password}`);
}
