/**
 * The session deployment scripts against the fake Windows double of a broker: every rendered script
 * parses, and each scenario of a real broker (no deployment, one already there, a host or a license
 * server missing from it, a cmdlet that throws, a cmdlet that returns without effect, no
 * RemoteDesktop module) ends as the deployment asked or as a failure with the reason, in one
 * execution; never as a success that did nothing.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { PowerShellFarmExecutor } from "../../src/drivers/powershell";
import { INPUT_PARAMETER } from "../../src/drivers/powershell/script-prelude";
import {
    RdsRole,
    renderSessionDeploymentScript,
    SessionDeploymentDriver,
    serversWithRole,
    type SessionDeploymentSpec,
} from "../../src/drivers/powershell/session-deployment";
import { LicensingError, LicensingErrorKind } from "../../src/licensing";
import { FakeFarm } from "./support/fake-farm";
import { FakeRunner } from "./support/fake-runner";
import { FakeSessionDeployment, FARM_NAMES } from "./support/fake-session-deployment";
import { FakeWindowsServer } from "./support/fake-windows";
import { commands, parsed } from "./support/powershell-syntax";

const { broker: BROKER, sessionHosts: [SH1, SH2], secondLicenseServer: LS2, password: PASSWORD } = FARM_NAMES;
const LS1 = BROKER;

const spec = (over: Partial<SessionDeploymentSpec> = {}): SessionDeploymentSpec => ({
    connectionBroker: BROKER,
    sessionHosts: [SH1, SH2],
    licenseServers: [LS1, LS2],
    collection: { name: "Desktops" },
    ...over,
});

let server: FakeWindowsServer;
let farm: FakeFarm;
let deployment: FakeSessionDeployment;
let runner: FakeRunner;
let driver: SessionDeploymentDriver;

beforeEach(() => {
    server = new FakeWindowsServer();
    farm = new FakeFarm();
    farm.fqdn = BROKER;
    deployment = new FakeSessionDeployment(farm);
    server.farm = farm;
    server.sessionDeployment = deployment;
    runner = new FakeRunner(server);
    driver = new SessionDeploymentDriver();
});

async function failure(promise: Promise<unknown>): Promise<LicensingError> {
    const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
    );
    if (!(error instanceof LicensingError)) throw new Error(`expected a LicensingError, got ${String(error)}`);
    return error;
}

describe("the rendered scripts", () => {
    it.each([
        ["ensure", spec()],
        ["ensure", spec({ webAccessServer: BROKER, collection: { name: "Desktops", description: "Full desktops" } })],
        ["read", spec()],
    ] as const)("%s parses with tree-sitter-powershell and holds no user value", async (operation, s) => {
        const script = renderSessionDeploymentScript(operation, s, { nonce: "0123456789abcdef", budget: 3000 });
        const root = await parsed(script);
        // Names and the description travel in the input parameter, never in the script text.
        for (const value of [SH1, SH2, LS2, "Desktops", "Full desktops"]) expect(script).not.toContain(value);
        expect(commands(root, "Invoke-RdlsStep")).toHaveLength(1);
        if (operation === "read") for (const cmdlet of ["New-RDSessionDeployment", "Add-RDServer", "New-RDSessionCollection"]) expect(commands(root, cmdlet)).toEqual([]);
    });

    it("refuses bad names before rendering or running anything", async () => {
        for (const bad of [spec({ sessionHosts: ["rdsh01"] }), spec({ connectionBroker: "rdcb01'; Remove-Item C:\\" }), spec({ collection: { name: "" } }), spec({ sessionHosts: [SH1, SH1.toUpperCase()] })]) {
            expect(() => renderSessionDeploymentScript("ensure", bad, { nonce: "0123456789abcdef", budget: 3000 })).toThrow(TypeError);
            await expect(driver.ensure(runner, bad)).rejects.toThrow(TypeError);
        }
        expect(runner.calls).toEqual([]);
    });
});

describe("building the deployment", () => {
    it("creates a fresh deployment, adds the license servers and the collection, in one execution", async () => {
        const outcome = await driver.ensure(runner, spec({ webAccessServer: BROKER }));
        expect(runner.calls).toHaveLength(1);
        expect(deployment.calls).toEqual([
            `New-RDSessionDeployment ${BROKER}`,
            // The broker is already a server of the deployment; it gets the licensing role.
            `Add-RDServer ${LS1} ${RdsRole.Licensing}`,
            `Add-RDServer ${LS2} ${RdsRole.Licensing}`,
            "New-RDSessionCollection Desktops",
        ]);
        expect(outcome.actions).toEqual(["New-RDSessionDeployment", `Add-RDServer -Server ${LS1} -Role RDS-LICENSING`, `Add-RDServer -Server ${LS2} -Role RDS-LICENSING`, "New-RDSessionCollection Desktops"]);
        expect(serversWithRole(outcome.state, RdsRole.SessionHost)).toEqual([SH1, SH2]);
        expect(serversWithRole(outcome.state, RdsRole.Licensing)).toEqual([LS1, LS2]);
        expect(serversWithRole(outcome.state, RdsRole.WebAccess)).toEqual([BROKER]);
        expect(outcome.state.collection).toEqual({ name: "Desktops", description: "", sessionHosts: [SH1, SH2] });
        // The farm side of the same machine now brokers these hosts (DeploymentLicensing's scripts see them).
        expect(farm.deployment?.hosts.map((h) => h.name)).toEqual([SH1, SH2]);
        // The names went in the protected input.
        expect(JSON.parse(Buffer.from(runner.calls[0]!.secretParameters[INPUT_PARAMETER]!, "base64").toString("utf8"))).toEqual({
            o: [{ b: BROKER, h: [SH1, SH2], l: [LS1, LS2], w: BROKER, c: "Desktops" }],
        });
    });

    it("changes nothing on a deployment that is already as asked (one execution, no cmdlet)", async () => {
        deployment.given({ hosts: [SH1, SH2], licenseServers: [LS1, LS2], collections: [{ name: "Desktops", description: "", hosts: [SH1, SH2] }] });
        const outcome = await driver.ensure(runner, spec());
        expect(runner.calls).toHaveLength(1);
        expect(deployment.calls).toEqual([]);
        expect(outcome.actions).toEqual([]);
        expect(outcome.state.collection?.sessionHosts).toEqual([SH1, SH2]);
    });

    it("adds a session host missing from the deployment, then to the collection", async () => {
        deployment.given({ hosts: [SH1], licenseServers: [LS1, LS2], collections: [{ name: "Desktops", description: "", hosts: [SH1] }] });
        const outcome = await driver.ensure(runner, spec());
        expect(deployment.calls).toEqual([`Add-RDServer ${SH2} ${RdsRole.SessionHost}`, `Add-RDSessionHost ${SH2}`]);
        expect(outcome.actions).toEqual([`Add-RDServer -Server ${SH2} -Role RDS-RD-SERVER`, `Add-RDSessionHost ${SH2}`]);
        expect(outcome.state.collection?.sessionHosts).toEqual([SH1, SH2]);
        expect(farm.deployment?.hosts.map((h) => h.name)).toEqual([SH1, SH2]);
    });

    it("adds a license server missing from the deployment", async () => {
        deployment.given({ hosts: [SH1, SH2], licenseServers: [LS1], collections: [{ name: "Desktops", description: "", hosts: [SH1, SH2] }] });
        const outcome = await driver.ensure(runner, spec());
        expect(deployment.calls).toEqual([`Add-RDServer ${LS2} ${RdsRole.Licensing}`]);
        expect(serversWithRole(outcome.state, RdsRole.Licensing)).toEqual([LS1, LS2]);
    });

    it("sets a managed description that differs, and leaves hosts it was not asked for", async () => {
        const extra = "rdsh09.corp.contoso.test";
        deployment.given({ hosts: [SH1, SH2, extra], licenseServers: [LS1, LS2], collections: [{ name: "Desktops", description: "old", hosts: [SH1, SH2, extra] }] });
        const outcome = await driver.ensure(runner, spec({ collection: { name: "Desktops", description: "Full desktops" } }));
        expect(deployment.calls).toEqual(["Set-RDSessionCollectionConfiguration Desktops"]);
        expect(outcome.state.collection).toEqual({ name: "Desktops", description: "Full desktops", sessionHosts: [SH1, SH2, extra] });
        expect(serversWithRole(outcome.state, RdsRole.SessionHost)).toContain(extra);
    });
});

describe("removing unlisted hosts, when asked", () => {
    it("takes an unlisted host out of its collection, then out of the deployment", async () => {
        const extra = "rdsh09.corp.contoso.test";
        deployment.given({ hosts: [SH1, SH2, extra], licenseServers: [LS1, LS2], collections: [{ name: "Desktops", description: "", hosts: [SH1, SH2, extra] }] });
        const outcome = await driver.ensure(runner, spec({ removeUnlistedHosts: true }));
        expect(deployment.calls).toEqual([`Remove-RDSessionHost ${extra}`, `Remove-RDServer ${extra} ${RdsRole.SessionHost}`]);
        expect(serversWithRole(outcome.state, RdsRole.SessionHost)).toEqual([SH1, SH2]);
        expect(outcome.state.collection?.sessionHosts).toEqual([SH1, SH2]);
        expect(farm.deployment?.hosts.map((h) => h.name)).toEqual([SH1, SH2]);
        expect(runner.calls).toHaveLength(1);
    });

    it("fails when the removal returns but the host is still there", async () => {
        const extra = "rdsh09.corp.contoso.test";
        deployment.given({ hosts: [SH1, SH2, extra], licenseServers: [LS1, LS2], collections: [{ name: "Desktops", description: "", hosts: [SH1, SH2] }] });
        deployment.inert.add("Remove-RDServer");
        const error = await failure(driver.ensure(runner, spec({ removeUnlistedHosts: true })));
        expect(error.message).toContain(`reads back without the removal of unlisted session host ${extra}`);
        // Not in the collection: only the deployment's removal was tried.
        expect(deployment.calls).toEqual([`Remove-RDServer ${extra} ${RdsRole.SessionHost}`]);
    });

    it("renders no removal unless asked", async () => {
        const root = await parsed(renderSessionDeploymentScript("ensure", spec(), { nonce: "0123456789abcdef", budget: 3000 }));
        expect(commands(root, "Remove-RDServer")).toEqual([]);
        expect(commands(root, "Remove-RDSessionHost")).toEqual([]);
        const asked = await parsed(renderSessionDeploymentScript("ensure", spec({ removeUnlistedHosts: true }), { nonce: "0123456789abcdef", budget: 3000 }));
        expect(commands(asked, "Remove-RDServer")).toHaveLength(1);
    });
});

describe("a step that cannot apply fails, with the reason", () => {
    it("reports a cmdlet that throws with its message, and no secret in it", async () => {
        deployment.given({ hosts: [SH1], licenseServers: [LS1, LS2], collections: [{ name: "Desktops", description: "", hosts: [SH1] }] });
        deployment.faults.push({ cmdlet: "Add-RDServer", server: SH2, message: `The server ${SH2} is not reachable (logon as CORP\\svc-rds with ${PASSWORD} failed).` });
        const error = await failure(driver.ensure(runner, spec(), [PASSWORD]));
        expect(error.kind).toBe(LicensingErrorKind.Failed);
        expect(error.message).toContain(`build the RDS deployment on ${BROKER}: Add-RDServer -Server ${SH2} -Role RDS-RD-SERVER failed: The server ${SH2} is not reachable`);
        expect(error.message).not.toContain(PASSWORD);
        expect(error.message).toContain("***");
        // It stopped there: the host was not added to the collection.
        expect(deployment.collections[0]!.hosts).toEqual([SH1]);
        expect(runner.calls).toHaveLength(1);
        expect(JSON.stringify(runner.calls[0]!)).not.toContain(PASSWORD);
    });

    it("fails when a cmdlet returns but the deployment reads back without what it should have made", async () => {
        deployment.given({ hosts: [SH1, SH2], licenseServers: [LS1], collections: [{ name: "Desktops", description: "", hosts: [SH1, SH2] }] });
        deployment.inert.add("Add-RDServer");
        const error = await failure(driver.ensure(runner, spec()));
        expect(error.message).toBe(`build the RDS deployment on ${BROKER}: the cmdlets returned, but the deployment reads back without license server ${LS2}`);
    });

    it("fails when New-RDSessionDeployment returns but no deployment exists", async () => {
        deployment.inert.add("New-RDSessionDeployment");
        const error = await failure(driver.ensure(runner, spec()));
        expect(error.message).toContain("New-RDSessionDeployment returned, but there is still no deployment: Get-RDServer -ConnectionBroker rdcb01.corp.contoso.test");
        expect(deployment.calls).toEqual([`New-RDSessionDeployment ${BROKER}`]);
    });

    it("fails when a session host is in another collection already", async () => {
        deployment.given({ hosts: [SH1, SH2], licenseServers: [LS1, LS2], collections: [{ name: "Apps", description: "", hosts: [SH2] }] });
        const error = await failure(driver.ensure(runner, spec()));
        expect(error.message).toContain(`New-RDSessionCollection Desktops failed: The RD Session Host server ${SH2} is already part of the session collection Apps.`);
    });

    it("fails without the RemoteDesktop module, saying what to install", async () => {
        deployment.remoteDesktopModule = false;
        const error = await failure(driver.ensure(runner, spec()));
        expect(error.message).toContain("the RemoteDesktop module is not installed on this server: install the RD Connection Broker role service (RDS-Connection-Broker) on it first");
        expect(deployment.calls).toEqual([]);
    });
});

describe("reading the deployment", () => {
    it("reads servers by role and the collection, changing nothing", async () => {
        deployment.given({ hosts: [SH1], licenseServers: [LS2], collections: [{ name: "desktops", description: "d", hosts: [SH1] }] });
        const state = await driver.read(runner, spec());
        expect(state.servers).toEqual([
            { name: BROKER, roles: [RdsRole.ConnectionBroker] },
            { name: SH1, roles: [RdsRole.SessionHost] },
            { name: LS2, roles: [RdsRole.Licensing] },
        ]);
        expect(state.collection).toEqual({ name: "desktops", description: "d", sessionHosts: [SH1] });
        expect(deployment.calls).toEqual([]);
    });

    it("says not-found when the broker has no deployment", async () => {
        const error = await failure(driver.read(runner, spec()));
        expect(error.kind).toBe(LicensingErrorKind.NotFound);
        expect(error.message).toContain("no RDS deployment on this broker");
    });
});

describe("the licensing configuration of the deployment built here", () => {
    it("fails with the Group Policy reason through the DeploymentLicensing scripts, on the same broker", async () => {
        await driver.ensure(runner, spec());
        deployment.lockLicensingByGroupPolicy(SH2);
        const farmExecutor = new PowerShellFarmExecutor({ runner });
        const [result] = await farmExecutor.execute(BROKER, [{ op: "set-deployment-licensing", mode: "PerUser", licenseServers: [LS1, LS2] }]);
        expect(result).toMatchObject({ ok: false, error: { kind: LicensingErrorKind.InvalidParameter } });
        const message = result && !result.ok ? result.error.message : "";
        expect(message).toContain("set by Group Policy");
        expect(message).toContain("change the GPO or remove it");
        // Nothing was set: the deployment stays NotConfigured.
        expect(farm.deployment?.mode).toBe("NotConfigured");
    });
});
