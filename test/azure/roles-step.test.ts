/**
 * createRolesStep (components/azure/roles-step.ts), the roles step of license servers and session
 * hosts: a RoleInstallation dynamic resource with the connection, the features and the step's
 * bound, parented and ordered as the caller says; bad arguments stop before anything is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { RdsRoleFeature } from "../../components/azure";
import { createRolesStep, RoleInstallation, type RolesStepArgs } from "../../components/azure/roles-step";
import { PROVIDER_VERSION } from "../../components/dynamic-resource";
import { RESOURCE_TYPES } from "../../src/licensing/resource-types";
import { installMocks, unwrap, valueOf, type MockRecorder } from "./support/mocks";

const TYPE = "pulumi-nodejs:dynamic/azure:RoleInstallation";
const connection = { kind: "azure-run-command" as const, subscriptionId: "sub", resourceGroupName: "rg-rds", vmName: "rdsh01" };

class Parent extends pulumi.ComponentResource {
    constructor(name: string, opts: pulumi.ComponentResourceOptions) {
        super("test:index:Parent", name, {}, opts);
        this.registerOutputs({});
    }
}

let mocks: MockRecorder;
beforeAll(async () => {
    mocks = await installMocks();
});

describe("createRolesStep", () => {
    it("registers a RoleInstallation with the connection, the features and the default bound, parented and after dependsOn", async () => {
        const opts = { transformations: [mocks.transformation] };
        const parent = new Parent("rdsh", opts);
        const join = new Parent("rdsh-join", opts);
        const step = createRolesStep("rdsh-roles", { connection: pulumi.output(connection), features: [RdsRoleFeature.SessionHost] }, { parent, dependsOn: [join] });
        await mocks.settle();

        expect(step).toBeInstanceOf(RoleInstallation);
        expect(RESOURCE_TYPES.roleInstallation).toBe(TYPE);
        const registered = mocks.one(TYPE, "rdsh-roles");
        expect(unwrap(registered.inputs)).toMatchObject({ connection, features: ["RDS-RD-Server"], timeoutSeconds: 3600, providerVersion: PROVIDER_VERSION });
        expect(unwrap(registered.inputs).__provider).toContain('providers["roleInstallation"]');
        expect(mocks.dependsOn.get("rdsh-roles")).toEqual(["rdsh-join"]);
        expect(await valueOf(step.urn)).toContain("test:index:Parent$pulumi-nodejs:dynamic/azure:RoleInstallation::rdsh-roles");
    });

    it.each<[string, Omit<RolesStepArgs, "connection">, RegExp]>([
        ["no feature", { features: [] }, /features list at least one Windows feature/],
        ["an unknown feature", { features: ["RDS-Gateway" as RdsRoleFeature] }, /features\.0 must be one of RDS-Licensing, RDS-Connection-Broker, RDS-RD-Server/],
        ["a silly bound", { features: [RdsRoleFeature.Licensing], timeoutSeconds: 5 }, /timeoutSeconds must be at least 60 seconds/],
    ])("refuses %s before registering anything", async (_what, args, message) => {
        const before = mocks.resources.length;
        expect(() => createRolesStep("bad-roles", { connection, ...args }, {})).toThrow(message);
        await mocks.settle();
        expect(mocks.resources.length).toBe(before);
        expect(mocks.byType(TYPE).map((r) => r.name)).not.toContain("bad-roles");
    });
});
