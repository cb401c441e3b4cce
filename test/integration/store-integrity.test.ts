/**
 * A simulator store that cannot be read, on the real engine: with config.json deleted, `refresh` and
 * `preview --refresh` fail naming the file, and neither the stack's state nor the store changes. Before,
 * refresh dropped every resource ("server does not exist") and the next `up` installed everything again.
 */
import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NUMBER_PATHS, validConfig } from "../support/config-fixtures";
import { TestProject, readTree } from "../support/engine";
import { expectNoSecrets } from "../support/secrets";

let project: TestProject;

/**
 * The stack's resources, by URN, as `pulumi stack export --show-secrets` gives them. A failed refresh
 * still saves the checkpoint again (new manifest time, fresh ciphertexts, empty propertyDependencies
 * lists dropped): those are the engine's re-serialization, not a change of state, so they are left out.
 */
async function resources(): Promise<Map<string, string>> {
    const exported = JSON.parse((await project.pulumiOk(["stack", "export", "--show-secrets"])).stdout);
    const byUrn = new Map<string, string>();
    for (const resource of exported.deployment.resources ?? []) {
        const copy = { ...resource };
        const deps = Object.entries(copy.propertyDependencies ?? {}).filter(([, urns]) => (urns as unknown[]).length > 0);
        if (deps.length > 0) copy.propertyDependencies = Object.fromEntries(deps);
        else delete copy.propertyDependencies;
        byUrn.set(resource.urn, JSON.stringify(copy));
    }
    byUrn.set("(pending operations)", JSON.stringify(exported.deployment.pending_operations ?? []));
    return byUrn;
}

/** URNs that appeared, vanished or changed: only names, so a failure never prints a secret. */
function changedUrns(before: Map<string, string>, after: Map<string, string>): string[] {
    return [...new Set([...before.keys(), ...after.keys()])].filter((urn) => before.get(urn) !== after.get(urn));
}

beforeAll(async () => {
    project = await TestProject.create("store-integrity");
    await project.setConfig(validConfig(), NUMBER_PATHS);
    await project.pulumiOk(["up", "--yes", "--skip-preview"]);
});
afterAll(() => project?.remove());

describe("a damaged simulator store", () => {
    it("config.json deleted: refresh fails naming the file; state and store stay as they were", async () => {
        const config = path.join(project.simHome, "config.json");
        const saved = fs.readFileSync(config);
        const state = await resources();
        expect(state.size).toBeGreaterThan(5);
        fs.rmSync(config);
        const store = readTree(project.simHome);

        for (const args of [
            ["refresh", "--yes", "--skip-preview"],
            ["preview", "--refresh"],
            ["up", "--yes", "--skip-preview", "--refresh"],
        ]) {
            const result = await project.pulumi(args);
            const output = result.stdout + result.stderr;
            expect(result.code, `pulumi ${args.join(" ")}`).not.toBe(0);
            expect(output).toContain(`simulator store file ${config} is missing`);
            expect(output).toContain("rdls-sim reset");
            expect(output).not.toMatch(/does not exist in the simulator/);
            expectNoSecrets(output, `pulumi ${args.join(" ")}`);
            expect(changedUrns(state, await resources()), `resources changed by pulumi ${args.join(" ")}`).toEqual([]);
            expect(readTree(project.simHome).replace(/^.*\/locks\/.*$/gm, ""), `store after pulumi ${args.join(" ")}`).toBe(store.replace(/^.*\/locks\/.*$/gm, ""));
        }
        expect(fs.existsSync(config)).toBe(false);

        // The admin CLI says the same and changes nothing either.
        const check = await project.sim(["check"]);
        expect(check.code).toBe(1);
        expect(check.stderr).toContain(`simulator store file ${config} is missing, but the store holds servers/`);

        // Put the file back: everything is as the program declares, nothing to do.
        fs.writeFileSync(config, saved);
        await project.pulumiOk(["preview", "--refresh", "--expect-no-changes"]);
        expect(changedUrns(state, await resources())).toEqual([]);
    });
});
