/**
 * No number in any spelling in anything the engine or the product can write. The numbers are
 * configured the way people type them (lower case, hyphens, spaces around), so that the spelling the
 * provider sends to the server (normalized: no separators, upper case) is a string the engine was
 * never told is secret: if it crossed the program/engine boundary, the engine could not mask it.
 *
 * Outputs scanned: `preview --debug`, `up -v=9 --logtostderr`, `preview --json`, its streaming form
 * (PULUMI_ENABLE_STREAMING_JSON_PREVIEW: engine events, what the Automation API reads), `up --json`, `refresh`, `destroy`, `stack export`, every file of the
 * backend (state, history, backups), every file of the simulator's store, with the retail pack
 * present, reinstalled after a hand uninstall, and grown by a repair.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NUMBER_PATHS, validConfig } from "../support/config-fixtures";
import { TestProject, readTree } from "../support/engine";
import { expectNoSecrets, secretForms } from "../support/secrets";

const TYPED = {
    agreementNumber: " 9990031 ",
    licenseNumber: "99900032",
    authorizationNumber: "spell-auth0-00033",
    licenseCode: " spell-ingre-tail0-00000-00034 ",
};

let project: TestProject;
const outputs: string[] = [];
const scan = (text: string, where: string) => {
    outputs.push(where);
    expectNoSecrets(text, where, Object.values(TYPED));
};

beforeAll(async () => {
    project = await TestProject.create("secret-spellings");
    // The valid config (20 EA, 10 Open License, 5 retail licenses) with the numbers as typed.
    await project.setConfig(validConfig(TYPED), NUMBER_PATHS);
});
afterAll(() => project?.remove());

describe("secrets in every spelling, everywhere", { timeout: 600_000 }, () => {
    it("covers the spellings that matter: as typed, trimmed, normalized, upper and lower case", () => {
        const forms = secretForms([TYPED.licenseCode]);
        expect(forms).toEqual(expect.arrayContaining([TYPED.licenseCode, TYPED.licenseCode.trim(), "SPELLINGRETAIL00000000034", "spellingretail00000000034"]));
    });

    it("keeps them out of preview --debug, up -v=9, the JSON preview and the event stream", async () => {
        scan((await project.pulumiOk(["preview", "--debug"])).stdout, "preview --debug (stdout)");
        const up = await project.pulumiOk(["up", "--yes", "--skip-preview", "-v=9", "--logtostderr"]);
        scan(up.stdout + up.stderr, "up -v=9 --logtostderr");
        const json = await project.pulumiOk(["preview", "--json", "--refresh"]);
        scan(json.stdout + json.stderr, "preview --json");
        expect(JSON.parse(json.stdout).steps.length).toBeGreaterThan(0);
        // The engine-event stream, as the Automation API and pipelines read it.
        const stream = await project.pulumiOk(["preview", "--json", "--refresh"], { PULUMI_ENABLE_STREAMING_JSON_PREVIEW: "true" });
        expect(stream.stdout.split("\n").filter((l) => l.includes('"resourcePreEvent"')).length).toBeGreaterThan(0);
        scan(stream.stdout + stream.stderr, "preview --json (streaming engine events)");
    });

    it("keeps them out of the repair of a retail pack uninstalled by hand, and of a grown pack", async () => {
        const packs = await project.packs();
        const retail = packs.find((p) => p.program === "retail")!;
        const ea = packs.find((p) => p.program === "enterprise-agreement")!;
        expect((await project.sim(["uninstall", String(retail.keyPackId)])).code).toBe(0);
        expect((await project.sim(["remove-licenses", String(ea.keyPackId), "4"])).code).toBe(0);
        const repair = await project.pulumiOk(["up", "--yes", "--skip-preview", "--refresh", "--debug"]);
        expect(repair.stdout + repair.stderr).toMatch(/reinstalled key pack/);
        scan(repair.stdout + repair.stderr, "up --refresh --debug (repair)");
        const json = await project.pulumiOk(["up", "--yes", "--skip-preview", "--refresh", "--json"]);
        scan(json.stdout + json.stderr, "up --refresh --json (engine events)");
        const live = await project.packs();
        expect(live.filter((p) => p.program === "retail").map((p) => p.totalLicenses)).toEqual([5]);
        expect(live.filter((p) => p.program === "enterprise-agreement").reduce((n, p) => n + p.totalLicenses, 0)).toBe(20);
    });

    it("keeps them out of state, its history and backups, and the simulator's store", async () => {
        scan(await project.stackExport(), "stack export");
        scan(project.backendBytes(), "the backend's files");
        scan(readTree(project.simHome), "the simulator's store");
    });

    it("keeps them out of refresh and destroy", async () => {
        const refresh = await project.pulumiOk(["refresh", "--yes", "--skip-preview", "--debug"]);
        scan(refresh.stdout + refresh.stderr, "refresh --debug");
        const destroy = await project.pulumiOk(["destroy", "--yes", "--skip-preview", "-v=9", "--logtostderr"]);
        scan(destroy.stdout + destroy.stderr, "destroy -v=9");
        scan(project.backendBytes(), "the backend's files after destroy");
        scan(readTree(project.simHome), "the simulator's store after destroy");
        process.stdout.write(`[secrets] ${secretForms(Object.values(TYPED)).length} spellings of 4 numbers, absent from: ${outputs.join("; ")}\n`);
    });
});
