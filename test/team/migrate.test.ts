/**
 * Moving a stack from local state (`file://`) to an `azblob://` backend (Azurite), as docs/team.md
 * tells: `pulumi stack export` → `stack init` on the new backend → `pulumi stack import`, secrets
 * kept encrypted all the way; `pulumi stack migrate` as the one-command alternative; a rotation of
 * the secrets provider with `stack change-secrets-provider`; then the old copy is removed without
 * touching the license server.
 */
import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NUMBER_PATHS, validConfig } from "../support/config-fixtures";
import { TestProject } from "../support/engine";
import { expectNoSecrets } from "../support/secrets";
import { startAzurite, type Azurite } from "../support/azurite";

const CONTAINER = "pulumi-state";
/** A folder of the container per team or project: `azblob://<container>/<folder>`. */
const FOLDER = "licensing";

let azurite: Azurite;
let project: TestProject;
let azblobEnv: NodeJS.ProcessEnv;

const EXPECTED = { "enterprise-agreement": 20, "open-license": 10, retail: 5 };
const NEW_PASSPHRASE = "rds-licensing-rotated-test-passphrase";

beforeAll(async () => {
    azurite = await startAzurite();
    await azurite.createContainer(CONTAINER);
    project = await TestProject.create("team-migrate"); // local state: the project's file backend
    azblobEnv = { PULUMI_BACKEND_URL: azurite.backendUrl(CONTAINER, FOLDER), ...azurite.sharedKeyEnv() };
    await project.setConfig(validConfig(), NUMBER_PATHS);
    await project.pulumiOk(["up", "--yes", "--skip-preview"]);
});

afterAll(async () => {
    project?.remove();
    await azurite?.stop();
});

describe("migrating a stack from local state to azblob:// (Azurite)", () => {
    it("exports, inits and imports the stack without decrypting its secrets", async () => {
        const file = path.join(project.dir, "test.checkpoint.json");
        await project.pulumiOk(["stack", "export", "--stack", project.stack, "--file", file]);
        expectNoSecrets(fs.readFileSync(file, "utf8"), "the exported checkpoint");
        const configBefore = fs.readFileSync(path.join(project.dir, "Pulumi.test.yaml"), "utf8");

        // Same stack name and Pulumi.test.yaml: the passphrase provider keeps its salt, so the
        // config's ciphertexts stay valid.
        await project.pulumiOk(["stack", "init", project.stack, "--secrets-provider", "passphrase"], azblobEnv);
        await project.pulumiOk(["stack", "import", "--stack", project.stack, "--file", file], azblobEnv);
        fs.rmSync(file);
        expect(fs.readFileSync(path.join(project.dir, "Pulumi.test.yaml"), "utf8")).toBe(configBefore);

        const names = (await azurite.listBlobs(CONTAINER)).map((b) => b.name);
        expect(names).toContain(`${FOLDER}/.pulumi/stacks/rds-licensing/test.json`);
        expect(names.every((n) => n.startsWith(`${FOLDER}/`))).toBe(true);
        expectNoSecrets(await azurite.containerBytes(CONTAINER), "the azblob backend's blobs");
    });

    it("previews no changes on the new backend", async () => {
        await project.pulumiOk(["preview", "--expect-no-changes"], azblobEnv);
        const outputs = JSON.parse((await project.pulumiOk(["stack", "output", "--json"], azblobEnv)).stdout);
        expect(outputs.activationStatus).toBe("activated");
        expect(outputs.packs["ea-users"].totalLicenses).toBe(20);
    });

    it("migrates in one command with `pulumi stack migrate` too (into another folder)", async () => {
        const folder = `${FOLDER}-migrated`;
        const env = { ...azblobEnv, PULUMI_BACKEND_URL: azurite.backendUrl(CONTAINER, folder) };
        const salt = () => fs.readFileSync(path.join(project.dir, "Pulumi.test.yaml"), "utf8").split("\n")[0];
        const saltBefore = salt();
        const source = `file://${path.join(project.dir, ".state")}`;
        const migrated = await project.pulumiOk(["stack", "migrate", source, project.stack, "--secrets-provider", "passphrase", "--yes"], env);
        expect(migrated.stdout).toContain("Source stack state on");
        expect(salt()).toBe(saltBefore); // same passphrase provider and salt: the config's ciphertexts stay valid
        for (const backup of fs.readdirSync(project.dir).filter((f) => f.startsWith("Pulumi.test.yaml.bak."))) fs.rmSync(path.join(project.dir, backup));

        const listed = JSON.parse((await project.pulumiOk(["stack", "ls", "--json"], env)).stdout) as Array<{ name: string; resourceCount: number }>;
        expect(listed).toEqual([expect.objectContaining({ name: "test", resourceCount: 9 })]); // 8 resources and the stack
        expectNoSecrets(await azurite.containerBytes(CONTAINER), "the azblob backend's blobs");
    });

    it("rotates the secrets provider in place: config and state re-encrypted, nothing in plain text", async () => {
        const stackBlob = `${FOLDER}/.pulumi/stacks/rds-licensing/test.json`;
        const ciphertext = async () => {
            const latest = JSON.parse((await azurite.readBlob(CONTAINER, stackBlob)).toString()).checkpoint.latest;
            const ea = latest.resources.find((r: any) => r.outputs?.program === "enterprise-agreement");
            return { salt: latest.secrets_providers.state.salt as string, agreementNumber: ea.outputs.agreementNumber.ciphertext as string };
        };
        const before = await ciphertext();
        const configBefore = fs.readFileSync(path.join(project.dir, "Pulumi.test.yaml"), "utf8");
        // Non-interactively the CLI takes the current passphrase from PULUMI_CONFIG_PASSPHRASE and the
        // new one from the first line of stdin (empty stdin would set an empty passphrase). To Key
        // Vault it is the same command with the key's URL and no stdin: see docs/team.md.
        const rotated = await project.pulumiWithInput(["stack", "change-secrets-provider", "--stack", project.stack, "passphrase"], `${NEW_PASSPHRASE}\n`, azblobEnv);
        expect(rotated.code, rotated.stderr).toBe(0);
        azblobEnv = { ...azblobEnv, PULUMI_CONFIG_PASSPHRASE: NEW_PASSPHRASE };
        const after = await ciphertext();
        expect(after.salt).not.toBe(before.salt);
        expect(after.agreementNumber).not.toBe(before.agreementNumber);
        expect(fs.readFileSync(path.join(project.dir, "Pulumi.test.yaml"), "utf8")).not.toBe(configBefore);
        expectNoSecrets(fs.readFileSync(path.join(project.dir, "Pulumi.test.yaml"), "utf8"), "Pulumi.test.yaml");
        expectNoSecrets(await azurite.containerBytes(CONTAINER), "the azblob backend's blobs", [NEW_PASSPHRASE]);
        const oldPassphrase = await project.pulumi(["config", "--show-secrets"], { ...azblobEnv, PULUMI_CONFIG_PASSPHRASE: project.env.PULUMI_CONFIG_PASSPHRASE });
        expect(oldPassphrase.code).not.toBe(0);
        expect(oldPassphrase.stderr).toContain("incorrect passphrase");
    });

    it("removes the old local copy without touching the license server, and the new backend carries on", async () => {
        await project.pulumiOk(["stack", "rm", project.stack, "--yes", "--force", "--preserve-config"]);
        expect(fs.existsSync(path.join(project.dir, "Pulumi.test.yaml"))).toBe(true);
        expect(await project.totals()).toEqual(EXPECTED);
        // The rotated secrets decrypt: the program reads them from the config, the engine from the state.
        await project.pulumiOk(["refresh", "--yes", "--expect-no-changes", "--skip-preview"], azblobEnv);
        await project.pulumiOk(["preview", "--expect-no-changes"], azblobEnv);
        expect(await project.totals()).toEqual(EXPECTED);
    });
});
