import { describe, expect, it } from "vitest";
import { mapAzureError, parseRetryAfter } from "../../src/drivers/runners";
import { LicensingError } from "../../src/licensing";

const target = { subscriptionId: "sub", resourceGroupName: "rg", vmName: "vm1" };
const headers = (h: Record<string, string>) => ({ get: (n: string) => h[n.toLowerCase()] });

describe("mapAzureError", () => {
    it.each([
        [{ name: "AbortError", message: "The operation was aborted." }, "transient", /did not finish in time/],
        [{ name: "TimeoutError", message: "The operation timed out." }, "transient", /did not finish in time/],
        [{ name: "CredentialUnavailableError", message: "EnvironmentCredential is unavailable" }, "failed", /no Azure credential.*workload identity/],
        [{ name: "RestError", code: "ECONNRESET", message: "socket hang up" }, "transient", /could not be reached \(ECONNRESET\)/],
        [{ name: "RestError", statusCode: 503, code: "ServiceUnavailable", message: "try later" }, "transient", /HTTP 503/],
        [{ name: "RestError", statusCode: 401, code: "InvalidAuthenticationToken", message: "expired" }, "failed", /credential \(HTTP 401\)/],
        [{ name: "Error", message: "The long-running operation has failed. VMAgentStatusCommunicationError. no status" }, "transient", /agent is not ready/],
        [{ name: "Error", message: "The long-running operation has failed. InternalExecutionError. script could not be downloaded" }, "failed", /failed to deploy/],
        [{ name: "RestError", statusCode: 409, code: "OperationNotAllowed", message: "Cannot modify extensions in the VM when the VM is not running." }, "failed", /not running.*start it/],
    ])("%o → %s", (error, kind, message) => {
        const mapped = mapAzureError(error, target);
        expect(mapped).toBeInstanceOf(LicensingError);
        expect(mapped.kind).toBe(kind);
        expect(mapped.message).toMatch(message);
        expect(mapped.message).toContain("VM vm1 (resource group rg)");
    });

    it("carries Retry-After in seconds or as an HTTP date", () => {
        const throttled = mapAzureError({ statusCode: 429, code: "TooManyRequests", message: "slow down", response: { headers: headers({ "retry-after": "17" }) } }, target);
        expect(throttled).toMatchObject({ kind: "transient", retryAfterMs: 17_000 });
        expect(parseRetryAfter(new Date(Date.UTC(2030, 0, 1, 0, 0, 30)).toUTCString(), Date.UTC(2030, 0, 1))).toBe(30_000);
        expect(parseRetryAfter("soon")).toBeUndefined();
    });

    it("keeps LicensingErrors as they are", () => {
        const original = new LicensingError({ kind: "transient", message: "x" });
        expect(mapAzureError(original, target)).toBe(original);
    });
});
