/**
 * The provider plugin on the real engine, from a Pulumi YAML program against rdls-sim: a small farm
 * (a simulated license server, its activation and pack, a simulated deployment of one session host and
 * its DeploymentLicensing), all made by the plugin: up → empty preview → empty refresh → count change
 * → destroy, with the agreement number a secret config value that never shows in plain text in the
 * state export, the backend's files or `--debug` output.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SECRETS } from "../support/config-fixtures";
import { readTree } from "../support/engine";
import { expectNoSecrets, secretForms } from "../support/secrets";
import { FARM, farmYaml } from "./programs";
import { ensurePluginTools, YamlProject } from "./yaml-project";

const program = farmYaml;

interface Pack {
    program: string;
    totalLicenses: number;
}

let project: YamlProject;
const totals = async () => (await project.simJson<Pack[]>(["packs"])).filter((p) => p.program === "enterprise-agreement").reduce((n, p) => n + p.totalLicenses, 0);
const stackExport = async () => (await project.pulumiOk(["stack", "export"])).stdout;

beforeAll(async () => {
    const tools = await ensurePluginTools();
    project = await YamlProject.create("plugin-yaml", tools, program(25));
    await project.setSecret("eaNumber", SECRETS.agreementNumber);
}, 900_000);

afterAll(() => project?.remove());

describe("a Pulumi YAML program through the provider plugin", () => {
    it("makes the server, activates it, installs the pack and licenses the deployment's host", async () => {
        const up = await project.pulumiOk(["up", "--yes", "--skip-preview", "--debug"]);
        expectNoSecrets(up.stdout + up.stderr, "`pulumi up --debug` output");
        const outputs = JSON.parse((await project.pulumiOk(["stack", "output", "--json"])).stdout);
        expect(outputs).toMatchObject({ totalLicenses: 25, activationStatus: "activated", farmMode: "PerUser" });
        expect(outputs.farmHosts).toMatchObject([{ name: FARM.host, mode: "PerUser", licenseServers: [FARM.server] }]);
        expect(await totals()).toBe(25);
        expect(await project.simJson<Array<{ name: string }>>(["servers"])).toMatchObject([{ name: FARM.server }]);
        expect(await project.simJson<Array<{ name: string; deployment?: string; mode: string }>>(["hosts"])).toMatchObject([
            { name: FARM.host, deployment: FARM.broker, mode: "PerUser" },
        ]);
    });

    it("keeps the number a secret in state", async () => {
        const state = JSON.parse(await stackExport());
        const pack = state.deployment.resources.find((r: { type: string }) => r.type === "rds-licensing:index:CalKeyPack");
        // Stored as ciphertext, in the inputs and the outputs alike (the provider marks it, not only the program).
        expect(Object.keys(pack.inputs.agreementNumber)).toContain("ciphertext");
        expect(Object.keys(pack.outputs.agreementNumber)).toContain("ciphertext");
        expect(Object.keys(pack.outputs.requestKeySecret)).toContain("ciphertext");
        expect(pack.outputs.packKey).toBe("rds-licensing-yaml/test/ea-users");
        // The inputs the components set themselves, set by the plugin from the URN.
        const server = state.deployment.resources.find((r: { type: string }) => r.type === "rds-licensing:index:SimulatedLicenseServer");
        expect(server.outputs).toMatchObject({ owner: "rds-licensing-yaml/test/server", home: ".rdls-sim", created: true });
        expectNoSecrets(JSON.stringify(state), "`pulumi stack export`");
        // The scan sees the number where it is plain by design (the config, decrypted on request).
        const shown = (await project.pulumiOk(["config", "get", "eaNumber"])).stdout;
        expect(secretForms([SECRETS.agreementNumber]).some((form) => shown.includes(form))).toBe(true);
    });

    it("previews and refreshes with no changes", async () => {
        await project.pulumiOk(["preview", "--expect-no-changes"]);
        const refresh = await project.pulumiOk(["refresh", "--yes", "--expect-no-changes", "--skip-preview", "--debug"]);
        expectNoSecrets(refresh.stdout + refresh.stderr, "`pulumi refresh --debug` output");
    });

    it("grows the pack in place when the count changes", async () => {
        project.writeProgram(program(30));
        const up = await project.pulumiOk(["up", "--yes", "--skip-preview", "--debug"]);
        expect(up.stdout).toMatch(/1 updated/);
        expectNoSecrets(up.stdout + up.stderr, "`pulumi up --debug` output after a count change");
        expect(await totals()).toBe(30);
        await project.pulumiOk(["preview", "--expect-no-changes"]);
    });

    it("deletes the farm it made on destroy, and no file of the backend holds the number", async () => {
        await project.pulumiOk(["destroy", "--yes", "--skip-preview"]);
        // The server goes with its packs; the deployment with its host.
        expect(await project.simJson<unknown[]>(["servers"])).toEqual([]);
        expect(await project.simJson<unknown[]>(["hosts"])).toEqual([]);
        expectNoSecrets(readTree(`${project.dir}/.state`), "the backend's files");
    });
});
