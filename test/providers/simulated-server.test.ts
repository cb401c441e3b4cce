/**
 * The SimulatedLicenseServer handlers against a real rdls-sim store: a server resource deletes only a
 * server it created, and only that incarnation; it refuses someone else's server unless asked to
 * adopt it; a create retried after a crash takes its own server back; state and stores written by
 * older code (no `created`, no owner marker, no instance id) keep working.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { simulatedServerProvider as provider } from "../../src/providers/simulated-server/handlers";
import { openSimulator, type Simulator } from "../../src/simulator";
import { rejection } from "../support/results";
import { agreement, CONTACT, tempHome } from "../simulator/helpers/sim";

type Raw = Record<string, unknown>;

const SERVER = "RDLS-SHARED";
let home: string;
let sim: Simulator;
let logged: string[];

const inputs = (over: Raw = {}): Raw => ({
    providerVersion: "1",
    home,
    serverName: SERVER,
    windowsServerVersion: "2022",
    owner: "rds-licensing/first/rds-server",
    adoptExisting: false,
    __provider: "exports.handler = ...",
    ...over,
});
const second = (over: Raw = {}) => inputs({ owner: "rds-licensing/second/rds-server", ...over });
const serverFile = () => path.join(home, "servers", `${SERVER.toLowerCase()}.json`);
const stored = () => JSON.parse(fs.readFileSync(serverFile(), "utf8")) as Record<string, unknown>;

/** A server with the first stack's 30 licenses on it, as its `create` and an install leave it. */
async function firstStackServer(): Promise<Raw> {
    const { outs } = await provider.create(inputs());
    await sim.activate(CONTACT, { server: SERVER });
    await sim.install(agreement({ count: 30 }), { server: SERVER });
    return outs;
}

beforeEach(() => {
    home = tempHome();
    sim = openSimulator({ home });
    logged = [];
    delete process.env.RDS_LICENSING_QUIET;
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => (logged.push(String(chunk)), true));
});

afterEach(() => {
    vi.restoreAllMocks();
    fs.rmSync(home, { recursive: true, force: true });
});

describe("creating a simulated server", () => {
    it("creates it with this resource's owner marker and a new instance id", async () => {
        const { id, outs } = await provider.create(inputs());
        expect(id).toBe(SERVER);
        expect(outs).toMatchObject({ created: true, owner: "rds-licensing/first/rds-server", adoptExisting: false });
        expect(outs.instanceId).toMatch(/^[0-9a-f-]{36}$/);
        expect(stored()).toMatchObject({ owner: "rds-licensing/first/rds-server", instanceId: outs.instanceId });
        expect(outs).not.toHaveProperty("__provider");
    });

    it("refuses a server another resource created, naming the server, the store, its creator and the fix; changes nothing", async () => {
        await firstStackServer();
        const before = fs.readFileSync(serverFile(), "utf8");
        const error = await rejection(provider.create(second()));
        expect(error.kind).toBe("conflict");
        expect(error.message).toContain(`license server ${SERVER} already exists in the simulator store ${home}`);
        expect(error.message).toContain("created by rds-licensing/first/rds-server");
        expect(error.message).toContain("adoptExisting: true");
        expect(error.message).toContain("simulator.adoptExistingServer");
        expect(error.message).toContain("another server name");
        expect(fs.readFileSync(serverFile(), "utf8")).toBe(before);
    });

    it("refuses a server made by hand (no owner marker) the same way", async () => {
        await sim.createServer({ name: SERVER, windowsServerVersion: "2022" });
        const error = await rejection(provider.create(inputs()));
        expect(error.message).toContain("no owner marker");
        expect(error.message).toContain("adoptExisting: true");
    });

    it("still refuses a server of another Windows Server version, even when adopting", async () => {
        await firstStackServer();
        const error = await rejection(provider.create(second({ windowsServerVersion: "2019", adoptExisting: true })));
        expect(error.message).toContain("exists with Windows Server 2022, not 2019");
    });

    it("adopts it when asked: created false, the same instance, the server unchanged", async () => {
        const first = await firstStackServer();
        const before = fs.readFileSync(serverFile(), "utf8");
        const { outs } = await provider.create(second({ adoptExisting: true }));
        expect(outs).toMatchObject({ created: false, instanceId: first.instanceId });
        expect(fs.readFileSync(serverFile(), "utf8")).toBe(before);
        expect(logged.join("")).toContain(`adopting the existing license server ${SERVER}`);
    });

    it("takes its own server back when its create is retried after a crash", async () => {
        const first = await firstStackServer();
        // The engine never saved the first create's outputs: it runs create again.
        const { outs } = await provider.create(inputs());
        expect(outs).toMatchObject({ created: true, instanceId: first.instanceId });
        expect(await sim.packs({ server: SERVER })).toHaveLength(1);
    });
});

describe("deleting a simulated server", () => {
    it("leaves a server this resource adopted, with the creator's packs, and says why", async () => {
        await firstStackServer();
        const adopted = (await provider.create(second({ adoptExisting: true }))).outs;
        await provider.delete(SERVER, adopted);
        expect((await sim.packs({ server: SERVER })).map((p) => p.totalLicenses)).toEqual([30]);
        expect(logged.join("")).toContain(`leaving license server ${SERVER} in ${home}: this resource adopted it`);
    });

    it("deletes a server it created", async () => {
        const first = await firstStackServer();
        await provider.delete(SERVER, first);
        expect(await sim.listServers()).toEqual([]);
        expect(logged.join("")).toContain(`deleting license server ${SERVER}`);
    });

    it("leaves a server of the same name created again since, by someone else", async () => {
        const first = await firstStackServer();
        await sim.deleteServer(SERVER);
        const other = (await provider.create(second())).outs;
        expect(other.instanceId).not.toBe(first.instanceId);
        await provider.delete(SERVER, first);
        expect(await sim.identity(SERVER)).toMatchObject({ instanceId: other.instanceId, owner: "rds-licensing/second/rds-server" });
        expect(logged.join("")).toContain("deleted and created again since");
    });

    it("is a no-op when the server is already gone", async () => {
        const first = await firstStackServer();
        await sim.deleteServer(SERVER);
        await provider.delete(SERVER, first);
        expect(logged.join("")).toContain("it no longer exists");
    });

    it("the simulator deletes only the instance asked for, under its lock", async () => {
        const first = await firstStackServer();
        const error = await rejection(sim.deleteServer(SERVER, { instanceId: "not-this-one" }));
        expect(error.kind).toBe("conflict");
        expect(await sim.identity(SERVER)).toMatchObject({ instanceId: first.instanceId });
        await sim.deleteServer(SERVER, { instanceId: first.instanceId as string });
        expect(await sim.identity(SERVER)).toBeUndefined();
    });
});

describe("reading a simulated server", () => {
    it("returns the outputs with the instance id, and the inputs", async () => {
        const first = await firstStackServer();
        const read = await provider.read(SERVER, first);
        expect(read.id).toBe(SERVER);
        expect(read.props).toMatchObject({ created: true, instanceId: first.instanceId, serverName: SERVER });
        expect(read.inputs).not.toHaveProperty("created");
        expect(read.inputs).not.toHaveProperty("instanceId");
        expect(read.inputs).toMatchObject({ owner: "rds-licensing/first/rds-server", adoptExisting: false });
    });

    it("shows a recreated server as a new instance id, no longer this resource's to delete", async () => {
        const first = await firstStackServer();
        await sim.deleteServer(SERVER);
        await sim.createServer({ name: SERVER, windowsServerVersion: "2022" });
        const read = await provider.read(SERVER, first);
        expect(read.props?.instanceId).not.toBe(first.instanceId);
        expect(read.props?.created).toBe(false);
        // After that refresh, destroy leaves the new server alone.
        await provider.delete(SERVER, read.props!);
        expect(await sim.identity(SERVER)).toBeDefined();
    });

    it("reads a deleted server as gone", async () => {
        const first = await firstStackServer();
        await sim.deleteServer(SERVER);
        expect(await provider.read(SERVER, first)).toEqual({ id: "", props: {} });
    });
});

describe("state and stores of older versions", () => {
    /** What the older code left: a server record without owner or instance id, outputs = inputs without owner. */
    async function legacy(): Promise<{ state: Raw; createdAt: string }> {
        await sim.createServer({ name: SERVER, windowsServerVersion: "2022" });
        await sim.activate(CONTACT, { server: SERVER });
        await sim.install(agreement({ count: 30 }), { server: SERVER });
        const record = stored();
        delete record.owner;
        delete record.instanceId;
        fs.writeFileSync(serverFile(), JSON.stringify(record));
        const state: Raw = { providerVersion: "1", home, serverName: SERVER, windowsServerVersion: "2022" };
        return { state, createdAt: record.createdAt as string };
    }

    it("reads a server without instance id as legacy-<createdAt>, and the resource as its creator", async () => {
        const { state, createdAt } = await legacy();
        expect(await sim.identity(SERVER)).toEqual({ name: SERVER, windowsServerVersion: "2022", createdAt, instanceId: `legacy-${createdAt}` });
        const read = await provider.read(SERVER, state);
        expect(read.props).toMatchObject({ created: true, instanceId: `legacy-${createdAt}` });
        expect(read.props).not.toHaveProperty("owner");
        // Reading wrote nothing.
        expect(stored()).not.toHaveProperty("instanceId");
    });

    it("diffs the new owner input as an update, not a replacement, and update fills in the outputs", async () => {
        const { state, createdAt } = await legacy();
        expect(await provider.diff(SERVER, state, inputs())).toEqual({ changes: true, replaces: [], deleteBeforeReplace: true });
        const { outs } = await provider.update(SERVER, state, inputs());
        expect(outs).toMatchObject({ created: true, instanceId: `legacy-${createdAt}`, owner: "rds-licensing/first/rds-server" });
    });

    it("deletes on destroy, as the older code did", async () => {
        const { state } = await legacy();
        await provider.delete(SERVER, state);
        expect(await sim.listServers()).toEqual([]);
    });

    it("a new stack refuses the legacy server, or adopts it when asked", async () => {
        const { createdAt } = await legacy();
        expect((await rejection(provider.create(second()))).message).toContain("no owner marker");
        const { outs } = await provider.create(second({ adoptExisting: true }));
        expect(outs).toMatchObject({ created: false, instanceId: `legacy-${createdAt}` });
    });
});

describe("check and diff", () => {
    it("requires the owner marker of new inputs", async () => {
        const { owner: _owner, ...withoutOwner } = inputs();
        expect((await provider.check({}, withoutOwner)).failures?.map((f) => f.property)).toEqual(["owner"]);
        expect((await provider.check({}, inputs())).failures).toBeUndefined();
    });

    it("replaces on a new name, store or version; updates in place on owner or adoptExisting; else nothing", async () => {
        const olds = { ...inputs(), created: true, instanceId: "x" };
        expect(await provider.diff(SERVER, olds, inputs())).toMatchObject({ changes: false, replaces: [] });
        expect(await provider.diff(SERVER, olds, inputs({ serverName: "RDLS-OTHER" }))).toMatchObject({ changes: true, replaces: ["serverName"] });
        expect(await provider.diff(SERVER, olds, inputs({ owner: "rds-licensing/renamed/rds-server" }))).toMatchObject({ changes: true, replaces: [] });
        expect(await provider.diff(SERVER, olds, inputs({ adoptExisting: true }))).toMatchObject({ changes: true, replaces: [] });
    });

    it("update keeps created and the instance id: adoptExisting never hands over a server it created", async () => {
        const first = await firstStackServer();
        const { outs } = await provider.update(SERVER, first, inputs({ adoptExisting: true }));
        expect(outs).toMatchObject({ created: true, instanceId: first.instanceId, adoptExisting: true });
    });
});
