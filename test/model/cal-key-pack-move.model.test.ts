/**
 * Model-based test of moving and converting packs: random sequences of moves between two license
 * servers of one store, license type conversions, count changes, hand uninstalls, refreshes and
 * crashes *between the steps* of a move or a conversion (the method ran on a server, or was about
 * to, when the provider process died), each followed by `up --refresh`. After every up, every pack
 * holds exactly its count, of its type, on its server only: nothing installed twice, nothing lost.
 * fast-check prints the seed and the shrunk sequence of a failure; RDS_LICENSING_MODEL_SEED replays.
 */
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ScheduledLicenseServer } from "../../src/scheduling/license-server-client";
import { openSimulator, type Simulator } from "../../src/simulator";
import { CONTACT, tempHome } from "../simulator/helpers/sim";
import { HandlerEngine } from "./handler-engine";
import { checkSequences } from "./options";

const SERVERS = ["RDLS-MA", "RDLS-MB"] as const;
type Server = (typeof SERVERS)[number];
const PACKS = {
    ea: { program: "enterprise-agreement", agreementNumber: "9990061", productVersion: "2022" },
    open: { program: "open-license", licenseNumber: "99900062", authorizationNumber: "openauth0000062", productVersion: "2019" },
    retail: { program: "retail", licenseCode: "rtmov-model-code0-00000-00063", productVersion: "2022" },
} as const;
type PackName = keyof typeof PACKS;
type LicenseType = "per-user" | "per-device";
const RETAIL_SIZE = 5;

/** Where a crash strikes: a method of the license server, before it ran or after (its reply lost). */
type Crash = { method: "importKeyPack" | "uninstall" | "convertLicenses" | "install"; when: "before" | "after" };

type Command =
    | { kind: "move"; pack: PackName }
    | { kind: "convert"; pack: "ea" | "open" }
    | { kind: "count"; pack: "ea" | "open"; count: number }
    | { kind: "uninstall"; pack: "ea" | "open"; index: number }
    | { kind: "refresh" }
    | { kind: "up" }
    | { kind: "crash"; crash: Crash; refresh: boolean };

const command: fc.Arbitrary<Command> = fc.oneof(
    { arbitrary: fc.record({ kind: fc.constant("move" as const), pack: fc.constantFrom<PackName>("ea", "open", "retail") }), weight: 4 },
    { arbitrary: fc.record({ kind: fc.constant("convert" as const), pack: fc.constantFrom("ea" as const, "open" as const) }), weight: 3 },
    { arbitrary: fc.record({ kind: fc.constant("count" as const), pack: fc.constantFrom("ea" as const, "open" as const), count: fc.integer({ min: 1, max: 40 }) }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant("uninstall" as const), pack: fc.constantFrom("ea" as const, "open" as const), index: fc.nat(3) }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant("refresh" as const) }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant("up" as const) }), weight: 3 },
    {
        arbitrary: fc.record({
            kind: fc.constant("crash" as const),
            crash: fc.record({ method: fc.constantFrom<Crash["method"]>("importKeyPack", "uninstall", "convertLicenses", "install"), when: fc.constantFrom<Crash["when"]>("before", "after") }),
            refresh: fc.boolean(),
        }),
        weight: 4,
    },
);

class Killed extends Error {
    constructor() {
        super("provider process killed (model)");
    }
}

/** The next call of the crash's method dies (armed by `arm`, consumed by the first call). */
let armed: Crash | undefined;
const METHODS: readonly Crash["method"][] = ["importKeyPack", "uninstall", "convertLicenses", "install"];

interface Desired {
    server: Server;
    licenseType: LicenseType;
    count: number;
}

class World {
    readonly home = tempHome();
    readonly sim: Simulator = openSimulator({ home: this.home });
    readonly engine = new HandlerEngine();
    readonly desired = new Map<PackName, Desired>([
        ["ea", { server: "RDLS-MA", licenseType: "per-user", count: 20 }],
        ["open", { server: "RDLS-MA", licenseType: "per-device", count: 10 }],
        ["retail", { server: "RDLS-MB", licenseType: "per-user", count: RETAIL_SIZE }],
    ]);

    async init(): Promise<void> {
        for (const name of SERVERS) {
            await this.sim.createServer({ name, windowsServerVersion: "2022" });
            await this.sim.activate(CONTACT, { server: name });
        }
    }

    program(): Map<string, Record<string, unknown>> {
        return new Map(
            [...this.desired].map(([name, d]) => [
                name,
                {
                    providerVersion: "1",
                    connection: { kind: "simulator", home: this.home },
                    server: d.server,
                    packKey: `model/move/${name}`,
                    ...PACKS[name],
                    licenseType: d.licenseType,
                    count: d.count,
                    allowDeleteWithIssuedLicenses: false,
                    requestKeySecret: "70ad".repeat(16),
                },
            ]),
        );
    }

    /** The key packs of each program's pack on each server. */
    async live(): Promise<Map<string, { server: Server; keyPackId: number; licenseType: string; totalLicenses: number }[]>> {
        const byProgram = new Map<string, PackName>(Object.entries(PACKS).map(([name, p]) => [p.program, name as PackName]));
        const result = new Map<string, { server: Server; keyPackId: number; licenseType: string; totalLicenses: number }[]>();
        for (const server of SERVERS) {
            for (const pack of await this.sim.packs({ server })) {
                const name = byProgram.get(pack.program);
                if (!name) throw new Error(`unexpected key pack of program ${pack.program}`);
                result.set(name, [...(result.get(name) ?? []), { server, ...pack }]);
            }
        }
        return result;
    }
}

async function checkConverged(world: World, errors: Map<string, string>, log: string[]): Promise<void> {
    const trail = log.join(" → ");
    expect([...errors], `${trail}: every step succeeds`).toEqual([]);
    const live = await world.live();
    for (const [name, d] of world.desired) {
        const packs = live.get(name) ?? [];
        expect(packs.filter((p) => p.server !== d.server), `${trail}: ${name} left nothing on the other server`).toEqual([]);
        expect(packs.reduce((n, p) => n + p.totalLicenses, 0), `${trail}: ${name} total on ${d.server}`).toBe(d.count);
        expect(packs.every((p) => p.licenseType === d.licenseType), `${trail}: ${name} is ${d.licenseType}`).toBe(true);
        const outs = world.engine.state.get(name)?.outs;
        const ids = ((outs?.keyPackIds as number[] | undefined) ?? []).map(Number);
        expect([...ids].sort(), `${trail}: ${name} state lists exactly its live key packs`).toEqual(packs.map((p) => p.keyPackId).sort());
        expect(outs, `${trail}: ${name} state`).toMatchObject({ server: d.server, licenseType: d.licenseType, totalLicenses: d.count });
    }
}

async function upRefresh(world: World, log: string[]): Promise<void> {
    await world.engine.refresh();
    const { errors } = await world.engine.up(world.program());
    await checkConverged(world, errors, log);
}

async function apply(world: World, cmd: Command, log: string[]): Promise<void> {
    log.push(JSON.stringify(cmd));
    switch (cmd.kind) {
        case "move": {
            const d = world.desired.get(cmd.pack)!;
            d.server = d.server === SERVERS[0] ? SERVERS[1] : SERVERS[0];
            return;
        }
        case "convert": {
            const d = world.desired.get(cmd.pack)!;
            d.licenseType = d.licenseType === "per-user" ? "per-device" : "per-user";
            return;
        }
        case "count":
            world.desired.get(cmd.pack)!.count = cmd.count;
            return;
        case "uninstall": {
            const packs = (await world.live()).get(cmd.pack) ?? [];
            const pack = packs[cmd.index % Math.max(1, packs.length)];
            if (pack) await world.sim.uninstall(pack.keyPackId, { server: pack.server });
            return;
        }
        case "refresh":
            await world.engine.refresh();
            return;
        case "up":
            await upRefresh(world, log);
            return;
        case "crash":
            // The up dies at the crash point (if the sequence reaches it); the user runs up (--refresh) again.
            armed = cmd.crash;
            if (cmd.refresh) await world.engine.refresh();
            await world.engine.up(world.program());
            armed = undefined;
            await upRefresh(world, log);
            return;
    }
}

describe("CalKeyPack moves and conversions under random sequences with crashes between the steps (model-based)", () => {
    beforeEach(() => {
        vi.stubEnv("RDS_LICENSING_QUIET", "1");
        vi.stubEnv("RDS_LICENSING_GATHER_MS", "0");
        const proto = ScheduledLicenseServer.prototype as unknown as Record<Crash["method"], (...args: unknown[]) => Promise<unknown>>;
        for (const method of METHODS) {
            const original = proto[method];
            vi.spyOn(proto, method).mockImplementation(async function (this: unknown, ...args: unknown[]) {
                if (armed?.method !== method) return original.apply(this, args);
                const { when } = armed;
                armed = undefined;
                if (when === "after") await original.apply(this, args);
                throw new Killed();
            });
        }
    });
    afterEach(() => {
        vi.restoreAllMocks();
        vi.unstubAllEnvs();
        armed = undefined;
    });

    it("keeps every pack on its server, of its type, at its count, after every up", async () => {
        const { runs, operations } = await checkSequences({
            label: "CalKeyPack moves/conversions",
            runs: 10,
            maxLength: 16,
            command,
            up: { kind: "up" } as const,
            world: () => new World(),
            apply,
        });
        expect(operations).toBeGreaterThan(runs * 4);
    });
});
