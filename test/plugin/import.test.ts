/**
 * `pulumi import` through the provider plugin: a pack an admin installed by hand on a simulated
 * license server (`rds-licensing sim install`, on a server made with `sim create-server`) is adopted
 * by key pack ID; the generated code, with the number added as a secret
 * (docs/plugin.md), previews, updates and refreshes with no changes; destroy uninstalls it.
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SECRETS } from "../support/config-fixtures";
import { expectNoSecrets } from "../support/secrets";
import { ensurePluginTools, simCli, YamlProject } from "./yaml-project";

const SERVER = "RDLS-IMP01";
const NAME = "ea-adopted";

interface Program {
    resources: Record<string, { type: string; properties?: Record<string, unknown>; options?: Record<string, unknown> }>;
    [key: string]: unknown;
}

/** The program before the import: the stack's request key secret only. */
const before = (): Program => ({
    name: "rds-licensing-import",
    runtime: "yaml",
    config: { eaNumber: { type: "string", secret: true } },
    resources: { "request-key": { type: "rds-licensing:index:RequestKeySecret" } },
});

interface Pack {
    keyPackId: number;
    totalLicenses: number;
}

let project: YamlProject;
let keyPackId: number;
let generated: Program;

beforeAll(async () => {
    const tools = await ensurePluginTools();
    project = await YamlProject.create("plugin-import", tools, yaml.dump(before()));
    await project.sim(["create-server", SERVER, "--version", "2022"]);
    await project.sim(["activate", "--first-name", "Ada", "--last-name", "Lovelace", "--company", "Contoso", "--country", "GB"]);
    // The admin installs the pack by hand (RD Licensing Manager's Install Licenses wizard), the number
    // in the environment: never an argument.
    const installed = await simCli(project.simHome, ["install", "12", "--program", "enterprise-agreement", "--version", "2022", "--type", "per-user", "--json"], {
        ...project.env,
        RDLS_SIM_AGREEMENT_NUMBER: SECRETS.agreementNumber,
    });
    expectNoSecrets(installed.stdout + installed.stderr, "`rds-licensing sim install` output");
    keyPackId = (JSON.parse(installed.stdout) as Pack).keyPackId;
    await project.pulumiOk(["config", "set", "rds-licensing:server", SERVER]);
    await project.pulumiOk(["config", "set", "rds-licensing:connection", JSON.stringify({ kind: "simulator", home: ".rdls-sim" })]);
    await project.setSecret("eaNumber", SECRETS.agreementNumber);
    await project.pulumiOk(["up", "--yes", "--skip-preview"]);
}, 900_000);

afterAll(() => project?.remove());

describe("pulumi import of a CAL key pack installed by hand", () => {
    it("adopts the pack by its key pack ID and generates code matching the live pack", async () => {
        const out = path.join(project.dir, "imported.yaml");
        await project.pulumiOk(["import", "rds-licensing:index:CalKeyPack", NAME, String(keyPackId), "--yes", "--out", out]);
        generated = yaml.load(fs.readFileSync(out, "utf8")) as Program;
        const resource = generated.resources[NAME];
        // YAML codegen may shorten the `index` module: `rds-licensing:CalKeyPack` is the same token.
        expect(resource.type).toMatch(/^rds-licensing:(index:)?CalKeyPack$/);
        expect(resource.properties).toMatchObject({
            connection: { kind: "simulator", home: ".rdls-sim" },
            server: SERVER,
            program: "enterprise-agreement",
            productVersion: "2022",
            licenseType: "per-user",
            count: 12,
        });
        // A server never reveals the numbers: they are not in the generated code, nor guessed.
        expect(resource.properties).not.toHaveProperty("agreementNumber");
    });

    it("previews, updates and refreshes with no changes once the number is added as a secret", async () => {
        const program = before();
        const resource = generated.resources[NAME];
        program.resources[NAME] = {
            ...resource,
            properties: { ...resource.properties, agreementNumber: "${eaNumber}", requestKeySecret: "${request-key.value}" },
        };
        project.writeProgram(yaml.dump(program));
        await project.pulumiOk(["preview", "--expect-no-changes"]);
        await project.pulumiOk(["up", "--yes", "--expect-no-changes", "--skip-preview"]);
        await project.pulumiOk(["refresh", "--yes", "--expect-no-changes", "--skip-preview"]);
        expect(await project.simJson<Pack[]>(["packs"])).toMatchObject([{ keyPackId, totalLicenses: 12 }]);
        expectNoSecrets((await project.pulumiOk(["stack", "export"])).stdout, "`pulumi stack export` after the import");
    });

    it("uninstalls the adopted pack on destroy", async () => {
        await project.pulumiOk(["state", "unprotect", `urn:pulumi:test::rds-licensing-import::rds-licensing:index:CalKeyPack::${NAME}`, "--yes"]);
        await project.pulumiOk(["destroy", "--yes", "--skip-preview"]);
        expect(await project.simJson<Pack[]>(["packs"])).toEqual([]);
    });
});
