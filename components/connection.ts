/**
 * How the licensing resources reach a license server: the `connection` input of CalKeyPack,
 * LicenseServerActivation and RdsLicensing. Never a credential: those come from the provider's
 * environment when it runs (DefaultAzureCredential, RDLS_SSH_* variables). Written by hand for the
 * public API; test/components/connection-types.test.ts proves it matches the provider's schema.
 */

/** A server in rdls-sim, the simulator (the embedded default). */
export interface SimulatorConnection {
    kind: "simulator";
    /**
     * The simulator's store, relative to the Pulumi project folder (or absolute).
     * @example ".rdls-sim"
     */
    home: string;
}

/** An Azure VM, reached with managed Run Command (credentials: DefaultAzureCredential). */
export interface AzureRunCommandConnection {
    kind: "azure-run-command";
    subscriptionId: string;
    resourceGroupName: string;
    vmName: string;
    /**
     * ARM endpoint of another cloud (sovereign clouds; tests point it at 127.0.0.1). `https` only.
     * @default "https://management.azure.com"
     */
    endpoint?: string;
}

/** Any Windows Server with OpenSSH (credentials: RDLS_SSH_* environment variables). */
export interface SshConnection {
    kind: "ssh";
    host: string;
    /** @default 22 */
    port?: number;
    username: string;
    /**
     * The server's host key fingerprint as `ssh-keygen -lf <key>.pub` prints it.
     * @example "SHA256:Zm9yIGV4YW1wbGUgb25seSwgbm90IGEgcmVhbCBrZXkga2V5"
     */
    hostKeySha256: string;
}

/** One of the ways to reach a license server. */
export type Connection = SimulatorConnection | AzureRunCommandConnection | SshConnection;
