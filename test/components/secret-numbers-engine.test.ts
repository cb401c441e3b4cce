/**
 * On the real engine: a program that hands the components its numbers as plain strings (no
 * `pulumi.secret`, no stack secrets) stores only ciphertext for them, in the state, its history and
 * its backups, and prints none of them.
 */
import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, TestProject } from "../support/engine";
import { expectNoSecrets } from "../support/secrets";

/** Fictitious numbers, as a user might type them (hyphens, lower case, spaces): distinct from the config fixtures'. */
const PLAIN = {
    agreementNumber: "9990071",
    licenseNumber: "99900072",
    authorizationNumber: "plainauth-000073",
    licenseCode: "PLAIN-RETAI-LCODE-00000-00074",
} as const;

const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** The tiny program: RdsLicensing on the simulator, numbers as plain string literals. */
function programSource(): string {
    const components = path.join(REPO_ROOT, "dist", "components");
    return `const { RdsLicensing } = require(${JSON.stringify(components)});
const contact = { firstName: "Test", lastName: "Admin", company: "Contoso (fictitious)", countryRegion: "NL" };
const licensing = new RdsLicensing("plain", {
    licenseServer: { name: "RDLS-PLAIN01", windowsServerVersion: "2022", contact },
    calPacks: [
        { name: "ea", program: "enterprise-agreement", agreementNumber: ${JSON.stringify(PLAIN.agreementNumber)}, productVersion: "2022", licenseType: "per-user", count: 3 },
        { name: "open", program: "open-license", licenseNumber: ${JSON.stringify(PLAIN.licenseNumber)}, authorizationNumber: ${JSON.stringify(PLAIN.authorizationNumber)}, productVersion: "2019", licenseType: "per-device", count: 2 },
        { name: "retail", program: "retail", licenseCode: ${JSON.stringify(PLAIN.licenseCode)}, productVersion: "2022", licenseType: "per-user", count: 1 },
    ],
});
exports.packs = licensing.packs;
`;
}

let project: TestProject;
beforeAll(async () => {
    project = await TestProject.create("secret-numbers");
    fs.writeFileSync(path.join(project.dir, "index.js"), programSource());
});
afterAll(() => project?.remove());

describe("plain numbers given to the components, on the real engine", () => {
    it("up stores them as ciphertext only and prints none of them", async () => {
        const up = await project.pulumiOk(["up", "--yes", "--stack", project.stack]);
        expect(up.stdout).toContain("created");
        const values = Object.values(PLAIN);
        expectNoSecrets(up.stdout + up.stderr, "the output of `pulumi up`", values);

        const exported = await project.stackExport();
        expectNoSecrets(exported, "`pulumi stack export`", values);
        expectNoSecrets(project.backendBytes(), "the backend (state, history, backups)", values);

        // Each number input and output of each pack is a secret with ciphertext.
        const state = JSON.parse(exported) as { deployment: { resources: Array<{ type: string; urn: string; inputs?: any; outputs?: any }> } };
        const packs = state.deployment.resources.filter((r) => r.type === "pulumi-nodejs:dynamic/licensing:CalKeyPack");
        expect(packs.map((p) => p.urn.split("::").pop()).sort()).toEqual(["plain-ea", "plain-open", "plain-retail"]);
        const fields = { "plain-ea": ["agreementNumber"], "plain-open": ["licenseNumber", "authorizationNumber"], "plain-retail": ["licenseCode"] } as Record<string, string[]>;
        for (const pack of packs) {
            const name = pack.urn.split("::").pop()!;
            for (const field of fields[name]!) {
                for (const where of ["inputs", "outputs"] as const) {
                    const value = pack[where]?.[field];
                    expect(value, `${name} ${where}.${field}`).toMatchObject({ [SECRET_SIG_KEY]: SECRET_SIG, ciphertext: expect.any(String) });
                    expect(Object.keys(value)).not.toContain("plaintext");
                }
            }
        }
    });
});
