/**
 * The licensing stack with its state in Azure Blob Storage (Azurite, the emulator) through the real
 * Pulumi CLI's `azblob://` backend: up, empty preview, refresh, drift report and destroy against
 * rdls-sim, with the state blobs read back from the container. See docs/team.md.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, TestProject, run } from "../support/engine";
import { expectNoSecrets } from "../support/secrets";
import { azblobProject, type Azurite } from "../support/azurite";

const CONTAINER = "pulumi-state";
const STACK_BLOB = ".pulumi/stacks/rds-licensing/test.json";
const DRIFT = path.join(REPO_ROOT, "dist", "src", "cli", "drift.js");
/** What `pulumi stack ls` counts after `up`: the 8 created resources and the stack itself. */
const RESOURCES = 9;

let azurite: Azurite;
let project: TestProject;

const blobNames = async (prefix?: string) => (await azurite.listBlobs(CONTAINER, prefix)).map((b) => b.name);

beforeAll(async () => {
    ({ azurite, project } = await azblobProject("team-azblob", CONTAINER));
});

afterAll(async () => {
    project?.remove();
    await azurite?.stop();
});

describe("licensing stack on an azblob:// backend (Azurite)", () => {
    it("needs the container to exist: the CLI does not create it", async () => {
        const missing = await project.pulumi(["stack", "ls"], { PULUMI_BACKEND_URL: azurite.backendUrl("no-such-container") });
        expect(missing.code).not.toBe(0);
        expect(missing.stderr).toContain("ContainerNotFound");
    });

    it("keeps the new stack in the container, in the project layout", async () => {
        const names = await blobNames();
        expect(names).toContain(".pulumi/meta.yaml");
        expect(names).toContain(STACK_BLOB);
        expect((await azurite.readBlob(CONTAINER, ".pulumi/meta.yaml")).toString()).toMatch(/version: 1/);
        expect(fs.readdirSync(path.join(project.dir, ".state"))).toEqual([]); // the file backend is unused
    });

    it("creates the server, activates it and installs every pack", async () => {
        const up = await project.pulumiOk(["up", "--yes", "--skip-preview"]);
        expect(up.stdout).toContain("8 created");
        expect((await project.outputs()).activationStatus).toBe("activated");
        expect(await project.totals()).toEqual({ "enterprise-agreement": 20, "open-license": 10, retail: 5 });
    });

    it("previews no changes and refreshes with no changes", async () => {
        await project.pulumiOk(["preview", "--expect-no-changes"]);
        await project.pulumiOk(["refresh", "--yes", "--expect-no-changes", "--skip-preview"]);
    });

    it("writes state, history and backups as blobs, with no CAL number in plain text and no lock left", async () => {
        const names = await blobNames();
        expect(names).toContain(STACK_BLOB); // plain JSON (no PULUMI_DIY_BACKEND_GZIP), so the scan below reads it
        expect(names.some((n) => n.startsWith(".pulumi/history/rds-licensing/test/") && n.endsWith(".checkpoint.json"))).toBe(true);
        expect(names.some((n) => n.startsWith(".pulumi/backups/rds-licensing/test/"))).toBe(true);
        expect(names.filter((n) => n.startsWith(".pulumi/locks/"))).toEqual([]);

        expectNoSecrets(await azurite.containerBytes(CONTAINER), "the azblob backend's blobs");

        const checkpoint = JSON.parse((await azurite.readBlob(CONTAINER, STACK_BLOB)).toString());
        const deployment = checkpoint.checkpoint.latest;
        expect(deployment.secrets_providers.type).toBe("passphrase");
        const ea = deployment.resources.find((r: any) => r.type === "pulumi-nodejs:dynamic/licensing:CalKeyPack" && r.outputs?.program === "enterprise-agreement");
        expect(ea.outputs.agreementNumber).toHaveProperty("ciphertext");
    });

    it("reports no drift through the Automation API, with the backend from PULUMI_BACKEND_URL and read-only access", async () => {
        // npm test builds dist/ before running tests, so the drift command is always there.
        expect(fs.existsSync(DRIFT), `${DRIFT} (run npm run build)`).toBe(true);
        const before = await azurite.readBlob(CONTAINER, STACK_BLOB);
        // A read + list SAS (what Storage Blob Data Reader grants): the drift check writes nothing.
        const readOnly = { AZURE_STORAGE_KEY: "", AZURE_STORAGE_SAS_TOKEN: azurite.accountSas("rl") };
        const drift = await run("node", [DRIFT, "--stack", project.stack, "--cwd", project.dir], { cwd: project.dir, env: { ...project.env, ...readOnly } });
        expect(drift.code, `${drift.stdout}\n${drift.stderr}`).toBe(0);
        expect((await azurite.readBlob(CONTAINER, STACK_BLOB)).equals(before)).toBe(true);
        expectNoSecrets(drift.stdout + drift.stderr, "the drift report");
    });

    it("reaches the same state with a SAS token, a connection string, the endpoint in AZURE_STORAGE_* variables, and after `pulumi login`", async () => {
        const resourceCount = (out: string) => (JSON.parse(out) as Array<{ name: string; resourceCount?: number }>).find((s) => s.name === "test")?.resourceCount;

        // SAS instead of the account key (the key variable empty counts as unset).
        const sas = await project.pulumiOk(["stack", "ls", "--json"], { AZURE_STORAGE_KEY: "", AZURE_STORAGE_SAS_TOKEN: azurite.accountSas() });
        expect(resourceCount(sas.stdout)).toBe(RESOURCES);

        // The account in the URL (`storage_account`) instead of AZURE_STORAGE_ACCOUNT (not with a key:
        // a SharedKey credential takes the account from AZURE_STORAGE_ACCOUNT).
        const accountInUrl = await project.pulumiOk(["stack", "ls", "--json"], {
            PULUMI_BACKEND_URL: `${azurite.backendUrl(CONTAINER)}&storage_account=${azurite.account}`,
            AZURE_STORAGE_ACCOUNT: "",
            AZURE_STORAGE_KEY: "",
            AZURE_STORAGE_SAS_TOKEN: azurite.accountSas(),
        });
        expect(resourceCount(accountInUrl.stdout)).toBe(RESOURCES);

        // Read-only access cannot update: the lock, the first write, is refused (403) before anything
        // runs. CLI 3.274.1 then crashes in gocloud's azureblob writer (nil pointer in writer.Close
        // on a failed upload) instead of printing the 403; either way nothing is written.
        const stateBefore = await azurite.readBlob(CONTAINER, STACK_BLOB);
        const readOnly = await project.pulumi(["up", "--yes", "--skip-preview"], { AZURE_STORAGE_KEY: "", AZURE_STORAGE_SAS_TOKEN: azurite.accountSas("rl") });
        expect(readOnly.code).not.toBe(0);
        expect(readOnly.stdout + readOnly.stderr).toMatch(/RESPONSE 403|nil pointer dereference/);
        expect(await blobNames(".pulumi/locks/")).toEqual([]);
        expect((await azurite.readBlob(CONTAINER, STACK_BLOB)).equals(stateBefore)).toBe(true);

        // Endpoint from the environment instead of URL parameters.
        const envForm = await project.pulumiOk(["stack", "ls", "--json"], {
            PULUMI_BACKEND_URL: `azblob://${CONTAINER}`,
            AZURE_STORAGE_DOMAIN: `127.0.0.1:${azurite.port}`,
            AZURE_STORAGE_PROTOCOL: "http",
        });
        expect(resourceCount(envForm.stdout)).toBe(RESOURCES);

        // A connection string alone: it names the account and the endpoint.
        const connectionString = await project.pulumiOk(["stack", "ls", "--json"], {
            PULUMI_BACKEND_URL: `azblob://${CONTAINER}`,
            AZURE_STORAGE_ACCOUNT: "",
            AZURE_STORAGE_KEY: "",
            AZURE_STORAGE_CONNECTION_STRING: `DefaultEndpointsProtocol=http;AccountName=${azurite.account};AccountKey=${azurite.key};BlobEndpoint=${azurite.serviceUrl};`,
        });
        expect(resourceCount(connectionString.stdout)).toBe(RESOURCES);

        // A wrong key is refused by the service.
        const wrongKey = await project.pulumi(["stack", "ls"], { AZURE_STORAGE_KEY: Buffer.alloc(64, 1).toString("base64") });
        expect(wrongKey.code).not.toBe(0);
        expect(wrongKey.stderr).toContain("AuthorizationFailure");

        // `pulumi login <url>` stores the backend in PULUMI_HOME; it applies when PULUMI_BACKEND_URL is unset.
        const home = fs.mkdtempSync(path.join(os.tmpdir(), "rds-licensing-pulumi-home-"));
        try {
            const env = { ...project.env, PULUMI_HOME: home, PULUMI_BACKEND_URL: "" };
            const login = await run("pulumi", ["login", azurite.backendUrl(CONTAINER), "--non-interactive"], { cwd: project.dir, env });
            expect(login.code, login.stderr).toBe(0);
            expect(login.stdout).toContain(`(${azurite.backendUrl(CONTAINER)})`);
            const listed = await run("pulumi", ["stack", "ls", "--json", "--non-interactive"], { cwd: project.dir, env });
            expect(listed.code, listed.stderr).toBe(0);
            expect(resourceCount(listed.stdout)).toBe(RESOURCES);
            expectNoSecrets(fs.readFileSync(path.join(home, "credentials.json"), "utf8"), "PULUMI_HOME/credentials.json", [azurite.key]);
        } finally {
            fs.rmSync(home, { recursive: true, force: true });
        }
    });

    it("destroys everything, and the empty stack stays in the container", async () => {
        await project.pulumiOk(["destroy", "--yes", "--skip-preview"]);
        expect((await project.sim(["servers", "--json"])).stdout.trim()).toBe("[]");
        const checkpoint = JSON.parse((await azurite.readBlob(CONTAINER, STACK_BLOB)).toString());
        expect(checkpoint.checkpoint.latest?.resources ?? []).toEqual([]);
        expect((await blobNames(".pulumi/locks/"))).toEqual([]);
    });
});
