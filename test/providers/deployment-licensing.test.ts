/**
 * The SimulatedDeployment and DeploymentLicensing handlers against a real rdls-sim store: the
 * deployment resource creates a broker and its hosts, deletes only what it created and refuses
 * someone else's deployment unless adopted; the licensing resource sets and reads the deployment's
 * configuration in one remote execution per handler, shows a hand change as drift in what `read`
 * returns, and never touches a server in `check` or `diff`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LicensingErrorKind, type LicenseServerConnectivity, type SessionHostLicensing } from "../../src/licensing";
import { createAzureFarmExecutor, createSshFarmExecutor } from "../../src/drivers/connect-farm";
import { PowerShellFarmExecutor } from "../../src/drivers/powershell";
import { deploymentLicensingProvider as licensing } from "../../src/providers/deployment-licensing/handlers";
import { createFarmExecutor } from "../../src/providers/farm-registry";
import { sameServerList } from "../../src/providers/licensing-settings";
import { simulatedDeploymentProvider as deployments } from "../../src/providers/simulated-deployment/handlers";
import { readFarmExecutionLog, type Simulator } from "../../src/simulator";
import { storeFiles } from "../support/farm";
import { licensingSettingsInputs, openFarmStore, PROVIDER, removeFarmStore } from "../support/farm-handlers";
import { rejection } from "../support/results";
import { CONTACT } from "../simulator/helpers/sim";

type Raw = Record<string, unknown>;

const BROKER = "RDCB01";
const OWNER = "rds-licensing/test/farm";
let home: string;
let sim: Simulator;

const deploymentInputs = (over: Raw = {}): Raw => ({
    providerVersion: "1",
    home,
    broker: BROKER,
    sessionHosts: [
        { name: "RDSH01", windowsServerVersion: "2019" },
        { name: "RDSH02", windowsServerVersion: "2022" },
    ],
    owner: OWNER,
    adoptExisting: false,
    __provider: PROVIDER,
    ...over,
});

const licensingInputs = (over: Raw = {}): Raw => licensingSettingsInputs(home, { broker: BROKER }, over);

const executions = async () => (await readFarmExecutionLog(home, BROKER)).length;
const hostFiles = () => storeFiles(home, "hosts");
const deploymentFiles = () => storeFiles(home, "deployments");

beforeEach(() => {
    ({ home, sim } = openFarmStore());
});

afterEach(() => {
    vi.restoreAllMocks();
    removeFarmStore(home);
});

describe("SimulatedDeployment", () => {
    it("creates the broker and its hosts, NotConfigured, with its owner marker", async () => {
        const { id, outs } = await deployments.create(deploymentInputs());
        expect(id).toBe(BROKER);
        expect(outs).toMatchObject({ broker: BROKER, created: true, instanceId: expect.any(String) });
        expect(outs.sessionHosts).toEqual([
            { name: "RDSH01", windowsServerVersion: "2019" },
            { name: "RDSH02", windowsServerVersion: "2022" },
        ]);
        expect(await sim.deployments()).toEqual([{ broker: BROKER, mode: "NotConfigured", licenseServers: [], sessionHosts: ["RDSH01", "RDSH02"] }]);
        const hosts = await sim.hosts();
        expect(hosts.map((h) => [h.name, h.windowsServerVersion, h.deployment, h.mode])).toEqual([
            ["RDSH01", "2019", BROKER, "NotConfigured"],
            ["RDSH02", "2022", BROKER, "NotConfigured"],
        ]);
        const file = JSON.parse(fs.readFileSync(path.join(home, "deployments", "rdcb01.json"), "utf8"));
        expect(file).toMatchObject({ owner: OWNER, instanceId: outs.instanceId });
        // Not a remote execution: provisioning is "the VMs".
        expect(await executions()).toBe(0);
    });

    it("refuses a deployment someone else made, and changes nothing", async () => {
        await sim.createHost({ name: "OTHER1", windowsServerVersion: "2022" });
        await sim.createDeployment({ broker: BROKER, sessionHosts: ["OTHER1"] });
        const err = await rejection(deployments.create(deploymentInputs()));
        expect(err.kind).toBe(LicensingErrorKind.Conflict);
        expect(err.message).toContain("adoptExisting: true");
        expect((await sim.hosts()).map((h) => h.name)).toEqual(["OTHER1"]);
    });

    it("refuses a host name already in the store, creating nothing", async () => {
        await sim.createHost({ name: "RDSH02", windowsServerVersion: "2016" });
        const err = await rejection(deployments.create(deploymentInputs()));
        expect(err.kind).toBe(LicensingErrorKind.Conflict);
        expect(err.message).toContain("RDSH02");
        expect(deploymentFiles()).toEqual([]);
        expect(hostFiles()).toEqual(["rdsh02.json"]);
    });

    it("adopts an existing deployment with adoptExisting and never deletes it", async () => {
        await sim.createHost({ name: "OTHER1", windowsServerVersion: "2022" });
        await sim.createDeployment({ broker: BROKER, sessionHosts: ["OTHER1"] });
        const { outs } = await deployments.create(deploymentInputs({ adoptExisting: true }));
        expect(outs.created).toBe(false);
        const read = await deployments.read(BROKER, outs);
        expect(read.inputs?.sessionHosts).toEqual(deploymentInputs().sessionHosts); // not managed: no drift
        await deployments.delete(BROKER, outs);
        expect((await sim.deployments()).map((d) => d.sessionHosts)).toEqual([["OTHER1"]]);
    });

    it("takes its own deployment back when a create is retried", async () => {
        const first = await deployments.create(deploymentInputs());
        const again = await deployments.create(deploymentInputs());
        expect(again.outs).toMatchObject({ created: true, instanceId: first.outs.instanceId });
    });

    it("diff: broker or store = replace; hosts = update; same = no change", async () => {
        const olds = (await deployments.create(deploymentInputs())).outs;
        expect(await deployments.diff(BROKER, olds, deploymentInputs())).toMatchObject({ changes: false, replaces: [] });
        expect(await deployments.diff(BROKER, olds, deploymentInputs({ broker: "RDCB02" }))).toMatchObject({ changes: true, replaces: ["broker"] });
        expect(await deployments.diff(BROKER, olds, deploymentInputs({ home: `${home}-other` }))).toMatchObject({ changes: true, replaces: ["home"] });
        const oneHost = deploymentInputs({ sessionHosts: [{ name: "RDSH01", windowsServerVersion: "2019" }] });
        expect(await deployments.diff(BROKER, olds, oneHost)).toMatchObject({ changes: true, replaces: [] });
    });

    it("update adds, removes and rebuilds hosts, keeping the deployment's licensing", async () => {
        const { outs } = await deployments.create(deploymentInputs());
        await sim.setMode(BROKER, "PerUser");
        await sim.setLicenseServers(BROKER, ["RDLS01"]);
        const next = deploymentInputs({
            sessionHosts: [
                { name: "RDSH02", windowsServerVersion: "2025" },
                { name: "RDSH03", windowsServerVersion: "2022" },
            ],
        });
        const updated = await deployments.update(BROKER, outs, next);
        expect(updated.outs?.instanceId).toBe(outs.instanceId);
        const hosts = await sim.hosts();
        expect(hosts.map((h) => [h.name, h.windowsServerVersion, h.mode, h.licenseServers])).toEqual([
            ["RDSH02", "2025", "PerUser", ["RDLS01"]],
            ["RDSH03", "2022", "PerUser", ["RDLS01"]],
        ]);
        expect((await sim.deployments())[0]?.sessionHosts).toEqual(["RDSH02", "RDSH03"]);
        expect(hostFiles().sort()).toEqual(["rdsh02.json", "rdsh03.json"]);
    });

    it("read returns the live hosts as inputs, and gone once the deployment is", async () => {
        const { outs } = await deployments.create(deploymentInputs());
        const read = await deployments.read(BROKER, outs);
        expect(read.id).toBe(BROKER);
        expect(read.inputs).toMatchObject({ broker: BROKER, sessionHosts: deploymentInputs().sessionHosts });
        await deployments.delete(BROKER, outs);
        expect((await deployments.read(BROKER, outs)).id).toBe("");
    });

    it("delete removes the deployment and its hosts, leaving another's host standalone", async () => {
        const { outs } = await deployments.create(deploymentInputs());
        await deployments.delete(BROKER, outs);
        expect(deploymentFiles()).toEqual([]);
        expect(hostFiles()).toEqual([]);
        expect(fs.existsSync(path.join(home, "executions", "farm", "rdcb01.jsonl"))).toBe(false);
        await deployments.delete(BROKER, outs); // already gone: nothing to do
    });

    it("delete leaves a deployment recreated by someone else", async () => {
        const { outs } = await deployments.create(deploymentInputs());
        await deployments.delete(BROKER, outs);
        await sim.createDeployment({ broker: BROKER });
        await deployments.delete(BROKER, outs);
        expect(deploymentFiles()).toEqual(["rdcb01.json"]);
    });

    it("check refuses a host listed twice and an unknown version", async () => {
        const twice = deployments.check({}, deploymentInputs({ sessionHosts: [{ name: "A1", windowsServerVersion: "2022" }, { name: "a1", windowsServerVersion: "2019" }] }));
        expect((await twice).failures?.[0]?.reason).toContain("listed twice");
        const version = await deployments.check({}, deploymentInputs({ sessionHosts: [{ name: "A1", windowsServerVersion: "2012" }] }));
        expect(version.failures?.[0]?.property).toBe("sessionHosts.0.windowsServerVersion");
    });
});

describe("DeploymentLicensing", () => {
    beforeEach(async () => {
        await deployments.create(deploymentInputs());
    });

    it("create sets the mode and list on the broker and its hosts, in one execution", async () => {
        const { id, outs } = await licensing.create(licensingInputs({ licenseServers: ["RDLS01", "RDLS02"] }));
        expect(id).toBe(BROKER);
        expect(outs).toMatchObject({ mode: "PerUser", licenseServers: ["RDLS01", "RDLS02"], sessionHosts: ["RDSH01", "RDSH02"] });
        expect(await executions()).toBe(1);
        expect((await sim.hosts()).map((h) => [h.mode, h.licenseServers])).toEqual([
            ["PerUser", ["RDLS01", "RDLS02"]],
            ["PerUser", ["RDLS01", "RDLS02"]],
        ]);
    });

    it("read returns the live settings as inputs: a hand change is drift against the program", async () => {
        const { outs } = await licensing.create(licensingInputs());
        const same = await licensing.read(BROKER, outs);
        expect(same.inputs).toEqual(expect.objectContaining({ mode: "PerUser", licenseServers: ["RDLS01"] }));
        expect(same.inputs).not.toHaveProperty("sessionHosts");
        expect(await licensing.diff(BROKER, same.props!, licensingInputs())).toMatchObject({ changes: false });

        await sim.setMode(BROKER, "PerDevice");
        const drifted = await licensing.read(BROKER, same.props!);
        expect(drifted.inputs).toMatchObject({ mode: "PerDevice" });
        expect(await licensing.diff(BROKER, drifted.props!, licensingInputs())).toMatchObject({ changes: true, replaces: [] });
        expect(await executions()).toBe(3);

        await licensing.update(BROKER, drifted.props!, licensingInputs());
        expect((await sim.deployments())[0]).toMatchObject({ mode: "PerUser", licenseServers: ["RDLS01"] });
        expect(await executions()).toBe(4);
    });

    it("outputs each host's licensing, read in the same execution as the configuration", async () => {
        await sim.createServer({ name: "RDLS01", windowsServerVersion: "2019" });
        await sim.activate(CONTACT, { server: "RDLS01" });
        const { outs } = await licensing.create(licensingInputs({ licenseServers: ["RDLS01", "rdls02.contoso.com"] }));
        const host = (name: string, windowsServerVersion: "2019" | "2022", rdls01: LicenseServerConnectivity): SessionHostLicensing => ({
            name,
            windowsServerVersion,
            deployment: BROKER,
            mode: "PerUser",
            licenseServers: ["RDLS01", "rdls02.contoso.com"],
            graceDaysLeft: 120,
            connectivity: [
                { licenseServer: "RDLS01", status: rdls01 },
                { licenseServer: "rdls02.contoso.com", status: 6 },
            ],
            policy: { modeByGroupPolicy: false, licenseServersByGroupPolicy: false },
        });
        // A 2019 license server serves the 2019 host (11 valid), not the 2022 one (4 lower version).
        const expected = [host("RDSH01", "2019", 11), host("RDSH02", "2022", 4)];
        expect(outs.hosts).toEqual(expected);
        expect(await sim.hosts()).toEqual(expected);
        expect(await executions()).toBe(1);
        expect((await readFarmExecutionLog(home, BROKER))[0]?.operations).toEqual(["set-deployment-licensing", "read-host-licensing"]);
    });

    it("read shows a host's own hand change in hosts, never as drift of the deployment", async () => {
        const { outs } = await licensing.create(licensingInputs());
        await sim.setMode("RDSH02", "PerDevice");
        await sim.lockPolicy("RDSH02", { mode: true });
        await sim.advanceClock(3 * 24 * 60 * 60 * 1000);
        const read = await licensing.read(BROKER, outs);
        expect(read.inputs).toEqual({ ...licensingInputs(), __provider: undefined });
        expect(read.inputs).not.toHaveProperty("hosts");
        const rows = read.props!.hosts as SessionHostLicensing[];
        expect(rows.map((h) => [h.name, h.mode, h.graceDaysLeft, h.policy.modeByGroupPolicy])).toEqual([
            ["RDSH01", "PerUser", 117, false],
            ["RDSH02", "PerDevice", 117, true],
        ]);
        expect(await licensing.diff(BROKER, read.props!, licensingInputs())).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
        expect((await readFarmExecutionLog(home, BROKER)).map((e) => e.operations)).toEqual([
            ["set-deployment-licensing", "read-host-licensing"],
            ["get-deployment-licensing", "read-host-licensing"],
        ]);
    });

    it("read shows a host changed on its own (no Group Policy) as drift of the deployment; update puts it back", async () => {
        const { outs } = await licensing.create(licensingInputs());
        await sim.setLicenseServers("RDSH01", []);
        await sim.setMode("RDSH02", "PerDevice");
        const read = await licensing.read(BROKER, outs);
        expect([read.inputs!.mode, read.inputs!.licenseServers]).toEqual(["PerDevice", []]);
        expect((await licensing.diff(BROKER, read.props!, licensingInputs())).changes).toBe(true);
        await licensing.update(BROKER, read.props!, licensingInputs());
        expect((await sim.hosts()).map((h) => [h.name, h.mode, h.licenseServers])).toEqual([
            ["RDSH01", "PerUser", ["RDLS01"]],
            ["RDSH02", "PerUser", ["RDLS01"]],
        ]);
    });

    it("refreshes a deployment of 50 hosts in exactly one execution on the broker, none on a host", async () => {
        const names = Array.from({ length: 50 }, (_, i) => `RDSH5${String(i).padStart(2, "0")}`);
        await deployments.create(
            deploymentInputs({ broker: "RDCB50", owner: `${OWNER}50`, sessionHosts: names.map((name) => ({ name, windowsServerVersion: "2022" })) }),
        );
        const { outs } = await licensing.create(licensingInputs({ broker: "RDCB50" }));
        const before = (await readFarmExecutionLog(home, "RDCB50")).length;
        const read = await licensing.read("RDCB50", outs);
        expect((read.props!.hosts as SessionHostLicensing[]).map((h) => [h.name, h.deployment, h.mode])).toEqual(names.map((n) => [n, "RDCB50", "PerUser"]));
        expect(read.props!.sessionHosts).toEqual(names);
        expect((await readFarmExecutionLog(home, "RDCB50")).length).toBe(before + 1);
        for (const name of names) expect(await readFarmExecutionLog(home, name)).toEqual([]);
    });

    it("read shows a NotConfigured deployment and an emptied list as they are", async () => {
        const { outs } = await licensing.create(licensingInputs());
        await sim.setMode(BROKER, "NotConfigured");
        await sim.setLicenseServers(BROKER, []);
        const read = await licensing.read(BROKER, outs);
        expect(read.inputs).toMatchObject({ mode: "NotConfigured", licenseServers: [] });
        expect(await licensing.diff(BROKER, read.props!, licensingInputs())).toMatchObject({ changes: true, replaces: [] });
    });

    it("read keeps the declared spelling of the same list, and is gone without a deployment", async () => {
        const { outs } = await licensing.create(licensingInputs({ licenseServers: ["rdls01"] }));
        await sim.setLicenseServers(BROKER, ["RDLS01"]);
        expect((await licensing.read(BROKER, outs)).inputs).toMatchObject({ licenseServers: ["rdls01"] });
        await deployments.delete(BROKER, (await deployments.read(BROKER, deploymentInputs({ created: true }))).props!);
        expect((await licensing.read(BROKER, outs)).id).toBe("");
    });

    it("diff never touches a server: mode and list = update, connection or broker = replace", async () => {
        const { outs } = await licensing.create(licensingInputs());
        const before = await executions();
        expect(await licensing.diff(BROKER, outs, licensingInputs())).toMatchObject({ changes: false, replaces: [] });
        expect(await licensing.diff(BROKER, outs, licensingInputs({ mode: "PerDevice" }))).toMatchObject({ changes: true, replaces: [] });
        expect(await licensing.diff(BROKER, outs, licensingInputs({ licenseServers: ["RDLS02", "RDLS01"] }))).toMatchObject({ changes: true, replaces: [] });
        expect(await licensing.diff(BROKER, outs, licensingInputs({ licenseServers: ["rdls01"] }))).toMatchObject({ changes: false });
        expect(await licensing.diff(BROKER, outs, licensingInputs({ connection: { kind: "simulator", home: `${home}-other` } }))).toMatchObject({
            changes: true,
            replaces: ["connection"],
        });
        expect(await licensing.diff(BROKER, outs, licensingInputs({ broker: "RDCB02" }))).toMatchObject({ changes: true, replaces: ["broker"] });
        expect(await licensing.diff(BROKER, outs, licensingInputs({ resetOnDelete: true }))).toMatchObject({ changes: true, replaces: [] });
        // An unknown value (a preview before the server exists) is a change, decided later.
        const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        expect(await licensing.diff(BROKER, outs, licensingInputs({ licenseServers: [unknown] }))).toMatchObject({ changes: true });
        expect(await executions()).toBe(before);
    });

    it("check refuses NotConfigured, an empty or repeated list, and an unknown connection field", async () => {
        const reasons = async (over: Raw) => ((await licensing.check({}, licensingInputs(over))).failures ?? []).map((f) => `${f.property}: ${f.reason}`);
        expect(await reasons({})).toEqual([]);
        expect((await reasons({ mode: "NotConfigured" }))[0]).toContain("mode: mode must be PerUser or PerDevice");
        expect((await reasons({ licenseServers: [] }))[0]).toContain("at least one license server");
        expect((await reasons({ licenseServers: ["A", "a"] }))[0]).toContain("listed twice");
        expect((await reasons({ connection: { kind: "simulator", home, password: "x" } })).length).toBeGreaterThan(0);
        expect(await executions()).toBe(0);
    });

    it("update with only bookkeeping changed makes no execution", async () => {
        const { outs } = await licensing.create(licensingInputs());
        const updated = await licensing.update(BROKER, outs, licensingInputs({ resetOnDelete: true, providerVersion: "2" }));
        expect(updated.outs).toMatchObject({ resetOnDelete: true, providerVersion: "2", sessionHosts: ["RDSH01", "RDSH02"] });
        expect(updated.outs?.hosts).toEqual(outs.hosts);
        expect((updated.outs?.hosts as SessionHostLicensing[]).map((h) => h.name)).toEqual(["RDSH01", "RDSH02"]);
        expect(await executions()).toBe(1);
        // A rebuilt deployment (new instance) is configured again.
        await licensing.update(BROKER, updated.outs!, licensingInputs({ resetOnDelete: true, providerVersion: "2", deploymentInstance: "new" }));
        expect(await executions()).toBe(2);
        // A state written before the hosts output existed is read anew.
        const { hosts: _hosts, ...old } = outs;
        expect((await licensing.update(BROKER, old, licensingInputs())).outs?.hosts).toEqual(outs.hosts);
        expect(await executions()).toBe(3);
    });

    it("delete leaves the configuration by default, resets it with resetOnDelete", async () => {
        const { outs } = await licensing.create(licensingInputs());
        await licensing.delete(BROKER, outs);
        expect((await sim.deployments())[0]).toMatchObject({ mode: "PerUser", licenseServers: ["RDLS01"] });
        expect(await executions()).toBe(1);
        await licensing.delete(BROKER, { ...outs, resetOnDelete: true });
        expect((await sim.deployments())[0]).toMatchObject({ mode: "NotConfigured", licenseServers: [] });
        expect((await sim.hosts()).every((h) => h.mode === "NotConfigured")).toBe(true);
    });

    it("fails with the simulator's reason on a broker without a deployment", async () => {
        const err = await rejection(licensing.create(licensingInputs({ broker: "NOSUCH" })));
        expect(err.kind).toBe(LicensingErrorKind.NotFound);
        expect(err.message).toContain("NOSUCH");
    });

    it("retries a transient transport failure (nothing ran) and succeeds", async () => {
        await sim.setFaults({ transientFailures: 2 });
        const { outs } = await licensing.create(licensingInputs());
        expect(outs.mode).toBe("PerUser");
        expect(await executions()).toBe(1);
    });

    it("serializes concurrent executions on one broker from one process", async () => {
        const { outs } = await licensing.create(licensingInputs());
        await Promise.all([licensing.read(BROKER, outs), licensing.read(BROKER, outs), licensing.update(BROKER, outs, licensingInputs({ mode: "PerDevice" }))]);
        const log = await readFarmExecutionLog(home, BROKER);
        expect(log).toHaveLength(4);
        for (let i = 1; i < log.length; i++) expect(log[i]!.start).toBeGreaterThanOrEqual(log[i - 1]!.end);
    });
});

describe("farm executor lookup", () => {
    it("builds the PowerShell farm executor for Azure and SSH brokers, loading the driver on first use", async () => {
        const azure = createFarmExecutor({ kind: "azure-run-command", subscriptionId: "s", resourceGroupName: "rg", vmName: "rdcb01" });
        const ssh = createFarmExecutor({ kind: "ssh", host: "rdcb01", username: "admin", hostKeySha256: `SHA256:${"A".repeat(43)}` });
        expect(typeof azure.execute).toBe("function");
        expect(typeof ssh.execute).toBe("function");
        expect(createAzureFarmExecutor({ subscriptionId: "s", resourceGroupName: "rg", vmName: "rdcb01" })).toBeInstanceOf(PowerShellFarmExecutor);
        expect(createSshFarmExecutor({ host: "rdcb01", username: "admin", hostKeySha256: `SHA256:${"A".repeat(43)}` })).toBeInstanceOf(PowerShellFarmExecutor);
    });

    it("compares server lists in order, ignoring case", () => {
        expect(sameServerList(["A", "b"], ["a", "B"])).toBe(true);
        expect(sameServerList(["A", "B"], ["B", "A"])).toBe(false);
        expect(sameServerList(["A"], ["A", "B"])).toBe(false);
    });
});
