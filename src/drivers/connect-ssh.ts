/**
 * The executor for a license server reached over SSH (Windows OpenSSH). The provider registry
 * loads this module only for an `ssh` connection, so a simulator run never loads it (and ssh2
 * itself loads only when the first script runs).
 */
import { PowerShellExecutor } from "./powershell";
import { SshRunner } from "./runners/ssh";
import { sshCredentialsFromEnv } from "./runners/ssh-credentials";
import { productVersionIdsFromEnv } from "./connect-env";

export interface SshConnectOptions {
    host: string;
    /** @default 22 */
    port?: number;
    /** An administrator of the license server. */
    username: string;
    /** The pinned host key fingerprint, `SHA256:<base64>` as `ssh-keygen -l` prints it. */
    hostKeySha256: string;
}

/**
 * The SSH runner of the machine `options` names. Credentials are read from `env` at each execution
 * (RDLS_SSH_PRIVATE_KEY[_FILE], RDLS_SSH_PASSPHRASE, RDLS_SSH_PASSWORD: see sshCredentialsFromEnv),
 * so nothing secret is kept or serialized.
 */
export function sshRunner(options: SshConnectOptions, env: NodeJS.ProcessEnv = process.env): SshRunner {
    return new SshRunner({
        host: options.host,
        port: options.port ?? 22,
        username: options.username,
        hostKeySha256: options.hostKeySha256,
        credentials: () => sshCredentialsFromEnv(env),
    });
}

/** The executor of a license server over SSH; the RDS_LICENSING_VERSION_ID_2025 override is read once, here. */
export function createSshExecutor(options: SshConnectOptions, env: NodeJS.ProcessEnv = process.env): PowerShellExecutor {
    return new PowerShellExecutor({ runner: sshRunner(options, env), productVersionIds: productVersionIdsFromEnv(env) });
}
