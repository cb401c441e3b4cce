/**
 * Waiting for the VM agent (src/drivers/runners/azure-vm-agent.ts) against the fake ARM endpoint:
 * the instance view reports "Not Ready" for N reads, then ready; a restart is a long-running POST
 * after which the agent is gone for a while. The sleep between reads and the clock are injected:
 * no test waits for real, and the timeout is measured on the fake clock.
 */
import { describe, expect, it } from "vitest";
import { computeClientFactory } from "../../src/drivers/runners/azure-compute-client";
import { AzureRunCommandRunner } from "../../src/drivers/runners/azure-run-command";
import { AzureVmAgent, formatDuration, vmAgentState, type AzureVmAgentOptions } from "../../src/drivers/runners/azure-vm-agent";
import { LicensingError, LicensingErrorKind } from "../../src/licensing";
import { FAKE_ARM_CREDENTIAL, FAKE_RESOURCE_GROUP, FAKE_SUBSCRIPTION, useFakeAzure } from "../support/azure-fixture";

const fake = useFakeAzure();

/** The fake VM and how to reach it (the fake ARM endpoint exists only inside a test). */
const target = () => ({ subscriptionId: FAKE_SUBSCRIPTION, resourceGroupName: FAKE_RESOURCE_GROUP, vmName: fake.arm.vmName, endpoint: fake.arm.url, credential: FAKE_ARM_CREDENTIAL, maxRetries: 0 });

/** An agent whose sleeps advance a fake clock instead of waiting; `sleeps` records each. */
function agent(overrides: Partial<AzureVmAgentOptions> = {}) {
    const clock = { now: 1_000_000, sleeps: [] as number[] };
    const vmAgent = new AzureVmAgent({
        ...target(),
        lroPollIntervalMs: 10,
        sleep: async (ms) => {
            clock.sleeps.push(ms);
            clock.now += ms;
        },
        now: () => clock.now,
        ...overrides,
    });
    return { vmAgent, clock };
}

const instanceViewReads = () => fake.arm.requests.filter((r) => r.method === "GET" && r.url.includes("/instanceView?"));

describe("waiting for the VM agent", () => {
    it("polls the instance view until the agent reports ready, sleeping the poll interval between reads", async () => {
        fake.arm.agentNotReadyPolls = 4;
        const { vmAgent, clock } = agent();
        const notReady: string[] = [];
        await vmAgent.waitForReady({ pollIntervalMs: 10_000, timeoutMs: 600_000, onNotReady: (status) => notReady.push(status) });
        expect(instanceViewReads()).toHaveLength(5);
        expect(fake.arm.events).toEqual([...Array(4).fill("instanceView:not-ready"), "instanceView:ready"]);
        expect(clock.sleeps).toEqual([10_000, 10_000, 10_000, 10_000]);
        expect(notReady[0]).toBe("agent Not Ready (VM Agent is unresponsive.), VM running");
    });

    it("returns at once when the agent is ready", async () => {
        const { vmAgent, clock } = agent();
        await vmAgent.waitForReady();
        expect(instanceViewReads()).toHaveLength(1);
        expect(clock.sleeps).toEqual([]);
    });

    it("gives up after the timeout with an error naming the VM, the wait and the agent's last status", async () => {
        fake.arm.agentNeverReady = true;
        const { vmAgent, clock } = agent();
        const error = await vmAgent.waitForReady({ pollIntervalMs: 60_000, timeoutMs: 5 * 60_000 }).then(
            () => undefined,
            (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(LicensingError);
        expect((error as LicensingError).kind).toBe(LicensingErrorKind.Transient);
        expect((error as LicensingError).message).toBe(
            `VM ${fake.arm.vmName} (resource group ${FAKE_RESOURCE_GROUP}): its VM agent was not ready after 5 min ` +
                "(last: agent Not Ready (VM Agent is unresponsive.), VM running). Check the VM's boot diagnostics and the Windows Azure Guest Agent service, then run `pulumi up` again",
        );
        // Reads at 0, 1, 2, 3, 4 and 5 minutes: bounded, never past the timeout.
        expect(instanceViewReads()).toHaveLength(6);
        expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(5 * 60_000);
    });

    it("treats a deallocated VM as not ready, saying so", async () => {
        fake.arm.powerState = "deallocated";
        const { vmAgent } = agent();
        await expect(vmAgent.waitForReady({ pollIntervalMs: 1000, timeoutMs: 1000 })).rejects.toThrow("(last: agent Not Ready (VM Agent is unresponsive.), VM deallocated)");
    });

    it("maps ARM failures to errors naming the VM", async () => {
        fake.arm.faults.push({ method: "GET", pathIncludes: "/instanceView", status: 403, code: "AuthorizationFailed", message: "no read permission" });
        const { vmAgent } = agent();
        await expect(vmAgent.waitForReady()).rejects.toThrow(`could not read the instance view of VM ${fake.arm.vmName}: the identity may not run commands`);
    });
});

describe("restarting the VM and waiting for it", () => {
    it("follows the restart operation to its end, then waits until the agent is ready again", async () => {
        fake.arm.notReadyPollsAfterRestart = 3;
        fake.arm.pollsPerOperation = 2;
        const { vmAgent, clock } = agent();
        await vmAgent.restartAndWait({ pollIntervalMs: 15_000 });
        const restart = fake.arm.requests.filter((r) => r.method === "POST");
        expect(restart).toHaveLength(1);
        expect(restart[0]!.url).toMatch(new RegExp(`/virtualMachines/${fake.arm.vmName}/restart\\?api-version=`));
        // The restart's operation was polled to completion before the first instance view read.
        const firstRead = fake.arm.requests.findIndex((r) => r.url.includes("/instanceView?"));
        const polls = fake.arm.requests.map((r, i) => [r, i] as const).filter(([r]) => r.url.includes("/operations/"));
        expect(polls.length).toBeGreaterThanOrEqual(2);
        expect(polls.every(([, i]) => i < firstRead)).toBe(true);
        expect(fake.arm.events).toEqual(["restart", "instanceView:not-ready", "instanceView:not-ready", "instanceView:not-ready", "instanceView:ready"]);
        expect(clock.sleeps).toEqual([15_000, 15_000, 15_000]);
    });

    it("is needed: a run command sent while the VM restarts is refused (the hazard the wait removes)", async () => {
        const { vmAgent } = agent();
        const client = await computeClientFactory(target())();
        await client.virtualMachines.restart(FAKE_RESOURCE_GROUP, fake.arm.vmName, { updateIntervalInMs: 10 });
        const runner = new AzureRunCommandRunner({ ...target(), location: "westeurope" });
        await expect(runner.run("Write-Output 1", {}, { timeoutMs: 60_000 })).rejects.toMatchObject({ kind: "transient", message: expect.stringMatching(/agent is not ready/) });
        await vmAgent.waitForReady();
        expect(fake.arm.events.filter((e) => e.startsWith("refused:"))).toHaveLength(1);
    });

    it("reports a refused restart with the VM's name", async () => {
        fake.arm.faults.push({ method: "POST", pathIncludes: "/restart", status: 409, code: "OperationNotAllowed", message: "another operation is in progress" });
        const { vmAgent } = agent();
        await expect(vmAgent.restartAndWait()).rejects.toThrow(`could not restart VM ${fake.arm.vmName}: another operation on the VM conflicts`);
        expect(fake.arm.events).toEqual([]);
    });
});

describe("reading the instance view", () => {
    it("is ready only with the agent's ProvisioningState/succeeded and the power state running", () => {
        const agentOk = { vmAgent: { statuses: [{ code: "ProvisioningState/succeeded", displayStatus: "Ready" }] } };
        expect(vmAgentState({ ...agentOk, statuses: [{ code: "PowerState/running" }] }).ready).toBe(true);
        expect(vmAgentState({ ...agentOk, statuses: [{ code: "PowerState/starting" }] })).toEqual({ ready: false, description: "agent Ready, VM starting" });
        expect(vmAgentState({ statuses: [{ code: "PowerState/running" }] })).toEqual({ ready: false, description: "agent not reporting, VM running" });
        expect(vmAgentState({ vmAgent: { statuses: [{ code: "ProvisioningState/Unavailable", displayStatus: "Not Ready" }] }, statuses: [{ code: "PowerState/running" }] }).ready).toBe(false);
        expect(vmAgentState({})).toEqual({ ready: false, description: "agent not reporting, VM power state unknown" });
    });

    it("formats durations for messages", () => {
        expect([formatDuration(45_000), formatDuration(900_000), formatDuration(930_000)]).toEqual(["45 s", "15 min", "15 min 30 s"]);
    });
});
