/** The rdls-sim commands: argument checks first (UsageError), then one call of the admin API. */
import { PRODUCT_VERSIONS, type ProductVersion } from "../licensing/codes";
import { LicensingError } from "../licensing/errors";
import type { ContactInfo } from "../licensing/operations";
import { Simulator } from "./admin";
import { contactArgs, countArg, expect, keyPackIdArg, UsageError, wholeNumber, type Parsed } from "./cli-args";
import * as fmt from "./cli-format";
import { MAX_LATENCY_MS, type FaultPatch } from "./faults";

export interface CliContext {
    p: Parsed;
    sim: Simulator;
    out(text: string): void;
    env: NodeJS.ProcessEnv;
}

type Command = (ctx: CliContext) => Promise<void>;
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** --server, else the only server; several servers is a usage error that names them. */
async function server(ctx: CliContext): Promise<string> {
    if (ctx.p.values.server !== undefined) return ctx.p.values.server;
    const servers = await ctx.sim.listServers();
    if (servers.length === 1) return servers[0]!.name;
    if (servers.length === 0) {
        throw new LicensingError({ kind: "not-found", message: `no license server in ${ctx.sim.home}; create one with: rdls-sim create-server <name> --version <v>` });
    }
    throw new UsageError(`several license servers exist (${servers.map((s) => s.name).join(", ")}): pick one with --server`, ctx.p.command);
}
const target = async (ctx: CliContext) => ({ server: await server(ctx) });

/** The contact options, checked as the stack config checks them (a UsageError names the flag). */
const contactOf = (ctx: CliContext): Promise<Partial<ContactInfo>> => contactArgs(ctx.p);
const LATENCY_MAX = { value: MAX_LATENCY_MS, meaning: "10 minutes, the simulator's limit" };
const CONTACT_OPTIONS = ["server", "first-name", "last-name", "company", "country", "email"] as const;

function faultPatch(ctx: CliContext): FaultPatch {
    const v = ctx.p.values;
    const patch: FaultPatch = {};
    if (v.clearinghouse !== undefined) {
        if (v.clearinghouse !== "up" && v.clearinghouse !== "down") throw new UsageError("--clearinghouse takes up or down", "faults");
        patch.clearinghouseUnreachable = v.clearinghouse === "down";
    }
    if (v.transient !== undefined) patch.transientFailures = wholeNumber(v.transient, "--transient", "faults");
    if (v["slow-count"] !== undefined && v["slow-ms"] === undefined) throw new UsageError("--slow-count needs --slow-ms", "faults");
    if (v["slow-ms"] !== undefined) {
        const extraMs = wholeNumber(v["slow-ms"], "--slow-ms", "faults", LATENCY_MAX);
        const remaining = v["slow-count"] === undefined ? undefined : wholeNumber(v["slow-count"], "--slow-count", "faults");
        if (remaining === 0) throw new UsageError("--slow-count must be at least 1", "faults");
        patch.slow = extraMs === 0 ? null : remaining === undefined ? { extraMs } : { extraMs, remaining };
    }
    if (Object.keys(patch).length === 0) throw new UsageError("faults set needs --clearinghouse, --transient or --slow-ms", "faults");
    return patch;
}

const packCommand = (run: (ctx: CliContext, id: number, count: number) => Promise<unknown>, verb: string): Command => async (ctx) => {
    expect(ctx.p, ["server"], 2);
    const id = keyPackIdArg(ctx.p.args[0], ctx.p.command!);
    const count = countArg(ctx.p.args[1], ctx.p.command!);
    const pack = (await run(ctx, id, count)) as { totalLicenses: number; issuedLicenses: number; availableLicenses: number };
    ctx.out(`Key pack ${id}: ${verb} ${count}; total ${pack.totalLicenses}, issued ${pack.issuedLicenses}, available ${pack.availableLicenses}\n`);
};

export const COMMANDS: Record<string, Command> = {
    servers: async (ctx) => {
        expect(ctx.p, ["json"], 0);
        const servers = await ctx.sim.listServers();
        ctx.out(ctx.p.values.json ? json(servers) : fmt.formatServers(servers));
    },
    "create-server": async (ctx) => {
        expect(ctx.p, ["version", ...CONTACT_OPTIONS.slice(1)], 1);
        const version = ctx.p.values.version;
        if (!PRODUCT_VERSIONS.includes(version as ProductVersion)) {
            throw new UsageError(`--version must be one of ${PRODUCT_VERSIONS.join(", ")} (got ${version === undefined ? "nothing" : JSON.stringify(version)})`, "create-server");
        }
        const contact = await contactOf(ctx);
        const status = await ctx.sim.createServer({ name: ctx.p.args[0]!, windowsServerVersion: version as ProductVersion, contact });
        ctx.out(`Created license server ${status.name} (Windows Server ${status.windowsServerVersion}, not activated)\n`);
    },
    "delete-server": async (ctx) => {
        expect(ctx.p, [], 1);
        await ctx.sim.deleteServer(ctx.p.args[0]!);
        ctx.out(`Deleted license server ${ctx.p.args[0]}\n`);
    },
    status: async (ctx) => {
        expect(ctx.p, ["server", "json"], 0);
        const status = await ctx.sim.status(await target(ctx));
        ctx.out(ctx.p.values.json ? json(status) : fmt.formatStatus(status));
    },
    packs: async (ctx) => {
        expect(ctx.p, ["server", "json", "all"], 0);
        const t = await target(ctx);
        const packs = await ctx.sim.packs({ ...t, includeBuiltIn: ctx.p.values.all === true });
        ctx.out(ctx.p.values.json ? json(packs) : fmt.formatPacks(t.server, packs));
    },
    issue: packCommand(async (ctx, id, count) => ctx.sim.issue(id, count, await target(ctx)), "issued"),
    revoke: packCommand(async (ctx, id, count) => ctx.sim.revoke(id, count, await target(ctx)), "revoked"),
    "remove-licenses": packCommand(async (ctx, id, count) => ctx.sim.removeLicenses(id, count, await target(ctx)), "removed"),
    uninstall: async (ctx) => {
        expect(ctx.p, ["server"], 1);
        const id = keyPackIdArg(ctx.p.args[0], "uninstall");
        await ctx.sim.uninstall(id, await target(ctx));
        ctx.out(`Uninstalled key pack ${id}\n`);
    },
    activate: async (ctx) => {
        expect(ctx.p, CONTACT_OPTIONS, 0);
        const contact = await contactOf(ctx);
        const status = await ctx.sim.activate(contact, await target(ctx));
        ctx.out(`License server ${status.name} is activated (license server ID ${status.licenseServerId})\n`);
    },
    reactivate: async (ctx) => {
        expect(ctx.p, ["server"], 0);
        const status = await ctx.sim.reactivate(await target(ctx));
        ctx.out(`License server ${status.name} is reactivated\n`);
    },
    deactivate: async (ctx) => {
        expect(ctx.p, ["server"], 0);
        const status = await ctx.sim.deactivate(await target(ctx));
        ctx.out(`License server ${status.name} is deactivated; its packs stay installed\n`);
    },
    faults: async (ctx) => {
        const action = ctx.p.args[0] ?? "show";
        if (action === "set") {
            expect(ctx.p, ["clearinghouse", "transient", "slow-ms", "slow-count", "json"], 1);
            const faults = await ctx.sim.setFaults(faultPatch(ctx));
            ctx.out(ctx.p.values.json ? json(faults) : fmt.formatFaults(faults));
            return;
        }
        if (action !== "show" && action !== "clear") throw new UsageError(`unknown faults action "${action}" (show, set, clear)`, "faults");
        expect(ctx.p, ["json"], 0, 1);
        const faults = action === "clear" ? await ctx.sim.clearFaults() : await ctx.sim.getFaults();
        ctx.out(ctx.p.values.json ? json(faults) : fmt.formatFaults(faults));
    },
    clearinghouse: async (ctx) => {
        const action = ctx.p.args[0];
        if (action === "load") {
            expect(ctx.p, ["json"], 2);
            const summary = await ctx.sim.loadRegistry(ctx.p.args[1]!);
            ctx.out(ctx.p.values.json ? json(summary) : fmt.formatRegistry(summary));
        } else if (action === "show" || action === "clear") {
            expect(ctx.p, ["json"], 1);
            if (action === "clear") await ctx.sim.clearRegistry();
            const summary = await ctx.sim.registrySummary();
            ctx.out(ctx.p.values.json ? json(summary ?? null) : fmt.formatRegistry(summary));
        } else {
            throw new UsageError("clearinghouse takes load <file>, show or clear", "clearinghouse");
        }
    },
    config: async (ctx) => {
        expect(ctx.p, ["latency-ms", "json"], 0);
        const raw = ctx.p.values["latency-ms"];
        const latencyMs = raw === undefined ? undefined : wholeNumber(raw, "--latency-ms", "config", LATENCY_MAX);
        const config = latencyMs === undefined ? await ctx.sim.getConfig(ctx.env) : await ctx.sim.setConfig({ latencyMs }, ctx.env);
        ctx.out(ctx.p.values.json ? json(config) : fmt.formatConfig(config, ctx.env));
    },
    executions: async (ctx) => {
        expect(ctx.p, ["server", "json"], 0);
        const name = await server(ctx);
        const stats = await ctx.sim.executionStats(name);
        ctx.out(ctx.p.values.json ? json(stats) : fmt.formatExecutions(name, stats));
    },
    check: async (ctx) => {
        expect(ctx.p, [], 0);
        const { servers, packs } = await ctx.sim.verify();
        ctx.out(`Store ${ctx.sim.home} is valid: ${servers} server(s), ${packs} key pack(s)\n`);
    },
    reset: async (ctx) => {
        expect(ctx.p, [], 0);
        await ctx.sim.reset();
        ctx.out(`Store ${ctx.sim.home} is empty again\n`);
    },
};
