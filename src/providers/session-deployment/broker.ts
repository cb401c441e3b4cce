/**
 * Running the deployment scripts on a broker: the runner of its connection (as the domain identity,
 * on Azure), one execution at a time per broker from this provider process, and retries of a
 * transient failure (nothing ran, or the scripts are safe to run again: each step finds what exists).
 */
import { LicensingError, LicensingErrorKind } from "../../licensing";
import type { ScriptRunner } from "../../drivers/runners/script-runner";
import { backoffDelay, retryPolicyFromEnv } from "../../scheduling/retry";
import { executorKey, type Connection } from "../connection";
import { progress } from "../progress";
import { toAzureRunAs, type RunAs } from "../run-as";

/** Drivers load on first use (see ../registry.ts): the Azure SDK or ssh2 only for their connections. */
export async function brokerRunner(connection: Connection, runAs: RunAs | undefined): Promise<ScriptRunner> {
    switch (connection.kind) {
        case "azure-run-command": {
            const { azureRunner } = await import("../../drivers/connect-azure.js");
            const onCleanupError = (error: Error) => progress(`${connection.vmName}: a finished run command could not be deleted (it holds no secret): ${error.message}`);
            return azureRunner({ ...connection, onCleanupError, runAs: toAzureRunAs(runAs) });
        }
        case "ssh": {
            const { sshRunner } = await import("../../drivers/connect-ssh.js");
            return sshRunner(connection);
        }
        case "simulator":
            // `check` refuses it; a state written by hand could still hold one.
            throw new LicensingError({ kind: LicensingErrorKind.Failed, message: "a simulator connection cannot build an RDS deployment: use SimulatedDeployment on the simulator" });
    }
}

const queues = new Map<string, Promise<unknown>>();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `work` once the broker's earlier executions from this process are done, retried while transient. */
export function onBroker<T>(connection: Connection, broker: string, work: () => Promise<T>): Promise<T> {
    const key = `${executorKey(connection)}#${broker.toLowerCase()}`;
    const policy = retryPolicyFromEnv();
    const attempt = async (): Promise<T> => {
        for (let n = 1; ; n++) {
            try {
                return await work();
            } catch (err) {
                if (!(err instanceof LicensingError) || !err.transient || n >= policy.attempts) throw err;
                const delay = backoffDelay(policy, n);
                progress(`${broker}: deployment execution failed (${err.kind}); retry ${n} in ${Math.round(delay / 100) / 10} s`);
                await sleep(delay);
            }
        }
    };
    const run = (queues.get(key) ?? Promise.resolve()).then(attempt, attempt);
    const tail = run.catch(() => undefined);
    queues.set(key, tail);
    void tail.then(() => {
        if (queues.get(key) === tail) queues.delete(key);
    });
    return run;
}
