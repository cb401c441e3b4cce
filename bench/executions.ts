/**
 * Counting remote executions around one pulumi operation, from the simulator's durable per-server
 * counters and execution logs.
 *
 * Deleting a simulated server (what `destroy` ends with) deletes its counter and its log, so before
 * each operation every server's log gets a hard link in the project folder. The simulator only ever
 * appends to the log (same inode) and deletion only unlinks its name, so the link still holds every
 * execution the operation made, including the last uninstalls before the server went. A server that
 * still exists afterwards is counted by its counter; one that is gone, by the log entries (through
 * the link) whose sequence number is above the counter read before.
 */
import * as fs from "fs";
import * as path from "path";
import { openSimulator, type ExecutionLogEntry } from "../src/simulator";
import { executionLogFile, serverKey, storePaths } from "../src/simulator/paths";

export interface ExecutionCount {
    /** Remote executions, summed over the servers. */
    executions: number;
    /** Operations those executions carried (a coalesced execution carries many). */
    operations: number;
    /** Per server. */
    perServer: Record<string, number>;
}

interface Before {
    counts: Map<string, number>;
    links: Map<string, string>;
}

export class ExecutionCounter {
    private seq = 0;

    constructor(
        private readonly home: string,
        private readonly servers: string[],
        /** Where the hard links go (inside the project: same filesystem as the store). */
        private readonly linkDir: string,
    ) {}

    private async stats(server: string): Promise<{ count: number; log: ExecutionLogEntry[] } | undefined> {
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
        for (const server of this.servers) {
            const stats = await this.stats(server);
            counts.set(server, stats?.count ?? 0);
            const log = executionLogFile(storePaths(this.home), serverKey(server)!);
            if (!stats || !fs.existsSync(log)) continue;
            const link = path.join(this.linkDir, `${++this.seq}-${serverKey(server)}.jsonl`);
            fs.linkSync(log, link);
            links.set(server, link);
        }
        return { counts, links };
    }

    /** Call right after the operation: what it cost. */
    async after(before: Before): Promise<ExecutionCount> {
        const result: ExecutionCount = { executions: 0, operations: 0, perServer: {} };
        for (const server of this.servers) {
            const from = before.counts.get(server) ?? 0;
            const stats = await this.stats(server);
            let entries: ExecutionLogEntry[];
            let count: number;
            if (stats) {
                entries = stats.log.filter((e) => e.seq > from);
                count = stats.count - from;
            } else {
                // Deleted during the operation: its executions are in the hard-linked log.
                const link = before.links.get(server);
                entries = link ? readLog(link).filter((e) => e.seq > from) : [];
                count = entries.length;
            }
            result.perServer[server] = count;
            result.executions += count;
            result.operations += entries.reduce((n, e) => n + e.operations.length, 0);
        }
        for (const link of before.links.values()) fs.rmSync(link, { force: true });
        return result;
    }
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
