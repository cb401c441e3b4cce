/**
 * The one way the Azure drivers build their ARM client (the Run Command runner and the VM agent
 * wait share it): @azure/arm-compute and @azure/identity load on first use, so importing a driver
 * stays cheap, and the client is created once per driver object.
 */
import { createRequire } from "node:module";
import type { TokenCredential } from "@azure/core-auth";
import type { ComputeManagementClient } from "@azure/arm-compute";

export interface AzureComputeClientOptions {
    subscriptionId: string;
    /**
     * Credential for Azure Resource Manager. @default DefaultAzureCredential (environment,
     * workload identity in pipelines, managed identity, Azure CLI), created when first needed
     */
    credential?: TokenCredential;
    /** ARM endpoint. @default https://management.azure.com */
    endpoint?: string;
    /** Retries of the SDK itself (429 with Retry-After, 5xx, network). @default 3 */
    maxRetries?: number;
}

/** A function that returns the same client on every call, building it at the first one. */
export function computeClientFactory(options: AzureComputeClientOptions): () => Promise<ComputeManagementClient> {
    let client: Promise<ComputeManagementClient> | undefined;
    return () => {
        client ??= (async () => {
            // require (not import()) keeps the CommonJS build's types and works under test runners too.
            const load = createRequire(__filename);
            const { ComputeManagementClient } = load("@azure/arm-compute") as typeof import("@azure/arm-compute");
            const credential = options.credential ?? new (load("@azure/identity") as typeof import("@azure/identity")).DefaultAzureCredential();
            return new ComputeManagementClient(credential, options.subscriptionId, {
                endpoint: options.endpoint,
                retryOptions: { maxRetries: options.maxRetries ?? 3 },
            });
        })();
        return client;
    };
}

/** A sleep that an abort signal cuts short (rejecting with the signal's reason). */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const timer = setTimeout(resolve, ms);
        signal?.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason)), { once: true });
    });
}
