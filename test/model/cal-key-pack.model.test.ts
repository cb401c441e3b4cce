/**
 * Model-based test of the core: random sequences of program changes (counts, packs added and
 * removed), hand changes on the server (licenses removed, key packs uninstalled), refreshes,
 * crashes and `up --refresh`, checked against the simulator after every step. fast-check prints the
 * seed and the shrunk sequence of any failure; RDS_LICENSING_MODEL_SEED replays one.
 *
 * `npm test` runs a few sequences; `npm run soak` runs many (RDS_LICENSING_MODEL_RUNS).
 */
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSimulator, type Simulator } from "../../src/simulator";
import { CONTACT, tempHome } from "../simulator/helpers/sim";
import { HandlerEngine } from "./handler-engine";
import { checkSequences } from "./options";

const SERVER = "RDLS-MODEL";
const PACKS = {
    ea: { program: "enterprise-agreement", agreementNumber: " 9990011 ", productVersion: "2022", licenseType: "per-user" },
    open: { program: "open-license", licenseNumber: "99900012", authorizationNumber: "openauth-0000012", productVersion: "2019", licenseType: "per-device" },
    retail: { program: "retail", licenseCode: "rtail-model-code0-00000-00013", productVersion: "2022", licenseType: "per-user" },
} as const;
type PackName = keyof typeof PACKS;
const RETAIL_SIZE = 5;

type Command =
    | { kind: "count"; pack: "ea" | "open"; count: number }
    | { kind: "toggle"; pack: "open" }
    | { kind: "remove"; pack: PackName; index: number; amount: number }
    | { kind: "uninstall"; pack: PackName; index: number }
    | { kind: "accept-retail" }
    | { kind: "refresh" }
    | { kind: "up" }
    | { kind: "crash"; pack: PackName };

const packName = fc.constantFrom<PackName>("ea", "open", "retail");
const command: fc.Arbitrary<Command> = fc.oneof(
    { arbitrary: fc.record({ kind: fc.constant("count" as const), pack: fc.constantFrom("ea" as const, "open" as const), count: fc.integer({ min: 1, max: 60 }) }), weight: 4 },
    { arbitrary: fc.record({ kind: fc.constant("toggle" as const), pack: fc.constant("open" as const) }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant("remove" as const), pack: packName, index: fc.nat(3), amount: fc.integer({ min: 1, max: 15 }) }), weight: 3 },
    { arbitrary: fc.record({ kind: fc.constant("uninstall" as const), pack: packName, index: fc.nat(3) }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant("accept-retail" as const) }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant("refresh" as const) }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant("up" as const) }), weight: 4 },
    { arbitrary: fc.record({ kind: fc.constant("crash" as const), pack: packName }), weight: 1 },
);

class World {
    readonly home = tempHome();
    readonly sim: Simulator = openSimulator({ home: this.home });
    readonly engine = new HandlerEngine();
    /** The program: desired counts of the declared packs. */
    readonly desired = new Map<PackName, number>([
        ["ea", 20],
        ["open", 10],
        ["retail", RETAIL_SIZE],
    ]);

    async init(): Promise<void> {
        await this.sim.createServer({ name: SERVER, windowsServerVersion: "2022" });
        await this.sim.activate(CONTACT, { server: SERVER });
    }

    program(): Map<string, Record<string, unknown>> {
        return new Map(
            [...this.desired].map(([name, count]) => [
                name,
                {
                    providerVersion: "1",
                    connection: { kind: "simulator", home: this.home },
                    server: SERVER,
                    packKey: `model/test/${name}`,
                    ...PACKS[name],
                    count,
                    allowDeleteWithIssuedLicenses: false,
                    requestKeySecret: "5eed".repeat(16),
                },
            ]),
        );
    }

    /** The key packs on the server that belong to a pack of the program, by the program's name. */
    async live(): Promise<Map<PackName, { keyPackId: number; totalLicenses: number; availableLicenses: number }[]>> {
        const byProgram = new Map<string, PackName>(Object.entries(PACKS).map(([name, p]) => [p.program, name as PackName]));
        const result = new Map<PackName, { keyPackId: number; totalLicenses: number; availableLicenses: number }[]>();
        for (const pack of await this.sim.packs({ server: SERVER })) {
            const name = byProgram.get(pack.program);
            if (!name) throw new Error(`unexpected key pack of program ${pack.program}`);
            result.set(name, [...(result.get(name) ?? []), pack]);
        }
        return result;
    }

    stateIds(name: PackName): number[] {
        return ((this.engine.state.get(name)?.outs.keyPackIds as number[] | undefined) ?? []).map(Number);
    }
}

const total = (packs: { totalLicenses: number }[] | undefined) => (packs ?? []).reduce((n, p) => n + p.totalLicenses, 0);

/** After an `up --refresh`: every declared pack holds its count, nothing else is on the server. */
async function checkConverged(world: World, errors: Map<string, string>, log: string[]): Promise<void> {
    const live = await world.live();
    for (const name of Object.keys(PACKS) as PackName[]) {
        const desired = world.desired.get(name);
        const error = errors.get(name);
        if (error) {
            // The one refusal allowed: a retail pack whose licenses were removed by hand (it cannot grow).
            expect(name, `${log.join(" → ")}: ${name} failed: ${error}`).toBe("retail");
            expect(error).toMatch(/licenses of this retail pack were removed on the server/);
            expect(error).toMatch(/accept the live count/);
            continue;
        }
        expect(total(live.get(name)), `${log.join(" → ")}: live total of ${name}`).toBe(desired ?? 0);
        const ids = world.stateIds(name);
        expect(new Set(ids).size, `${name}: key pack ids in state are distinct`).toBe(ids.length);
        expect([...ids].sort(), `${name}: state lists exactly the live key packs`).toEqual((live.get(name) ?? []).map((p) => p.keyPackId).sort());
        if (desired !== undefined) expect(world.engine.state.get(name)?.outs.totalLicenses).toBe(desired);
    }
}

/** After a refresh: state holds the live totals, and a preview shows exactly the packs that drifted. */
async function checkRefreshed(world: World, log: string[]): Promise<void> {
    const live = await world.live();
    const pending = await world.engine.pendingChanges(world.program());
    for (const name of world.desired.keys()) {
        const liveTotal = total(live.get(name));
        const entry = world.engine.state.get(name);
        if (liveTotal === 0) expect(entry, `${log.join(" → ")}: ${name} is gone from the server, so from state`).toBeUndefined();
        else expect(entry?.outs.totalLicenses, `${log.join(" → ")}: ${name} state total`).toBe(liveTotal);
        expect(pending.includes(name), `${log.join(" → ")}: ${name} drift shown`).toBe(liveTotal !== world.desired.get(name));
    }
}

async function apply(world: World, cmd: Command, log: string[]): Promise<void> {
    log.push(JSON.stringify(cmd));
    switch (cmd.kind) {
        case "count":
            if (world.desired.has(cmd.pack)) world.desired.set(cmd.pack, cmd.count);
            return;
        case "toggle":
            if (world.desired.has(cmd.pack)) world.desired.delete(cmd.pack);
            else world.desired.set(cmd.pack, 10);
            return;
        case "accept-retail": {
            const liveTotal = total((await world.live()).get("retail"));
            if (liveTotal > 0) world.desired.set("retail", liveTotal);
            return;
        }
        case "remove": {
            const packs = (await world.live()).get(cmd.pack) ?? [];
            const pack = packs[cmd.index % Math.max(1, packs.length)];
            const amount = Math.min(cmd.amount, (pack?.availableLicenses ?? 0) - 1);
            if (pack && amount > 0) await world.sim.removeLicenses(pack.keyPackId, amount, { server: SERVER });
            return;
        }
        case "uninstall": {
            const packs = (await world.live()).get(cmd.pack) ?? [];
            const pack = packs[cmd.index % Math.max(1, packs.length)];
            if (pack) await world.sim.uninstall(pack.keyPackId, { server: SERVER });
            return;
        }
        case "refresh":
            await world.engine.refresh();
            await checkRefreshed(world, log);
            return;
        case "up": {
            await world.engine.refresh();
            const { errors } = await world.engine.up(world.program());
            await checkConverged(world, errors, log);
            return;
        }
        case "crash": {
            // Killed after the server ran the pack's step; the user runs `up --refresh` again.
            await world.engine.refresh();
            await world.engine.up(world.program(), { crash: cmd.pack });
            await world.engine.refresh();
            const { errors } = await world.engine.up(world.program());
            await checkConverged(world, errors, log);
            return;
        }
    }
}

describe("CalKeyPack under random sequences (model-based, handlers on a real simulator store)", () => {
    let saved: Record<string, string | undefined>;
    beforeEach(() => {
        saved = { quiet: process.env.RDS_LICENSING_QUIET, gather: process.env.RDS_LICENSING_GATHER_MS };
        process.env.RDS_LICENSING_QUIET = "1";
        process.env.RDS_LICENSING_GATHER_MS = "0";
    });
    afterEach(() => {
        process.env.RDS_LICENSING_QUIET = saved.quiet;
        process.env.RDS_LICENSING_GATHER_MS = saved.gather;
        if (saved.quiet === undefined) delete process.env.RDS_LICENSING_QUIET;
        if (saved.gather === undefined) delete process.env.RDS_LICENSING_GATHER_MS;
    });

    it("keeps the server equal to the program after every up, and shows every hand change on refresh", async () => {
        const { runs, operations } = await checkSequences({
            label: "CalKeyPack handlers",
            runs: 12,
            maxLength: 24,
            command,
            up: { kind: "up" } as const,
            world: () => new World(),
            apply,
        });
        expect(operations).toBeGreaterThan(runs * 4);
    });
});
