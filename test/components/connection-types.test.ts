/**
 * The public connection types are written by hand (readable JSDoc, no zod in the API); the provider
 * validates with its zod schema. Both must describe the same values: this file does not compile when
 * they drift apart, and the runtime checks below keep vitest honest about it.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import type { AzureRunCommandConnection, Connection, SimulatorConnection, SshConnection } from "../../components";
import { connectionSchema } from "../../src/providers/connection";

type SchemaConnection = z.output<typeof connectionSchema>;

describe("public Connection types", () => {
    it("equal the provider schema's output, kind by kind", () => {
        expectTypeOf<Connection>().toEqualTypeOf<SchemaConnection>();
        expectTypeOf<SimulatorConnection>().toEqualTypeOf<Extract<SchemaConnection, { kind: "simulator" }>>();
        expectTypeOf<AzureRunCommandConnection>().toEqualTypeOf<Extract<SchemaConnection, { kind: "azure-run-command" }>>();
        expectTypeOf<SshConnection>().toEqualTypeOf<Extract<SchemaConnection, { kind: "ssh" }>>();
    });

    it("accept what the schema accepts", () => {
        const examples: Connection[] = [
            { kind: "simulator", home: ".rdls-sim" },
            { kind: "azure-run-command", subscriptionId: "s", resourceGroupName: "g", vmName: "v" },
            { kind: "ssh", host: "rdls01", username: "admin", hostKeySha256: `SHA256:${"A".repeat(43)}` },
        ];
        for (const example of examples) expect(connectionSchema.safeParse(example).success, example.kind).toBe(true);
    });
});
