/**
 * Two stacks declaring the same simulated license server on the real engine (one project, stacks
 * `test` and `other`, one simulator store): the second stack's `up` is refused unless it adopts the
 * server; the adopting stack's `destroy` leaves the server and the first stack's packs; the first
 * stack's `destroy` deletes it.
 */
import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NUMBER_PATHS, validConfig } from "../support/config-fixtures";
import { flattenConfig, TestProject, type SimPack } from "../support/engine";

const FIRST = "test";
const SECOND = "other";
const SERVER_TYPE = "pulumi-nodejs:dynamic/simulator:SimulatedLicenseServer";

interface StateResource {
    type: string;
    outputs?: Record<string, any>;
}

let project: TestProject;
let serverName: string;

const inStack = (stack: string, args: string[]) => project.pulumi([...args, "--stack", stack]);
const inStackOk = (stack: string, args: string[]) => project.pulumiOk([...args, "--stack", stack]);
const packs = () => project.packs(["--server", serverName]);
const servers = () => project.simJson<Array<{ name: string }>>(["servers"]);
async function serverState(stack: string): Promise<StateResource | undefined> {
    const exported = JSON.parse((await inStackOk(stack, ["stack", "export"])).stdout);
    return (exported.deployment.resources as StateResource[]).find((r) => r.type === SERVER_TYPE);
}

/** The second stack: the same server, one pack of its own. */
async function configureSecond(adopt: boolean): Promise<void> {
    const file = path.join(project.dir, `Pulumi.${SECOND}.yaml`);
    const salt = fs.readFileSync(file, "utf8").split("\n").find((l) => l.startsWith("encryptionsalt:"));
    fs.writeFileSync(file, `${salt}\n`);
    const first = validConfig() as any;
    const config = {
        licensingMode: "PerUser",
        licenseServer: first.licenseServer,
        calPacks: [{ name: "b-users", program: "select", agreementNumber: "9990200", productVersion: "2022", licenseType: "per-user", count: 4 }],
        simulator: { adoptExistingServer: adopt },
    };
    const args = ["config", "set-all", "--path", "--stack", SECOND];
    for (const [key, value] of flattenConfig(config)) args.push(key === "calPacks[0].agreementNumber" ? "--secret" : "--plaintext", `${key}=${value}`);
    await project.pulumiOk(args);
}

beforeAll(async () => {
    project = await TestProject.create("shared-server");
    const config = validConfig() as any;
    serverName = config.licenseServer.name;
    await project.setConfig(config, NUMBER_PATHS);
    await project.pulumiOk(["stack", "init", SECOND, "--secrets-provider", "passphrase"]);
});

afterAll(() => project?.remove());

describe("two stacks declaring the same simulated server", { timeout: 300_000 }, () => {
    let firstPacks: SimPack[];

    it("the first stack creates the server, marked as its own", async () => {
        await inStackOk(FIRST, ["up", "--yes", "--skip-preview"]);
        firstPacks = await packs();
        expect(firstPacks.map((p) => p.totalLicenses).sort((a, b) => a - b)).toEqual([5, 10, 20]);
        const server = await serverState(FIRST);
        expect(server?.outputs).toMatchObject({ created: true, owner: `rds-licensing/${FIRST}/rds-server` });
        expect(server?.outputs?.instanceId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it("the second stack's up is refused, naming the server, the store and the fix, and changes nothing", async () => {
        await configureSecond(false);
        const refused = await inStack(SECOND, ["up", "--yes", "--skip-preview"]);
        expect(refused.code).not.toBe(0);
        const output = refused.stdout + refused.stderr;
        expect(output).toContain(`license server ${serverName} already exists in the simulator store ${project.simHome}`);
        expect(output).toContain(`created by rds-licensing/${FIRST}/rds-server`);
        expect(output).toContain("adoptExisting: true");
        expect(output).toContain("another server name");
        expect(await packs()).toEqual(firstPacks);
        expect(await serverState(SECOND)).toBeUndefined();
    });

    it("with adoptExisting it adopts the server: not created by it, the same instance", async () => {
        await configureSecond(true);
        await inStackOk(SECOND, ["up", "--yes", "--skip-preview"]);
        const adopted = await serverState(SECOND);
        expect(adopted?.outputs).toMatchObject({ created: false, instanceId: (await serverState(FIRST))?.outputs?.instanceId });
        expect((await packs()).map((p) => p.program).sort()).toEqual([...firstPacks.map((p) => p.program), "select"].sort());
        await inStackOk(SECOND, ["preview", "--expect-no-changes"]);
        await inStackOk(SECOND, ["refresh", "--yes", "--skip-preview", "--expect-no-changes"]);
    });

    it("destroying the adopting stack leaves the server and the first stack's packs", async () => {
        const destroyed = await inStackOk(SECOND, ["destroy", "--yes", "--skip-preview"]);
        expect(destroyed.stdout + destroyed.stderr).toContain(`leaving license server ${serverName}`);
        expect((await servers()).map((s) => s.name)).toEqual([serverName]);
        expect(await packs()).toEqual(firstPacks);
        await inStackOk(FIRST, ["preview", "--refresh", "--expect-no-changes"]);
    });

    it("destroying the first stack deletes the server", async () => {
        await inStackOk(FIRST, ["destroy", "--yes", "--skip-preview"]);
        expect(await servers()).toEqual([]);
    });
});
