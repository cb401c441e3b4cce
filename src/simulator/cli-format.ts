/** Human output of the simulator's admin CLI: aligned tables and key/value blocks. */
import type { ServerStatus } from "../licensing/operations";
import type { ExecutionStats, LatencyConfig, RegistrySummary } from "./controls";
import { LATENCY_ENV } from "./faults";
import type { ExecutionLogEntry, Faults } from "./state";
import type { ServerSummary, SimulatorPack } from "./views";

/** Left-aligned text columns, right-aligned numeric columns, two spaces apart. */
export function table(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
    const numeric = headers.map((_, c) => rows.length > 0 && rows.every((r) => typeof r[c] === "number"));
    const cells = [headers, ...rows.map((r) => r.map(String))];
    const widths = headers.map((_, c) => Math.max(...cells.map((r) => String(r[c] ?? "").length)));
    const line = (r: readonly (string | number)[]) =>
        r
            .map((v, c) => (numeric[c] ? String(v).padStart(widths[c]!) : String(v).padEnd(widths[c]!)))
            .join("  ")
            .trimEnd();
    return `${[line(headers), ...cells.slice(1).map(line)].join("\n")}\n`;
}

function block(pairs: readonly [string, string][]): string {
    const width = Math.max(...pairs.map(([k]) => k.length));
    return pairs.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n") + "\n";
}

/** `prog`: how the user called the CLI, for the hint. */
export function formatServers(servers: readonly ServerSummary[], prog = "rds-licensing sim"): string {
    if (servers.length === 0) return `No license servers. Create one: ${prog} create-server <name> --version <2016|2019|2022|2025>\n`;
    return table(
        ["NAME", "VERSION", "ACTIVATION", "PACKS", "TOTAL", "ISSUED", "AVAILABLE", "EXECUTIONS"],
        servers.map((s) => [s.name, s.windowsServerVersion, s.activation, s.packs, s.totalLicenses, s.issuedLicenses, s.availableLicenses, s.executions]),
    );
}

export function formatStatus(s: ServerStatus): string {
    const c = s.contact;
    const name = [c.firstName, c.lastName].filter(Boolean).join(" ");
    const company = [c.company, c.countryRegion && `(${c.countryRegion})`].filter(Boolean).join(" ");
    const contact = [name, company, c.email].filter(Boolean).join(", ");
    return block([
        ["Server", s.name],
        ["Windows Server", s.windowsServerVersion],
        ["Activation", s.activation],
        ["License server ID", s.licenseServerId ?? "-"],
        ["Contact", contact || "-"],
    ]);
}

export function formatPacks(server: string, packs: readonly SimulatorPack[]): string {
    if (packs.length === 0) return `No key packs on ${server}.\n`;
    return table(
        ["ID", "PROGRAM", "VERSION", "TYPE", "TOTAL", "ISSUED", "AVAILABLE", "EXPIRES"],
        packs.map((p) => [p.keyPackId, p.programName, p.productVersion, p.licenseType, p.totalLicenses, p.issuedLicenses, p.availableLicenses, p.expirationDate?.slice(0, 10) ?? "never"]),
    );
}

export function formatFaults(f: Faults): string {
    const slow = f.slow
        ? `+${f.slow.extraMs} ms ${f.slow.remaining === undefined ? "on every execution" : `for the next ${f.slow.remaining} execution(s)`}`
        : "off";
    return block([
        ["Clearinghouse", f.clearinghouseUnreachable ? "unreachable" : "reachable"],
        ["Transient failures", f.transientFailures > 0 ? `the next ${f.transientFailures} execution(s)` : "off"],
        ["Slow executions", slow],
        ["Installs", f.installVersion ? `make ${f.installVersion} packs, whatever version is asked` : "as asked"],
    ]);
}

export function formatRegistry(r: RegistrySummary | undefined): string {
    if (!r) return "No registry loaded: every well-formed number is accepted.\n";
    return block([
        ["Loaded", r.loadedAt],
        ["Agreements", String(r.agreements)],
        ["Retail codes", String(r.retail)],
        ["Open licenses", String(r.openLicenses)],
    ]);
}

export function formatConfig(c: LatencyConfig, env: NodeJS.ProcessEnv): string {
    const override = env[LATENCY_ENV] ? ` (${LATENCY_ENV} overrides the config)` : "";
    return block([
        ["latency-ms", String(c.latencyMs)],
        ["effective latency-ms", `${c.effectiveLatencyMs}${override}`],
    ]);
}

export function formatExecutions(server: string, stats: ExecutionStats): string {
    const head = `${stats.count} execution(s) on ${server}\n`;
    if (stats.log.length === 0) return head;
    return head + table(
        ["SEQ", "START", "MS", "PID", "OPERATIONS"],
        stats.log.map((e: ExecutionLogEntry) => [e.seq, new Date(e.start).toISOString(), e.end - e.start, e.pid, e.operations.join(",")]),
    );
}
