/**
 * Model-based test on the real Pulumi engine: random sequences of count changes, hand removals, hand
 * uninstalls (retail packs included), `kill -9` of `pulumi` mid-up, and `up --refresh`, checked
 * against rdls-sim after every step; after every hand change, `refresh` (through the drift command,
 * which runs `preview --refresh`) must show it. fast-check prints the seed; RDS_LICENSING_MODEL_SEED
 * replays a sequence. `npm test` runs two sequences; `npm run soak` more (RDS_LICENSING_ENGINE_MODEL_RUNS).
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { DriftReport } from "../../src/cli/drift/report";
import { REPO_ROOT, TestProject, run, type SimPack } from "../support/engine";
import { expectNoSecrets } from "../support/secrets";
import { modelRuns, modelSeed } from "../model/options";

const DRIFT = path.join(REPO_ROOT, "dist", "src", "cli", "drift.js");
const NUMBERS = { ea: "9990021", retail: "MODEL-REALE-NGINE-00000-00022" };
const RETAIL_SIZE = 4;

type Pack = "ea" | "retail";
type Command =
    | { kind: "count"; count: number }
    | { kind: "remove"; pack: Pack; amount: number }
    | { kind: "uninstall"; pack: Pack }
    | { kind: "accept-retail" }
    | { kind: "up" }
    | { kind: "crash" };

const command: fc.Arbitrary<Command> = fc.oneof(
    { arbitrary: fc.record({ kind: fc.constant("count" as const), count: fc.integer({ min: 1, max: 40 }) }), weight: 3 },
    { arbitrary: fc.record({ kind: fc.constant("remove" as const), pack: fc.constantFrom<Pack>("ea", "retail"), amount: fc.integer({ min: 1, max: 10 }) }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant("uninstall" as const), pack: fc.constantFrom<Pack>("ea", "retail") }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant("accept-retail" as const) }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant("up" as const) }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant("crash" as const) }), weight: 1 },
);

const PROGRAM_OF: Record<Pack, string> = { ea: "enterprise-agreement", retail: "retail" };
const projects: TestProject[] = [];
afterAll(() => projects.forEach((p) => p.remove()));

class Sequence {
    desired: Record<Pack, number> = { ea: 10, retail: RETAIL_SIZE };
    private constructor(readonly project: TestProject) {}

    static async start(): Promise<Sequence> {
        const project = await TestProject.create("model", { RDS_LICENSING_QUIET: "1" });
        projects.push(project);
        return new Sequence(project);
    }

    async applyConfig(): Promise<void> {
        await this.project.setConfig(
            {
                licensingMode: "PerUser",
                licenseServer: {
                    name: "RDLS-MODEL",
                    windowsServerVersion: "2022",
                    contact: { firstName: "Model", lastName: "Tester", company: "Contoso (fictitious)", countryRegion: "NL" },
                },
                calPacks: [
                    { name: "ea", program: "enterprise-agreement", agreementNumber: NUMBERS.ea, productVersion: "2022", licenseType: "per-user", count: this.desired.ea },
                    { name: "retail", program: "retail", licenseCode: NUMBERS.retail, productVersion: "2022", licenseType: "per-device", count: this.desired.retail },
                ],
            },
            ["calPacks[0].agreementNumber", "calPacks[1].licenseCode"],
        );
    }

    async live(pack: Pack): Promise<SimPack[]> {
        return (await this.project.packs()).filter((p) => p.program === PROGRAM_OF[pack]);
    }

    async total(pack: Pack): Promise<number> {
        return (await this.live(pack)).reduce((n, p) => n + p.totalLicenses, 0);
    }

    /** The drift command (a `preview --refresh`): which packs it reports. */
    async driftedPacks(): Promise<string[]> {
        const json = path.join(this.project.dir, "drift.json");
        const result = await run("node", [DRIFT, "--stack", this.project.stack, "--cwd", this.project.dir, "--json", json], { cwd: this.project.dir, env: this.project.env });
        expectNoSecrets(result.stdout + result.stderr, "drift output", Object.values(NUMBERS));
        const report = JSON.parse(fs.readFileSync(json, "utf8")) as DriftReport;
        expect(result.code, result.stderr).toBe(report.drift.length > 0 ? 2 : 0);
        return [...new Set(report.drift.map((d) => d.name))].sort();
    }

    /** `up --refresh`, then the server must equal the program (but for a retail pack shrunk by hand). */
    async upAndCheck(log: string[]): Promise<void> {
        const up = await this.project.pulumi(["up", "--yes", "--skip-preview", "--refresh"]);
        const output = up.stdout + up.stderr;
        expectNoSecrets(output, "up output", Object.values(NUMBERS));
        const retailShrunk = (await this.total("retail")) < this.desired.retail && (await this.live("retail")).length > 0;
        if (retailShrunk) {
            expect(up.code, `${log.join(" → ")}: up must refuse the shrunk retail pack`).not.toBe(0);
            expect(output).toMatch(/licenses of this retail pack were removed on the server/);
        } else {
            expect(up.code, `${log.join(" → ")}: ${output}`).toBe(0);
            expect(await this.total("retail"), log.join(" → ")).toBe(this.desired.retail);
        }
        // The other pack updates whatever happens to the retail one.
        expect(await this.total("ea"), `${log.join(" → ")}: ea`).toBe(this.desired.ea);
    }

    async apply(cmd: Command, log: string[]): Promise<void> {
        log.push(JSON.stringify(cmd));
        switch (cmd.kind) {
            case "count":
                this.desired.ea = cmd.count;
                await this.applyConfig();
                return;
            case "accept-retail": {
                const live = await this.total("retail");
                if (live === 0) return;
                this.desired.retail = live;
                await this.applyConfig();
                return;
            }
            case "remove":
            case "uninstall": {
                const [pack] = await this.live(cmd.pack);
                if (!pack) return;
                const amount = Math.min(cmd.kind === "remove" ? cmd.amount : 0, pack.availableLicenses - 1);
                if (cmd.kind === "remove" && amount <= 0) return;
                const args = cmd.kind === "remove" ? ["remove-licenses", String(pack.keyPackId), String(amount)] : ["uninstall", String(pack.keyPackId)];
                expect((await this.project.sim(args)).code).toBe(0);
                // Every hand change shows in a refresh: the drift command names the pack.
                expect(await this.driftedPacks(), `${log.join(" → ")}: drift`).toContain(cmd.pack);
                return;
            }
            case "up":
                await this.upAndCheck(log);
                return;
            case "crash":
                await this.crash();
                await this.project.pulumiOk(["cancel", "--yes"]);
                await this.project.pulumiOk(["refresh", "--yes", "--skip-preview", "--clear-pending-creates"]);
                await this.upAndCheck(log);
                return;
        }
    }

    /** `kill -9` of `pulumi up` once the server has run its first execution of the update. */
    private async crash(): Promise<void> {
        await this.project.sim(["config", "--latency-ms", "400"]);
        const before = (await this.project.simJson<{ count: number }>(["executions"])).count;
        const child = spawn("pulumi", ["up", "--yes", "--skip-preview", "--refresh", "--non-interactive"], { cwd: this.project.dir, env: this.project.env, detached: true, stdio: "ignore" });
        const exited = new Promise((r) => child.on("close", r));
        const deadline = Date.now() + 60_000;
        let done = false;
        void exited.then(() => (done = true));
        while (!done && (await this.project.simJson<{ count: number }>(["executions"])).count < before + 2 && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 50));
        }
        if (!done) process.kill(-child.pid!, "SIGKILL");
        await exited;
        await this.project.sim(["config", "--latency-ms", "0"]);
    }
}

describe("the licensing stack under random sequences (model-based, real engine)", { timeout: 1_800_000 }, () => {
    it("keeps the server equal to the program after every up, shows every hand change, never gets stuck", async () => {
        const seed = modelSeed();
        const runs = modelRuns(2, "RDS_LICENSING_ENGINE_MODEL_RUNS");
        process.stdout.write(`[model] real engine: seed ${seed}, ${runs} sequences\n`);
        let operations = 0;
        await fc.assert(
            fc.asyncProperty(fc.array(command, { minLength: 3, maxLength: 6 }), async (commands) => {
                const sequence = await Sequence.start();
                const log: string[] = [];
                await sequence.applyConfig();
                await sequence.apply({ kind: "up" }, log);
                for (const cmd of commands) await sequence.apply(cmd, log);
                // Whatever happened, the stack can always be brought back: accept the live retail count if needed.
                await sequence.apply({ kind: "accept-retail" }, log);
                await sequence.apply({ kind: "up" }, log);
                await sequence.project.pulumiOk(["preview", "--refresh", "--expect-no-changes"]);
                operations += log.length;
            }),
            // Each sequence is minutes of real engine time: shrinking would take hours, the seed replays it.
            { seed, numRuns: runs, endOnFailure: true },
        );
        process.stdout.write(`[model] real engine: ${runs} sequences, ${operations} operations, 0 mismatches\n`);
        expect(operations).toBeGreaterThanOrEqual(runs * 4);
    });
});
