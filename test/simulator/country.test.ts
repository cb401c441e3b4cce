/**
 * Country/region at activation: the stack keeps ISO 3166 codes; a server takes names from its own
 * list, in its display language, and refuses a bare code ("Invalid parameter"); the status reads
 * the name back as the code, so no drift appears from the translation.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { createSimulatorExecutor } from "../../src/drivers/simulator";
import { openSimulator } from "../../src/simulator";
import { countryName } from "../../src/simulator/countries";
import { activateServer, newServer } from "../../src/simulator/rules-server";
import { LicensingError } from "../../src/licensing";
import type { ServerStatus } from "../../src/licensing/operations";
import { ok, simCli, tempHome } from "./helpers/sim";

const contact = { firstName: "Ada", lastName: "Lovelace", company: "Contoso", countryRegion: "NL" };
const env = { clearinghouseReachable: true, now: new Date(), newLicenseServerId: () => "ID" };

async function serverIn(language?: string) {
    const home = tempHome();
    const sim = openSimulator({ home });
    await sim.createServer({ name: "rdls01", windowsServerVersion: "2022", ...(language ? { language } : {}) });
    return { home, sim, exec: createSimulatorExecutor({ home }) };
}

describe("a contact in the Netherlands, the code NL in the config", () => {
    it.each([
        [undefined, "Netherlands"],
        ["en-US", "Netherlands"],
        ["fr-FR", "Pays-Bas"],
        ["de-DE", "Niederlande"],
    ])("activates a %s server, stores the name %s and reads NL back", async (language, name) => {
        const { home, exec } = await serverIn(language);
        const [activated, status] = await exec.execute("rdls01", [{ op: "activate", contact }, { op: "status" }]);
        expect(ok<ServerStatus>(activated).activation).toBe("activated");
        expect(ok<ServerStatus>(status).contact.countryRegion).toBe("NL");
        const stored = JSON.parse(fs.readFileSync(path.join(home, "servers", "rdls01.json"), "utf8"));
        expect(stored.contact.countryRegion).toBe(name);
    });
});

describe("the server's own list", () => {
    it("refuses a bare ISO code, as the real provider is reported to", () => {
        const fr = { ...newServer("rdls01", "2022", new Date()), language: "fr-FR" };
        expect(() => activateServer(fr, contact, env)).toThrow(LicensingError);
        try {
            activateServer(fr, contact, env);
        } catch (error) {
            expect((error as LicensingError).kind).toBe("invalid-parameter");
            expect((error as LicensingError).message).toMatch(/Invalid parameter: CountryRegion "NL" is not a country\/region of this server's list \(fr-FR\); it takes names such as "Pays-Bas"/);
        }
        expect(fr.activation).toBe("not-activated");
    });

    it("takes the name in its own language only", () => {
        const fr = { ...newServer("rdls01", "2022", new Date()), language: "fr-FR" };
        expect(() => activateServer(fr, { ...contact, countryRegion: "Netherlands" }, env)).toThrow(/Invalid parameter/);
        expect(activateServer(fr, { ...contact, countryRegion: "pays-bas" }, env).contact.countryRegion).toBe("NL");
        expect(countryName("NL", "fr-FR")).toBe("Pays-Bas");
    });
});

describe("sim create-server --language", () => {
    it("creates a French server that the CLI's --country code activates, and refuses an unknown language", async () => {
        const home = tempHome();
        expect((await simCli(home, "create-server", "rdls01", "--version", "2022", "--language", "fr-FR")).code).toBe(0);
        expect((await simCli(home, "activate", "--first-name", "Ada", "--last-name", "L", "--company", "C", "--country", "NL")).code).toBe(0);
        expect(JSON.parse((await simCli(home, "status", "--json")).stdout).contact.countryRegion).toBe("NL");
        const bad = await simCli(home, "create-server", "rdls02", "--version", "2022", "--language", "xx-Nope");
        expect(bad.code).not.toBe(0);
        expect(bad.stderr).toMatch(/language/);
        expect((await simCli(home, "create-server", "--help")).stdout).toMatch(/--language/);
    });
});
