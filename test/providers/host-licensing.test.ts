/**
 * The SimulatedSessionHost and HostLicensing handlers against a real rdls-sim store: the host
 * resource creates a standalone session host, rebuilds it for another Windows Server version,
 * deletes only what it created and refuses someone else's host unless adopted; the licensing
 * resource sets and reads the host's settings in one remote execution on the host per handler,
 * shows a hand change as drift in what `read` returns, fails on a setting Group Policy makes, and
 * never touches a machine in `check` or `diff`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LicensingErrorKind, type SessionHostLicensing } from "../../src/licensing";
import { farmHealth } from "../../src/licensing/health";
import { deploymentLicensingProvider } from "../../src/providers/deployment-licensing/handlers";
import { hostLicensingProvider as licensing } from "../../src/providers/host-licensing/handlers";
import { simulatedDeploymentProvider } from "../../src/providers/simulated-deployment/handlers";
import { simulatedSessionHostProvider as hosts } from "../../src/providers/simulated-session-host/handlers";
import { readFarmExecutionLog, type Simulator } from "../../src/simulator";
import { storeFiles } from "../support/farm";
import { licensingSettingsInputs, openFarmStore, PROVIDER, removeFarmStore } from "../support/farm-handlers";
import { rejection } from "../support/results";
import { CONTACT } from "../simulator/helpers/sim";

type Raw = Record<string, unknown>;

const HOST = "RDSH01";
const OWNER = "rds-licensing/test/rdsh01";
const DAY_MS = 24 * 60 * 60 * 1000;
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
let home: string;
let sim: Simulator;

const hostInputs = (over: Raw = {}): Raw => ({
    providerVersion: "1",
    home,
    name: HOST,
    windowsServerVersion: "2019",
    owner: OWNER,
    adoptExisting: false,
    __provider: PROVIDER,
    ...over,
});

const licensingInputs = (over: Raw = {}): Raw => licensingSettingsInputs(home, { host: HOST }, { mode: "PerDevice", ...over });

/** What the host says, as the simulator's admin view (the Licensing Diagnoser row) has it. */
const row = (over: Partial<SessionHostLicensing> = {}): SessionHostLicensing => ({
    name: HOST,
    windowsServerVersion: "2019",
    mode: "PerDevice",
    licenseServers: ["RDLS01"],
    graceDaysLeft: 120,
    connectivity: [{ licenseServer: "RDLS01", status: 11 }],
    policy: { modeByGroupPolicy: false, licenseServersByGroupPolicy: false },
    ...over,
});

const executions = async (target = HOST) => (await readFarmExecutionLog(home, target)).length;
const hostFile = (name = HOST) => path.join(home, "hosts", `${name.toLowerCase()}.json`);
const hostFiles = () => storeFiles(home, "hosts");

beforeEach(async () => {
    ({ home, sim } = openFarmStore());
    await sim.createServer({ name: "RDLS01", windowsServerVersion: "2022" });
    await sim.activate(CONTACT, { server: "RDLS01" });
});

afterEach(() => removeFarmStore(home));

describe("SimulatedSessionHost", () => {
    it("creates a standalone host, NotConfigured, with its owner marker and an instance id", async () => {
        const { id, outs } = await hosts.create(hostInputs());
        expect(id).toBe(HOST);
        expect(outs).toEqual({ ...hostInputs({ __provider: undefined }), created: true, instanceId: expect.any(String) });
        expect(await sim.hosts()).toEqual([row({ mode: "NotConfigured", licenseServers: [], connectivity: [] })]);
        expect(JSON.parse(fs.readFileSync(hostFile(), "utf8"))).toMatchObject({ owner: OWNER, instanceId: outs.instanceId, executions: 0 });
        // Not a remote execution: provisioning is "the VM".
        expect(await executions()).toBe(0);
    });

    it("refuses a host someone else made, a deployment's host and a broker's name, changing nothing", async () => {
        await sim.createHost({ name: HOST, windowsServerVersion: "2022" });
        const byHand = await rejection(hosts.create(hostInputs()));
        expect(byHand.kind).toBe(LicensingErrorKind.Conflict);
        expect(byHand.message).toContain("made outside Pulumi");
        expect(byHand.message).toContain("adoptExisting: true");

        await sim.createDeployment({ broker: "RDCB01", sessionHosts: [HOST] });
        const member = await rejection(hosts.create(hostInputs()));
        expect(member.message).toContain("in the deployment of RDCB01");

        const broker = await rejection(hosts.create(hostInputs({ name: "RDCB01" })));
        expect(broker.kind).toBe(LicensingErrorKind.Conflict);
        expect(broker.message).toContain("Connection Broker");
        expect(hostFiles()).toEqual(["rdsh01.json"]);
        expect((await sim.hosts()).map((h) => [h.name, h.windowsServerVersion, h.deployment])).toEqual([[HOST, "2022", "RDCB01"]]);
    });

    it("refuses a host another stack's resource created, naming it", async () => {
        await hosts.create(hostInputs({ owner: "other/prod/rdsh01" }));
        const err = await rejection(hosts.create(hostInputs()));
        expect(err.message).toContain("created by other/prod/rdsh01");
    });

    it("adopts an existing host with adoptExisting: never rebuilt, no drift, never deleted", async () => {
        await sim.createHost({ name: HOST, windowsServerVersion: "2022" });
        const { outs } = await hosts.create(hostInputs({ adoptExisting: true }));
        expect(outs).toMatchObject({ created: false, instanceId: expect.stringMatching(/^legacy-/) });
        const read = await hosts.read(HOST, outs);
        expect(read.inputs).toMatchObject({ windowsServerVersion: "2019" }); // as declared: not managed
        const updated = await hosts.update(HOST, outs, hostInputs({ adoptExisting: true, windowsServerVersion: "2025" }));
        expect(updated.outs).toMatchObject({ created: false, instanceId: outs.instanceId });
        await hosts.delete(HOST, outs);
        expect((await sim.hosts()).map((h) => h.windowsServerVersion)).toEqual(["2022"]);
    });

    it("takes its own host back when a create is retried, rebuilding it for another version", async () => {
        const first = await hosts.create(hostInputs());
        const again = await hosts.create(hostInputs());
        expect(again.outs).toMatchObject({ created: true, instanceId: first.outs.instanceId });
        const other = await hosts.create(hostInputs({ windowsServerVersion: "2022" }));
        expect(other.outs).toMatchObject({ created: true });
        expect(other.outs.instanceId).not.toBe(first.outs.instanceId);
        expect((await sim.hosts()).map((h) => h.windowsServerVersion)).toEqual(["2022"]);
    });

    it("diff: name or store = replace (old one first); version = update; same or another spelling = no replace", async () => {
        const olds = (await hosts.create(hostInputs())).outs;
        expect(await hosts.diff(HOST, olds, hostInputs())).toEqual({ changes: false, replaces: [], deleteBeforeReplace: true });
        expect(await hosts.diff(HOST, olds, hostInputs({ name: "RDSH02" }))).toEqual({ changes: true, replaces: ["name"], deleteBeforeReplace: true });
        expect(await hosts.diff(HOST, olds, hostInputs({ home: `${home}-other` }))).toMatchObject({ changes: true, replaces: ["home"] });
        expect(await hosts.diff(HOST, olds, hostInputs({ windowsServerVersion: "2025" }))).toMatchObject({ changes: true, replaces: [] });
        expect(await hosts.diff(HOST, olds, hostInputs({ name: "rdsh01" }))).toMatchObject({ changes: true, replaces: [] });
        expect(await hosts.diff(HOST, olds, hostInputs({ name: UNKNOWN }))).toMatchObject({ changes: true, replaces: [] });
    });

    it("update to another version rebuilds the host: a new instance, a new grace period, licensing not configured", async () => {
        const { outs } = await hosts.create(hostInputs());
        await licensing.create(licensingInputs());
        await sim.advanceClock(10 * DAY_MS);
        expect((await sim.host(HOST)).graceDaysLeft).toBe(110);

        const updated = await hosts.update(HOST, outs, hostInputs({ windowsServerVersion: "2025" }));
        expect(updated.outs).toMatchObject({ created: true, windowsServerVersion: "2025" });
        expect(updated.outs?.instanceId).not.toBe(outs.instanceId);
        expect(await sim.hosts()).toEqual([row({ windowsServerVersion: "2025", mode: "NotConfigured", licenseServers: [], connectivity: [] })]);
        // Its counter goes on with its log (the licensing create ran there once).
        expect(JSON.parse(fs.readFileSync(hostFile(), "utf8"))).toMatchObject({ executions: 1, instanceId: updated.outs?.instanceId, owner: OWNER });

        // Bookkeeping only: nothing rebuilt.
        const same = await hosts.update(HOST, updated.outs!, hostInputs({ windowsServerVersion: "2025", providerVersion: "2" }));
        expect(same.outs?.instanceId).toBe(updated.outs?.instanceId);
    });

    it("update fails, saying what to run, when the host is gone", async () => {
        const { outs } = await hosts.create(hostInputs());
        fs.rmSync(hostFile());
        const err = await rejection(hosts.update(HOST, outs, hostInputs({ windowsServerVersion: "2022" })));
        expect(err.kind).toBe(LicensingErrorKind.NotFound);
        expect(err.message).toContain("pulumi refresh");
    });

    it("read returns the live host as inputs, and gone once the host is", async () => {
        const { outs } = await hosts.create(hostInputs());
        const read = await hosts.read(HOST, outs);
        expect(read).toEqual({ id: HOST, props: outs, inputs: hostInputs({ __provider: undefined }) });
        await hosts.delete(HOST, outs);
        expect((await hosts.read(HOST, outs)).id).toBe("");
    });

    it("a host deleted and created again by someone else is no longer this resource's to delete", async () => {
        const { outs } = await hosts.create(hostInputs());
        fs.rmSync(hostFile());
        await sim.createHost({ name: HOST, windowsServerVersion: "2019" });
        const read = await hosts.read(HOST, outs);
        expect(read.props).toMatchObject({ created: false });
        expect(read.props?.instanceId).not.toBe(outs.instanceId);
        await hosts.delete(HOST, outs); // the stored instance is gone: the new host stays
        await hosts.delete(HOST, read.props!);
        expect(hostFiles()).toEqual(["rdsh01.json"]);
    });

    it("delete removes the host and its execution log, and leaves a host a deployment took since", async () => {
        const { outs } = await hosts.create(hostInputs());
        await licensing.create(licensingInputs());
        expect(fs.existsSync(path.join(home, "executions", "farm", "rdsh01.jsonl"))).toBe(true);
        await hosts.delete(HOST, outs);
        expect(hostFiles()).toEqual([]);
        expect(fs.existsSync(path.join(home, "executions", "farm", "rdsh01.jsonl"))).toBe(false);
        await hosts.delete(HOST, outs); // already gone: nothing to do

        const again = await hosts.create(hostInputs());
        await sim.createDeployment({ broker: "RDCB01", sessionHosts: [HOST] });
        await hosts.delete(HOST, again.outs);
        expect(hostFiles()).toEqual(["rdsh01.json"]);
        expect((await sim.deployments())[0]?.sessionHosts).toEqual([HOST]);
    });

    it("check refuses an unknown version and an empty name", async () => {
        expect((await hosts.check({}, hostInputs())).failures).toBeUndefined();
        expect((await hosts.check({}, hostInputs({ windowsServerVersion: "2012" }))).failures?.[0]?.property).toBe("windowsServerVersion");
        expect((await hosts.check({}, hostInputs({ name: "" }))).failures?.[0]?.property).toBe("name");
    });
});

describe("HostLicensing", () => {
    beforeEach(async () => {
        await hosts.create(hostInputs());
    });

    it("create sets the mode and list on the host in one execution, and outputs what it says", async () => {
        const { id, outs } = await licensing.create(licensingInputs({ licenseServers: ["RDLS01", "rdls02.contoso.com"] }));
        expect(id).toBe(HOST);
        const live = row({
            licenseServers: ["RDLS01", "rdls02.contoso.com"],
            connectivity: [
                { licenseServer: "RDLS01", status: 11 },
                { licenseServer: "rdls02.contoso.com", status: 6 },
            ],
        });
        expect(outs).toEqual({ ...licensingInputs({ licenseServers: ["RDLS01", "rdls02.contoso.com"] }), __provider: undefined, hosts: [live] });
        expect(await sim.hosts()).toEqual([live]);
        expect(await executions()).toBe(1);
    });

    it("read returns the live settings as inputs: a hand change is drift against the program, one execution a read", async () => {
        const { outs } = await licensing.create(licensingInputs());
        const same = await licensing.read(HOST, outs);
        expect(same.inputs).toEqual(licensingInputs({ __provider: undefined }));
        expect(same.props?.hosts).toEqual([row()]);
        expect(await licensing.diff(HOST, same.props!, licensingInputs())).toMatchObject({ changes: false });

        await sim.setMode(HOST, "PerUser");
        await sim.setLicenseServers(HOST, ["RDLS01", "RDLS09"]);
        const drifted = await licensing.read(HOST, same.props!);
        expect(drifted.inputs).toEqual(licensingInputs({ mode: "PerUser", licenseServers: ["RDLS01", "RDLS09"], __provider: undefined }));
        expect(drifted.props?.hosts).toEqual([
            row({ mode: "PerUser", licenseServers: ["RDLS01", "RDLS09"], connectivity: [{ licenseServer: "RDLS01", status: 11 }, { licenseServer: "RDLS09", status: 6 }] }),
        ]);
        expect(await licensing.diff(HOST, drifted.props!, licensingInputs())).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
        expect(await executions()).toBe(3);

        const repaired = await licensing.update(HOST, drifted.props!, licensingInputs());
        expect(repaired.outs?.hosts).toEqual([row()]);
        expect(await sim.hosts()).toEqual([row()]);
        expect(await executions()).toBe(4);
    });

    it("read keeps the declared spelling of the same list, and is gone without the host", async () => {
        const { outs } = await licensing.create(licensingInputs({ licenseServers: ["rdls01"] }));
        await sim.setLicenseServers(HOST, ["RDLS01"]);
        expect((await licensing.read(HOST, outs)).inputs).toMatchObject({ licenseServers: ["rdls01"] });
        await hosts.delete(HOST, (await hosts.read(HOST, hostInputs({ created: true }))).props!);
        expect(await licensing.read(HOST, outs)).toEqual({ id: "", props: {} });
    });

    it("fails on a setting Group Policy makes, with the host's reason, changing nothing", async () => {
        const { outs } = await licensing.create(licensingInputs());
        await sim.lockPolicy(HOST, { mode: true });
        // Setting a locked value to what it is calls no setter: the list still changes.
        const list = await licensing.update(HOST, outs, licensingInputs({ licenseServers: ["RDLS01", "RDLS02"] }));
        expect(list.outs?.hosts).toEqual([
            row({
                licenseServers: ["RDLS01", "RDLS02"],
                connectivity: [{ licenseServer: "RDLS01", status: 11 }, { licenseServer: "RDLS02", status: 6 }],
                policy: { modeByGroupPolicy: true, licenseServersByGroupPolicy: false },
            }),
        ]);
        const before = await sim.hosts();
        const err = await rejection(licensing.update(HOST, list.outs!, licensingInputs({ mode: "PerUser" })));
        expect(err.kind).toBe(LicensingErrorKind.InvalidParameter);
        expect(err.message).toContain(`the licensing mode of ${HOST} is set by Group Policy`);
        expect(await sim.hosts()).toEqual(before);
        expect(await executions()).toBe(3);
    });

    it("diff never touches the host: mode and list = update; host or connection = replace; hosts never count", async () => {
        const { outs } = await licensing.create(licensingInputs());
        const before = await executions();
        expect(await licensing.diff(HOST, outs, licensingInputs())).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
        expect(await licensing.diff(HOST, { ...outs, hosts: [row({ graceDaysLeft: 3, mode: "PerUser" })] }, licensingInputs())).toMatchObject({ changes: false });
        expect(await licensing.diff(HOST, outs, licensingInputs({ mode: "PerUser" }))).toMatchObject({ changes: true, replaces: [] });
        expect(await licensing.diff(HOST, outs, licensingInputs({ licenseServers: ["RDLS02", "RDLS01"] }))).toMatchObject({ changes: true, replaces: [] });
        expect(await licensing.diff(HOST, outs, licensingInputs({ licenseServers: ["rdls01"] }))).toMatchObject({ changes: false });
        expect(await licensing.diff(HOST, outs, licensingInputs({ host: "RDSH02" }))).toMatchObject({ changes: true, replaces: ["host"] });
        expect(await licensing.diff(HOST, outs, licensingInputs({ host: "rdsh01" }))).toMatchObject({ changes: true, replaces: [] });
        expect(await licensing.diff(HOST, outs, licensingInputs({ connection: { kind: "simulator", home: `${home}-other` } }))).toMatchObject({ replaces: ["connection"] });
        expect(await licensing.diff(HOST, outs, licensingInputs({ hostInstance: "new" }))).toMatchObject({ changes: true, replaces: [] });
        expect(await licensing.diff(HOST, outs, licensingInputs({ licenseServers: [UNKNOWN] }))).toMatchObject({ changes: true });
        expect(await executions()).toBe(before);
    });

    it("update with only bookkeeping changed keeps the hosts output and makes no execution; a rebuilt host is set again", async () => {
        const { outs } = await licensing.create(licensingInputs());
        const updated = await licensing.update(HOST, outs, licensingInputs({ resetOnDelete: true, providerVersion: "2", host: "rdsh01" }));
        expect(updated.outs).toEqual({ ...licensingInputs({ resetOnDelete: true, providerVersion: "2", host: "rdsh01", __provider: undefined }), hosts: outs.hosts });
        expect(await executions()).toBe(1);
        await licensing.update(HOST, updated.outs!, licensingInputs({ hostInstance: "new" }));
        expect(await executions()).toBe(2);
        // A state without the hosts output (written before it existed) is read anew.
        const { hosts: _hosts, ...old } = outs;
        expect((await licensing.update(HOST, old, licensingInputs())).outs?.hosts).toEqual([row()]);
        expect(await executions()).toBe(3);
    });

    it("delete leaves the settings by default, and resets them with resetOnDelete", async () => {
        const { outs } = await licensing.create(licensingInputs());
        await licensing.delete(HOST, outs);
        expect(await sim.hosts()).toEqual([row()]);
        expect(await executions()).toBe(1);
        await licensing.delete(HOST, { ...outs, resetOnDelete: true });
        expect(await sim.hosts()).toEqual([row({ mode: "NotConfigured", licenseServers: [], connectivity: [] })]);
        expect(await executions()).toBe(2);
        fs.rmSync(hostFile());
        await licensing.delete(HOST, { ...outs, resetOnDelete: true }); // the host is gone: nothing to reset
    });

    it("check refuses NotConfigured, an empty or repeated list, and resetOnDelete where Windows cannot do it", async () => {
        const reasons = async (over: Raw) => ((await licensing.check({}, licensingInputs(over))).failures ?? []).map((f) => `${f.property}: ${f.reason}`);
        expect(await reasons({})).toEqual([]);
        expect(await reasons({ resetOnDelete: true })).toEqual([]);
        expect((await reasons({ mode: "NotConfigured" }))[0]).toContain("mode: mode must be PerUser or PerDevice (the license type of the session host's CALs)");
        expect((await reasons({ licenseServers: [] }))[0]).toContain("at least one license server");
        expect((await reasons({ licenseServers: ["A", "a"] }))[0]).toContain("listed twice");
        const ssh = { kind: "ssh", host: "rdsh01", username: "admin", hostKeySha256: `SHA256:${"A".repeat(43)}` };
        expect(await reasons({ connection: ssh })).toEqual([]);
        const refused = await reasons({ connection: ssh, resetOnDelete: true });
        expect(refused).toHaveLength(1);
        expect(refused[0]).toContain("resetOnDelete: a standalone session host cannot be set back to NotConfigured");
        expect(await executions()).toBe(0);
    });

    it("fails with the simulator's reason on a host that does not exist", async () => {
        const err = await rejection(licensing.create(licensingInputs({ host: "NOSUCH" })));
        expect(err.kind).toBe(LicensingErrorKind.NotFound);
        expect(err.message).toContain("NOSUCH");
    });

    it("retries a transient transport failure (nothing ran) and succeeds in one execution", async () => {
        await sim.setFaults({ transientFailures: 2 });
        const { outs } = await licensing.create(licensingInputs());
        expect(outs.hosts).toEqual([row()]);
        expect(await executions()).toBe(1);
    });

    it("outputs hosts in the deployment's shape: one health check reads both", async () => {
        await simulatedDeploymentProvider.create({
            providerVersion: "1",
            home,
            broker: "RDCB01",
            sessionHosts: [{ name: "RDSH11", windowsServerVersion: "2022" }],
            owner: "rds-licensing/test/farm",
            adoptExisting: false,
        });
        const farm = await deploymentLicensingProvider.create({ ...licensingInputs({ host: undefined, mode: "PerUser" }), broker: "RDCB01" });
        const solo = await licensing.create(licensingInputs({ licenseServers: ["RDLS09"] }));
        const health = farmHealth([...(farm.outs.hosts as SessionHostLicensing[]), ...(solo.outs.hosts as SessionHostLicensing[])], []);
        expect(health.map((h) => [h.name, h.deployment, h.mode, h.findings.map((f) => f.kind)])).toEqual([
            ["RDSH11", "RDCB01", "PerUser", ["no-coverage"]],
            [HOST, undefined, "PerDevice", ["no-reachable-license-server"]],
        ]);
    });
});
