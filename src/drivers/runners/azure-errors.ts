/**
 * Map what the Azure SDK throws to LicensingErrors with messages that say what to do. Transient
 * kinds are the ones worth retrying unchanged: throttling, conflicts with another execution, an
 * agent that is not ready yet, network and 5xx failures.
 */
import { LicensingError, LicensingErrorKind } from "../../licensing";

export interface AzureTarget {
    subscriptionId: string;
    resourceGroupName: string;
    vmName: string;
}

interface RestErrorLike {
    name?: string;
    message?: string;
    code?: string;
    statusCode?: number;
    response?: { headers?: { get?(name: string): string | undefined } };
}

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EPIPE", "REQUEST_SEND_ERROR"]);

/** Retry-After in seconds or as an HTTP date, in milliseconds. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
    if (!value) return undefined;
    const seconds = Number(value.trim());
    if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
    const date = Date.parse(value);
    return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function mapAzureError(error: unknown, target: AzureTarget): LicensingError {
    if (error instanceof LicensingError) return error;
    const e = (typeof error === "object" && error !== null ? error : { message: String(error) }) as RestErrorLike;
    const where = `Azure Run Command on VM ${target.vmName} (resource group ${target.resourceGroupName})`;
    const text = `${e.code ?? ""} ${e.message ?? ""}`;
    const detail = (e.message ?? "").split("\n")[0]!.slice(0, 300);
    const retryAfterMs = parseRetryAfter(e.response?.headers?.get?.("retry-after"));
    const transient = (message: string) => new LicensingError({ kind: LicensingErrorKind.Transient, message: `${where}: ${message}`, retryAfterMs });
    const failed = (message: string) => new LicensingError({ kind: LicensingErrorKind.Failed, message: `${where}: ${message}` });

    // AbortSignal.timeout() rejects with a TimeoutError; the SDK's own aborts are AbortErrors.
    if (e.name === "AbortError" || e.name === "TimeoutError") return transient("the execution did not finish in time; it was abandoned and may still be running on the VM");
    if (e.name === "CredentialUnavailableError" || e.name === "AuthenticationRequiredError" || e.name === "AuthenticationError") {
        return failed(`no Azure credential could be obtained (${e.name}): configure workload identity, a managed identity, environment credentials or az login. ${detail}`);
    }
    if (/VMAgent|GuestAgent|agent (is )?not ready|agent status/i.test(text)) {
        return transient(`the VM agent is not ready (${detail}); retry once the VM has finished starting`);
    }
    if (/deallocat|not running|PowerState\/stopped|VM is stopped|OperationNotAllowed.*(stopped|start)/i.test(text)) {
        return failed(`the VM is not running (deallocated or stopped): start it and retry. ${detail}`);
    }
    switch (e.statusCode) {
        case 429:
            return transient(`Azure throttled the request (HTTP 429)${retryAfterMs !== undefined ? `; retry after ${Math.ceil(retryAfterMs / 1000)} s` : ""}`);
        case 409:
            return transient(`another operation on the VM conflicts with this one (HTTP 409 ${e.code ?? "Conflict"}): ${detail}`);
        case 401:
            return failed(`Azure rejected the credential (HTTP 401): ${detail}`);
        case 403:
            return failed(
                `the identity may not run commands on this VM (HTTP 403 ${e.code ?? ""}): grant it Virtual Machine Contributor, or a role with ` +
                    "Microsoft.Compute/virtualMachines/read and Microsoft.Compute/virtualMachines/runCommands/{write,read,delete}",
            );
        case 404:
            return failed(`the VM was not found in subscription ${target.subscriptionId} (HTTP 404 ${e.code ?? ""}): ${detail}`);
    }
    if (e.statusCode !== undefined && e.statusCode >= 500) return transient(`Azure answered HTTP ${e.statusCode}: ${detail}`);
    if (e.statusCode === undefined && e.code && NETWORK_CODES.has(e.code)) return transient(`Azure could not be reached (${e.code}): ${detail}`);
    if (/long-running operation has failed/i.test(text)) return failed(`the run command failed to deploy: ${detail}`);
    return failed(detail || "unknown error");
}
