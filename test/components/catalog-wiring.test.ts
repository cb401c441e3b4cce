/**
 * The components register what the catalog says: each resource under its catalog type token (the
 * tokens themselves are pinned: they are stored in every stack's state), and a CalKeyPack keeps its
 * numbers secret while adding, not dropping, the secret outputs a caller asks for.
 */
import type * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { CalKeyPack, RdsLicensing, SECRET_NUMBER_INPUTS, type CalKeyPackArgs, type RdsCalPackArgs } from "../../components";
import { NUMBER_FIELD_NAMES, RESOURCE_TYPES, type NumberFieldName } from "../../src/licensing";
import { installLicensingMocks, type LicensingMocks } from "./support/mocks";

let mocks: LicensingMocks;
beforeAll(async () => {
    mocks = await installLicensingMocks("catalog-wiring");
});

/** The resource options each constructed resource passed to the SDK, by name. */
const optionsSeen = new Map<string, pulumi.CustomResourceOptions>();
const recordOptions: pulumi.ResourceTransformation = ({ name, opts }) => {
    optionsSeen.set(name, opts);
    return undefined;
};

const contact = { firstName: "Test", lastName: "Admin", company: "Contoso (fictitious)", countryRegion: "NL" };
const packArgs: CalKeyPackArgs = {
    connection: { kind: "simulator", home: ".rdls-sim" },
    server: "RDLS01",
    program: "enterprise-agreement",
    agreementNumber: "9990001",
    productVersion: "2022",
    licenseType: "per-user",
    count: 5,
    requestKeySecret: "0".repeat(64),
};

// Type-level: the hand-written args carry exactly the catalog's number fields (a new field fails here).
type NumberArgsOf<T> = Extract<keyof T, NumberFieldName | `${string}Number` | `${string}Code`>;
const sameKeys = <A extends string, B extends string>(_proof: [A] extends [B] ? ([B] extends [A] ? true : false) : false) => _proof;
sameKeys<NumberArgsOf<CalKeyPackArgs>, NumberFieldName>(true);
sameKeys<NumberArgsOf<RdsCalPackArgs>, NumberFieldName>(true);

describe("type tokens", () => {
    it("are the ones stored in state by earlier releases", () => {
        expect(RESOURCE_TYPES).toEqual({
            calKeyPack: "pulumi-nodejs:dynamic/licensing:CalKeyPack",
            activation: "pulumi-nodejs:dynamic/licensing:LicenseServerActivation",
            requestKeySecret: "pulumi-nodejs:dynamic/licensing:RequestKeySecret",
            simulatedServer: "pulumi-nodejs:dynamic/simulator:SimulatedLicenseServer",
            simulatedDeployment: "pulumi-nodejs:dynamic/simulator:SimulatedDeployment",
            deploymentLicensing: "pulumi-nodejs:dynamic/licensing:DeploymentLicensing",
            simulatedSessionHost: "pulumi-nodejs:dynamic/simulator:SimulatedSessionHost",
            hostLicensing: "pulumi-nodejs:dynamic/licensing:HostLicensing",
            roleInstallation: "pulumi-nodejs:dynamic/azure:RoleInstallation",
            sessionDeployment: "pulumi-nodejs:dynamic/rds:SessionDeployment",
            rdsLicensing: "rds-licensing:index:RdsLicensing",
            azureLicenseServer: "rds-licensing:azure:AzureLicenseServer",
            azureSessionHostPool: "rds-licensing:azure:AzureSessionHostPool",
            calNumbersVault: "rds-licensing:azure:CalNumbersVault",
            licensingConfiguration: "rds-licensing:azure:LicensingConfiguration",
            stack: "pulumi:pulumi:Stack",
        });
    });

    it("are what the simulator target's components register", async () => {
        new RdsLicensing("tokens", {
            licenseServer: { name: "RDLS01", windowsServerVersion: "2022", contact },
            calPacks: [{ name: "ea", program: "enterprise-agreement", agreementNumber: "9990001", productVersion: "2022", licenseType: "per-user", count: 5 }],
        }, { transformations: [mocks.transformation] });
        await mocks.settle();
        const types = new Map(mocks.resources.map((r) => [r.name, r.type]));
        expect(Object.fromEntries(["tokens-server", "tokens-request-key", "tokens-activation", "tokens-ea"].map((n) => [n, types.get(n)]))).toEqual({
            "tokens-server": RESOURCE_TYPES.simulatedServer,
            "tokens-request-key": RESOURCE_TYPES.requestKeySecret,
            "tokens-activation": RESOURCE_TYPES.activation,
            "tokens-ea": RESOURCE_TYPES.calKeyPack,
        });
    });
});

describe("CalKeyPack's secret outputs", () => {
    it("are the numbers and the request key secret", () => {
        new CalKeyPack("plain-options", packArgs, { transformations: [recordOptions] });
        expect(new Set(optionsSeen.get("plain-options")?.additionalSecretOutputs)).toEqual(new Set([...NUMBER_FIELD_NAMES, "requestKeySecret"]));
        expect(SECRET_NUMBER_INPUTS).toEqual(NUMBER_FIELD_NAMES);
    });

    it("merge a caller's own instead of replacing them", () => {
        new CalKeyPack("caller-options", packArgs, { transformations: [recordOptions], additionalSecretOutputs: ["availableLicenses", "agreementNumber"] });
        const seen = optionsSeen.get("caller-options")?.additionalSecretOutputs ?? [];
        expect(new Set(seen)).toEqual(new Set([...NUMBER_FIELD_NAMES, "requestKeySecret", "availableLicenses"]));
        expect(seen).toHaveLength(new Set(seen).size);
    });
});
