/**
 * The bench's execution counter (bench/executions.ts) on a simulator store, without the engine: per
 * machine, a license server's executions and a farm's Connection Broker's, also when the broker's
 * deployment (and with it its log) is deleted during the counted operation, as `destroy` does.
 * And the farm scenario of the command line.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterEach, describe, expect, it } from "vitest";
import { ExecutionCounter } from "../../bench/executions";
import { QUICK_SCENARIOS, parseArgs } from "../../bench/options";
import { openSimulator } from "../../src/simulator";
import { DeploymentProvisioner } from "../../src/simulator/admin-deployments";
import { executeOnSimulator } from "../../src/simulator/execution";
import { executeFarm } from "../../src/simulator/farm-execution";

const SERVER = "BENCH1";
const BROKER = "BENCH-RDCB1";
const OWNER = "bench/test/farm";
const noLatency = { env: {} };

const dirs: string[] = [];
afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A store with the server and a deployment of two hosts; the counter's links beside it (same filesystem). */
async function farmStore() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rdls-bench-count-"));
    dirs.push(dir);
    const home = path.join(dir, ".rdls-sim");
    await openSimulator({ home }).createServer({ name: SERVER, windowsServerVersion: "2022" });
    const deployments = new DeploymentProvisioner(home);
    await deployments.provision({
        broker: BROKER,
        owner: OWNER,
        sessionHosts: [
            { name: "BENCH-RDSH1", windowsServerVersion: "2019" },
            { name: "BENCH-RDSH2", windowsServerVersion: "2022" },
        ],
    });
    return { home, deployments, counter: new ExecutionCounter(home, [SERVER], path.join(dir, ".log-links"), [BROKER]) };
}

describe("the bench's execution counter", () => {
    it("counts a license server's and a broker's executions apart, and the operations they carried", async () => {
        const { home, counter } = await farmStore();
        const none = await counter.before();
        expect(await counter.after(none)).toEqual({ executions: 0, operations: 0, perServer: { [SERVER]: 0, [BROKER]: 0 } });

        const before = await counter.before();
        await executeOnSimulator(home, SERVER, [{ op: "status" }], noLatency);
        await executeFarm(home, BROKER, [{ op: "get-deployment-licensing" }, { op: "read-host-licensing" }], noLatency);
        await executeFarm(home, BROKER, [{ op: "get-deployment-licensing" }], noLatency);
        expect(await counter.after(before)).toEqual({ executions: 3, operations: 4, perServer: { [SERVER]: 1, [BROKER]: 2 } });

        // Only what came after `before`.
        const again = await counter.before();
        await executeFarm(home, BROKER, [{ op: "get-deployment-licensing" }], noLatency);
        expect(await counter.after(again)).toMatchObject({ executions: 1, perServer: { [SERVER]: 0, [BROKER]: 1 } });
    });

    it("still counts the executions of a deployment deleted during the operation (its log is gone)", async () => {
        const { home, deployments, counter } = await farmStore();
        await executeFarm(home, BROKER, [{ op: "get-deployment-licensing" }], noLatency);
        const before = await counter.before();
        await executeFarm(home, BROKER, [{ op: "set-deployment-licensing", mode: "PerUser", licenseServers: [SERVER] }], noLatency);
        await deployments.deleteDeployment(BROKER, { owner: OWNER });
        expect(fs.existsSync(path.join(home, "executions", "farm", `${BROKER.toLowerCase()}.jsonl`))).toBe(false);
        expect(await counter.after(before)).toEqual({ executions: 1, operations: 1, perServer: { [SERVER]: 0, [BROKER]: 1 } });
    });
});

describe("the farm scenario on the command line", () => {
    it("is one server with one pack and a deployment of 50 session hosts, in full runs but not in --quick", () => {
        const options = parseArgs(["--scenarios", "farm-1x50"], "results.json")!;
        expect(options.scenarios).toEqual([{ name: "farm-1x50", servers: 1, packsPerServer: 1, farm: { broker: BROKER, sessionHosts: 50 } }]);
        expect(parseArgs([], "results.json")!.scenarios.map((s) => s.name)).toContain("farm-1x50");
        expect(QUICK_SCENARIOS).not.toContain("farm-1x50");
    });
});
