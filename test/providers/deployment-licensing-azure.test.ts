/**
 * DeploymentLicensing on an Azure broker, through the provider and the Azure runner against the fake
 * ARM endpoint: the `runAs` domain identity reaches managed Run Command's runAsUser / runAsPassword
 * (the RemoteDesktop cmdlets refuse SYSTEM), and only there; a rotated password is stored without
 * an execution; `runAs` with another kind of connection is refused at check.
 */
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { deploymentLicensingProvider } from "../../src/providers/deployment-licensing/handlers";
import { forgetFarmExecutors } from "../../src/providers/farm-registry";
import { FakeFarm, fakeSessionHost } from "../drivers/support/fake-farm";
import { FAKE_RESOURCE_GROUP, FAKE_SUBSCRIPTION, useFakeAzure } from "../support/azure-fixture";

const PASSWORD = "Rotat3d-Pa55word!x";
const RUN_AS = { user: "CONTOSO\\svc-rds", password: PASSWORD };

const fake = useFakeAzure({ driverOverrides: true });
let farm: FakeFarm;

beforeAll(() => {
    process.env.RDS_LICENSING_QUIET = "1";
});

beforeEach(() => {
    forgetFarmExecutors();
    farm = new FakeFarm();
    farm.deployment = { mode: "NotConfigured", servers: [], hosts: [fakeSessionHost("rdsh01.contoso.test", { build: 20348 })] };
    fake.windows.farm = farm;
});

function inputs(more: Record<string, unknown> = {}) {
    return {
        providerVersion: "1",
        connection: { kind: "azure-run-command", subscriptionId: FAKE_SUBSCRIPTION, resourceGroupName: FAKE_RESOURCE_GROUP, vmName: fake.arm.vmName, endpoint: fake.arm.url },
        broker: "rdcb01.contoso.test",
        mode: "PerUser",
        licenseServers: ["rdls01.contoso.test"],
        runAs: RUN_AS,
        ...more,
    };
}

const runCommandPuts = () => fake.arm.requests.filter((r) => r.method === "PUT" && r.url.includes("/runCommands/"));

describe("DeploymentLicensing with runAs on an azure-run-command connection", () => {
    it("runs the broker's script as the domain account, the password only in runAsPassword", async () => {
        const created = await deploymentLicensingProvider.create(inputs());
        expect(created.outs).toMatchObject({ mode: "PerUser", licenseServers: ["rdls01.contoso.test"], sessionHosts: ["rdsh01.contoso.test"] });
        expect(farm.deployment).toMatchObject({ mode: "PerUser", servers: ["rdls01.contoso.test"] });

        const puts = runCommandPuts();
        expect(puts).toHaveLength(1);
        const properties = JSON.parse(puts[0]!.body).properties;
        expect(properties).toMatchObject({ runAsUser: RUN_AS.user, runAsPassword: PASSWORD });
        // Nowhere else in the request: not the script, not its parameters, not the URL.
        const { runAsPassword: _password, ...rest } = properties;
        expect(JSON.stringify(rest)).not.toContain(PASSWORD);
        expect(puts[0]!.url).not.toContain(PASSWORD);

        // Refresh reads back as the same account: one more execution.
        const read = await deploymentLicensingProvider.read("rdcb01.contoso.test", created.outs);
        expect(read.props).toMatchObject({ mode: "PerUser" });
        expect(runCommandPuts()).toHaveLength(2);
        expect(JSON.parse(runCommandPuts()[1]!.body).properties.runAsUser).toBe(RUN_AS.user);
    });

    it("stores a rotated password as an update that runs nothing", async () => {
        const created = await deploymentLicensingProvider.create(inputs());
        const rotated = inputs({ runAs: { user: RUN_AS.user, password: `${PASSWORD}-2` } });
        const diff = await deploymentLicensingProvider.diff("rdcb01.contoso.test", created.outs, rotated);
        expect(diff).toMatchObject({ changes: true, replaces: [] });

        const before = runCommandPuts().length;
        const updated = await deploymentLicensingProvider.update("rdcb01.contoso.test", created.outs, rotated);
        expect(runCommandPuts()).toHaveLength(before);
        expect(updated.outs).toMatchObject({ runAs: { user: RUN_AS.user, password: `${PASSWORD}-2` } });

        // The next execution uses the new password.
        await deploymentLicensingProvider.read("rdcb01.contoso.test", updated.outs);
        expect(JSON.parse(runCommandPuts().at(-1)!.body).properties.runAsPassword).toBe(`${PASSWORD}-2`);
    });

    it("runs as SYSTEM without runAs (no runAs field in the request)", async () => {
        await deploymentLicensingProvider.create(inputs({ runAs: undefined }));
        const properties = JSON.parse(runCommandPuts()[0]!.body).properties;
        expect(properties.runAsUser).toBeUndefined();
        expect(properties.runAsPassword).toBeUndefined();
    });

    it("refuses runAs with an SSH or simulator connection, and a malformed account, naming runAs", async () => {
        const ssh = await deploymentLicensingProvider.check({}, inputs({ connection: { kind: "ssh", host: "rdcb01", username: "admin", hostKeySha256: `SHA256:${"A".repeat(43)}` } }));
        expect(ssh.failures).toEqual([expect.objectContaining({ property: "runAs", reason: expect.stringContaining("azure-run-command connections only") })]);
        const simulator = await deploymentLicensingProvider.check({}, inputs({ connection: { kind: "simulator", home: ".rdls-sim" } }));
        expect(simulator.failures?.map((f) => f.property)).toEqual(["runAs"]);

        const malformed = await deploymentLicensingProvider.check({}, inputs({ runAs: { user: "two words", password: PASSWORD } }));
        expect(malformed.failures?.[0]?.property).toMatch(/^runAs/);
        expect(JSON.stringify(malformed.failures)).not.toContain(PASSWORD);
        expect(fake.arm.requests).toHaveLength(0);
    });
});
