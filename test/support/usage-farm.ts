/**
 * The simulated farm the usage tests (reports, revocation) start from: one activated license server
 * ls1 with Enterprise Agreement packs installed through its executor, and two session hosts of 2022
 * pointing at it, SH1 per user and SH2 per device. Connections are each test's own.
 */
import { createSimulatorExecutor } from "../../src/drivers/simulator";
import { createSimulatorUsageExecutor } from "../../src/drivers/simulator-usage";
import type { ProductVersion } from "../../src/licensing/codes";
import { licenseUsage } from "../../src/licensing/usage-server";
import { openSimulator } from "../../src/simulator";
import { Store } from "../../src/simulator/store";
import { CONTACT, agreement, tempHome } from "../simulator/helpers/sim";

/** What differs from one usage test to another: what ls1 runs and which packs it holds. */
export interface UsageFarmOptions {
    /** Windows Server version of ls1. @example "2025" */
    serverVersion: ProductVersion;
    /**
     * Packs installed on ls1, in this order (key pack ids follow it). Two packs of one agreement need
     * different numbers: the request key is the overrides' JSON.
     * @example [{ licenseType: "per-user", count: 2 }, { licenseType: "per-device", count: 5, agreementNumber: "1234567" }]
     */
    packs: readonly Parameters<typeof agreement>[0][];
}

export async function usageFarm(options: UsageFarmOptions) {
    const home = tempHome();
    const sim = openSimulator({ home });
    const exec = createSimulatorExecutor({ home });
    await sim.createServer({ name: "ls1", windowsServerVersion: options.serverVersion });
    await sim.activate(CONTACT, { server: "ls1" });
    /** Install one more pack on ls1; its key pack id. */
    const install = async (over: Parameters<typeof agreement>[0]) => {
        const [r] = await exec.execute("ls1", [{ op: "install", spec: agreement(over), requestKey: JSON.stringify(over) }]);
        if (!r?.ok) throw new Error(JSON.stringify(r));
        return (r.value as { keyPackId: number }).keyPackId;
    };
    const keyPackIds: number[] = [];
    for (const over of options.packs) keyPackIds.push(await install(over));
    for (const [host, mode] of [["SH1", "PerUser"], ["SH2", "PerDevice"]] as const) {
        await sim.createHost({ name: host, windowsServerVersion: "2022" });
        await sim.setMode(host, mode);
        await sim.setLicenseServers(host, ["ls1"]);
    }
    const usage = licenseUsage("ls1", createSimulatorUsageExecutor({ home }));
    const readServer = async () => (await new Store(home).readServer("ls1"))!;
    return { home, sim, install, keyPackIds, usage, readServer };
}
