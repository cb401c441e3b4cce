/**
 * The SessionDeployment handlers end to end over an azure-run-command connection: the Azure runner
 * against the fake ARM endpoint, the fake Windows broker behind it (its RDS deployment and, for the
 * licensing resource, its farm side). One Run Command execution per create, update and read; none in
 * check, diff or delete; the domain identity only in the request's runAsUser / runAsPassword fields;
 * a failure names the step and never the password; refresh shows a host or license server gone.
 */
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RdsRole } from "../../src/drivers/powershell/session-deployment";
import { LicensingErrorKind } from "../../src/licensing";
import { deploymentLicensingProvider } from "../../src/providers/deployment-licensing/handlers";
import { forgetFarmExecutors } from "../../src/providers/farm-registry";
import { sessionDeploymentProvider as provider } from "../../src/providers/session-deployment/handlers";
import { FakeFarm } from "../drivers/support/fake-farm";
import { FakeSessionDeployment, FARM_NAMES } from "../drivers/support/fake-session-deployment";
import { FAKE_RESOURCE_GROUP, FAKE_SUBSCRIPTION, useFakeAzure } from "../support/azure-fixture";
import { PROVIDER } from "../support/farm-handlers";
import { rejection } from "../support/results";

type Raw = Record<string, unknown>;

const { broker: BROKER, sessionHosts: [SH1, SH2], secondLicenseServer: LS2, user: USER, password: PASSWORD } = FARM_NAMES;

const fake = useFakeAzure({ driverOverrides: true });
let farm: FakeFarm;
let deployment: FakeSessionDeployment;

const connection = () => ({ kind: "azure-run-command", subscriptionId: FAKE_SUBSCRIPTION, resourceGroupName: FAKE_RESOURCE_GROUP, vmName: fake.arm.vmName, endpoint: fake.arm.url });

const inputs = (over: Raw = {}): Raw => ({
    providerVersion: "1",
    connection: connection(),
    connectionBroker: BROKER,
    sessionHosts: [SH1, SH2],
    licenseServers: [BROKER, LS2],
    collection: { name: "Desktops" },
    runAs: { user: USER, password: PASSWORD },
    __provider: PROVIDER,
    ...over,
});

/** Run Command executions: one PUT each. */
const executions = () => fake.arm.requests.filter((r) => r.method === "PUT").length;
/** What the test can see of a value, without the runAs input (a secret input, stored as such). */
const withoutRunAs = (outs: Raw) => JSON.stringify({ ...outs, runAs: undefined });

beforeAll(() => {
    process.env.RDS_LICENSING_QUIET = "1";
    process.env.RDS_LICENSING_RETRY_BASE_MS = "1";
});

beforeEach(() => {
    farm = new FakeFarm();
    farm.fqdn = BROKER;
    deployment = new FakeSessionDeployment(farm);
    fake.windows.farm = farm;
    fake.windows.sessionDeployment = deployment;
    forgetFarmExecutors();
});

describe("check", () => {
    it("accepts a deployment and touches no server", async () => {
        const raw = inputs({ webAccessServer: BROKER, collection: { name: "Desktops", description: "Full desktops" } });
        expect(await provider.check({}, raw)).toEqual({ inputs: raw });
        expect(fake.arm.requests).toEqual([]);
    });

    it.each([
        [{ sessionHosts: [SH1, "rdsh02"] }, "sessionHosts.1", "fully qualified domain name"],
        [{ sessionHosts: [] }, "sessionHosts", "list at least 1 session hosts"],
        [{ licenseServers: [LS2, LS2.toUpperCase()] }, "licenseServers.1", "listed twice"],
        [{ connectionBroker: "rdcb01" }, "connectionBroker", "fully qualified domain name"],
        [{ collection: { name: "Desktops; rm" } }, "collection.name", "letters, digits, spaces"],
        [{ runAs: undefined }, "runAs", "runAs is required with an azure-run-command connection"],
        [{ runAs: { user: USER, password: "" } }, "runAs.password", "runAs.password is empty"],
        [{ connection: { kind: "simulator", home: ".rdls-sim" }, runAs: undefined }, "connection", "use SimulatedDeployment on the simulator"],
        [{ connection: { kind: "ssh", host: BROKER, username: "CORP\\svc-rds", hostKeySha256: `SHA256:${"A".repeat(43)}` } }, "runAs", "the scripts run as the SSH user"],
    ])("refuses %j naming the input and the fix", async (over, property, reason) => {
        const result = await provider.check({}, inputs(over));
        expect(result.failures).toContainEqual({ property, reason: expect.stringContaining(reason) });
        expect(JSON.stringify(result)).not.toContain(PASSWORD);
        expect(fake.arm.requests).toEqual([]);
    });
});

describe("diff", () => {
    const old = () => inputs();
    it.each([
        [{ connectionBroker: "rdcb02.corp.contoso.test" }, ["connectionBroker"]],
        [{ collection: { name: "Apps" } }, ["collection"]],
        // Another VM (built inside the test: the endpoint is the test's own).
        ["another vmName", ["connection"]],
    ])("replaces on %j", async (over, replaces) => {
        const news = typeof over === "string" ? { connection: { ...connection(), vmName: "rdcb02" } } : over;
        expect(await provider.diff(BROKER, old(), inputs(news))).toEqual({ changes: true, replaces, deleteBeforeReplace: false });
    });

    it.each([
        { sessionHosts: [SH1, SH2, "rdsh03.corp.contoso.test"] },
        { sessionHosts: [SH1] },
        { licenseServers: [BROKER] },
        { webAccessServer: BROKER },
        { collection: { name: "Desktops", description: "now managed" } },
        { runAs: { user: USER, password: "rotated-password" } },
        { connectionBroker: BROKER.toUpperCase() },
        { removeUnlistedHosts: true },
    ])("updates in place on %j", async (over) => {
        expect(await provider.diff(BROKER, old(), inputs(over))).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    });

    it("sees no change in another order or spelling of the same hosts", async () => {
        expect(await provider.diff(BROKER, old(), inputs({ sessionHosts: [SH2.toUpperCase(), SH1], licenseServers: [LS2, BROKER] }))).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
        expect(fake.arm.requests).toEqual([]);
    });
});

describe("create, read, update, delete", () => {
    it("builds a fresh deployment in one execution, as the domain identity, the password in runAsPassword only", async () => {
        const { id, outs } = await provider.create(inputs());
        expect(id).toBe(BROKER);
        expect(executions()).toBe(1);
        expect(deployment.calls).toEqual([`New-RDSessionDeployment ${BROKER}`, `Add-RDServer ${BROKER} ${RdsRole.Licensing}`, `Add-RDServer ${LS2} ${RdsRole.Licensing}`, "New-RDSessionCollection Desktops"]);
        expect(outs).toMatchObject({ connectionBroker: BROKER, sessionHosts: [SH1, SH2], unlistedSessionHosts: [], unlistedLicenseServers: [] });
        expect((outs.actions as string[]).length).toBe(4);
        expect(fake.arm.runAs).toEqual([expect.objectContaining({ runAsUser: USER, runAsPassword: PASSWORD })]);
        // Anywhere else in the requests: nowhere (the script, its parameters, the URLs).
        for (const request of fake.arm.requests) {
            const body = request.body ? (JSON.parse(request.body) as { properties?: Record<string, unknown> }) : {};
            if (body.properties) delete body.properties.runAsPassword;
            expect(JSON.stringify(body) + request.url).not.toContain(PASSWORD);
        }
        expect(withoutRunAs(outs)).not.toContain(PASSWORD);
    });

    it("changes nothing on a deployment already there: one execution, no cmdlet", async () => {
        deployment.given({ hosts: [SH1, SH2], licenseServers: [BROKER, LS2], collections: [{ name: "Desktops", description: "", hosts: [SH1, SH2] }] });
        const { outs } = await provider.create(inputs());
        expect(executions()).toBe(1);
        expect(deployment.calls).toEqual([]);
        expect(outs.actions).toEqual([]);
    });

    it("shows a host gone from the deployment as drift on refresh, and adds it back on update", async () => {
        const { outs } = await provider.create(inputs());
        // By hand: the host leaves the collection and the deployment.
        deployment.collections[0]!.hosts = [SH1];
        deployment.servers = deployment.servers.filter((s) => s.name !== SH2);
        const read = await provider.read(BROKER, outs);
        expect(read.id).toBe(BROKER);
        expect(read.inputs).toMatchObject({ sessionHosts: [SH1], licenseServers: [BROKER, LS2] });
        expect(read.inputs).not.toHaveProperty("actions");
        expect(read.props?.actions).toEqual(outs.actions);
        expect(await provider.diff(BROKER, read.props!, inputs())).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });

        deployment.calls = [];
        const updated = await provider.update!(BROKER, read.props!, inputs());
        expect(deployment.calls).toEqual([`Add-RDServer ${SH2} ${RdsRole.SessionHost}`, `Add-RDSessionHost ${SH2}`]);
        expect(updated.outs).toMatchObject({ sessionHosts: [SH1, SH2] });
        expect(executions()).toBe(3);
    });

    it("shows a license server gone as drift, and adds it back on update", async () => {
        const { outs } = await provider.create(inputs());
        deployment.servers.find((s) => s.name === LS2)!.roles.delete(RdsRole.Licensing);
        const read = await provider.read(BROKER, outs);
        expect(read.inputs).toMatchObject({ licenseServers: [BROKER] });
        deployment.calls = [];
        await provider.update!(BROKER, read.props!, inputs());
        expect(deployment.calls).toEqual([`Add-RDServer ${LS2} ${RdsRole.Licensing}`]);
    });

    it("reports a host in the deployment that the inputs do not list, and leaves it", async () => {
        const extra = "rdsh09.corp.contoso.test";
        deployment.given({ hosts: [SH1, SH2, extra], licenseServers: [BROKER, LS2], collections: [{ name: "Desktops", description: "", hosts: [SH1, SH2, extra] }] });
        const { outs } = await provider.create(inputs());
        expect(outs.unlistedSessionHosts).toEqual([extra]);
        expect(deployment.calls).toEqual([]);
        expect(deployment.servers.map((s) => s.name)).toContain(extra);
    });

    it("with removeUnlistedHosts, shows an unlisted host as drift and removes it on update", async () => {
        const extra = "rdsh09.corp.contoso.test";
        const { outs } = await provider.create(inputs({ removeUnlistedHosts: true }));
        // By hand: a host joins the deployment and the collection.
        deployment.servers.push({ name: extra, roles: new Set([RdsRole.SessionHost]) });
        deployment.collections[0]!.hosts.push(extra);
        const read = await provider.read(BROKER, outs);
        expect(read.inputs).toMatchObject({ sessionHosts: [SH1, SH2, extra], removeUnlistedHosts: true });
        expect((await provider.diff(BROKER, read.props!, inputs({ removeUnlistedHosts: true }))).changes).toBe(true);
        deployment.calls = [];
        const updated = await provider.update!(BROKER, read.props!, inputs({ removeUnlistedHosts: true }));
        expect(deployment.calls).toEqual([`Remove-RDSessionHost ${extra}`, `Remove-RDServer ${extra} ${RdsRole.SessionHost}`]);
        expect(updated.outs).toMatchObject({ sessionHosts: [SH1, SH2], unlistedSessionHosts: [] });
    });

    it("reads a deployment that is gone as gone", async () => {
        const { outs } = await provider.create(inputs());
        deployment.exists = false;
        deployment.servers = [];
        expect(await provider.read(BROKER, outs)).toEqual({ id: "", props: {} });
    });

    it("fails with the cmdlet's message, naming the step", async () => {
        deployment.faults.push({ cmdlet: "New-RDSessionCollection", message: `Access is denied for ${USER}.` });
        const error = await rejection(provider.create(inputs()));
        expect(error.kind).toBe(LicensingErrorKind.Failed);
        expect(error.message).toBe(`build the RDS deployment on ${BROKER}: New-RDSessionCollection Desktops failed: Access is denied for ${USER}.`);
        expect(executions()).toBe(1);
    });

    it("fails without ever showing the password, even when a cmdlet's output holds it", async () => {
        // The Azure runner cuts the password out of the output before anything reads it (the result
        // block no longer matches its announced length, so the run fails as unusable): safe, not silent.
        deployment.faults.push({ cmdlet: "New-RDSessionCollection", message: `Access is denied for ${USER} (password ${PASSWORD}).` });
        const error = await rejection(provider.create(inputs()));
        expect(error.kind).toBe(LicensingErrorKind.Failed);
        expect(error.message).not.toContain(PASSWORD);
        expect(JSON.stringify(error)).not.toContain(PASSWORD);
    });

    it("deletes nothing and runs nothing", async () => {
        const { outs } = await provider.create(inputs());
        const before = fake.arm.requests.length;
        await provider.delete(BROKER, outs);
        expect(fake.arm.requests.length).toBe(before);
        expect(deployment.exists).toBe(true);
    });
});

describe("the deployment's licensing, on the deployment built here", () => {
    it("fails with the Group Policy reason through DeploymentLicensing, over the same broker", async () => {
        await provider.create(inputs());
        deployment.lockLicensingByGroupPolicy(SH1);
        const licensing = { providerVersion: "1", connection: connection(), broker: BROKER, mode: "PerUser", licenseServers: [BROKER, LS2], resetOnDelete: false, __provider: PROVIDER };
        const error = await rejection(deploymentLicensingProvider.create(licensing));
        expect(error.kind).toBe(LicensingErrorKind.InvalidParameter);
        expect(error.message).toContain("set by Group Policy: change the GPO or remove it");
        expect(farm.deployment?.mode).toBe("NotConfigured");
    });

    it("sets it once the deployment exists, the licensing servers the deployment holds", async () => {
        await provider.create(inputs());
        const licensing = { providerVersion: "1", connection: connection(), broker: BROKER, mode: "PerUser", licenseServers: [BROKER, LS2], resetOnDelete: false, __provider: PROVIDER };
        const { outs } = await deploymentLicensingProvider.create(licensing);
        expect(outs).toMatchObject({ mode: "PerUser", licenseServers: [BROKER, LS2], sessionHosts: [SH1, SH2] });
    });
});
