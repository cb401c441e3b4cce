/**
 * The domain identity a managed Run Command runs as (`runAsUser` / `runAsPassword`), for the
 * resources whose scripts need one (the RemoteDesktop cmdlets refuse SYSTEM). A separate secret
 * input of those resources, never part of `connection`: a connection holds no credential and is
 * stored in clear in state; this input is a secret (the component marks it so), and the password
 * only ever travels in the Run Command request's `runAsPassword` field, never in a script's text,
 * parameters, output, error messages or logs.
 */
import { z } from "zod";
import type { RunAsIdentity } from "../drivers/runners/azure-run-command";

/** `DOMAIN\user`, `user@domain.fqdn` or a local `user`: what Run Command's runAsUser accepts. */
const USER_PATTERN = /^(?:[^\\/@\s]+\\[^\\/@\s]+|[^\\/@\s]+@[^\\/@\s]+\.[^\\/@\s]+|[^\\/@\s]+)$/;

/**
 * Strict: an unknown field is refused rather than carried into state. Messages never echo the
 * value (zod's own messages for `min` and `regex` do not either).
 */
export const runAsSchema = z.strictObject({
    /**
     * The account the script runs as.
     * @example "CORP\\svc-rds"
     */
    user: z.string().min(1, "runAs.user is empty: give the account as DOMAIN\\user or user@domain.fqdn").regex(USER_PATTERN, {
        message: "runAs.user must be DOMAIN\\user, user@domain.fqdn or a local user name, without spaces",
    }),
    /** Its password; a secret. */
    password: z.string().min(1, "runAs.password is empty: give the account's password (a Pulumi secret)"),
});

/** The identity as the provider parses it. */
export type RunAs = z.output<typeof runAsSchema>;

/** What `AzureConnectOptions.runAs` takes (src/drivers/connect-azure.ts). */
export type AzureRunAs = RunAsIdentity;

/**
 * `AzureConnectOptions.runAs` from a resource's `runAs` input: validated (throws a ZodError naming
 * the field, never its value) and copied, so nothing else of the input rides along.
 * `undefined` stays `undefined`: the script runs as SYSTEM.
 */
export function toAzureRunAs(runAs: unknown): AzureRunAs | undefined {
    if (runAs === undefined || runAs === null) return undefined;
    const parsed = runAsSchema.parse(runAs);
    return { user: parsed.user, password: parsed.password };
}
