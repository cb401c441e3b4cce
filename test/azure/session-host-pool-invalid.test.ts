/**
 * Bad AzureSessionHostPool arguments stop the program before any resource is registered, the
 * component included, with an error naming the argument and the fix.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { AzureSessionHostPool, type AzureSessionHostPoolArgs } from "../../components/azure";
import { installMocks, type MockRecorder } from "./support/mocks";
import { poolArgs } from "./support/session-host-pool";

let mocks: MockRecorder;
beforeAll(async () => {
    mocks = await installMocks();
});

describe("nothing is registered when pool arguments are wrong", () => {
    it.each<[string, Partial<AzureSessionHostPoolArgs>, RegExp]>([
        ["count 0", { count: 0 }, /count must be at least 1: a pool needs a host .*\(found 0\)/],
        ["a name prefix too long", { namePrefix: "SESSIONHOSTWEU", count: 10 }, /namePrefix "SESSIONHOSTWEU" is too long: host SESSIONHOSTWEU-10 would have 17 characters .* at most 12 characters/],
        ["zones and an availability set", { zones: ["1"], availabilitySet: { id: "/subscriptions/x/resourceGroups/g/providers/Microsoft.Compute/availabilitySets/s" } }, /zones and availabilitySet exclude each other .*: keep one of them/],
        ["an unknown version", { windowsServerVersion: "2016" as never }, /windowsServerVersion must be one of 2019, 2022, 2025 \(found "2016"\)/],
        ["no domain", { domain: undefined as never }, /domain is required: the session hosts of an RDS deployment must be domain members/],
    ])("%s", async (_what, patch, message) => {
        expect(() => new AzureSessionHostPool("rdsh", poolArgs(patch), { transformations: [mocks.transformation] })).toThrow(message);
        await mocks.settle();
        expect(mocks.resources).toEqual([]);
        expect(mocks.dependsOn.size).toBe(0);
    });
});
