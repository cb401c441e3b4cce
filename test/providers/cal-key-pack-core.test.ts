/**
 * The CalKeyPack handlers against a real simulator store, on the sequences that broke before: a
 * repeated repair of the same pack, a count walked up and down, a delete refused halfway, and a
 * rebuilt server numbering its key packs anew.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { calKeyPackProvider } from "../../src/providers/cal-key-pack/handlers";
import { forgetLicenseServers } from "../../src/providers/registry";
import { fixture, type Fixture } from "../simulator/helpers/sim";

type Raw = Record<string, unknown>;

const inputs = (f: Fixture, over: Raw = {}): Raw => ({
    providerVersion: "1",
    connection: { kind: "simulator", home: f.home },
    server: "rdls01",
    packKey: "proj/dev/ea-users",
    program: "enterprise-agreement",
    agreementNumber: "9990041",
    productVersion: "2022",
    licenseType: "per-user",
    count: 50,
    allowDeleteWithIssuedLicenses: false,
    requestKeySecret: "c0ffee".repeat(11),
    ...over,
});

const live = async (f: Fixture) => (await f.sim.packs({ server: "rdls01" })).filter((p) => p.program === "enterprise-agreement");
const liveTotal = async (f: Fixture) => (await live(f)).reduce((n, p) => n + p.totalLicenses, 0);

/** One engine run: a fresh provider process, then `refresh` → `update` as `up --refresh` does. */
async function upRefresh(id: string, outs: Raw, news: Raw): Promise<Raw> {
    forgetLicenseServers();
    const read = await calKeyPackProvider.read(id, outs);
    const diff = await calKeyPackProvider.diff(id, read.props as Raw, news);
    if (!diff.changes) return read.props as Raw;
    return (await calKeyPackProvider.update(id, read.props as Raw, news)).outs as Raw;
}

beforeAll(() => {
    process.env.RDS_LICENSING_QUIET = "1";
});

describe("CalKeyPack counts", () => {
    it("repairs the same pack's drift twice: the second repair installs, nothing is counted twice", async () => {
        const f = await fixture();
        const created = await calKeyPackProvider.create(inputs(f));
        let outs = created.outs as Raw;
        const first = Number(created.id);
        for (let round = 1; round <= 2; round++) {
            await f.sim.removeLicenses(first, 10, { server: "rdls01" });
            outs = await upRefresh(created.id, outs, inputs(f));
            expect(await liveTotal(f), `after repair ${round}`).toBe(50);
            const ids = outs.keyPackIds as number[];
            expect(new Set(ids).size).toBe(ids.length);
            expect(outs.totalLicenses).toBe(50);
        }
        expect((await live(f)).length).toBe(3);
    });

    it("walks a count 50 → 55 → 52 → 55 with exact totals", async () => {
        const f = await fixture();
        const created = await calKeyPackProvider.create(inputs(f));
        let outs = created.outs as Raw;
        for (const count of [55, 52, 55]) {
            outs = await upRefresh(created.id, outs, inputs(f, { count }));
            expect(await liveTotal(f), `count ${count}`).toBe(count);
            expect(outs.totalLicenses).toBe(count);
        }
    });

    it("a delete refused by issued licenses on one key pack uninstalls none of them", async () => {
        const f = await fixture();
        const created = await calKeyPackProvider.create(inputs(f, { count: 10 }));
        const grown = await upRefresh(created.id, created.outs as Raw, inputs(f, { count: 30 }));
        const ids = grown.keyPackIds as number[];
        expect(ids).toHaveLength(2);
        await f.sim.issue(ids[0], 1, { server: "rdls01" });
        forgetLicenseServers();
        await expect(calKeyPackProvider.delete(created.id, grown)).rejects.toThrow(/still has licenses issued.*nothing was/);
        expect((await live(f)).map((p) => p.keyPackId).sort()).toEqual([...ids].sort());
        expect(await liveTotal(f)).toBe(30);
    });

    it("an update onto a rebuilt server installs the pack again instead of trusting old key pack ids", async () => {
        const f = await fixture();
        const created = await calKeyPackProvider.create(inputs(f, { serverInstance: "one" }));
        // The server is rebuilt: a new one of the same name, whose key pack ids start again.
        await f.sim.deleteServer("rdls01");
        await f.sim.createServer({ name: "rdls01", windowsServerVersion: "2022" });
        await f.sim.activate({ firstName: "A", lastName: "B", company: "C", countryRegion: "NL" }, { server: "rdls01" });
        forgetLicenseServers();
        const diff = await calKeyPackProvider.diff(created.id, created.outs as Raw, inputs(f, { serverInstance: "two" }));
        expect(diff).toMatchObject({ changes: true, replaces: [] });
        const updated = (await calKeyPackProvider.update(created.id, created.outs as Raw, inputs(f, { serverInstance: "two" }))).outs as Raw;
        expect(await liveTotal(f)).toBe(50);
        expect(updated.keyPackIds).toEqual((await live(f)).map((p) => p.keyPackId));
    });

    it("another spelling of the same number is no change; another number replaces the pack", async () => {
        const f = await fixture();
        const open = { program: "open-license", licenseNumber: "99900042", authorizationNumber: "ABCDE12345FGHIJ", agreementNumber: undefined };
        const created = await calKeyPackProvider.create(inputs(f, open));
        const respelled = inputs(f, { ...open, authorizationNumber: " abcde-12345-fghij " });
        expect((await calKeyPackProvider.diff(created.id, created.outs as Raw, respelled)).changes).toBe(false);
        const other = inputs(f, { ...open, authorizationNumber: "ABCDE12345FGHIK" });
        expect(await calKeyPackProvider.diff(created.id, created.outs as Raw, other)).toMatchObject({ changes: true, replaces: ["authorizationNumber"] });
    });
});
