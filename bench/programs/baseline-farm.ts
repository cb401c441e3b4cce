/**
 * Bench reference of farm.ts: the same graph (server, activation, one pack, the deployment with its
 * session hosts, its licensing) with the same input and output properties, as do-nothing dynamic
 * resources (noop.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { Noop, connection, noopLicenseServer } from "./noop";
import { FARM_PACK, farmShape, home } from "./shape";

const { server, activation } = noopLicenseServer(0, [FARM_PACK], new Noop("RequestKeySecret", "request-key", { value: undefined }));
const shape = farmShape();
const owner = `${pulumi.getProject()}/${pulumi.getStack()}/farm`;
const deployment = new Noop("Deployment", "farm", { home, ...shape, adoptExisting: false, owner, created: true, instanceId: "baseline" });
new Noop(
    "DeploymentLicensing",
    "farm-licensing",
    {
        connection,
        broker: shape.broker,
        deploymentInstance: deployment.urn,
        mode: "PerUser",
        licenseServers: [server.serverName],
        resetOnDelete: false,
        sessionHosts: shape.sessionHosts.map((h) => h.name),
    },
    { dependsOn: [activation] },
);
