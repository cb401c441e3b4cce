/**
 * The farm's part of the stack config (simulator target): the RDS deployment and the standalone
 * session hosts, shaped like RdsLicensing's `deployment` and `sessionHosts` arguments so that a
 * setting's path is the same in both (`deployment.sessionHosts[1].windowsServerVersion`).
 */
import { z } from "zod";
import { licensingMode, serverName, version } from "./values";

/** A license server as a host lists it: a computer name, or an FQDN whose first label is one. */
const listedServer = z
    .string({ error: "must be a string" })
    .regex(/^(?![0-9]+$)[A-Za-z0-9][A-Za-z0-9-]{0,14}(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/, {
        error: "must be a license server's computer name or FQDN",
    });

const listedServers = z.array(listedServer, { error: "must be a list of license server names" }).min(1, { error: "must list at least one license server" });

const sessionHost = {
    name: serverName,
    windowsServerVersion: version,
};

export const deploymentSchema = z.strictObject({
    /** The RD Connection Broker's computer name. */
    broker: serverName,
    sessionHosts: z.array(z.strictObject(sessionHost), { error: "must be a list of session hosts" }).default([]),
    /** In preference order; default: every license server of the stack, in their order. */
    licenseServers: listedServers.optional(),
    /** Set the deployment back to NotConfigured when the stack is destroyed. */
    resetOnDelete: z.boolean({ error: "must be true or false" }).default(false),
    /** Manage a deployment already in the simulator store without ever deleting it. */
    adoptExisting: z.boolean({ error: "must be true or false" }).default(false),
});

export const standaloneHostSchema = z.strictObject({
    ...sessionHost,
    /** Default: `licensingMode`. */
    mode: licensingMode.optional(),
    /** In preference order; default: every license server of the stack. */
    licenseServers: listedServers.optional(),
    resetOnDelete: z.boolean({ error: "must be true or false" }).default(false),
    adoptExisting: z.boolean({ error: "must be true or false" }).default(false),
});
