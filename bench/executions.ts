/**
 * Counting remote executions around one pulumi operation, per machine: license servers from the
 * simulator's durable per-server counters and execution logs, Connection Brokers from their farm
 * execution logs (`<store>/executions/farm/<broker>.jsonl`, whose last sequence number is the
 * deployment's counter).
 *
 * Deleting a simulated server or deployment (what `destroy` ends with) deletes its counter and its
 * log, so before each operation every machine's log gets a hard link in the project folder. The
 * simulator only ever appends to a log (same inode) and deletion only unlinks its name, so the link
 * still holds every execution the operation made, including the last ones before the machine went. A
 * machine that still exists afterwards is counted by its counter; one that is gone, by the log
 * entries (through the link) whose sequence number is above the counter read before.
 */
import * as fs from "fs";
import * as path from "path";
import { openSimulator, type ExecutionLogEntry } from "../src/simulator";
import { executionLogFile, farmExecutionLogFile, serverKey, storePaths } from "../src/simulator/paths";

export interface ExecutionCount {
    /** Remote executions, summed over the machines. */
    executions: number;
    /** Operations those executions carried (a coalesced execution carries many). */
    operations: number;
    /** Per machine (license server or broker), by name. */
    perServer: Record<string, number>;
}

interface Before {
    counts: Map<string, number>;
    links: Map<string, string>;
}

/** A machine executions run on: its counter and log now (undefined when it does not exist), its log file. */
interface Machine {
    name: string;
    log: string;
    stats(): Promise<{ count: number; log: ExecutionLogEntry[] } | undefined>;
}

export class ExecutionCounter {
    private seq = 0;
    private readonly machines: Machine[];

    constructor(
        private readonly home: string,
        servers: string[],
        /** Where the hard links go (inside the project: same filesystem as the store). */
        private readonly linkDir: string,
        /** Connection Brokers of simulated deployments. */
        brokers: string[] = [],
    ) {
        const paths = storePaths(home);
        this.machines = [
            ...servers.map((name) => ({ name, log: executionLogFile(paths, serverKey(name)!), stats: () => this.serverStats(name) })),
            ...brokers.map((name) => {
                const log = farmExecutionLogFile(paths, serverKey(name)!);
                return { name, log, stats: async () => brokerStats(log) };
            }),
        ];
    }

    private async serverStats(server: string): Promise<{ count: number; log: ExecutionLogEntry[] } | undefined> {
        if (!fs.existsSync(storePaths(this.home).home)) return undefined;
        try {
            return await openSimulator({ home: this.home }).executionStats(server);
        } catch (err) {
            if ((err as { kind?: string }).kind === "not-found") return undefined;
            throw err;
        }
    }

    /** Call right before the operation. */
    async before(): Promise<Before> {
        const counts = new Map<string, number>();
        const links = new Map<string, string>();
        fs.mkdirSync(this.linkDir, { recursive: true });
        for (const machine of this.machines) {
            const stats = await machine.stats();
            counts.set(machine.name, stats?.count ?? 0);
            if (!stats || !fs.existsSync(machine.log)) continue;
            const link = path.join(this.linkDir, `${++this.seq}-${path.basename(machine.log)}`);
            fs.linkSync(machine.log, link);
            links.set(machine.name, link);
        }
        return { counts, links };
    }

    /** Call right after the operation: what it cost. */
    async after(before: Before): Promise<ExecutionCount> {
        const result: ExecutionCount = { executions: 0, operations: 0, perServer: {} };
        for (const machine of this.machines) {
            const from = before.counts.get(machine.name) ?? 0;
            const stats = await machine.stats();
            let entries: ExecutionLogEntry[];
            let count: number;
            if (stats) {
                entries = stats.log.filter((e) => e.seq > from);
                count = stats.count - from;
            } else {
                // Deleted during the operation: its executions are in the hard-linked log.
                const link = before.links.get(machine.name);
                entries = link ? readLog(link).filter((e) => e.seq > from) : [];
                count = entries.length;
            }
            result.perServer[machine.name] = count;
            result.executions += count;
            result.operations += entries.reduce((n, e) => n + e.operations.length, 0);
        }
        for (const link of before.links.values()) fs.rmSync(link, { force: true });
        return result;
    }
}

/** A broker's log, its last sequence number standing for the deployment's counter; undefined without a log. */
function brokerStats(log: string): { count: number; log: ExecutionLogEntry[] } | undefined {
    if (!fs.existsSync(log)) return undefined;
    const entries = readLog(log);
    return { count: Math.max(0, ...entries.map((e) => e.seq)), log: entries };
}

function readLog(file: string): ExecutionLogEntry[] {
    return fs
        .readFileSync(file, "utf8")
        .split("\n")
        .flatMap((line) => {
            try {
                return line.trim() ? [JSON.parse(line) as ExecutionLogEntry] : [];
            } catch {
                return [];
            }
        });
}
