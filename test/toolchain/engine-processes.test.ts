/**
 * The processes of a real `pulumi` run on this toolchain (CLI, our language host, the program, the
 * dynamic provider; issue 13, item 9):
 * - after `kill -9` of `pulumi`, the language host, program and provider exit on their own;
 * - a configuration larger than one environment variable may hold (Linux: 128 KiB) reaches the
 *   program, with its secret;
 * - no process of the run carries a secret on its command line or in its environment, and no file does.
 * The program is a tiny purpose-built one (test/toolchain/processes.ts): what is tested is the
 * toolchain, not the product.
 */
import { createHash, randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, describe, expect, it } from "vitest";
import { engineChildren, isGone, killLeftovers, procInfo, TinyProject, waitFor, type EngineChildren } from "./processes";

/** Generous bounds: the watchdog checks its parent every second; the machine may be busy. */
const START_TIMEOUT_MS = 90_000;
const EXIT_TIMEOUT_MS = 30_000;

function pids(found: EngineChildren): number[] {
    return [found.languageHost?.pid, found.program?.pid, found.provider?.pid].filter((p): p is number => p !== undefined);
}

/** Hold `pulumi up` at the blocking resource: resolves once its create has started. */
async function upToTheBlocker(project: TinyProject) {
    fs.rmSync(project.blockDir, { recursive: true, force: true });
    fs.mkdirSync(project.blockDir, { recursive: true });
    const up = project.start(["up", "--yes", "--skip-preview"]);
    const exited = new Promise<number | null>((resolve) => up.child.on("exit", (code) => resolve(code)));
    const pulumiPid = up.child.pid!;
    const found = await waitFor(() => {
        if (!fs.existsSync(path.join(project.blockDir, "started"))) return undefined;
        const tree = engineChildren(pulumiPid);
        return tree.languageHost && tree.program && tree.provider ? tree : undefined;
    }, START_TIMEOUT_MS);
    if (!found) {
        up.child.kill("SIGKILL");
        throw new Error(`pulumi up never reached the blocking resource:\n${up.output()}`);
    }
    return { up, exited, pulumiPid, found };
}

describe("the processes of a pulumi run", () => {
    const secret = `Tk-${randomBytes(6).toString("hex")}-Zq`;
    const secretSha256 = createHash("sha256").update(secret).digest("hex");
    const projects: TinyProject[] = [];

    /** A fresh project per test: a killed `up` leaves its stack locked. */
    async function project(label: string, block: boolean): Promise<TinyProject> {
        const p = await TinyProject.create(label);
        projects.push(p);
        await p.setSecret("secret", secret);
        p.appendPlainConfig(block ? { secretSha256, block: p.blockDir } : { secretSha256 });
        return p;
    }

    afterAll(() => {
        for (const p of projects) p.remove();
    });

    it("exit when pulumi is killed with SIGKILL mid-up", async () => {
        const { up, exited, found } = await upToTheBlocker(await project("toolchain-kill", true));
        try {
            up.child.kill("SIGKILL");
            await exited;
            const left = await waitFor(() => pids(found).every(isGone), EXIT_TIMEOUT_MS, 250);
            const alive = pids(found)
                .filter((pid) => !isGone(pid))
                .map((pid) => procInfo(pid)?.cmdline);
            expect(left ? [] : alive, "processes still running after pulumi was killed").toEqual([]);
        } finally {
            killLeftovers(pids(found));
        }
    });

    it("carry no secret on their command line or in their environment, and still stop after a normal up", async () => {
        const startedAt = Date.now();
        const scanned = await project("toolchain-scan", true);
        const { up, exited, pulumiPid, found } = await upToTheBlocker(scanned);
        const forms = [secret, secret.toLowerCase(), secret.toUpperCase(), secret.replace(/-/g, "")];
        try {
            for (const pid of [pulumiPid, ...pids(found)]) {
                const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "latin1");
                const environ = fs.readFileSync(`/proc/${pid}/environ`, "latin1");
                for (const form of forms) {
                    expect(cmdline.includes(form), `the secret is on the command line of ${procInfo(pid)?.cmdline}`).toBe(false);
                    expect(environ.includes(form), `the secret is in the environment of ${procInfo(pid)?.cmdline}`).toBe(false);
                }
            }
            // The configuration travelled through a pipe, not the environment.
            expect(fs.readFileSync(`/proc/${found.program!.pid}/environ`, "latin1")).not.toMatch(/PULUMI_CONFIG=/);
            fs.writeFileSync(path.join(scanned.blockDir, "release"), "");
            expect(await exited, up.output()).toBe(0);
            expect(up.output()).toMatch(/secret-matches=true/);
            for (const form of forms) expect(up.output().includes(form), "the secret is in pulumi's output").toBe(false);
            // Normal shutdown: the engine stops its plugins as before.
            expect(await waitFor(() => pids(found).every(isGone), EXIT_TIMEOUT_MS, 250)).toBe(true);
        } finally {
            up.child.kill("SIGKILL");
            killLeftovers(pids(found));
        }
        // No file written since the test began holds the secret: the project (state, backups, stack
        // file), Pulumi's home (logs) and the temporary folder.
        const pulumiHome = scanned.env.PULUMI_HOME || path.join(os.homedir(), ".pulumi");
        const files = [
            ...recentFiles(scanned.dir, 0),
            ...recentFiles(pulumiHome, startedAt, ["versions", "plugins", "build", "npm-cli"]),
            ...recentFiles(os.tmpdir(), startedAt),
        ];
        expect(files.length).toBeGreaterThan(0);
        for (const file of files) {
            let text: string;
            try {
                text = fs.readFileSync(file, "latin1");
            } catch {
                continue; // removed meanwhile, or not ours to read
            }
            for (const form of forms) expect(text.includes(form), `the secret is in ${file}`).toBe(false);
        }
    });

    it("pass a configuration larger than the environment can hold", async () => {
        // ~1000 key packs' worth: 1000 keys of ~200 bytes, over 200 KB of JSON, beyond the 128 KiB any
        // one environment variable may hold (execve fails with E2BIG).
        const large = await project("toolchain-bigconfig", false);
        const values: Record<string, string> = {};
        for (let i = 0; i < 1000; i++) {
            values[`pack${String(i).padStart(4, "0")}`] = `{"program":"Open License","count":${i},"agreementNumber":"n${i}","padding":"${"x".repeat(130)}"}`;
        }
        large.appendPlainConfig(values);
        const preview = await large.pulumi(["preview"]);
        expect(preview.code, `${preview.stdout}\n${preview.stderr}`).toBe(0);
        const [, keys, bytes] = /config-keys=(\d+) config-bytes=(\d+)/.exec(preview.stdout) ?? [];
        expect(Number(keys)).toBe(1002); // 1000 packs, secretSha256, secret
        expect(Number(bytes)).toBeGreaterThan(200_000);
        expect(preview.stdout).toMatch(/secret-matches=true/);
    });
});

/** Regular files under `dir` modified at or after `since` (ms), skipping `skip` at the top level and big files. */
function recentFiles(dir: string, since: number, skip: string[] = []): string[] {
    const out: string[] = [];
    const visit = (d: string, depth: number) => {
        let entries: fs.Dirent[];
        try {
            entries = fs.readdirSync(d, { withFileTypes: true });
        } catch {
            return;
        }
        for (const e of entries) {
            const full = path.join(d, e.name);
            if (depth === 0 && skip.includes(e.name)) continue;
            if (e.isDirectory()) {
                if (depth < 8 && e.name !== "node_modules") visit(full, depth + 1);
            } else if (e.isFile()) {
                try {
                    const st = fs.statSync(full);
                    if (st.mtimeMs >= since && st.size < 8 * 1024 * 1024) out.push(full);
                } catch {
                    /* gone */
                }
            }
        }
    };
    visit(dir, 0);
    return out;
}
