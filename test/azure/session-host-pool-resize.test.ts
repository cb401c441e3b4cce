/**
 * Resizing a pool 2 → 3 → 1 adds or removes only the changed hosts: three runs of the same program
 * with mocked Pulumi, comparing the URNs registered and the inputs of the hosts that stay. Equal URN
 * and inputs is what the engine needs to leave a resource alone; a URN that disappears is a delete.
 */
import { describe, expect, it } from "vitest";
import { AzureSessionHostPool } from "../../components/azure";
import { installMocks, unwrap, type Registered } from "./support/mocks";
import { poolArgs, urnCollector } from "./support/session-host-pool";

interface Run {
    urns: string[];
    inputs: Map<string, unknown>;
}

/** One `pulumi up` of a program holding a pool of `count` hosts over three zones. */
async function run(count: number): Promise<Run> {
    const mocks = await installMocks();
    const collector = urnCollector();
    new AzureSessionHostPool("rdsh", poolArgs({ count, zones: ["1", "2", "3"] }), { transformations: [mocks.transformation, collector.transformation] });
    await mocks.settle();
    const urns = await collector.urns();
    return { urns, inputs: new Map(mocks.resources.map((r: Registered) => [`${r.type}::${r.name}`, unwrap(r.inputs)])) };
}

const hostUrns = (r: Run, n: number) => r.urns.filter((u) => u.includes(`::rdsh-host-${n}-`));
const sharedUrns = (r: Run) => r.urns.filter((u) => !u.includes("::rdsh-host-"));
const added = (before: Run, after: Run) => after.urns.filter((u) => !before.urns.includes(u));
const removed = (before: Run, after: Run) => before.urns.filter((u) => !after.urns.includes(u));

describe("resizing an AzureSessionHostPool", () => {
    it("2 → 3 adds host 3 only; 3 → 1 removes hosts 2 and 3 only; the rest keeps its URNs and inputs", async () => {
        const two = await run(2);
        const three = await run(3);
        const one = await run(1);

        expect(hostUrns(two, 1)).toHaveLength(4);
        expect(added(two, three)).toEqual(hostUrns(three, 3));
        expect(added(two, three)).toHaveLength(4);
        expect(removed(two, three)).toEqual([]);

        expect(removed(three, one).sort()).toEqual([...hostUrns(three, 2), ...hostUrns(three, 3)].sort());
        expect(added(three, one)).toEqual([]);

        // The pool-wide resources (component, NSG, password) are the same in every run.
        expect(sharedUrns(two)).toEqual(sharedUrns(three));
        expect(sharedUrns(three)).toEqual(sharedUrns(one));
        expect(sharedUrns(one)).toHaveLength(3);

        // Hosts that stay get exactly the same inputs: no update, no replacement.
        for (const [key, value] of two.inputs) {
            if (three.inputs.has(key)) expect(three.inputs.get(key), key).toEqual(value);
            if (one.inputs.has(key)) expect(one.inputs.get(key), key).toEqual(value);
        }
        const oneHosts = [...one.inputs.keys()].filter((k) => k.includes("::rdsh-host-"));
        expect(oneHosts).toHaveLength(4);
        expect(oneHosts.every((k) => k.includes("::rdsh-host-1-"))).toBe(true);
    });
});
