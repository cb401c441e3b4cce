/**
 * The SessionDeployment component as the engine sees it (mocks): its type token, the inputs it
 * registers (defaults, provider version), and the domain identity a secret whether or not the
 * program gave it as one, also in its outputs (additionalSecretOutputs).
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { SessionDeployment } from "../../components";
import { PROVIDER_VERSION } from "../../components/dynamic-resource";
import { RESOURCE_TYPES } from "../../src/licensing/resource-types";
import { installLicensingMocks, isSecretMarker, unwrap, type LicensingMocks } from "./support/mocks";

let mocks: LicensingMocks;
const optionsSeen = new Map<string, pulumi.CustomResourceOptions>();
const recordOptions: pulumi.ResourceTransformation = ({ name, opts }) => {
    optionsSeen.set(name, opts);
    return undefined;
};

const connection = { kind: "azure-run-command" as const, subscriptionId: "sub", resourceGroupName: "rg", vmName: "rdcb01" };

beforeAll(async () => {
    mocks = await installLicensingMocks("session-deployment");
});

describe("SessionDeployment", () => {
    it("registers its dynamic type with the inputs and the identity as a secret", async () => {
        new SessionDeployment(
            "farm",
            {
                connection,
                connectionBroker: "rdcb01.corp.contoso.test",
                sessionHosts: ["rdsh01.corp.contoso.test"],
                collection: { name: "Desktops" },
                // A plain value in the program: still a secret in state.
                runAs: { user: "CORP\\svc-rds", password: "plain-in-program" },
            },
            { transformations: [mocks.transformation, recordOptions], additionalSecretOutputs: ["servers"] },
        );
        await mocks.settle();
        expect(RESOURCE_TYPES.sessionDeployment).toBe("pulumi-nodejs:dynamic/rds:SessionDeployment");
        const registered = mocks.one(RESOURCE_TYPES.sessionDeployment, "farm");
        expect(isSecretMarker(registered.inputs.runAs)).toBe(true);
        expect(unwrap(registered.inputs)).toMatchObject({
            connection,
            connectionBroker: "rdcb01.corp.contoso.test",
            sessionHosts: ["rdsh01.corp.contoso.test"],
            licenseServers: [],
            collection: { name: "Desktops" },
            runAs: { user: "CORP\\svc-rds", password: "plain-in-program" },
            providerVersion: PROVIDER_VERSION,
        });
        expect(String(registered.inputs.__provider)).toContain('providers["sessionDeployment"]');
        // The caller's own secret outputs are kept, runAs added.
        expect(new Set(optionsSeen.get("farm")?.additionalSecretOutputs)).toEqual(new Set(["servers", "runAs"]));
    });

    it("registers no identity when none is given (ssh)", async () => {
        new SessionDeployment(
            "over-ssh",
            {
                connection: { kind: "ssh", host: "rdcb01.corp.contoso.test", username: "CORP\\svc-rds", hostKeySha256: `SHA256:${"A".repeat(43)}` },
                connectionBroker: "rdcb01.corp.contoso.test",
                sessionHosts: ["rdsh01.corp.contoso.test"],
                collection: { name: "Desktops" },
            },
            { transformations: [mocks.transformation] },
        );
        await mocks.settle();
        expect(mocks.one(RESOURCE_TYPES.sessionDeployment, "over-ssh").inputs.runAs).toBeUndefined();
    });
});
