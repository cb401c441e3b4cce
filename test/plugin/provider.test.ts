/**
 * The plugin's dispatch, without the engine: the handlers get plain inputs, the engine gets secrets
 * back as secrets, and what the TypeScript component sets itself the plugin sets from the URN.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Simulator } from "../../src/simulator";
import { pluginProvider } from "../../src/plugin/provider";
import { isSecret, secret, SPECIAL_SIG_KEY } from "../../src/plugin/secrets";
import { SECRETS } from "../support/config-fixtures";
import { expectNoSecrets } from "../support/secrets";

const PACK_URN = "urn:pulumi:dev::farm::rds-licensing:index:CalKeyPack::ea-users";
const provider = pluginProvider("0.0.0-test", async () => "{}");
let home: string;

/** The pack's inputs as the engine sends them: the number as a secret, here a number (Pulumi config spells digits so). */
const packInputs = () => ({
    connection: { kind: "simulator", home },
    server: "RDLS-UNIT01",
    program: "enterprise-agreement",
    agreementNumber: secret(Number(SECRETS.agreementNumber)),
    productVersion: "2022",
    licenseType: "per-user",
    count: 4,
    requestKeySecret: secret("k".repeat(64)),
});

beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), "rdls-plugin-"));
    const sim = new Simulator({ home });
    await sim.provisionServer({ name: "RDLS-UNIT01", windowsServerVersion: "2022", owner: "test" });
    await sim.activate({ firstName: "Ada", lastName: "Lovelace", company: "Contoso", countryRegion: "GB" });
});

afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe("the plugin's provider", () => {
    it("checks with the handler, keeps the number secret and spelled as typed, and sets the inputs the component would", async () => {
        const checked = await provider.check!(PACK_URN, {}, packInputs());
        expect(checked.failures).toBeUndefined();
        expect(checked.inputs.packKey).toBe("farm/dev/ea-users");
        expect(checked.inputs.providerVersion).toBeTypeOf("string");
        expect(checked.inputs.allowDeleteWithIssuedLicenses).toBe(false);
        expect(checked.inputs.agreementNumber).toEqual(secret(SECRETS.agreementNumber));
    });

    it("reports the handler's check failures without the value", async () => {
        const checked = await provider.check!(PACK_URN, {}, { ...packInputs(), agreementNumber: secret("12ab") });
        expect(checked.failures?.map((f) => f.property)).toEqual(["agreementNumber"]);
        expect(JSON.stringify(checked.failures)).not.toContain("12ab");
    });

    it("creates through the handler and returns every number as a secret", async () => {
        const checked = await provider.check!(PACK_URN, {}, packInputs());
        const created = await provider.create!(PACK_URN, checked.inputs);
        expect(isSecret(created.outs.agreementNumber)).toBe(true);
        expect(isSecret(created.outs.requestKeySecret)).toBe(true);
        expect(created.outs.totalLicenses).toBe(4);
        // Outside the secret markers, the number is nowhere in what goes back to the engine.
        const plain = JSON.stringify({ ...created.outs, agreementNumber: undefined, requestKeySecret: undefined });
        expectNoSecrets(plain, "the create result outside its secrets");
        expect(JSON.stringify(created.outs)).toContain(SPECIAL_SIG_KEY);
        const diff = await provider.diff!(created.id, PACK_URN, created.outs, checked.inputs);
        expect(diff.changes).toBe(false);
    });

    it("sets a simulated machine's owner from the URN and its component's default store", async () => {
        const urn = "urn:pulumi:dev::farm::rds-licensing:index:SimulatedLicenseServer::server";
        const checked = await provider.check!(urn, {}, { serverName: "RDLS-UNIT02", windowsServerVersion: "2022" });
        expect(checked.failures).toBeUndefined();
        expect(checked.inputs).toMatchObject({ owner: "farm/dev/server", home: ".rdls-sim", adoptExisting: false });
        const deployment = await provider.check!("urn:pulumi:dev::farm::rds-licensing:index:SimulatedDeployment::farm", {}, { broker: "RDCB01", home });
        expect(deployment.inputs).toMatchObject({ owner: "farm/dev/farm", home, sessionHosts: [] });
    });

    it("keeps a deployment's runAs a secret, given plain or secret", async () => {
        const urn = "urn:pulumi:dev::farm::rds-licensing:index:DeploymentLicensing::licensing";
        const inputs = {
            connection: { kind: "azure-run-command", subscriptionId: "00000000-0000-0000-0000-000000000000", resourceGroupName: "rds", vmName: "rdcb01" },
            broker: "rdcb01",
            mode: "PerUser",
            licenseServers: ["rdls01"],
            runAs: { user: "CORP\\svc-rds", password: "pw-unit-test-1" },
        };
        const checked = await provider.check!(urn, {}, inputs);
        expect(checked.failures).toBeUndefined();
        expect(isSecret(checked.inputs.runAs)).toBe(true);
        expect(JSON.stringify({ ...checked.inputs, runAs: undefined })).not.toContain("pw-unit-test-1");
    });

    it("refuses a type token it does not serve", async () => {
        await expect(provider.check!("urn:pulumi:dev::farm::rds-licensing:index:NoSuchThing::x", {}, {})).rejects.toThrow(/unknown resource type rds-licensing:index:NoSuchThing/);
    });
});
