/**
 * A stack created by the previous release (0.1.0 at 4acd913) upgrades in place: its state file, its
 * encrypted stack config and its simulator store (test/fixtures/previous-release, made by that
 * release's `up` of three packs, the Enterprise Agreement one grown to two key packs) are taken as
 * they are. The new release previews it without a replacement or a delete, converges in one `up`,
 * then previews and refreshes empty, updates and destroys.
 */
import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, TestProject } from "../support/engine";
import { expectNoSecrets } from "../support/secrets";

const FIXTURE = path.join(REPO_ROOT, "test", "fixtures", "previous-release");
const NUMBERS = ["9990051", "99900052", "PREVAUTH0000053", "PREVR-ETAIL-CODE0-00000-00054"];

interface Step {
    op: string;
    urn: string;
}

let project: TestProject;
const totals = () => project.totals();

beforeAll(async () => {
    project = await TestProject.create("upgrade", { RDS_LICENSING_QUIET: "1" });
    // The previous release's stack settings (same encryption salt, so its secrets decrypt) and store.
    fs.copyFileSync(path.join(FIXTURE, `Pulumi.${project.stack}.yaml`), path.join(project.dir, `Pulumi.${project.stack}.yaml`));
    fs.cpSync(path.join(FIXTURE, "rdls-sim"), project.simHome, { recursive: true });
    await project.pulumiOk(["stack", "import", "--file", path.join(FIXTURE, "state.json")]);
});
afterAll(() => project?.remove());

describe("upgrade from the previous release", { timeout: 300_000 }, () => {
    it("previews no replacement and no delete: only the stack's new RequestKeySecret and in-place updates", async () => {
        const preview = await project.pulumiOk(["preview", "--json"]);
        const steps = (JSON.parse(preview.stdout).steps as Step[]).filter((s) => s.op !== "same");
        expect(steps.filter((s) => !["create", "update"].includes(s.op))).toEqual([]);
        expect(steps.filter((s) => s.op === "create").map((s) => s.urn.split("::").pop())).toEqual(["rds-request-key"]);
        expectNoSecrets(preview.stdout + preview.stderr, "the upgrade preview", NUMBERS);
    });

    it("refreshes the old state against the old store without losing a resource", async () => {
        const refresh = await project.pulumiOk(["refresh", "--yes", "--skip-preview"]);
        expect(refresh.stdout).not.toMatch(/deleted|\bdelete\b/);
        expect(await totals()).toEqual({ "enterprise-agreement": 30, "open-license": 10, retail: 5 });
    });

    it("converges in one up, with no remote install, then previews and refreshes empty", async () => {
        const before = (await project.simJson<{ count: number }>(["executions"])).count;
        await project.pulumiOk(["up", "--yes", "--skip-preview"]);
        expect(await totals()).toEqual({ "enterprise-agreement": 30, "open-license": 10, retail: 5 });
        // State-only updates: nothing was installed or removed on the server.
        expect((await project.simJson<{ count: number }>(["executions"])).count).toBe(before);
        await project.pulumiOk(["preview", "--expect-no-changes"]);
        await project.pulumiOk(["refresh", "--yes", "--skip-preview", "--expect-no-changes"]);
    });

    it("updates a pack the old release grew, and destroys everything", async () => {
        const exported = JSON.parse(await project.stackExport());
        const ea = exported.deployment.resources.find((r: { outputs?: { program?: string } }) => r.outputs?.program === "enterprise-agreement");
        expect(ea.outputs.keyPackIds).toHaveLength(2);
        await project.pulumiOk(["config", "set", "--path", "rds-licensing:calPacks[0].count", "35"]);
        await project.pulumiOk(["up", "--yes", "--skip-preview"]);
        expect((await totals())["enterprise-agreement"]).toBe(35);
        await project.pulumiOk(["destroy", "--yes", "--skip-preview"]);
        expect((await project.sim(["servers", "--json"])).stdout.trim()).toBe("[]");
    });
});
