/**
 * How the provider reaches a license server. Part of every licensing resource's inputs (never
 * secret, never holding credentials: those come from the provider's environment at call time).
 * Strict objects: an unknown field (a password, a client secret) is refused, not carried into state.
 */
import * as path from "path";
import { z } from "zod";
import { normalizeFingerprint } from "../drivers/runners/ssh-host-key";

export const simulatorConnectionSchema = z.strictObject({
    kind: z.literal("simulator"),
    /** The simulator's store, relative to the Pulumi project folder (or absolute). */
    home: z.string().min(1),
});

/** An Azure VM, reached with managed Run Command; credentials: DefaultAzureCredential. */
export const azureConnectionSchema = z.strictObject({
    kind: z.literal("azure-run-command"),
    subscriptionId: z.string().min(1),
    resourceGroupName: z.string().min(1),
    vmName: z.string().min(1),
    /** ARM endpoint override: a sovereign cloud (tests point it at 127.0.0.1). */
    endpoint: z.url({ protocol: /^https$/ }).optional(),
});

/** Any Windows Server with OpenSSH; credentials: RDLS_SSH_* environment variables. */
export const sshConnectionSchema = z.strictObject({
    kind: z.literal("ssh"),
    host: z.string().min(1),
    /** @default 22 (applied by connectionKey and the driver, so inputs stay as written) */
    port: z.number().int().min(1).max(65535).optional(),
    username: z.string().min(1),
    /** The server's host key fingerprint, `SHA256:<base64>` as `ssh-keygen -lf <key>.pub` prints it. */
    hostKeySha256: z.string().refine(isFingerprint, "must be a SHA-256 host key fingerprint, SHA256:<43 base64 characters>, as ssh-keygen -l prints it"),
});

export const connectionSchema = z.discriminatedUnion("kind", [simulatorConnectionSchema, azureConnectionSchema, sshConnectionSchema]);
export type Connection = z.output<typeof connectionSchema>;

function isFingerprint(pin: string): boolean {
    try {
        normalizeFingerprint(pin);
        return true;
    } catch {
        return false;
    }
}

const PUBLIC_ARM = "https://management.azure.com";

/**
 * Identity of the machine a connection reaches. A resource whose key changes is replaced; settings
 * that only change how the same machine is reached (SSH user, host key pin) are not part of it.
 */
export function connectionKey(connection: Connection): string {
    switch (connection.kind) {
        case "simulator":
            return `simulator:${path.resolve(connection.home)}`;
        case "azure-run-command": {
            // ARM resource ids are case-insensitive; another cloud (endpoint) is another machine.
            const endpoint = (connection.endpoint ?? PUBLIC_ARM).replace(/\/+$/, "").toLowerCase();
            const id = `/subscriptions/${connection.subscriptionId}/resourceGroups/${connection.resourceGroupName}/virtualMachines/${connection.vmName}`.toLowerCase();
            return `azure:${endpoint === PUBLIC_ARM ? "" : endpoint}${id}`;
        }
        case "ssh":
            return `ssh:${connection.host.toLowerCase()}:${connection.port ?? 22}`;
    }
}

/**
 * Identity of an executor: the machine plus every setting of how it is reached. Resources reaching
 * one machine with other settings (e.g. state still holding an old host key pin) get their own
 * executor with those settings; the scripts' journal lock keeps their executions safe to overlap.
 */
export function executorKey(connection: Connection): string {
    if (connection.kind !== "ssh") return connectionKey(connection);
    return `${connectionKey(connection)}#${connection.username}#${normalizeFingerprint(connection.hostKeySha256)}`;
}
