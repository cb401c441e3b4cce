/**
 * Moving and converting CALs on the real engine, on the dev farm's shape (Pulumi.dev.yaml: license
 * servers RDLS-DEV01 and RDLS-DEV02, its packs, deployment and standalone host; fictitious numbers
 * instead of its encrypted ones): a pack moved from RDLS-DEV01 to RDLS-DEV02 and a per-device pack
 * converted to per-user each preview as an update (no create, delete or replace), leave exact totals
 * on both servers with no pack installed twice, and are followed by an empty preview; a retail pack
 * whose move is killed (`kill -9` of `pulumi up`) between the import and the removal converges on
 * the next `up --refresh`.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import yaml from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, TestProject, type PlanStep } from "../support/engine";
import { expectNoSecrets } from "../support/secrets";

const NUMBERS: Record<string, string> = {
    agreementNumber: "9990071",
    licenseNumber: "99900072",
    authorizationNumber: "MOVEAUTH0000073",
    licenseCode: "MOVER-ETAIL-CODE0-00000-00074",
};

/** Pulumi.dev.yaml's config without the project prefix, each `secure:` number replaced; and the secret paths. */
function devFarmConfig(): { config: any; secretPaths: string[] } {
    const file = yaml.load(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> };
    const config = Object.fromEntries(Object.entries(file.config).map(([k, v]) => [k.replace(/^rds-licensing:/, ""), v])) as any;
    const secretPaths: string[] = [];
    config.calPacks.forEach((pack: Record<string, unknown>, i: number) => {
        for (const [field, value] of Object.entries(pack)) {
            if (value && typeof value === "object" && "secure" in value) {
                pack[field] = NUMBERS[field];
                secretPaths.push(`calPacks[${i}].${field}`);
            }
        }
    });
    return { config, secretPaths };
}

const REPLACING = new Set(["create", "delete", "replace", "create-replacement", "delete-replaced", "import", "discard"]);
const packStep = (steps: PlanStep[], pack: string) => steps.find((s) => s.urn.includes("CalKeyPack") && s.urn.endsWith(`-${pack}`));

/** The processes below `root` (Linux /proc: the 4th field of /proc/<pid>/stat is the parent's pid). */
function descendantsOf(root: number): number[] {
    const parents = new Map<number, number>();
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
        } catch {
            /* exited meanwhile */
        }
    }
    const found: number[] = [];
    for (let frontier = [root]; frontier.length > 0; ) {
        const next = [...parents].filter(([, parent]) => frontier.includes(parent)).map(([pid]) => pid);
        found.push(...next);
        frontier = next;
    }
    return found;
}

let project: TestProject;
let config: any;
let secretPaths: string[];
const packsOn = async (server: string) =>
    (await project.packs(["--server", server])).map((p) => [p.program, p.licenseType, p.totalLicenses] as const).sort((a, b) => `${a}`.localeCompare(`${b}`));

beforeAll(async () => {
    project = await TestProject.create("move-convert");
    ({ config, secretPaths } = devFarmConfig());
    await project.setConfig(config, secretPaths);
    await project.pulumiOk(["up", "--yes", "--skip-preview"]);
});
afterAll(() => project?.remove());

describe("moving and converting CALs on the dev farm (real engine)", { timeout: 600_000 }, () => {
    it("starts from the dev stack's packs on RDLS-DEV01 and RDLS-DEV02", async () => {
        expect(config.calPacks.map((p: any) => p.name)).toEqual(["ea-2022-users", "open-2019-devices", "retail-2022-users", "ea-2022-users-dev02"]);
        expect(await packsOn("RDLS-DEV01")).toEqual([
            ["enterprise-agreement", "per-user", 50],
            ["open-license", "per-device", 10],
            ["retail", "per-user", 5],
        ]);
        expect(await packsOn("RDLS-DEV02")).toEqual([["enterprise-agreement", "per-user", 10]]);
    });

    it("moves ea-2022-users from RDLS-DEV01 to RDLS-DEV02: an update in preview, exact totals after up", async () => {
        config.calPacks[0].licenseServer = "RDLS-DEV02";
        await project.setConfig(config, secretPaths);
        const steps = await project.plannedChanges();
        expect(steps.filter((s) => REPLACING.has(s.op)).map((s) => `${s.op} ${s.urn}`)).toEqual([]);
        expect(packStep(steps, "ea-2022-users")?.op).toBe("update");

        const up = await project.pulumiOk(["up", "--yes", "--skip-preview"]);
        expect(up.stdout + up.stderr).toMatch(/migrating 50 licenses from RDLS-DEV01/);
        expectNoSecrets(up.stdout + up.stderr, "up output", Object.values(NUMBERS));
        expect(await packsOn("RDLS-DEV01")).toEqual([
            ["open-license", "per-device", 10],
            ["retail", "per-user", 5],
        ]);
        // The moved pack and the one that was there: two key packs, 50 + 10, nothing twice.
        expect(await packsOn("RDLS-DEV02")).toEqual([
            ["enterprise-agreement", "per-user", 10],
            ["enterprise-agreement", "per-user", 50],
        ]);
        await project.pulumiOk(["preview", "--expect-no-changes"]);
    });

    it("converts open-2019-devices from per-device to per-user: an update in preview, exact totals after up", async () => {
        config.calPacks[1].licenseType = "per-user";
        // Its only client asking for per-device CALs follows (else the farm checks refuse the plan).
        config.sessionHosts[0].mode = "PerUser";
        await project.setConfig(config, secretPaths);
        const steps = await project.plannedChanges();
        expect(steps.filter((s) => REPLACING.has(s.op)).map((s) => `${s.op} ${s.urn}`)).toEqual([]);
        expect(packStep(steps, "open-2019-devices")?.op).toBe("update");

        await project.pulumiOk(["up", "--yes", "--skip-preview"]);
        expect(await packsOn("RDLS-DEV01")).toEqual([
            ["open-license", "per-user", 10],
            ["retail", "per-user", 5],
        ]);
        expect((await packsOn("RDLS-DEV02")).map((p) => p[2])).toEqual([10, 50]);
    });

    it("converges after `pulumi up` is killed (-9) between the import and the removal: one up --refresh, nothing twice", async () => {
        config.calPacks[2].licenseServer = "RDLS-DEV02";
        await project.setConfig(config, secretPaths);
        // Slow executions, so the kill lands after the import on RDLS-DEV02, before the removal on RDLS-DEV01.
        await project.sim(["config", "--latency-ms", "1500"]);
        const target = path.join(project.simHome, "servers", "rdls-dev02.json");
        const imported = () => {
            try {
                return (JSON.parse(fs.readFileSync(target, "utf8")).packs as { program: string }[]).some((p) => p.program === "retail");
            } catch {
                return false;
            }
        };
        const child = spawn("pulumi", ["up", "--yes", "--skip-preview", "--non-interactive"], { cwd: project.dir, env: project.env, detached: true, stdio: "ignore" });
        const exited = new Promise((resolve) => child.on("close", resolve));
        let done = false;
        void exited.then(() => (done = true));
        const deadline = Date.now() + 120_000;
        while (!done && !imported() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
        const killed = !done;
        if (killed) {
            // The whole process tree: plugins the CLI starts in process groups of their own included.
            const tree = [child.pid!, ...descendantsOf(child.pid!)];
            for (const pid of tree) {
                try {
                    process.kill(pid, "SIGKILL");
                } catch {
                    /* already gone */
                }
            }
        }
        await exited;
        await project.sim(["config", "--latency-ms", "0"]);
        expect(killed, "pulumi up was killed before it finished").toBe(true);
        // The window the crash left: the code's pack on both servers, the state still naming RDLS-DEV01.
        expect((await packsOn("RDLS-DEV01")).map((p) => p[0])).toContain("retail");
        expect((await packsOn("RDLS-DEV02")).map((p) => p[0])).toContain("retail");

        // What a user does after a killed up: release the stack's lock, then up --refresh.
        await project.pulumiOk(["cancel", "--yes"]);
        await project.pulumiOk(["up", "--yes", "--skip-preview", "--refresh"]);
        expect(await packsOn("RDLS-DEV01")).toEqual([["open-license", "per-user", 10]]);
        expect(await packsOn("RDLS-DEV02")).toEqual([
            ["enterprise-agreement", "per-user", 10],
            ["enterprise-agreement", "per-user", 50],
            ["retail", "per-user", 5],
        ]);
    });

    it("then previews empty and refreshes with no changes", async () => {
        await project.pulumiOk(["preview", "--expect-no-changes"]);
        await project.pulumiOk(["refresh", "--yes", "--skip-preview", "--expect-no-changes"]);
        const { packs } = await project.outputs();
        expect(packs["ea-2022-users"]).toMatchObject({ licenseServer: "RDLS-DEV02", totalLicenses: 50 });
        expect(packs["open-2019-devices"]).toMatchObject({ licenseServer: "RDLS-DEV01", licenseType: "per-user", totalLicenses: 10 });
        expect(packs["retail-2022-users"]).toMatchObject({ licenseServer: "RDLS-DEV02", totalLicenses: 5 });
        expectNoSecrets(project.backendBytes().replace(/"ciphertext":\s*"[^"]*"/g, ""), "the state", Object.values(NUMBERS));
    });
});
