/**
 * A simulated farm as the tests read it back from its store, outside the product's code: the session
 * hosts as the simulator's CLI shows them, the files of a store folder, and the execution logs that
 * count remote executions (a line each: `executions/farm/<broker or host>.jsonl`,
 * `executions/<license server>.jsonl`).
 */
import * as fs from "fs";
import * as path from "path";

/** A session host as `rds-licensing sim hosts --json` and a licensing resource's `hosts` output show it. */
export interface SimHost {
    name: string;
    windowsServerVersion: string;
    deployment?: string;
    mode: string;
    licenseServers: string[];
    graceDaysLeft: number;
    connectivity: { licenseServer: string; status: number }[];
    policy: { modeByGroupPolicy: boolean; licenseServersByGroupPolicy: boolean };
}

/** The file names in a folder of the store (`hosts`, `deployments`, `executions/farm`); none before it exists. */
export function storeFiles(home: string, folder: string): string[] {
    const full = path.join(home, folder);
    return fs.existsSync(full) ? fs.readdirSync(full) : [];
}

/** The lines of one execution log of the store, oldest first; none before the first execution. */
function logLines(file: string): string[] {
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim()) : [];
}

/** The remote executions on a broker or host so far (its farm execution log): each one's operations. */
export function farmExecutions(home: string, machine: string): string[][] {
    const log = path.join(home, "executions", "farm", `${machine.toLowerCase()}.jsonl`);
    return logLines(log).map((l) => (JSON.parse(l) as { operations: string[] }).operations);
}

/** How many remote executions ran on a license server so far (its execution log). */
export function serverExecutionCount(home: string, server: string): number {
    return logLines(path.join(home, "executions", `${server.toLowerCase()}.jsonl`)).length;
}
