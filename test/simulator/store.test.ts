import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { createSimulatorExecutor } from "../../src/drivers/simulator";
import { LicensingError } from "../../src/licensing/errors";
import { openSimulator, resolveHome } from "../../src/simulator";
import { appendLine, cleanTempFiles, writeFileAtomic } from "../../src/simulator/fs-atomic";
import { acquireLock } from "../../src/simulator/lock";
import { Store } from "../../src/simulator/store";
import { NUMBERS, agreement, fixture, ok, refused, snapshot, tempHome, type Fixture } from "./helpers/sim";

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

describe("a store that cannot be read is an error, never an empty store", () => {
    const configOf = (home: string) => path.join(home, "config.json");

    /** A store with one activated server holding one pack, and its files as they are. */
    async function installed() {
        const f = await fixture();
        ok(await f.run({ op: "install", spec: agreement({ count: 10 }), requestKey: "k1" }));
        return f;
    }

    const EVERY = ["execute list-packs", "execute install", "listServers", "packs", "createServer", "setFaults", "setConfig", "loadRegistryDocument", "verify"];
    /** Damage to one server's file or to faults.json stops what reads that file; config.json stops everything. */
    const READS_SERVER = ["execute list-packs", "execute install", "listServers", "packs", "verify"];
    const READS_FAULTS = ["execute list-packs", "execute install", "setFaults", "verify"];

    /** Each way in named by `only` (provider executions, admin reads and writes) fails naming `file`, and nothing changes. */
    async function expectBroken(f: Fixture, file: RegExp | string, only: readonly string[] = EVERY) {
        const before = snapshot(f.home);
        const named = typeof file === "string" ? new RegExp(file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) : file;
        const attempts: [string, () => Promise<unknown>][] = [
            ["execute list-packs", () => f.exec.execute("rdls01", [{ op: "list-packs" }])],
            ["execute install", () => f.exec.execute("rdls01", [{ op: "install", spec: agreement({ count: 5 }), requestKey: "k2" }])],
            ["listServers", () => f.sim.listServers()],
            ["packs", () => f.sim.packs()],
            ["createServer", () => f.sim.createServer({ name: "rdls02", windowsServerVersion: "2022" })],
            ["setFaults", () => f.sim.setFaults({ transientFailures: 1 })],
            ["setConfig", () => f.sim.setConfig({ latencyMs: 5 }, {})],
            ["loadRegistryDocument", () => f.sim.loadRegistryDocument({})],
            ["verify", () => f.sim.verify()],
        ];
        for (const [what, attempt] of attempts.filter(([what]) => only.includes(what))) {
            const error = await attempt().then(
                (value) => new Error(`${what} succeeded: ${JSON.stringify(value)}`),
                (err: unknown) => err,
            );
            expect(error, what).toBeInstanceOf(LicensingError);
            // Not not-found: a provider's read must fail, not report its server or packs gone.
            expect((error as LicensingError).kind, what).toBe("failed");
            expect((error as LicensingError).message, what).toMatch(named);
            expect((error as LicensingError).message, what).toContain(`rdls-sim reset --home ${f.home}`);
        }
        expect(snapshot(f.home)).toEqual(before);
    }

    it("config.json deleted while servers exist: every read and write fails naming it, and no new salt is made", async () => {
        const f = await installed();
        fs.rmSync(configOf(f.home));
        await expectBroken(f, `${configOf(f.home)} is missing, but the store holds servers/rdls01.json`);
        expect(fs.existsSync(configOf(f.home))).toBe(false);
    });

    it("config.json deleted while only faults or the registry remain is damaged too", async () => {
        for (const setup of [(f: Fixture) => f.sim.setFaults({ transientFailures: 0 }), (f: Fixture) => f.sim.loadRegistryDocument({})]) {
            const f = await fixture();
            await setup(f);
            await f.sim.deleteServer("rdls01");
            fs.rmSync(configOf(f.home));
            await expect(new Store(f.home).readConfig()).rejects.toThrow(/config\.json is missing, but the store holds (faults|clearinghouse)\.json/);
            await expect(f.sim.createServer({ name: "rdls01", windowsServerVersion: "2022" })).rejects.toMatchObject({ kind: "failed" });
            expect(fs.existsSync(configOf(f.home))).toBe(false);
        }
    });

    it.each([
        ["config.json", "{ \"formatVersion\": 1, \"salt\": ", /config\.json is not valid JSON/, EVERY],
        ["config.json", "", /config\.json is empty/, EVERY],
        ["config.json", "[]", /config\.json is invalid: config is not an object/, EVERY],
        ["servers/rdls01.json", "{ \"name\": \"rdls01\", ", /servers\/rdls01\.json is not valid JSON/, READS_SERVER],
        ["faults.json", "{\"clearinghouseUnreachable\": tru", /faults\.json is not valid JSON/, READS_FAULTS],
    ])("%s holding %j: fails naming the file, with the fix", async (name, content, named, only) => {
        const f = await installed();
        fs.writeFileSync(path.join(f.home, name), content);
        await expectBroken(f, named, only);
    });

    it("a server file that cannot be read (a folder in its place) fails naming it", async () => {
        const f = await installed();
        const file = path.join(f.home, "servers", "rdls01.json");
        fs.rmSync(file);
        fs.mkdirSync(file);
        await expect(f.exec.execute("rdls01", [{ op: "list-packs" }])).rejects.toThrow(`simulator store file ${file} is a folder, not a file`);
    });

    it("the servers folder deleted while config.json exists is damaged, not 'no servers'", async () => {
        const f = await installed();
        fs.rmSync(path.join(f.home, "servers"), { recursive: true });
        await expectBroken(f, `folder ${path.join(f.home, "servers")} is missing, but ${configOf(f.home)} exists`, [...READS_SERVER, "createServer"]);
    });

    it("a JSON syntax error never quotes the file's content", async () => {
        const f = await installed();
        fs.writeFileSync(path.join(f.home, "servers", "rdls01.json"), `{"name": "rdls01", "hint": "${NUMBERS.agreement}" oops}`);
        const error = await f.sim.verify().catch((err: Error) => err);
        expect(String((error as Error).message)).toMatch(/rdls01\.json is not valid JSON/);
        expect(String((error as Error).message)).not.toContain(NUMBERS.agreement);
    });

    it("only a confirmed absence is 'no store': a missing folder, or a folder without data files", async () => {
        // No folder at all.
        const missing = path.join(tempHome(), "absent");
        refused((await createSimulatorExecutor({ home: missing }).execute("rdls01", [{ op: "status" }]))[0], "not-found");
        expect(fs.existsSync(missing)).toBe(false);
        // An empty folder (mkdtemp), and one an init killed before config.json left behind.
        for (const prepare of [(_: string) => undefined, (h: string) => ["servers", "executions", "locks"].forEach((d) => fs.mkdirSync(path.join(h, d)))]) {
            const home = tempHome();
            prepare(home);
            refused((await createSimulatorExecutor({ home }).execute("rdls01", [{ op: "status" }]))[0], "not-found");
            const sim = openSimulator({ home });
            expect(await sim.listServers()).toEqual([]);
            await sim.createServer({ name: "rdls01", windowsServerVersion: "2022" });
            expect(JSON.parse(fs.readFileSync(configOf(home), "utf8")).salt).toMatch(/.{16}/);
        }
        // A server deleted from a readable store is gone: not-found, as before.
        const f = await installed();
        await f.sim.deleteServer("rdls01");
        refused(await f.run({ op: "list-packs" }), "not-found");
    });

    it("init never replaces an existing config.json, even one written without the lock", async () => {
        const home = tempHome();
        const theirs = { formatVersion: 1, salt: "another-writers-salt-0123456789", latencyMs: 0, createdAt: new Date().toISOString() };
        fs.writeFileSync(configOf(home), JSON.stringify(theirs));
        // As if it appeared after both checks (outside and inside the lock) found nothing.
        const store = new Store(home);
        store.readConfig = async () => undefined;
        await expect(store.init()).resolves.toMatchObject({ salt: theirs.salt });
        expect(JSON.parse(fs.readFileSync(configOf(home), "utf8")).salt).toBe(theirs.salt);
    });

    it("reset is the way out: it empties a damaged store and makes a new salt", async () => {
        const f = await installed();
        fs.rmSync(configOf(f.home));
        await f.sim.reset();
        expect(await f.sim.listServers()).toEqual([]);
        expect(await f.sim.verify()).toEqual({ servers: 0, packs: 0 });
        expect(JSON.parse(fs.readFileSync(configOf(f.home), "utf8")).salt).toMatch(/.{16}/);
        const g = await installed();
        fs.writeFileSync(configOf(g.home), "{");
        fs.writeFileSync(path.join(g.home, "servers", "rdls01.json"), "not json");
        await g.sim.reset();
        expect(await g.sim.verify()).toEqual({ servers: 0, packs: 0 });
    });

    it("a --home that is a file is named as such", async () => {
        const file = path.join(tempHome(), "a-file");
        fs.writeFileSync(file, "x");
        await expect(openSimulator({ home: file }).listServers()).rejects.toThrow(`simulator store ${file} is not a folder`);
        await expect(createSimulatorExecutor({ home: file }).execute("rdls01", [{ op: "status" }])).rejects.toMatchObject({ kind: "failed" });
    });

    it("an empty home is refused, not resolved to the current folder", () => {
        expect(() => resolveHome("", {}, "/work/x")).toThrow(/store folder is empty/);
        expect(() => openSimulator({ home: "  " })).toThrow(/store folder is empty/);
        expect(resolveHome(undefined, { RDLS_SIM_HOME: "" }, "/work/x")).toBe("/work/x/.rdls-sim");
    });
});
