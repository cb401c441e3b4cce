/**
 * Pulumi mocks for the licensing components: every registered resource is recorded with its type,
 * name and inputs (secret markers kept), a transformation records what was constructed (synchronously,
 * so "nothing was constructed" can be asserted right after a constructor throws), and the dynamic
 * resources get the outputs their providers would return. One scenario per test file: Pulumi's
 * runtime state is global.
 */
import * as pulumi from "@pulumi/pulumi";
import { unwrap, valueOf, type Registered } from "../../azure/support/mocks";

export { isSecretMarker, unwrap, valueOf } from "../../azure/support/mocks";
export const CAL_KEY_PACK = "pulumi-nodejs:dynamic/licensing:CalKeyPack";

export interface LicensingMocks {
    resources: Registered[];
    /** Logical names of the resources constructed so far, in order. */
    constructed: string[];
    transformation: pulumi.ResourceTransformation;
    one(type: string, name: string): Registered;
    byType(type: string): Registered[];
    settle(): Promise<void>;
}

export async function installLicensingMocks(stack: string): Promise<LicensingMocks> {
    const resources: Registered[] = [];
    const constructed: string[] = [];
    const constructedResources: pulumi.Resource[] = [];
    let nextId = 1;
    await pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs) {
                const id = `${args.name}-id`;
                const state: Record<string, unknown> = { ...args.inputs };
                if (args.type === CAL_KEY_PACK) {
                    const count = Number(unwrap(args.inputs).count ?? 0);
                    Object.assign(state, { keyPackIds: [nextId++], totalLicenses: count, issuedLicenses: 0, availableLicenses: count });
                }
                resources.push({ type: args.type, name: args.name, inputs: args.inputs, id });
                return { id, state };
            },
            call: (args: pulumi.runtime.MockCallArgs) => args.inputs,
        },
        "rds-licensing",
        stack,
        false,
    );
    return {
        resources,
        constructed,
        transformation: ({ resource, name }) => {
            constructed.push(name);
            constructedResources.push(resource);
            return undefined;
        },
        one(type, name) {
            const found = resources.filter((r) => r.type === type && r.name === name);
            if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
            return found[0]!;
        },
        byType: (type) => resources.filter((r) => r.type === type),
        settle: async () => void (await Promise.all(constructedResources.map((r) => valueOf(r.urn)))),
    };
}
