import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { appendLine, cleanTempFiles, writeFileAtomic } from "../../src/simulator/fs-atomic";
import { acquireLock } from "../../src/simulator/lock";
import { Store } from "../../src/simulator/store";
import { fixture, tempHome } from "./helpers/sim";

/** The pid of a process that has exited (and was reaped). */
function deadPid(): number {
    const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    return Number(child.stdout);
}

const holder = (pid: number) => JSON.stringify({ pid, host: os.hostname(), token: `t${pid}`, acquiredAt: new Date().toISOString(), purpose: "test" });

describe("atomic files", () => {
    it("replaces a file whole and leaves no temporary file", async () => {
        const dir = tempHome();
        const file = path.join(dir, "a.json");
        await writeFileAtomic(file, "old");
        await writeFileAtomic(file, "new");
        expect(fs.readFileSync(file, "utf8")).toBe("new");
        expect(fs.readdirSync(dir)).toEqual(["a.json"]);
    });

    it("cleans temp files of dead writers only", async () => {
        const dir = tempHome();
        const dead = `.a.json.${deadPid()}.0123abcd.tmp`;
        const live = `.a.json.${process.pid}.0123abcd.tmp`;
        fs.writeFileSync(path.join(dir, dead), "x");
        fs.writeFileSync(path.join(dir, live), "x");
        await cleanTempFiles(dir);
        expect(fs.readdirSync(dir)).toEqual([live]);
    });

    it("an append after a torn line starts a fresh line, so only the torn entry is lost", async () => {
        const f = await fixture();
        const log = path.join(f.home, "executions", "rdls01.jsonl");
        fs.writeFileSync(log, `${JSON.stringify({ seq: 1 })}\n{"seq": 2, "pi`);
        await appendLine(log, JSON.stringify({ seq: 3 }));
        const entries = (await f.sim.executionStats("rdls01")).log;
        expect(entries.map((e) => e.seq)).toEqual([1, 3]);
    });
});

describe("lock files", () => {
    it("excludes a second holder until released", async () => {
        const file = path.join(tempHome(), "x.lock");
        const a = await acquireLock(file, { timeoutMs: 1000, purpose: "test" });
        await expect(acquireLock(file, { timeoutMs: 50, purpose: "test" })).rejects.toMatchObject({ kind: "transient" });
        await a.release();
        const b = await acquireLock(file, { timeoutMs: 50, purpose: "test" });
        await b.release();
        expect(fs.existsSync(file)).toBe(false);
    });

    it("breaks a lock whose holder pid is dead", async () => {
        const file = path.join(tempHome(), "x.lock");
        fs.writeFileSync(file, holder(deadPid()));
        const lock = await acquireLock(file, { timeoutMs: 1000, purpose: "test" });
        expect(JSON.parse(fs.readFileSync(file, "utf8")).pid).toBe(process.pid);
        await lock.release();
    });

    it("does not break a lock whose holder is alive", async () => {
        const file = path.join(tempHome(), "x.lock");
        fs.writeFileSync(file, holder(process.ppid));
        await expect(acquireLock(file, { timeoutMs: 30, purpose: "test" })).rejects.toThrow(/timed out/);
        expect(JSON.parse(fs.readFileSync(file, "utf8")).pid).toBe(process.ppid);
    });

    it("recovers from a breaker that died while breaking", async () => {
        const file = path.join(tempHome(), "x.lock");
        fs.writeFileSync(file, holder(deadPid()));
        fs.writeFileSync(`${file}.break`, holder(deadPid()));
        const lock = await acquireLock(file, { timeoutMs: 1000, purpose: "test" });
        await lock.release();
    });

    it("treats an old unreadable lock as abandoned", async () => {
        const file = path.join(tempHome(), "x.lock");
        fs.writeFileSync(file, "");
        const old = new Date(Date.now() - 60_000);
        fs.utimesSync(file, old, old);
        const lock = await acquireLock(file, { timeoutMs: 1000, purpose: "test" });
        await lock.release();
    });
});

describe("store validation", () => {
    it("verify() reads every file and reports a corrupted one by name", async () => {
        const f = await fixture();
        await f.sim.install({ program: "select", agreementNumber: "1234567", productVersion: "2022", licenseType: "per-user", count: 5 });
        expect(await f.sim.verify()).toEqual({ servers: 1, packs: 1 });
        const file = path.join(f.home, "servers", "rdls01.json");
        const server = JSON.parse(fs.readFileSync(file, "utf8"));
        server.packs[0].issuedLicenses = 3;
        fs.writeFileSync(file, JSON.stringify(server));
        await expect(f.sim.verify()).rejects.toThrow(/rdls01\.json is invalid: pack 3: issued \+ available differs from total/);
        await expect(f.sim.packs()).rejects.toMatchObject({ kind: "failed" });
    });

    it("reading an absent store creates nothing", async () => {
        const home = path.join(tempHome(), "absent");
        const store = new Store(home);
        expect(await store.readConfig()).toBeUndefined();
        expect(await store.readServers()).toEqual([]);
        expect(fs.existsSync(home)).toBe(false);
    });

    it("reset empties the store and renews the salt", async () => {
        const f = await fixture();
        await f.sim.setFaults({ transientFailures: 3 });
        const salt = JSON.parse(fs.readFileSync(path.join(f.home, "config.json"), "utf8")).salt;
        await f.sim.reset();
        expect(await f.sim.listServers()).toEqual([]);
        expect((await f.sim.getFaults()).transientFailures).toBe(0);
        expect(JSON.parse(fs.readFileSync(path.join(f.home, "config.json"), "utf8")).salt).not.toBe(salt);
    });

    it("createServer refuses duplicates (case-insensitive) and bad names; ensureServer is idempotent", async () => {
        const f = await fixture();
        await expect(f.sim.createServer({ name: "RDLS01", windowsServerVersion: "2022" })).rejects.toMatchObject({ kind: "invalid-parameter" });
        await expect(f.sim.createServer({ name: "../etc", windowsServerVersion: "2022" })).rejects.toMatchObject({ kind: "invalid-parameter" });
        await expect(f.sim.createServer({ name: "ok", windowsServerVersion: "2012" as never })).rejects.toMatchObject({ kind: "invalid-parameter" });
        expect((await f.sim.ensureServer({ name: "rdls01", windowsServerVersion: "2022" })).activation).toBe("activated");
        await expect(f.sim.ensureServer({ name: "rdls01", windowsServerVersion: "2025" })).rejects.toThrow(/exists with Windows Server 2022/);
        await f.sim.ensureServer({ name: "rdls02", windowsServerVersion: "2025" });
        expect((await f.sim.listServers()).map((s) => s.name)).toEqual(["rdls01", "rdls02"]);
        await f.sim.deleteServer("RDLS02");
        expect((await f.sim.listServers()).map((s) => s.name)).toEqual(["rdls01"]);
        await expect(f.sim.deleteServer("rdls02")).rejects.toMatchObject({ kind: "not-found" });
    });

    it("without a server name, targets the only server, else names the choices", async () => {
        const f = await fixture();
        expect((await f.sim.status()).name).toBe("rdls01");
        await f.sim.createServer({ name: "rdls02", windowsServerVersion: "2022" });
        await expect(f.sim.status()).rejects.toThrow(/several license servers \(rdls01, rdls02\)/);
        expect((await f.sim.status({ server: "rdls02" })).name).toBe("rdls02");
    });
});
