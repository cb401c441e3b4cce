/**
 * The RoleInstallation provider (src/providers/role-installation/) against the fake ARM endpoint
 * and a fake VM's Windows features: it waits for the VM agent (the domain join just restarted the
 * VM), installs, restarts the VM through ARM when the install needs it and waits for the agent
 * again, and only then runs the next script. The fake ARM refuses a run command while the agent is
 * not ready, and its event timeline shows the order. The agent wait's sleep and clock are injected
 * (no real sleep); the SDK's own operation polls are 10 ms.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setAzureTestOverrides } from "../../src/drivers/connect-azure";
import { RdsRoleFeature } from "../../src/drivers/powershell/roles-script";
import { roleInstallationProvider as provider } from "../../src/providers/role-installation/handlers";
import { FAKE_ARM_CREDENTIAL, FAKE_RESOURCE_GROUP, FAKE_SUBSCRIPTION, useFakeAzure } from "../support/azure-fixture";
import { FakeRolesHost } from "./support/fake-roles-host";

const fake = useFakeAzure({ driverOverrides: true });
let host: FakeRolesHost;
let clock: { now: number; sleeps: number[] };

beforeEach(() => {
    host = new FakeRolesHost(fake.arm);
    clock = { now: 5_000_000, sleeps: [] };
    setAzureTestOverrides({
        credential: FAKE_ARM_CREDENTIAL,
        pollIntervalMs: 10,
        sleep: async (ms) => {
            clock.sleeps.push(ms);
            clock.now += ms;
        },
        now: () => clock.now,
    });
    process.env.RDS_LICENSING_QUIET = "1";
});

afterEach(() => {
    delete process.env.RDS_LICENSING_QUIET;
});

const connection = () => ({ kind: "azure-run-command", subscriptionId: FAKE_SUBSCRIPTION, resourceGroupName: FAKE_RESOURCE_GROUP, vmName: fake.arm.vmName, endpoint: fake.arm.url });
const inputs = (features: string[], extra: Record<string, unknown> = {}) => ({ providerVersion: "1", connection: connection(), features, timeoutSeconds: 3600, ...extra });
const runCommands = () => fake.arm.events.filter((e) => e.startsWith("runCommand:"));
const notReady = (n: number) => Array<string>(n).fill("instanceView:not-ready");

describe("create", () => {
    it("waits for the agent, installs, restarts the VM, waits for the agent again, then confirms", async () => {
        fake.arm.agentNotReadyPolls = 2; // the domain join's restart
        fake.arm.notReadyPollsAfterRestart = 3;
        const created = await provider.create(inputs([RdsRoleFeature.Licensing, RdsRoleFeature.ConnectionBroker]));

        const [install, confirm] = runCommands();
        expect(fake.arm.events).toEqual([...notReady(2), "instanceView:ready", install, "restart", ...notReady(3), "instanceView:ready", confirm]);
        expect(fake.arm.events.some((e) => e.startsWith("refused:"))).toBe(false);
        expect(created.outs).toMatchObject({ features: ["RDS-Licensing", "RDS-Connection-Broker"], state: "installed", restarted: true, timeoutSeconds: 3600 });
        expect(created.id).toBe(`/subscriptions/${FAKE_SUBSCRIPTION}/resourceGroups/${FAKE_RESOURCE_GROUP}/providers/Microsoft.Compute/virtualMachines/${fake.arm.vmName}/roles`);
        expect(Object.fromEntries(host.features)).toEqual({ "RDS-Licensing": "Installed", "RDS-Connection-Broker": "Installed" });
        // The script never restarts Windows itself; the restart is ARM's, once.
        for (const script of host.scripts) expect(script).not.toMatch(/shutdown|Restart-Computer/i);
        expect(fake.arm.requests.filter((r) => r.method === "POST" && r.url.includes("/restart?"))).toHaveLength(1);
        // Five agent polls found it not ready: five injected sleeps, no real ones.
        expect(clock.sleeps).toHaveLength(5);
        expect(fake.arm.remaining).toEqual([]);
    });

    it("runs once and restarts nothing when the roles are already there", async () => {
        host.features.set("RDS-Licensing", "Installed");
        const created = await provider.create(inputs([RdsRoleFeature.Licensing]));
        expect(created.outs).toMatchObject({ state: "present", restarted: false });
        expect(fake.arm.events).toEqual(["instanceView:ready", runCommands()[0]]);
    });

    it("installs a role that needs no restart without restarting", async () => {
        const created = await provider.create(inputs([RdsRoleFeature.Licensing]));
        expect(created.outs).toMatchObject({ state: "installed", restarted: false });
        expect(fake.arm.events).not.toContain("restart");
    });

    it("fails with a clear timeout when the agent never comes back after the restart, and runs nothing more", async () => {
        fake.arm.onRestart.push(() => (fake.arm.agentNeverReady = true));
        const error = await provider.create(inputs([RdsRoleFeature.SessionHost])).then(
            () => undefined,
            (e: Error) => e,
        );
        expect(error?.message).toBe(
            `VM ${fake.arm.vmName} (resource group ${FAKE_RESOURCE_GROUP}): its VM agent was not ready after 15 min ` +
                "(last: agent Not Ready (VM Agent is unresponsive.), VM running). Check the VM's boot diagnostics and the Windows Azure Guest Agent service, then run `pulumi up` again",
        );
        const afterRestart = fake.arm.events.slice(fake.arm.events.indexOf("restart") + 1);
        expect(afterRestart.length).toBeGreaterThan(1);
        expect(afterRestart.every((e) => e === "instanceView:not-ready")).toBe(true);
        expect(runCommands()).toHaveLength(1);
    });

    it("fails with the VM's reason when the script cannot install (no skipped + exit 0)", async () => {
        host.domainJoined = false;
        await expect(provider.create(inputs([RdsRoleFeature.Licensing, RdsRoleFeature.ConnectionBroker]))).rejects.toThrow(
            `VM ${fake.arm.vmName}: the roles script failed (exit code 3, not-domain-joined): RD Connection Broker needs a domain-joined server`,
        );
        expect(fake.arm.events).not.toContain("restart");
    });

    it("fails when a feature is still pending after the restart", async () => {
        fake.arm.onRestart.length = 0; // this VM's restart finishes nothing
        await expect(provider.create(inputs([RdsRoleFeature.ConnectionBroker]))).rejects.toThrow("still needs a restart after the VM was restarted");
        expect(fake.arm.events.filter((e) => e === "restart")).toHaveLength(1);
    });
});

describe("check, diff, read, update, delete", () => {
    it("check refuses bad inputs, naming the setting, before touching Azure", async () => {
        const result = await provider.check({}, inputs(["RDS-Gateway"], { timeoutSeconds: 10 }));
        expect(result.failures?.map((f) => f.property).sort()).toEqual(["features.0", "timeoutSeconds"]);
        expect(result.failures?.find((f) => f.property === "timeoutSeconds")?.reason).toMatch(/at least 60 seconds/);
        const empty = await provider.check({}, inputs([]));
        expect(empty.failures).toEqual([{ property: "features", reason: "list at least one Windows feature (RdsRoleFeature)" }]);
        const credential = await provider.check({}, inputs(["RDS-Licensing"], { connection: { ...connection(), password: "x" } }));
        expect(credential.failures?.[0]?.property).toBe("connection");
        expect((await provider.check({}, inputs(["RDS-Licensing"]))).failures).toBeUndefined();
        expect(fake.arm.requests).toEqual([]);
    });

    it("diff: a feature added is an update, another VM a replacement, another order nothing", async () => {
        const olds = { ...inputs(["RDS-Licensing", "RDS-Connection-Broker"]), state: "installed", restarted: true };
        expect((await provider.diff("id", olds, inputs(["RDS-Connection-Broker", "RDS-Licensing"]))).changes).toBe(false);
        expect(await provider.diff("id", olds, inputs(["RDS-Licensing", "RDS-Connection-Broker", "RDS-RD-Server"]))).toMatchObject({ changes: true, replaces: [] });
        expect(await provider.diff("id", olds, inputs(["RDS-Licensing", "RDS-Connection-Broker"], { connection: { ...connection(), vmName: "other" } }))).toMatchObject({
            changes: true,
            replaces: ["connection"],
        });
        expect(fake.arm.requests).toEqual([]);
    });

    it("read runs nothing on the VM and returns the stored state with its inputs", async () => {
        const props = { ...inputs(["RDS-Licensing"]), state: "installed", restarted: false, __provider: "x" };
        const read = await provider.read("id", props);
        expect(read.props).toEqual(props);
        expect(read.inputs).toEqual(inputs(["RDS-Licensing"]));
        expect(fake.arm.requests).toEqual([]);
    });

    it("update installs added features, and runs nothing for a removed one or a new timeout", async () => {
        const olds = { ...inputs(["RDS-Licensing", "RDS-Connection-Broker"]), state: "installed", restarted: true };
        const bookkeeping = await provider.update("id", olds, inputs(["RDS-Licensing"], { timeoutSeconds: 5400 }));
        expect(bookkeeping.outs).toMatchObject({ features: ["RDS-Licensing"], timeoutSeconds: 5400, state: "installed", restarted: true });
        expect(fake.arm.requests).toEqual([]);

        host.features.set("RDS-Licensing", "Installed");
        const grown = await provider.update("id", olds, inputs(["RDS-Licensing", "RDS-Connection-Broker", "RDS-RD-Server"]));
        expect(grown.outs).toMatchObject({ state: "installed", restarted: true });
        expect(host.features.get("RDS-RD-Server")).toBe("Installed");
    });

    it("delete leaves the roles installed and touches nothing", async () => {
        await provider.delete("id", { ...inputs(["RDS-Licensing"]), state: "installed", restarted: false });
        expect(fake.arm.requests).toEqual([]);
    });
});
