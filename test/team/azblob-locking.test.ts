/**
 * Pulumi's state lock on an `azblob://` backend (Azurite): two `pulumi up` of one stack at the same
 * time, one proceeds and the other is refused; a lock left by a killed run blocks updates until
 * `pulumi cancel`. The state stays consistent throughout. See docs/team.md.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestProject, type RunResult } from "../support/engine";
import { azblobProject, type Azurite } from "../support/azurite";

const CONTAINER = "pulumi-state";
/** Where the DIY backend keeps the stack's locks (`organization` is its fixed org name). */
const LOCKS = ".pulumi/locks/organization/rds-licensing/test/";
const LOCKED = "the stack is currently locked";

let azurite: Azurite;
let project: TestProject;

const locks = async () => (await azurite.listBlobs(CONTAINER, ".pulumi/locks/")).map((b) => b.name);
const totals = async () => ({ count: (await project.packs()).length, ...(await project.totals()) });
const EXPECTED = { count: 3, "enterprise-agreement": 20, "open-license": 10, retail: 5 };

beforeAll(async () => {
    ({ azurite, project } = await azblobProject("team-lock", CONTAINER));
});

afterAll(async () => {
    project?.remove();
    await azurite?.stop();
});

describe("state locking on an azblob:// backend (Azurite)", () => {
    it("lets one of two concurrent `pulumi up` proceed and refuses the other with the lock message", async () => {
        // The first up is slowed down (each simulated remote execution takes 3 s) so that it still
        // holds its lock when the second one starts.
        let firstDone = false;
        const first = project.pulumi(["up", "--yes", "--skip-preview"], { RDLS_SIM_LATENCY_MS: "3000" }).then((r) => {
            firstDone = true;
            return r;
        });
        const deadline = Date.now() + 120_000;
        let held: string[] = [];
        while (!firstDone && Date.now() < deadline && (held = await locks()).length === 0) {
            await new Promise((r) => setTimeout(r, 100));
        }
        const heldWhileRunning = !firstDone;
        const second: RunResult | undefined = heldWhileRunning ? await project.pulumi(["up", "--yes", "--skip-preview"]) : undefined;
        const secondEndedFirst = !firstDone;
        const winner = await first; // always awaited: no update outlives this test

        expect(heldWhileRunning, "the first up ended before its lock was seen").toBe(true);
        expect(held).toHaveLength(1);
        expect(held[0]).toMatch(new RegExp(`^${LOCKS}[0-9a-f-]{36}\\.json$`));
        expect(winner.code, `${winner.stdout}\n${winner.stderr}`).toBe(0);
        expect(winner.stdout).toContain("8 created");
        expect(secondEndedFirst, "the second up ran after the first had released its lock").toBe(true);
        expect(second!.code).not.toBe(0);
        const refusal = second!.stdout + second!.stderr;
        expect(refusal).toContain(`${LOCKED} by 1 lock(s)`);
        expect(refusal).toContain("pulumi cancel");
        expect(refusal).toContain(`azblob://${CONTAINER}/${held[0]}`); // names the first run's lock blob
        expect(refusal).not.toContain(azurite.key);
    });

    it("leaves no lock behind and a consistent state: exact totals and an empty preview", async () => {
        expect(await locks()).toEqual([]);
        expect(await totals()).toEqual(EXPECTED);
        expect(await project.simJson<unknown[]>(["servers"])).toHaveLength(1);
        await project.pulumiOk(["preview", "--expect-no-changes"]);
        expect(await totals()).toEqual(EXPECTED);
    });

    it("refuses updates while a killed run's lock remains, until `pulumi cancel` removes it", async () => {
        const stale = `${LOCKS}00000000-0000-4000-8000-000000000001.json`;
        const content = { pid: 4242, username: "ci-runner", hostname: "build-agent-7", timestamp: "2026-01-01T00:00:00Z" };
        await azurite.writeBlob(CONTAINER, stale, JSON.stringify(content));

        const refused = await project.pulumi(["up", "--yes", "--skip-preview"]);
        expect(refused.code).not.toBe(0);
        expect(refused.stdout + refused.stderr).toContain(LOCKED);
        expect(refused.stdout + refused.stderr).toContain("ci-runner@build-agent-7 (pid 4242)");
        expect(await locks()).toEqual([stale]);

        await project.pulumiOk(["cancel", "--yes", "--stack", project.stack]);
        expect(await locks()).toEqual([]);
        await project.pulumiOk(["up", "--yes", "--expect-no-changes", "--skip-preview"]);
        expect(await totals()).toEqual(EXPECTED);
    });
});
