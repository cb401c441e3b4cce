/**
 * The simulator's admin commands (`rds-licensing sim <command>`, alias `rdls-sim`): what each takes
 * and says in its help, then its run: argument checks first (UsageError), then one call of the
 * admin API. The command list, `--help` of each command and the option checks all read COMMANDS.
 */
import { PRODUCT_VERSIONS, type ProductVersion } from "../licensing/codes";
import { LicensingError } from "../licensing/errors";
import type { ContactInfo } from "../licensing/operations";
import { Simulator } from "./admin";
import { contactArgs, countArg, keyPackIdArg, positionals, refuseOptions, UsageError, wholeNumber, type OptionName, type Parsed } from "./cli-args";
import * as fmt from "./cli-format";
import { MAX_LATENCY_MS, type FaultPatch } from "./faults";
import { FARM_COMMANDS } from "./cli-farm";
import { INSTALL_COMMAND } from "./cli-install";

export interface CliContext {
    p: Parsed;
    sim: Simulator;
    out(text: string): void;
    env: NodeJS.ProcessEnv;
    /** How the user called the CLI (`rds-licensing sim`, or the `rdls-sim` alias), for hints. */
    prog: string;
    /** Standard input, read whole; undefined when there is none to read (a terminal). */
    stdin?: () => Promise<string | undefined>;
}

type Command = (ctx: CliContext) => Promise<void>;

export type Group = "Servers" | "Key packs" | "Farm" | "Rehearsal";

/** One way to call a command: what follows its name ("\n" continues the line), and what it does. */
export interface CommandForm {
    args: string;
    summary: string;
}

export interface CommandSpec {
    group: Group;
    /** Its forms, for the command list and its usage line. */
    forms: readonly CommandForm[];
    /** What `<command> --help` says it does. */
    help: string;
    /** The options it takes, besides --home and --help (refused otherwise, before run). */
    options: readonly OptionName[];
    run: Command;
}
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** --server, else the only server; several servers is a usage error that names them. */
async function server(ctx: CliContext): Promise<string> {
    if (ctx.p.values.server !== undefined) return ctx.p.values.server;
    const servers = await ctx.sim.listServers();
    if (servers.length === 1) return servers[0]!.name;
    if (servers.length === 0) {
        throw new LicensingError({ kind: "not-found", message: `no license server in ${ctx.sim.home}; create one with: ${ctx.prog} create-server <name> --version <v>` });
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
    const version = v["install-version"];
    if (version !== undefined) {
        if (version !== "off" && !(PRODUCT_VERSIONS as readonly string[]).includes(String(version))) {
            throw new UsageError(`--install-version takes ${PRODUCT_VERSIONS.join(", ")} or off, not ${JSON.stringify(version)}`, "faults");
        }
        patch.installVersion = version === "off" ? null : (version as ProductVersion);
    }
    if (Object.keys(patch).length === 0) throw new UsageError("faults set needs --clearinghouse, --transient, --slow-ms or --install-version", "faults");
    return patch;
}

const packCommand = (run: (ctx: CliContext, id: number, count: number) => Promise<unknown>, verb: string): Command => async (ctx) => {
    positionals(ctx.p, 2);
    const id = keyPackIdArg(ctx.p.args[0], ctx.p.command!);
    const count = countArg(ctx.p.args[1], ctx.p.command!);
    const pack = (await run(ctx, id, count)) as { totalLicenses: number; issuedLicenses: number; availableLicenses: number };
    ctx.out(`Key pack ${id}: ${verb} ${count}; total ${pack.totalLicenses}, issued ${pack.issuedLicenses}, available ${pack.availableLicenses}\n`);
};

const SERVER = ["server"] as const;
const HUMAN = "A human on the server: not counted as a remote execution.";

export const COMMANDS: Record<string, CommandSpec> = {
    servers: {
        group: "Servers",
        forms: [{ args: "[--json]", summary: "list the license servers" }],
        help: "Lists every server of the store: Windows Server version, activation, packs, license totals and remote executions.",
        options: ["json"],
        run: async (ctx) => {
            positionals(ctx.p, 0);
            const servers = await ctx.sim.listServers();
            ctx.out(ctx.p.values.json ? json(servers) : fmt.formatServers(servers, ctx.prog));
        },
    },
    "create-server": {
        group: "Servers",
        forms: [{ args: "<name> --version <v> [--language <tag>]\n[--first-name F --last-name L --company C --country CC --email E]", summary: "add a server (v: 2016, 2019, 2022, 2025), not activated" }],
        help: "Adds a license server to the store, not activated. The contact options are kept for a later activate, and checked as the stack config checks its contact. --language is the server's display language (default en-US): its licensing provider takes country/region names in that language, never ISO codes; activation resolves the code to the name, as the PowerShell driver does on a real server, and status reads it back as the code.",
        options: ["version", "language", ...CONTACT_OPTIONS.slice(1)],
        run: async (ctx) => {
            positionals(ctx.p, 1);
            const version = ctx.p.values.version;
            if (!PRODUCT_VERSIONS.includes(version as ProductVersion)) {
                throw new UsageError(`--version must be one of ${PRODUCT_VERSIONS.join(", ")} (got ${version === undefined ? "nothing" : JSON.stringify(version)})`, "create-server");
            }
            const contact = await contactOf(ctx);
            const language = ctx.p.values.language;
            const status = await ctx.sim.createServer({ name: ctx.p.args[0]!, windowsServerVersion: version as ProductVersion, contact, ...(language !== undefined ? { language } : {}) });
            ctx.out(`Created license server ${status.name} (Windows Server ${status.windowsServerVersion}, not activated)\n`);
        },
    },
    "delete-server": {
        group: "Servers",
        forms: [{ args: "<name>", summary: "remove a server and its execution log" }],
        help: "Removes a server (its key packs with it) and its execution log from the store; the Clearinghouse still remembers the retail codes it consumed.",
        options: [],
        run: async (ctx) => {
            positionals(ctx.p, 1);
            await ctx.sim.deleteServer(ctx.p.args[0]!);
            ctx.out(`Deleted license server ${ctx.p.args[0]}\n`);
        },
    },
    status: {
        group: "Servers",
        forms: [{ args: "[--json]", summary: "activation, license server ID, contact" }],
        help: "Shows a server's activation status, license server ID and contact information.",
        options: [...SERVER, "json"],
        run: async (ctx) => {
            positionals(ctx.p, 0);
            const status = await ctx.sim.status(await target(ctx));
            ctx.out(ctx.p.values.json ? json(status) : fmt.formatStatus(status));
        },
    },
    activate: {
        group: "Servers",
        forms: [{ args: "[--first-name F --last-name L --company C --country CC --email E]", summary: "activate (needs the contact and the Clearinghouse)" }],
        help: "Activates a server with the Clearinghouse, as the Activate Server wizard does. The options given replace the stored contact's fields; the Clearinghouse needs first name, last name, company and country, and must be reachable (see faults).",
        options: CONTACT_OPTIONS,
        run: async (ctx) => {
            positionals(ctx.p, 0);
            const contact = await contactOf(ctx);
            const status = await ctx.sim.activate(contact, await target(ctx));
            ctx.out(`License server ${status.name} is activated (license server ID ${status.licenseServerId})\n`);
        },
    },
    reactivate: {
        group: "Servers",
        forms: [{ args: "", summary: "renew the activation (needs the Clearinghouse)" }],
        help: "Renews an activated server's activation; needs the Clearinghouse.",
        options: SERVER,
        run: async (ctx) => {
            positionals(ctx.p, 0);
            const status = await ctx.sim.reactivate(await target(ctx));
            ctx.out(`License server ${status.name} is reactivated\n`);
        },
    },
    deactivate: {
        group: "Servers",
        forms: [{ args: "", summary: "deactivate; packs stay, installs are refused" }],
        help: "Deactivates a server, as an admin might: its key packs stay, installs are refused until it is activated again. Drift as it happens: `rds-licensing drift` reports the server as not activated.",
        options: SERVER,
        run: async (ctx) => {
            positionals(ctx.p, 0);
            const status = await ctx.sim.deactivate(await target(ctx));
            ctx.out(`License server ${status.name} is deactivated; its packs stay installed\n`);
        },
    },
    packs: {
        group: "Key packs",
        forms: [{ args: "[--json] [--all]", summary: "list packs (--all adds the built-in pack)" }],
        help: `Lists a server's key packs: program, version, license type, total / issued / available CALs and expiry; the built-in pack only with --all. ${HUMAN}`,
        options: [...SERVER, "json", "all"],
        run: async (ctx) => {
            positionals(ctx.p, 0);
            const t = await target(ctx);
            const packs = await ctx.sim.packs({ ...t, includeBuiltIn: ctx.p.values.all === true });
            ctx.out(ctx.p.values.json ? json(packs) : fmt.formatPacks(t.server, packs));
        },
    },
    issue: {
        group: "Key packs",
        forms: [{ args: "<keyPackId> <count>", summary: "users take licenses: available -> issued" }],
        help: `Users connect and take <count> CALs of a pack: available -> issued. Usage, not drift: issued CALs never make a stack drift. ${HUMAN}`,
        options: SERVER,
        run: packCommand(async (ctx, id, count) => ctx.sim.issue(id, count, await target(ctx)), "issued"),
    },
    revoke: {
        group: "Key packs",
        forms: [{ args: "<keyPackId> <count>", summary: "per-device only, at most 20% of the pack: issued -> available" }],
        help: `Revokes issued CALs, as RD Licensing Manager allows: per-device CALs only, at most 20% of the pack: issued -> available. ${HUMAN}`,
        options: SERVER,
        run: packCommand(async (ctx, id, count) => ctx.sim.revoke(id, count, await target(ctx)), "revoked"),
    },
    "remove-licenses": {
        group: "Key packs",
        forms: [{ args: "<keyPackId> <count>", summary: "remove available licenses from a pack" }],
        help: `Removes <count> available (never issued) licenses from a pack. Drift as it happens: the pack then holds fewer CALs than the stack declares. ${HUMAN}`,
        options: SERVER,
        run: packCommand(async (ctx, id, count) => ctx.sim.removeLicenses(id, count, await target(ctx)), "removed"),
    },
    install: INSTALL_COMMAND,
    uninstall: {
        group: "Key packs",
        forms: [{ args: "<keyPackId>", summary: "remove a pack" }],
        help: `Uninstalls a key pack. Drift as it happens: the stack's pack is then missing. ${HUMAN}`,
        options: SERVER,
        run: async (ctx) => {
            positionals(ctx.p, 1);
            const id = keyPackIdArg(ctx.p.args[0], "uninstall");
            await ctx.sim.uninstall(id, await target(ctx));
            ctx.out(`Uninstalled key pack ${id}\n`);
        },
    },
    ...FARM_COMMANDS,
    faults: {
        group: "Rehearsal",
        forms: [
            { args: "[show|clear] [--json]", summary: "show or clear injected faults" },
            {
                args: "set [--clearinghouse up|down] [--transient N] [--slow-ms MS [--slow-count N]] [--install-version V|off]",
                summary: "Clearinghouse outage; the next N executions fail as\ntransport errors; +MS per execution (for N executions),\nMS at most 600000 (10 minutes); installs of another\nversion than asked",
            },
        ],
        help: "Shows, sets or clears the faults injected into remote executions (what the Pulumi provider does; these admin commands are never affected): the Clearinghouse out of reach, the next N executions failing as transport errors, executions MS slower (--slow-ms 0 turns that off), agreement and open-license installs that make a pack of version V whatever was asked, as a server whose ProductVersion code means another version does (the install then fails naming productVersion and the pack; --install-version off turns that off).",
        options: ["clearinghouse", "transient", "slow-ms", "slow-count", "install-version", "json"],
        run: async (ctx) => {
            const action = ctx.p.args[0] ?? "show";
            if (action === "set") {
                refuseOptions(ctx.p, ["clearinghouse", "transient", "slow-ms", "slow-count", "install-version", "json"], "faults set");
                positionals(ctx.p, 1);
                const faults = await ctx.sim.setFaults(faultPatch(ctx));
                ctx.out(ctx.p.values.json ? json(faults) : fmt.formatFaults(faults));
                return;
            }
            if (action !== "show" && action !== "clear") throw new UsageError(`unknown faults action "${action}" (show, set, clear)`, "faults");
            refuseOptions(ctx.p, ["json"], `faults ${action}`);
            positionals(ctx.p, 0, 1);
            const faults = action === "clear" ? await ctx.sim.clearFaults() : await ctx.sim.getFaults();
            ctx.out(ctx.p.values.json ? json(faults) : fmt.formatFaults(faults));
        },
    },
    clearinghouse: {
        group: "Rehearsal",
        forms: [{ args: "load <file> | show | clear", summary: "registry of purchased entitlements (stored hashed)" }],
        help: "Loads, shows or clears the registry of what you bought. Without one, every well-formed number is accepted. `load` validates the file (errors name the entry and field, never the value) and stores only salted hashes of its numbers; loading replaces the previous registry. The file's format is in docs/simulator.md.",
        options: ["json"],
        run: async (ctx) => {
            const action = ctx.p.args[0];
            if (action === "load") {
                positionals(ctx.p, 2);
                const summary = await ctx.sim.loadRegistry(ctx.p.args[1]!);
                ctx.out(ctx.p.values.json ? json(summary) : fmt.formatRegistry(summary));
            } else if (action === "show" || action === "clear") {
                positionals(ctx.p, 1);
                if (action === "clear") await ctx.sim.clearRegistry();
                const summary = await ctx.sim.registrySummary();
                ctx.out(ctx.p.values.json ? json(summary ?? null) : fmt.formatRegistry(summary));
            } else {
                throw new UsageError(`clearinghouse takes load <file>, show or clear (got ${action === undefined ? "nothing" : JSON.stringify(action)})`, "clearinghouse");
            }
        },
    },
    config: {
        group: "Rehearsal",
        forms: [{ args: "[--latency-ms N] [--json]", summary: "per-execution latency, 0 to 600000 ms ($RDLS_SIM_LATENCY_MS wins)" }],
        help: "Shows the latency every remote execution costs (stored, and effective: $RDLS_SIM_LATENCY_MS wins), or sets it with --latency-ms, 0 to 600000 ms (Run Command takes about 20000).",
        options: ["latency-ms", "json"],
        run: async (ctx) => {
            positionals(ctx.p, 0);
            const raw = ctx.p.values["latency-ms"];
            const latencyMs = raw === undefined ? undefined : wholeNumber(raw, "--latency-ms", "config", LATENCY_MAX);
            const config = latencyMs === undefined ? await ctx.sim.getConfig(ctx.env) : await ctx.sim.setConfig({ latencyMs }, ctx.env);
            ctx.out(ctx.p.values.json ? json(config) : fmt.formatConfig(config, ctx.env));
        },
    },
    executions: {
        group: "Rehearsal",
        forms: [{ args: "[--json]", summary: "remote execution count and log of a server" }],
        help: "Shows how many remote executions a server ran, and the log of each: start, duration, process, operations.",
        options: [...SERVER, "json"],
        run: async (ctx) => {
            positionals(ctx.p, 0);
            const name = await server(ctx);
            const stats = await ctx.sim.executionStats(name);
            ctx.out(ctx.p.values.json ? json(stats) : fmt.formatExecutions(name, stats));
        },
    },
    check: {
        group: "Rehearsal",
        forms: [{ args: "", summary: "validate every file of the store (names a bad one)" }],
        help: "Reads and validates every file of the store, and names the first bad one.",
        options: [],
        run: async (ctx) => {
            positionals(ctx.p, 0);
            const { servers, packs } = await ctx.sim.verify();
            const { hosts, deployments } = await ctx.sim.verifyFarm();
            ctx.out(`Store ${ctx.sim.home} is valid: ${servers} server(s), ${packs} key pack(s), ${hosts} session host(s), ${deployments} deployment(s)\n`);
        },
    },
    reset: {
        group: "Rehearsal",
        forms: [{ args: "", summary: "empty the store (also the way out of a damaged one)" }],
        help: "Empties the store: every server, key pack, log, fault, registry and setting is lost, and a new salt is drawn. Also the way out of a damaged store.",
        options: [],
        run: async (ctx) => {
            positionals(ctx.p, 0);
            await ctx.sim.reset();
            ctx.out(`Store ${ctx.sim.home} is empty again\n`);
        },
    },
};
