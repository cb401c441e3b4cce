/**
 * How the provider reaches a license server. Part of every licensing resource's inputs (never
 * secret, never holding credentials: those come from the environment or secret inputs at call time).
 */
import * as path from "path";
import { z } from "zod";

export const simulatorConnectionSchema = z.strictObject({
    kind: z.literal("simulator"),
    /** The simulator's store, relative to the Pulumi project folder (or absolute). */
    home: z.string().min(1),
});

export const azureConnectionSchema = z.strictObject({
    kind: z.literal("azure-run-command"),
    subscriptionId: z.string().min(1),
    resourceGroupName: z.string().min(1),
    vmName: z.string().min(1),
    /** ARM endpoint override (tests point it at 127.0.0.1). */
    endpoint: z.string().optional(),
});

// The Azure transport joins this union once its driver is wired (see src/drivers/).
export const connectionSchema = z.discriminatedUnion("kind", [simulatorConnectionSchema]);
export type Connection = z.output<typeof connectionSchema>;

/** Identity of the machine a connection reaches: resources on one machine share one scheduler. */
export function connectionKey(connection: Connection): string {
    switch (connection.kind) {
        case "simulator":
            return `simulator:${path.resolve(connection.home)}`;
    }
}
