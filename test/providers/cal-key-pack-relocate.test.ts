/**
 * Moving a CalKeyPack to another license server of the stack and converting its license type, as
 * updates (diff) that migrate (Import*, then removal from the old server) or convert
 * (ConvertLicenses), against a real simulator store with two servers. Crashes are played at every
 * point between the steps: the method ran on the server but the process died before the next one.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { calKeyPackProvider } from "../../src/providers/cal-key-pack/handlers";
import { forgetLicenseServers } from "../../src/providers/registry";
import { ScheduledLicenseServer } from "../../src/scheduling/license-server-client";
import { CONTACT, fixture, type Fixture } from "../simulator/helpers/sim";

type Raw = Record<string, unknown>;
const A = "rdls01";
const B = "rdls02";
const AGREEMENT = "9990052";

const inputs = (f: Fixture, over: Raw = {}): Raw => ({
    providerVersion: "1",
    connection: { kind: "simulator", home: f.home },
    server: A,
    packKey: "proj/dev/ea-users",
    program: "enterprise-agreement",
    agreementNumber: AGREEMENT,
    productVersion: "2022",
    licenseType: "per-user",
    count: 30,
    allowDeleteWithIssuedLicenses: false,
    requestKeySecret: "c0ffee".repeat(11),
    ...over,
});

async function twoServers(): Promise<Fixture> {
    const f = await fixture({ name: A });
    await f.sim.createServer({ name: B, windowsServerVersion: "2022" });
    await f.sim.activate(CONTACT, { server: B });
    return f;
}

const packsOn = async (f: Fixture, server: string) =>
    (await f.sim.packs({ server })).map((p) => ({ id: p.keyPackId, type: p.licenseType, total: p.totalLicenses }));
const totalOn = async (f: Fixture, server: string) => (await packsOn(f, server)).reduce((n, p) => n + p.total, 0);

class Killed extends Error {
    constructor() {
        super("provider process killed (test)");
    }
}

type Method = "importKeyPack" | "convertLicenses" | "uninstall";
/** The next call of `method` dies: `after` it ran on the server (reply lost), or `before` it ran. */
function killNext(method: Method, when: "before" | "after"): void {
    const proto = ScheduledLicenseServer.prototype as unknown as Record<Method, (...args: unknown[]) => Promise<unknown>>;
    const original = proto[method];
    vi.spyOn(proto, method).mockImplementationOnce(async function (this: unknown, ...args: unknown[]) {
        if (when === "after") await original.apply(this, args);
        throw new Killed();
    });
}

/** One `up`: a fresh provider process, diff, then update (or replace: create + delete). */
async function up(id: string, olds: Raw, news: Raw): Promise<{ id: string; outs: Raw; diff: Awaited<ReturnType<typeof calKeyPackProvider.diff>> }> {
    forgetLicenseServers();
    const diff = await calKeyPackProvider.diff(id, olds, news);
    if (!diff.changes) return { id, outs: olds, diff };
    if (diff.replaces?.length) {
        const created = await calKeyPackProvider.create(news);
        await calKeyPackProvider.delete(id, olds);
        return { id: created.id, outs: created.outs as Raw, diff };
    }
    return { id, outs: (await calKeyPackProvider.update(id, olds, news)).outs as Raw, diff };
}

beforeAll(() => {
    process.env.RDS_LICENSING_QUIET = "1";
    process.env.RDS_LICENSING_GATHER_MS = "0";
});
afterEach(() => vi.restoreAllMocks());

describe("diff: which changes of server and license type are updates", () => {
    const home = "/tmp/store";
    const base = { connection: { kind: "simulator", home }, server: A, packKey: "p/s/n", program: "enterprise-agreement", agreementNumber: AGREEMENT, productVersion: "2022", licenseType: "per-user", count: 5, providerVersion: "1", allowDeleteWithIssuedLicenses: false };
    const state = (over: Raw = {}): Raw => ({ ...base, keyPackIds: [3], keyPackType: 2, programName: "Enterprise Agreement", totalLicenses: 5, issuedLicenses: 0, availableLicenses: 5, ...over });
    const azure = (vmName: string) => ({ kind: "azure-run-command", subscriptionId: "s", resourceGroupName: "rg", vmName });

    it.each([
        ["another server of the same store: a move", state(), { ...base, server: B }, []],
        ["another license type, nothing issued: a conversion", state(), { ...base, licenseType: "per-device" }, []],
        ["another license type with issued licenses: a replace", state({ issuedLicenses: 2 }), { ...base, licenseType: "per-device" }, ["licenseType"]],
        ["a retail pack's license type: a replace", state({ program: "retail", agreementNumber: undefined, licenseCode: "RTLMV-12345-ABCDE-67890-FGHIJ" }), { ...base, program: "retail", agreementNumber: undefined, licenseCode: "RTLMV-12345-ABCDE-67890-FGHIJ", licenseType: "per-device" }, ["licenseType"]],
        ["server and license type at once: a replace", state(), { ...base, server: B, licenseType: "per-device" }, ["licenseType", "server"]],
        ["another server in another store: a replace", state(), { ...base, server: B, connection: { kind: "simulator", home: "/tmp/other" } }, ["connection", "server"]],
        ["another Azure VM of another name: a move", state({ connection: azure("vm1") }), { ...base, server: B, connection: azure("vm2") }, []],
        ["the same name on another Azure VM: a replace (not a move)", state({ connection: azure("vm1") }), { ...base, connection: azure("vm2") }, ["connection"]],
        ["a move with another agreement number: a replace", state(), { ...base, server: B, agreementNumber: "1112223" }, ["agreementNumber", "server"]],
        ["a move with another product version: a replace", state(), { ...base, server: B, productVersion: "2019" }, ["productVersion", "server"]],
    ])("%s", async (_name, olds, news, replaces) => {
        const diff = await calKeyPackProvider.diff("3", olds, news);
        expect(diff.changes).toBe(true);
        expect([...(diff.replaces ?? [])].sort()).toEqual(replaces);
    });
});

describe("diff: the reason a change stays a replace", () => {
    it("is printed as a progress line, naming the pack and what to do instead", async () => {
        const f = await twoServers();
        const created = await calKeyPackProvider.create(inputs(f, { count: 3 }));
        const lines: string[] = [];
        const quiet = process.env.RDS_LICENSING_QUIET;
        delete process.env.RDS_LICENSING_QUIET;
        vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
        try {
            const diff = await calKeyPackProvider.diff(created.id, created.outs as Raw, inputs(f, { count: 3, server: B, licenseType: "per-device" }));
            expect([...(diff.replaces ?? [])].sort()).toEqual(["licenseType", "server"]);
        } finally {
            process.env.RDS_LICENSING_QUIET = quiet;
        }
        expect(lines.join("")).toMatch(/rds-licensing: rdls02: pack ea-users: the server and the license type change at once, which replaces the pack; change one at a time/);
    });
});

describe("moving a pack to another license server (Import*, then removal)", () => {
    it("moves it as an update: exact totals on both servers, one pack, then nothing to do", async () => {
        const f = await twoServers();
        const created = await calKeyPackProvider.create(inputs(f));
        const moved = await up(created.id, created.outs as Raw, inputs(f, { server: B }));
        expect(moved.diff.replaces).toEqual([]);
        expect(await packsOn(f, A)).toEqual([]);
        const onB = await packsOn(f, B);
        expect(onB).toEqual([{ id: expect.any(Number), type: "per-user", total: 30 }]);
        expect(moved.outs).toMatchObject({ server: B, totalLicenses: 30, keyPackIds: [onB[0]!.id] });
        forgetLicenseServers();
        const read = await calKeyPackProvider.read(moved.id, moved.outs);
        expect(read.props).toMatchObject({ totalLicenses: 30, keyPackIds: [onB[0]!.id] });
        expect((await calKeyPackProvider.diff(moved.id, read.props as Raw, inputs(f, { server: B }))).changes).toBe(false);
    });

    it.each([
        ["the import ran, its reply was lost", "importKeyPack", "after"],
        ["the import ran, the process died before the removal", "uninstall", "before"],
        ["the removal ran, its reply was lost", "uninstall", "after"],
    ] as const)("converges after a crash (%s): exact totals, nothing installed twice", async (_name, method, when) => {
        const f = await twoServers();
        const created = await calKeyPackProvider.create(inputs(f));
        killNext(method, when);
        await expect(up(created.id, created.outs as Raw, inputs(f, { server: B }))).rejects.toThrow(Killed);
        expect(await totalOn(f, B)).toBe(30);
        // State still holds the old server: the next up retries the move from there.
        const retried = await up(created.id, created.outs as Raw, inputs(f, { server: B }));
        expect(await packsOn(f, A)).toEqual([]);
        expect(await packsOn(f, B)).toHaveLength(1);
        expect(await totalOn(f, B)).toBe(30);
        expect(retried.outs.totalLicenses).toBe(30);
    });

    it("converges when a refresh after the crash dropped the pack from state: the create finds the import", async () => {
        const f = await twoServers();
        const created = await calKeyPackProvider.create(inputs(f));
        killNext("uninstall", "after");
        await expect(up(created.id, created.outs as Raw, inputs(f, { server: B }))).rejects.toThrow(Killed);
        forgetLicenseServers();
        expect((await calKeyPackProvider.read(created.id, created.outs as Raw)).id).toBe("");
        forgetLicenseServers();
        const again = await calKeyPackProvider.create(inputs(f, { server: B }));
        expect(await packsOn(f, B)).toEqual([{ id: Number(again.id), type: "per-user", total: 30 }]);
    });

    it("moves a grown pack (several key packs) and a count change in the same update", async () => {
        const f = await twoServers();
        const created = await calKeyPackProvider.create(inputs(f, { count: 10 }));
        const grown = await up(created.id, created.outs as Raw, inputs(f, { count: 25 }));
        expect(await packsOn(f, A)).toHaveLength(2);
        const moved = await up(created.id, grown.outs, inputs(f, { server: B, count: 20 }));
        expect(await packsOn(f, A)).toEqual([]);
        expect(await totalOn(f, B)).toBe(20);
        expect(moved.outs.totalLicenses).toBe(20);
    });

    it("moves a retail pack, whose code the old server consumed (a fresh install there would be refused)", async () => {
        const f = await twoServers();
        const retail = { program: "retail", agreementNumber: undefined, licenseCode: "RTLMV-12345-ABCDE-67890-FGHIJ", count: 5 };
        await f.sim.loadRegistryDocument({ retail: [{ licenseCode: retail.licenseCode, productVersion: "2022", licenseType: "per-user", count: 5 }] });
        const created = await calKeyPackProvider.create(inputs(f, retail));
        await up(created.id, created.outs as Raw, inputs(f, { ...retail, server: B }));
        expect(await packsOn(f, A)).toEqual([]);
        expect(await packsOn(f, B)).toEqual([{ id: expect.any(Number), type: "per-user", total: 5 }]);
    });

    it("moves an agreement whose purchased total the window of the move would exceed as a purchase", async () => {
        const f = await twoServers();
        await f.sim.loadRegistryDocument({ agreements: [{ program: "enterprise-agreement", agreementNumber: AGREEMENT, productVersion: "2022", licenseType: "per-user", count: 40 }] });
        const created = await calKeyPackProvider.create(inputs(f));
        await up(created.id, created.outs as Raw, inputs(f, { server: B }));
        expect([await totalOn(f, A), await totalOn(f, B)]).toEqual([0, 30]);
    });

    it("refuses to move a pack with issued licenses, changing nothing; allowDeleteWithIssuedLicenses moves it", async () => {
        const f = await twoServers();
        const created = await calKeyPackProvider.create(inputs(f));
        await f.sim.issue(Number(created.id), 3, { server: A });
        await expect(up(created.id, created.outs as Raw, inputs(f, { server: B }))).rejects.toThrow(/3 licenses issued.*not moved from rdls01 \(nothing was changed\)/);
        expect([await totalOn(f, A), await totalOn(f, B)]).toEqual([30, 0]);
        await up(created.id, created.outs as Raw, inputs(f, { server: B, allowDeleteWithIssuedLicenses: true }));
        expect([await totalOn(f, A), await totalOn(f, B)]).toEqual([0, 30]);
    });

    it("installs afresh when the old server's packs were uninstalled by hand before the move", async () => {
        const f = await twoServers();
        const created = await calKeyPackProvider.create(inputs(f));
        await f.sim.uninstall(Number(created.id), { server: A });
        const moved = await up(created.id, created.outs as Raw, inputs(f, { server: B }));
        expect(await packsOn(f, B)).toEqual([{ id: (moved.outs.keyPackIds as number[])[0], type: "per-user", total: 30 }]);
    });
});

describe("converting a pack's license type (ConvertLicenses)", () => {
    const devices = (f: Fixture, over: Raw = {}) => inputs(f, { licenseType: "per-device", count: 10, ...over });

    it("converts in place as an update: the same licenses, of the other type, then nothing to do", async () => {
        const f = await twoServers();
        const created = await calKeyPackProvider.create(devices(f));
        const converted = await up(created.id, created.outs as Raw, devices(f, { licenseType: "per-user" }));
        expect(converted.diff.replaces).toEqual([]);
        expect(await packsOn(f, A)).toEqual([{ id: (converted.outs.keyPackIds as number[])[0], type: "per-user", total: 10 }]);
        forgetLicenseServers();
        const read = await calKeyPackProvider.read(converted.id, converted.outs);
        expect((await calKeyPackProvider.diff(converted.id, read.props as Raw, devices(f, { licenseType: "per-user" }))).changes).toBe(false);
    });

    it.each([
        ["the first conversion's reply was lost", "after", 0],
        ["the process died before the second conversion", "before", 1],
        ["the second conversion's reply was lost", "after", 1],
    ] as const)("converges on a grown pack after a crash (%s)", async (_name, when, skip) => {
        const f = await twoServers();
        const created = await calKeyPackProvider.create(devices(f, { count: 6 }));
        const grown = await up(created.id, created.outs as Raw, devices(f, { count: 10 }));
        expect(await packsOn(f, A)).toHaveLength(2);
        if (skip > 0) {
            const proto = ScheduledLicenseServer.prototype;
            const original = proto.convertLicenses;
            let calls = 0;
            vi.spyOn(proto, "convertLicenses").mockImplementation(async function (this: ScheduledLicenseServer, ...args) {
                calls += 1;
                if (calls <= skip) return original.apply(this, args);
                vi.restoreAllMocks();
                if (when === "after") await original.apply(this, args);
                throw new Killed();
            });
        } else killNext("convertLicenses", when);
        await expect(up(created.id, grown.outs, devices(f, { licenseType: "per-user" }))).rejects.toThrow(Killed);
        const retried = await up(created.id, grown.outs, devices(f, { licenseType: "per-user" }));
        const live = await packsOn(f, A);
        expect(live.every((p) => p.type === "per-user")).toBe(true);
        expect(await totalOn(f, A)).toBe(10);
        expect(retried.outs).toMatchObject({ licenseType: "per-user", totalLicenses: 10 });
        expect([...(retried.outs.keyPackIds as number[])].sort()).toEqual(live.map((p) => p.id).sort());
    });

    it("converges when a refresh after a crash dropped the pack: the create gets the converted packs back", async () => {
        const f = await twoServers();
        const created = await calKeyPackProvider.create(devices(f, { count: 6 }));
        const grown = await up(created.id, created.outs as Raw, devices(f, { count: 10 }));
        // Both conversions ran; the reply of the last was lost.
        const proto = ScheduledLicenseServer.prototype;
        const original = proto.convertLicenses;
        let calls = 0;
        vi.spyOn(proto, "convertLicenses").mockImplementation(async function (this: ScheduledLicenseServer, ...args) {
            const result = await original.apply(this, args);
            if (++calls === 2) throw new Killed();
            return result;
        });
        await expect(up(created.id, grown.outs, devices(f, { licenseType: "per-user" }))).rejects.toThrow(Killed);
        vi.restoreAllMocks();
        forgetLicenseServers();
        expect((await calKeyPackProvider.read(created.id, grown.outs)).id).toBe("");
        forgetLicenseServers();
        const again = await calKeyPackProvider.create(devices(f, { licenseType: "per-user" }));
        expect(await totalOn(f, A)).toBe(10);
        expect(await packsOn(f, A)).toHaveLength(2);
        expect((again.outs as Raw).totalLicenses).toBe(10);
    });

    it("refuses to convert a pack whose licenses were issued since the last refresh, changing nothing", async () => {
        const f = await twoServers();
        const created = await calKeyPackProvider.create(devices(f));
        await f.sim.issue(Number(created.id), 2, { server: A });
        await expect(up(created.id, created.outs as Raw, devices(f, { licenseType: "per-user" }))).rejects.toThrow(/2 licenses issued.*not converted to per-user \(nothing was changed\)/);
        expect(await packsOn(f, A)).toEqual([{ id: Number(created.id), type: "per-device", total: 10 }]);
    });
});
