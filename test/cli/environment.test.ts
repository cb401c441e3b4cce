/** What `rds-licensing drift` gives the Pulumi CLI, so that `npx rds-licensing drift --stack dev` works as typed. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { DEMO_PASSPHRASE, installedPulumiBins, previewEnvironment } from "../../src/cli/drift/environment";
import { packageRoot } from "../../src/cli/package";
import { REPO } from "./helpers";

const temp = () => fs.mkdtempSync(path.join(os.tmpdir(), "rds-licensing-env-"));

function touch(file: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, "", { mode: 0o755 });
}

/** A clone of rds-licensing: its package.json, the npm entry and the dev project. */
function clone(): string {
    const dir = temp();
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "rds-licensing", version: "0.0.0" }));
    touch(path.join(dir, "tools", "run.mjs"));
    touch(path.join(dir, "Pulumi.yaml"));
    fs.mkdirSync(path.join(dir, "node_modules", ".bin"), { recursive: true });
    return dir;
}

/** A $PULUMI_HOME with CLIs of several versions (and a folder without one). */
function pulumiHome(): string {
    const home = temp();
    for (const v of ["3.200.0", "3.274.1", "3.99.0"]) touch(path.join(home, "versions", v, "bin", "pulumi"));
    fs.mkdirSync(path.join(home, "versions", "3.300.0", "bin"), { recursive: true });
    return home;
}

describe("previewEnvironment", () => {
    it("in a clone, checking its own project: the dev stack's defaults, and the newest CLI of $PULUMI_HOME", () => {
        const root = clone();
        const home = pulumiHome();
        const { env, notes } = previewEnvironment(root, { PATH: "/usr/bin", PULUMI_HOME: home }, root);
        expect(env).toEqual({
            PULUMI_BACKEND_URL: `file://${path.join(root, ".pulumi-state")}`,
            PULUMI_CONFIG_PASSPHRASE: DEMO_PASSPHRASE,
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            RDS_LICENSING_ROOT: root,
            PATH: [path.join(home, "versions", "3.274.1", "bin"), path.join(root, "node_modules", ".bin"), "/usr/bin"].join(path.delimiter),
        });
        expect(notes).toEqual([
            expect.stringMatching(/^this clone's dev stack environment: backend file:\/\/.*\.pulumi-state, the demo passphrase/),
            `the Pulumi CLI in ${path.join(home, "versions", "3.274.1", "bin")} (none on PATH)`,
        ]);
    });

    it("what the user set wins, and a pulumi on PATH is used as it is", () => {
        const root = clone();
        const onPath = path.join(temp(), "bin");
        touch(path.join(onPath, "pulumi"));
        const user = {
            PATH: [path.join(root, "node_modules", ".bin"), onPath].join(path.delimiter),
            PULUMI_BACKEND_URL: "azblob://state",
            PULUMI_CONFIG_PASSPHRASE_FILE: "/secrets/passphrase",
            PULUMI_SKIP_UPDATE_CHECK: "false",
            PULUMI_HOME: pulumiHome(),
        };
        const { env, notes } = previewEnvironment(root, user, root);
        expect(env).toEqual({ PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true", RDS_LICENSING_ROOT: root });
        expect(notes).toEqual([]);
    });

    it("another project, or an installed package (no tools/), gets only the CLI lookup", () => {
        const root = clone();
        const home = pulumiHome();
        const bin = path.join(home, "versions", "3.274.1", "bin");
        expect(previewEnvironment(temp(), { PATH: "/usr/bin", PULUMI_HOME: home }, root).env).toEqual({ PATH: [bin, "/usr/bin"].join(path.delimiter) });
        fs.rmSync(path.join(root, "tools"), { recursive: true });
        expect(previewEnvironment(root, { PATH: "", PULUMI_HOME: home }, root).env).toEqual({ PATH: bin });
        // No CLI anywhere: nothing to add (the preview then says what to install).
        expect(previewEnvironment(temp(), { PATH: "", PULUMI_HOME: temp() }, root)).toEqual({ env: {}, notes: [] });
    });

    it("installedPulumiBins: newest version first, folders without a pulumi skipped", () => {
        const home = pulumiHome();
        expect(installedPulumiBins(home)).toEqual(["3.274.1", "3.200.0", "3.99.0"].map((v) => path.join(home, "versions", v, "bin")));
        expect(installedPulumiBins(temp())).toEqual([]);
    });

    it("the demo passphrase is the one tools/run.mjs sets, and this checkout is found as the package root", () => {
        const runMjs = fs.readFileSync(path.join(REPO, "tools", "run.mjs"), "utf8");
        expect(/export const DEMO_PASSPHRASE = "([^"]+)"/.exec(runMjs)?.[1]).toBe(DEMO_PASSPHRASE);
        expect(packageRoot()).toBe(REPO);
    });
});
