/** The generated package schema: tokens, documentation, secrets and version all derived, none missing. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { DYNAMIC_RESOURCES, PLUGIN_RESOURCE_TYPES, SECRET_NUMBER_FIELDS } from "../../src/licensing";
import { generateSchema } from "../../src/plugin/generate";
import { PLUGIN_RESOURCES } from "../../src/plugin/resources";
import { DOC_FILES, type SchemaProperty } from "../../src/plugin/schema";
import { REPO_ROOT } from "../support/engine";

const schema = generateSchema(REPO_ROOT);
const packageJson = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));

/** Every property of every resource and type, with where it is. */
function allProperties(): Array<[string, SchemaProperty]> {
    const entries: Array<[string, SchemaProperty]> = [];
    for (const [token, r] of Object.entries(schema.resources)) {
        for (const [name, p] of Object.entries(r.inputProperties)) entries.push([`${token} input ${name}`, p]);
        for (const [name, p] of Object.entries(r.properties)) entries.push([`${token} output ${name}`, p]);
    }
    for (const [token, t] of Object.entries(schema.types)) for (const [name, p] of Object.entries(t.properties)) entries.push([`${token}.${name}`, p]);
    return entries;
}

describe("the plugin's package schema", () => {
    it("is the npm package's version, with one resource per served dynamic resource, tokens derived from the catalog", () => {
        expect(schema.name).toBe("rds-licensing");
        expect(schema.version).toBe(packageJson.version);
        expect(Object.keys(schema.resources).sort()).toEqual(Object.keys(PLUGIN_RESOURCES).map((k) => PLUGIN_RESOURCE_TYPES[k as keyof typeof PLUGIN_RESOURCE_TYPES]).sort());
        expect(PLUGIN_RESOURCE_TYPES.calKeyPack).toBe(`rds-licensing:index:${DYNAMIC_RESOURCES.calKeyPack.name}`);
    });

    it("serves every dynamic resource of the catalog, with the defaults its component sets", () => {
        expect(Object.keys(schema.resources).sort()).toEqual(Object.values(PLUGIN_RESOURCE_TYPES).sort());
        const server = schema.resources["rds-licensing:index:SimulatedLicenseServer"];
        expect(server.inputProperties.home.default).toBe(".rdls-sim");
        expect(server.requiredInputs.sort()).toEqual(["serverName", "windowsServerVersion"]);
        expect(server.inputProperties).not.toHaveProperty("owner");
        expect(schema.resources["rds-licensing:index:SimulatedDeployment"].inputProperties.sessionHosts.items?.$ref).toBe("#/types/rds-licensing:index:SessionHostSpec");
        // A Pulumi schema takes primitive defaults only.
        const objectDefaults = allProperties().filter(([, p]) => p.default !== undefined && typeof p.default === "object").map(([where]) => where);
        expect(objectDefaults).toEqual([]);
    });

    it("documents every property", () => {
        const undocumented = allProperties().filter(([, p]) => !p.description?.trim()).map(([where]) => where);
        expect(undocumented).toEqual([]);
        // The prose is the library's JSDoc where it has some.
        expect(schema.resources["rds-licensing:index:CalKeyPack"].inputProperties.count.description).toContain("Raising it installs the difference");
    });

    it("marks the numbers and the request key secret as secrets, inputs and outputs alike", () => {
        const pack = schema.resources["rds-licensing:index:CalKeyPack"];
        for (const field of [...SECRET_NUMBER_FIELDS, "requestKeySecret"]) {
            expect(pack.inputProperties[field]?.secret, `input ${field}`).toBe(true);
            expect(pack.properties[field]?.secret, `output ${field}`).toBe(true);
        }
        expect(schema.resources["rds-licensing:index:RequestKeySecret"].properties.value.secret).toBe(true);
        expect(pack.inputProperties.count.secret).toBeUndefined();
        for (const token of ["rds-licensing:index:DeploymentLicensing", "rds-licensing:index:SessionDeployment"]) {
            expect(schema.resources[token].inputProperties.runAs?.secret, `${token} runAs`).toBe(true);
        }
        expect(schema.types["rds-licensing:index:DomainAccount"].required).toEqual(["user", "password"]);
    });

    it("leaves out the inputs the plugin sets itself, and refers only to types it defines", () => {
        const pack = schema.resources["rds-licensing:index:CalKeyPack"];
        expect(pack.inputProperties).not.toHaveProperty("packKey");
        expect(pack.inputProperties).not.toHaveProperty("providerVersion");
        expect(pack.requiredInputs).toEqual(expect.arrayContaining(["connection", "server", "program", "count"]));
        const refs = allProperties().map(([, p]) => p.$ref).filter((r): r is string => !!r && r.startsWith("#/types/"));
        for (const ref of refs) expect(schema.types[ref.slice("#/types/".length)], ref).toBeDefined();
        expect(Object.keys(schema.types["rds-licensing:index:Connection"].properties)).toEqual(expect.arrayContaining(["kind", "home", "vmName", "hostKeySha256"]));
        expect(schema.types["rds-licensing:index:Connection"].required).toEqual(["kind"]);
    });

    it("is the same from an installed package, which has the declaration files and not the sources", () => {
        const installed = fs.mkdtempSync(path.join(os.tmpdir(), "rds-licensing-installed-"));
        try {
            fs.copyFileSync(path.join(REPO_ROOT, "package.json"), path.join(installed, "package.json"));
            for (const file of DOC_FILES) {
                const declaration = path.join("dist", file.replace(/\.ts$/, ".d.ts"));
                fs.mkdirSync(path.dirname(path.join(installed, declaration)), { recursive: true });
                fs.copyFileSync(path.join(REPO_ROOT, declaration), path.join(installed, declaration));
            }
            expect(generateSchema(installed)).toEqual(schema);
        } finally {
            fs.rmSync(installed, { recursive: true, force: true });
        }
    });
});
