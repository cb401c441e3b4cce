/**
 * Running the deployment scripts on a broker: the runner of its connection (as the domain identity,
 * on Azure), one execution at a time per broker from this provider process (the same queue as the
 * farm's licensing resources, ../farm-registry.ts), and retries of a transient failure (nothing
 * ran, or the scripts are safe to run again: each step finds what exists).
 */
import { LicensingError, LicensingErrorKind } from "../../licensing";
import type { ScriptRunner } from "../../drivers/runners/script-runner";
import type { Connection } from "../connection";
import { onTarget } from "../farm-registry";
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

/** `work` once the broker's earlier executions from this process are done, retried while transient. */
export function onBroker<T>(connection: Connection, broker: string, work: () => Promise<T>): Promise<T> {
    return onTarget(connection, broker, "deployment execution", work);
}
