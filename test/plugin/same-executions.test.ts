/**
 * The two ways in make the same remote executions: one program as Pulumi YAML through the provider
 * plugin and as JavaScript through the dynamic resources, each against its own simulated server,
 * leave the same key packs and the same execution log after each `up` (create, then a count change).
 */
import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scaffoldProject } from "../../bench/project";
import { SECRETS } from "../support/config-fixtures";
import { run, runWithInput, type RunResult } from "../support/engine";
import { DYNAMIC_PROGRAM, PROJECT, licensingYaml } from "./programs";
import { ensurePluginTools, PASSPHRASE, simCli, YamlProject } from "./yaml-project";

const SERVER = "RDLS-TWIN01";

interface Way {
    dir: string;
    env: NodeJS.ProcessEnv;
    up(count: number): Promise<void>;
}

async function pulumiOk(way: Pick<Way, "dir" | "env">, args: string[]): Promise<RunResult> {
    const result = await run("pulumi", [...args, "--non-interactive"], { cwd: way.dir, env: way.env });
    if (result.code !== 0) throw new Error(`pulumi ${args.join(" ")} failed in ${way.dir}:\n${result.stdout}\n${result.stderr}`);
    return result;
}

let yamlProject: YamlProject;
let plugin: Way;
let dynamic: Way;

/** What a way left on its server: the key packs, and the operations of each remote execution in order. */
async function observed(way: Way) {
    const home = path.join(way.dir, ".rdls-sim");
    const packs = JSON.parse((await simCli(home, ["packs", "--json"], way.env)).stdout) as Array<Record<string, unknown>>;
    const executions = JSON.parse((await simCli(home, ["executions", "--json"], way.env)).stdout) as { count: number; log: Array<{ operations: string[] }> };
    return {
        packs: packs.map(({ keyPackId, program, productVersion, licenseType, totalLicenses, availableLicenses }) => ({ keyPackId, program, productVersion, licenseType, totalLicenses, availableLicenses })),
        executions: executions.count,
        operations: executions.log.map((e) => e.operations),
    };
}

beforeAll(async () => {
    const tools = await ensurePluginTools();
    yamlProject = await YamlProject.create("plugin-twin-yaml", tools, licensingYaml(SERVER, 10));
    plugin = {
        dir: yamlProject.dir,
        env: yamlProject.env,
        up: async (count) => {
            yamlProject.writeProgram(licensingYaml(SERVER, count));
            await yamlProject.pulumiOk(["up", "--yes", "--skip-preview"]);
        },
    };
    const dir = path.join(path.dirname(yamlProject.dir), `plugin-twin-dynamic-${path.basename(yamlProject.dir).split("-").pop()}`);
    const env = await scaffoldProject(dir, { name: PROJECT, programFile: DYNAMIC_PROGRAM, passphrase: PASSPHRASE, env: { RDS_LICENSING_RETRY_BASE_MS: "50" } });
    dynamic = {
        dir,
        env,
        up: async (count) => {
            await pulumiOk(dynamic, ["config", "set", "count", String(count)]);
            await pulumiOk(dynamic, ["up", "--yes", "--skip-preview"]);
        },
    };
    await pulumiOk(dynamic, ["stack", "init", "test", "--secrets-provider", "passphrase"]);
    await pulumiOk(dynamic, ["config", "set", "server", SERVER]);
    const secret = await runWithInput("pulumi", ["config", "set", "--secret", "eaNumber", "--non-interactive"], { cwd: dir, env, input: SECRETS.agreementNumber });
    expect(secret.code).toBe(0);
    await yamlProject.setSecret("eaNumber", SECRETS.agreementNumber);
    for (const way of [plugin, dynamic]) await simCli(path.join(way.dir, ".rdls-sim"), ["create-server", SERVER, "--version", "2022"], way.env);
}, 900_000);

afterAll(() => {
    yamlProject?.remove();
    if (dynamic) fs.rmSync(dynamic.dir, { recursive: true, force: true });
});

describe("the same program through the plugin and through the dynamic provider", () => {
    it("creates the same pack with the same executions", async () => {
        await plugin.up(10);
        await dynamic.up(10);
        const [viaPlugin, viaDynamic] = [await observed(plugin), await observed(dynamic)];
        expect(viaPlugin.packs).toMatchObject([{ program: "enterprise-agreement", totalLicenses: 10 }]);
        expect(viaPlugin.operations.flat()).toEqual(expect.arrayContaining(["activate", "install"]));
        expect(viaPlugin).toEqual(viaDynamic);
    });

    it("grows it the same way when the count changes", async () => {
        await plugin.up(14);
        await dynamic.up(14);
        const [viaPlugin, viaDynamic] = [await observed(plugin), await observed(dynamic)];
        expect(viaPlugin.packs.reduce((n, p) => n + Number(p.totalLicenses), 0)).toBe(14);
        expect(viaPlugin).toEqual(viaDynamic);
    });
});
