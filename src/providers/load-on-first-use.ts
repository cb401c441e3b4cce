/**
 * Executors whose driver loads at their first execution: a simulator run never loads the Azure or
 * SSH driver (nor their SDKs), and a failed load is tried again at the next execution. One helper
 * for the license servers' (./registry.ts), the farm's (./farm-registry.ts) and the usage reports'
 * (src/cli/report-servers.ts) executors, which all have one `execute` method.
 */
interface Executes<A extends unknown[], R> {
    execute(...args: A): Promise<R>;
}

export function loadOnFirstUse<A extends unknown[], R>(create: () => Promise<Executes<A, R>>): Executes<A, R> {
    let loading: Promise<Executes<A, R>> | undefined;
    return {
        async execute(...args: A) {
            loading ??= create().catch((error: unknown) => {
                loading = undefined;
                throw error;
            });
            return (await loading).execute(...args);
        },
    };
}
