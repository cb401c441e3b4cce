/**
 * The SessionDeployment resource's inputs: the zod schema `check` validates with, before anything
 * touches a server, and the spec the driver builds from them. Names are checked by the driver's
 * own rules (session-deployment.ts: FQDNs, collection names), so the schema and the script agree.
 */
import { z } from "zod";
import { sessionDeploymentSpecProblems, type SessionDeploymentSpec } from "../../drivers/powershell/session-deployment";
import { connectionSchema } from "../connection";
import { resourceSchema } from "../resource-schema";
import { runAsSchema } from "../run-as";

/** The outputs that are not inputs: never diffed, never read back as inputs. */
export const SESSION_DEPLOYMENT_OUTPUTS = ["actions", "servers", "unlistedSessionHosts", "unlistedLicenseServers"] as const;

/** Inputs as state and `read` may hold them: live lists may be empty (a host gone, the collection gone). */
export const sessionDeploymentStoredSchema = z.object({
    providerVersion: z.string(),
    connection: connectionSchema,
    connectionBroker: z.string().min(1, "connectionBroker is empty: give the broker's FQDN, e.g. rdcb01.corp.contoso.com"),
    sessionHosts: z.array(z.string()),
    licenseServers: z.array(z.string()).default([]),
    webAccessServer: z.string().optional(),
    collection: z.strictObject({
        name: z.string(),
        description: z.string().optional(),
    }),
    runAs: runAsSchema.optional(),
    removeUnlistedHosts: z.boolean().default(false),
});

export type SessionDeploymentInputs = z.output<typeof sessionDeploymentStoredSchema>;

export function specOf(inputs: SessionDeploymentInputs): SessionDeploymentSpec {
    const spec: SessionDeploymentSpec = {
        connectionBroker: inputs.connectionBroker,
        sessionHosts: inputs.sessionHosts,
        licenseServers: inputs.licenseServers,
        collection: { name: inputs.collection.name },
        removeUnlistedHosts: inputs.removeUnlistedHosts,
    };
    if (inputs.webAccessServer !== undefined) spec.webAccessServer = inputs.webAccessServer;
    if (inputs.collection.description !== undefined) spec.collection.description = inputs.collection.description;
    return spec;
}

/** What a program may ask for: the stored shape, plus the driver's name rules and the identity rules. */
export const sessionDeploymentInputsSchema = sessionDeploymentStoredSchema.superRefine((inputs, ctx) => {
    for (const problem of sessionDeploymentSpecProblems(specOf(inputs))) {
        ctx.addIssue({ code: "custom", path: problem.path.split(".").map((p) => (/^\d+$/.test(p) ? Number(p) : p)), message: problem.message });
    }
    switch (inputs.connection.kind) {
        case "simulator":
            ctx.addIssue({
                code: "custom",
                path: ["connection"],
                message: "a simulator connection cannot build an RDS deployment (there is no RemoteDesktop module): use SimulatedDeployment on the simulator, or an azure-run-command or ssh connection to the broker",
            });
            break;
        case "azure-run-command":
            if (!inputs.runAs) {
                ctx.addIssue({
                    code: "custom",
                    path: ["runAs"],
                    message: "runAs is required with an azure-run-command connection: Run Command runs as SYSTEM, which the RemoteDesktop cmdlets refuse; give a domain account that administers the broker and the session hosts ({ user: \"CORP\\\\svc-rds\", password: <a secret> })",
                });
            }
            break;
        case "ssh":
            if (inputs.runAs) {
                ctx.addIssue({
                    code: "custom",
                    path: ["runAs"],
                    message: "runAs does not apply to an ssh connection: the scripts run as the SSH user (connection.username), which must be a domain account that administers the deployment; remove runAs",
                });
            }
            break;
    }
});

export const sessionDeploymentResource = resourceSchema(sessionDeploymentInputsSchema, SESSION_DEPLOYMENT_OUTPUTS);
export const sessionDeploymentStored = resourceSchema(sessionDeploymentStoredSchema, SESSION_DEPLOYMENT_OUTPUTS);
