/**
 * The farm's commands of the simulator CLI (merged into COMMANDS, so the command list and each
 * `--help` are generated from them): session hosts, deployments, connections, the clock, and the
 * hand changes a rehearsal needs (mode, license server list, Group Policy locks).
 */
import { PRODUCT_VERSIONS, type ProductVersion } from "../licensing/codes";
import { LicensingError } from "../licensing/errors";
import { HostLicensingMode, LicenseServerConnectivity, type SessionHostLicensing } from "../licensing/farm";
import type { IssuedLicenseView } from "./admin-farm";
import { positionals, UsageError } from "./cli-args";
import type { CliContext, CommandSpec } from "./cli-commands";
import { table } from "./cli-format";
import { parseDuration, type ClockView } from "./clock";

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const MODES = Object.values(HostLicensingMode) as string[];
const STATUS_NAME = new Map<number, string>(Object.entries(LicenseServerConnectivity).map(([k, v]) => [v, k]));

export function formatHosts(hosts: readonly SessionHostLicensing[], prog: string): string {
    if (hosts.length === 0) return `No session hosts. Create one: ${prog} create-host <name> --version <2016|2019|2022|2025>\n`;
    const policy = (h: SessionHostLicensing) =>
        [h.policy.modeByGroupPolicy ? "mode" : "", h.policy.licenseServersByGroupPolicy ? "servers" : ""].filter(Boolean).join("+") || "-";
    return table(
        ["NAME", "VERSION", "DEPLOYMENT", "MODE", "LICENSE SERVERS (CONNECTIVITY)", "GRACE DAYS", "GROUP POLICY"],
        hosts.map((h) => [
            h.name,
            h.windowsServerVersion,
            h.deployment ?? "-",
            h.mode,
            h.connectivity.map((c) => `${c.licenseServer} (${STATUS_NAME.get(c.status) ?? c.status} ${c.status})`).join(", ") || "-",
            h.graceDaysLeft,
            policy(h),
        ]),
    );
}

export function formatLicenses(licenses: readonly IssuedLicenseView[]): string {
    if (licenses.length === 0) return "No licenses issued to users or devices.\n";
    return table(
        ["SERVER", "ID", "STATUS", "TO", "PACK", "HOST", "ISSUED", "EXPIRES"],
        licenses.map((l) => [
            l.licenseServer,
            l.licenseId,
            l.expired ? `${l.status} (expired)` : l.status,
            l.issuedToUser ?? l.issuedToComputer ?? "-",
            l.keyPackId === undefined ? "-" : String(l.keyPackId),
            l.host,
            l.issueDate.slice(0, 10),
            l.expirationDate?.slice(0, 10) ?? "never",
        ]),
    );
}

const formatClock = (c: ClockView) => `Simulated time ${c.now} (${c.offsetDays} day(s) ahead of real time)\n`;

function versionOf(ctx: CliContext, command: string): ProductVersion {
    const version = ctx.p.values.version;
    if (!PRODUCT_VERSIONS.includes(version as ProductVersion)) {
        throw new UsageError(`--version must be one of ${PRODUCT_VERSIONS.join(", ")} (got ${version === undefined ? "nothing" : JSON.stringify(version)})`, command);
    }
    return version as ProductVersion;
}

function required(ctx: CliContext, option: "host" | "user", command: string): string {
    const value = ctx.p.values[option];
    if (value === undefined || value.trim() === "") throw new UsageError(`${command} needs --${option} <name>`, command);
    return value;
}

const settingsLine = (v: { mode: string; licenseServers: string[] }) => `mode ${v.mode}, license servers ${v.licenseServers.join(", ") || "none"}`;
const HAND = "A human on the machine: not counted as a remote execution.";

export const FARM_COMMANDS: Record<string, CommandSpec> = {
    hosts: {
        group: "Farm",
        forms: [{ args: "[--json]", summary: "session hosts: mode, servers, connectivity, grace days" }],
        help: "Lists every session host as RD Licensing Diagnoser would: Windows Server version, deployment, licensing mode, license servers with the connectivity GetTStoLSConnectivityStatus reports (11 valid, 4 lower version, 6 not connectable, 7 unknown validity: not activated), grace days left and the settings Group Policy sets.",
        options: ["json"],
        run: async (ctx) => {
            positionals(ctx.p, 0);
            const hosts = await ctx.sim.hosts();
            ctx.out(ctx.p.values.json ? json(hosts) : formatHosts(hosts, ctx.prog));
        },
    },
    "create-host": {
        group: "Farm",
        forms: [{ args: "<name> --version <v> [--deployment <broker>]", summary: "add a session host (mode NotConfigured; grace starts)" }],
        help: "Adds a session host of Windows Server <v> (2016, 2019, 2022, 2025): licensing mode NotConfigured, no license server, its 120-day grace period starting now (simulated time). With --deployment it joins that deployment, which applies its licensing to it.",
        options: ["version", "deployment"],
        run: async (ctx) => {
            positionals(ctx.p, 1);
            const version = versionOf(ctx, "create-host");
            const input = { name: ctx.p.args[0]!, windowsServerVersion: version, ...(ctx.p.values.deployment === undefined ? {} : { deployment: ctx.p.values.deployment }) };
            const h = await ctx.sim.createHost(input);
            ctx.out(`Created session host ${h.name} (Windows Server ${h.windowsServerVersion}${h.deployment ? `, in the deployment of ${h.deployment}` : ""}): ${settingsLine(h)}, ${h.graceDaysLeft} grace day(s) left\n`);
        },
    },
    "create-deployment": {
        group: "Farm",
        forms: [{ args: "<broker> [--hosts h1,h2]", summary: "add an RDS deployment (its Connection Broker)" }],
        help: "Adds an RDS deployment named after its Connection Broker, licensing mode NotConfigured, with the given existing standalone session hosts. Set its licensing with set-mode / set-license-servers on the broker's name (Set-RDLicenseConfiguration: applied to every host).",
        options: ["hosts"],
        run: async (ctx) => {
            positionals(ctx.p, 1);
            const raw = ctx.p.values.hosts;
            const sessionHosts = raw === undefined ? [] : raw.split(",").map((h) => h.trim());
            if (sessionHosts.some((h) => h === "")) throw new UsageError(`--hosts takes names separated by commas (got ${JSON.stringify(raw)})`, "create-deployment");
            const d = await ctx.sim.createDeployment({ broker: ctx.p.args[0]!, sessionHosts });
            ctx.out(`Created the deployment of ${d.broker} with ${d.sessionHosts.length} session host(s)${d.sessionHosts.length ? `: ${d.sessionHosts.join(", ")}` : ""}\n`);
        },
    },
    connect: {
        group: "Farm",
        forms: [{ args: "--host <h> --user <u> [--device <d>] [--json]", summary: "a user connects; the host gets a CAL (or is refused)" }],
        help: "A user connects to a session host, which requests a license the way RD Session Host does: per its mode, from its license servers in order (activated, reachable ones only), CALs of the right type and of the host's version or newer. Per device: a temporary license at a device's first connection, a permanent CAL at the next. Per user: a CAL, or an over-allocation when none is left. Within the 120-day grace period a connection without a license gets in; after it, it is refused with the client's error text (exit 1).",
        options: ["host", "user", "device", "json"],
        run: async (ctx) => {
            positionals(ctx.p, 0);
            const host = required(ctx, "host", "connect");
            const user = required(ctx, "user", "connect");
            const device = ctx.p.values.device;
            const r = await ctx.sim.connect(host, device === undefined ? { user } : { user, device });
            if (ctx.p.values.json) ctx.out(json(r));
            if (!r.connected) throw new LicensingError({ kind: "failed", message: `${r.user} could not connect to ${r.host}: ${r.message}` });
            if (!ctx.p.values.json) ctx.out(`${r.user} connected to ${r.host} (${r.license}): ${r.message}\n`);
        },
    },
    licenses: {
        group: "Farm",
        forms: [{ args: "[--json]", summary: "who holds which license (user/device, pack, dates)" }],
        help: "Lists the licenses the servers issued through connections (Win32_TSIssuedLicense): temporary and permanent per-device licenses, per-user CALs and over-allocations, with the pack, the host that asked and the dates (simulated time).",
        options: ["json"],
        run: async (ctx) => {
            positionals(ctx.p, 0);
            const licenses = await ctx.sim.issuedLicenses();
            ctx.out(ctx.p.values.json ? json(licenses) : formatLicenses(licenses));
        },
    },
    clock: {
        group: "Farm",
        forms: [
            { args: "[show] [--json]", summary: "the simulated time" },
            { args: "advance <N>d|<N>h", summary: "move the simulated time forward N days or hours" },
        ],
        help: "Shows the simulated time, or moves it forward (never back): grace periods run out, temporary licenses and per-device CALs expire. Every process using the store sees the same time.",
        options: ["json"],
        run: async (ctx) => {
            const action = ctx.p.args[0] ?? "show";
            if (action === "advance") {
                positionals(ctx.p, 2);
                const ms = parseDuration(ctx.p.args[1]);
                if (ms === undefined) throw new UsageError(`clock advance takes <N>d or <N>h, N from 1 (at most 36525 days) (got ${JSON.stringify(ctx.p.args[1])})`, "clock");
                const c = await ctx.sim.advanceClock(ms);
                ctx.out(ctx.p.values.json ? json(c) : formatClock(c));
                return;
            }
            if (action !== "show") throw new UsageError(`unknown clock action "${action}" (show, advance)`, "clock");
            positionals(ctx.p, 0, 1);
            const c = await ctx.sim.clock();
            ctx.out(ctx.p.values.json ? json(c) : formatClock(c));
        },
    },
    "set-mode": {
        group: "Farm",
        forms: [{ args: "<host|broker> <PerUser|PerDevice|NotConfigured>", summary: "change a licensing mode by hand" }],
        help: `Changes the licensing mode of a session host (ChangeMode; refused with WBEM_E_INVALID_OPERATION when Group Policy sets it) or, given a broker's name, of its deployment and every host of it (Set-RDLicenseConfiguration). On a deployment's host: drift from its deployment. ${HAND}`,
        options: [],
        run: async (ctx) => {
            positionals(ctx.p, 2);
            const mode = ctx.p.args[1]!;
            if (!MODES.includes(mode)) throw new UsageError(`the mode must be one of ${MODES.join(", ")} (got ${JSON.stringify(mode)})`, "set-mode");
            const v = await ctx.sim.setMode(ctx.p.args[0]!, mode as HostLicensingMode);
            ctx.out(`${"broker" in v ? `Deployment of ${v.broker}` : `Session host ${v.name}`}: ${settingsLine(v)}\n`);
        },
    },
    "set-license-servers": {
        group: "Farm",
        forms: [{ args: "<host|broker> [<name>...]", summary: "change a license server list by hand (none: empty)" }],
        help: `Sets the license server list, in preference order, of a session host (SetSpecifiedLicenseServerList; refused when Group Policy sets it) or, given a broker's name, of its deployment and every host of it. Names are computer names or FQDNs; none empties the list. ${HAND}`,
        options: [],
        run: async (ctx) => {
            positionals(ctx.p, 1, 64);
            const v = await ctx.sim.setLicenseServers(ctx.p.args[0]!, ctx.p.args.slice(1));
            ctx.out(`${"broker" in v ? `Deployment of ${v.broker}` : `Session host ${v.name}`}: ${settingsLine(v)}\n`);
        },
    },
    "lock-policy": {
        group: "Farm",
        forms: [{ args: "<host> [--mode] [--license-servers] [--unlock]", summary: "Group Policy sets these settings (or no longer)" }],
        help: "Marks a session host's licensing mode (--mode) and/or license server list (--license-servers) as set by Group Policy, keeping their values: setting them on the host then fails with WBEM_E_INVALID_OPERATION, and a deployment's configuration no longer reaches them. --unlock undoes it. Without --mode or --license-servers, both.",
        options: ["mode", "license-servers", "unlock"],
        run: async (ctx) => {
            positionals(ctx.p, 1);
            const v = ctx.p.values;
            const both = !v.mode && !v["license-servers"];
            const value = !v.unlock;
            const lock = { ...(both || v.mode ? { mode: value } : {}), ...(both || v["license-servers"] ? { licenseServers: value } : {}) };
            const h = await ctx.sim.lockPolicy(ctx.p.args[0]!, lock);
            const set = [h.policy.modeByGroupPolicy ? "mode" : "", h.policy.licenseServersByGroupPolicy ? "license servers" : ""].filter(Boolean).join(" and ");
            ctx.out(`Session host ${h.name}: Group Policy sets ${set || "nothing"}\n`);
        },
    },
};
