/**
 * RdsLicensing with `target: azure`, built from a stack config under mocks: the order on the VM is
 * roles → activation → packs → licensing configuration, every pack reaches the VM through Run
 * Command, and the CAL numbers stay secret.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { RdsLicensing, azureLicenseServerArgsFromConfig } from "../../components";
import { validateStackConfig } from "../../src/config";
import { SECRETS } from "../support/config-fixtures";
import { AZURE_SECRET_PATHS, azureConfig } from "./support/fixtures";
import { installMocks, isSecretAt, unwrap, withoutSecrets, type MockRecorder } from "./support/mocks";

let mocks: MockRecorder;

beforeAll(async () => {
    mocks = await installMocks();
    const config = validateStackConfig(azureConfig({ windowsServerVersion: 2022 }), (path) => AZURE_SECRET_PATHS.includes(path));
    new RdsLicensing(
        "rds",
        {
            target: "azure",
            azure: azureLicenseServerArgsFromConfig(config),
            licensingMode: config.licensingMode,
            licenseServer: config.licenseServer,
            calPacks: config.calPacks.map((p) => ({
                ...p,
                agreementNumber: "agreementNumber" in p ? pulumi.secret(p.agreementNumber) : undefined,
                licenseNumber: "licenseNumber" in p ? pulumi.secret(p.licenseNumber) : undefined,
                authorizationNumber: "authorizationNumber" in p ? pulumi.secret(p.authorizationNumber) : undefined,
                licenseCode: "licenseCode" in p ? pulumi.secret(p.licenseCode) : undefined,
            })),
        },
        { transformations: [mocks.transformation] },
    );
    await mocks.settle();
});

const PACK = "pulumi-nodejs:dynamic/licensing:CalKeyPack";
const ACTIVATION = "pulumi-nodejs:dynamic/licensing:LicenseServerActivation";

describe("RdsLicensing on Azure", () => {
    it("creates no simulated server", () => {
        expect(mocks.byType("pulumi-nodejs:dynamic/simulator:SimulatedLicenseServer")).toEqual([]);
        expect(mocks.byType("azure-native:compute:VirtualMachine")).toHaveLength(1);
    });

    it("activates after the roles, installs packs after activation, configures licensing last", () => {
        const roles = mocks.one("pulumi-nodejs:dynamic/azure:RoleInstallation", "rds-azure-roles").name;
        expect(mocks.dependsOn.get("rds-activation")).toContain(roles);
        const packs = mocks.byType(PACK).map((p) => p.name);
        expect(packs).toHaveLength(3);
        for (const pack of packs) expect(mocks.dependsOn.get(pack)).toContain("rds-activation");
        const configuration = [...mocks.dependsOn.keys()].find((n) => n.startsWith("rds-licensing-configuration") && n.endsWith("-run"));
        expect(configuration).toBeDefined();
        expect(mocks.dependsOn.get(configuration!)).toEqual(expect.arrayContaining([roles, "rds-activation", ...packs]));
    });

    it("reaches the VM through Run Command", () => {
        for (const resource of [...mocks.byType(PACK), ...mocks.byType(ACTIVATION)]) {
            expect(unwrap(resource.inputs).connection).toMatchObject({ kind: "azure-run-command", resourceGroupName: "rg-rds-licensing", vmName: "RDLS-TEST01" });
            expect(unwrap(resource.inputs).server).toBe("RDLS-TEST01");
        }
    });

    it("keeps every CAL number secret", () => {
        const ea = mocks.byType(PACK).find((p) => unwrap(p.inputs).program === "enterprise-agreement")!;
        expect(isSecretAt(ea.inputs, "agreementNumber")).toBe(true);
        for (const resource of mocks.resources) {
            const plain = JSON.stringify(withoutSecrets(resource.inputs));
            for (const secret of Object.values(SECRETS)) expect(plain).not.toContain(secret.replace(/-/g, ""));
        }
    });
});
