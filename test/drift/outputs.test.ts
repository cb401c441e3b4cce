/** Where the drift command writes is checked before any preview: a bad path fails at once, naming the option. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterEach, describe, expect, it, vi } from "vitest";

vi.mock("../../src/cli/drift/engine", async (original) => ({
    ...(await original<typeof import("../../src/cli/drift/engine")>()),
    previewWithRefresh: vi.fn(async () => ({ project: "rds-licensing", events: [] })),
}));

import { REPORT_FILES, run } from "../../src/cli/drift";
import { previewWithRefresh } from "../../src/cli/drift/engine";

const preview = vi.mocked(previewWithRefresh);
const temp = () => fs.mkdtempSync(path.join(os.tmpdir(), "drift-outputs-"));

async function drift(...argv: string[]) {
    let stdout = "";
    let stderr = "";
    const code = await run(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: {}, cwd: process.cwd() });
    return { code, stdout, stderr };
}

afterEach(() => preview.mockClear());

describe("drift output paths", () => {
    it("--report-dir naming a file: exit 1 with a clear message, and no preview runs", async () => {
        const file = path.join(temp(), "report.txt");
        fs.writeFileSync(file, "keep me");
        const r = await drift("--stack", "dev", "--report-dir", file);
        expect(r.code).toBe(1);
        expect(r.stderr).toBe(`drift: error: --report-dir ${file} is a file, not a folder; give a folder (it is created when missing), or move the file away\n`);
        expect(preview).not.toHaveBeenCalled();
        expect(fs.readFileSync(file, "utf8")).toBe("keep me");
    });

    it("a file in the way of a folder to create, or a folder where a report file goes, fails before the preview", async () => {
        const dir = temp();
        const blocker = path.join(dir, "blocker");
        fs.writeFileSync(blocker, "");
        fs.mkdirSync(path.join(dir, "full", REPORT_FILES.html), { recursive: true });
        for (const [argv, says] of [
            [["--report-dir", path.join(blocker, "reports")], `--report-dir ${path.join(blocker, "reports")}: ${blocker} is a file, not a folder`],
            [["--json", "--output", path.join(blocker, "drift.json")], `--output ${path.join(blocker, "drift.json")}: ${blocker} is a file, not a folder`],
            [["--markdown", "--output", dir], `--output ${dir} is a folder; give a file path`],
            // The previous release's form names its own option.
            [["--markdown", dir], `--markdown ${dir} is a folder; give a file path`],
            [["--report-dir", path.join(dir, "full")], `--report-dir ${path.join(dir, "full", REPORT_FILES.html)} is a folder; give a file path`],
        ] as const) {
            const r = await drift("--stack", "dev", ...argv);
            expect(r.code, argv.join(" ")).toBe(1);
            expect(r.stderr, argv.join(" ")).toContain(`drift: error: ${says}`);
        }
        expect(preview).not.toHaveBeenCalled();
    });

    it("good paths go on to the preview and get their reports (missing folders are created)", async () => {
        const dir = temp();
        const reports = path.join(dir, "new", "reports");
        const json = path.join(dir, "out", "drift.json");
        const r = await drift("--stack", "dev", "--report-dir", reports, "--json", "--output", json);
        expect(r.stderr).not.toContain("error");
        expect(r.code).toBe(0);
        expect(r.stdout).toContain("no drift");
        expect(preview).toHaveBeenCalledTimes(1);
        expect(fs.readdirSync(reports).sort()).toEqual(Object.values(REPORT_FILES).sort());
        expect(JSON.parse(fs.readFileSync(json, "utf8")).status).toBe("in-sync");
        // An existing report folder (a second run) is fine too.
        expect((await drift("--stack", "dev", "--report-dir", reports)).code).toBe(0);
    });
});
