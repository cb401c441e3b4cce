/**
 * Where a simulator store lives and how its files are named. One directory per store; per-server
 * files so that a large population of servers does not turn every write into a rewrite of everything.
 */
import * as path from "node:path";
import { LicensingError } from "../licensing/errors";

/** Environment variable that overrides the default store location. */
export const HOME_ENV = "RDLS_SIM_HOME";
/** Default store directory, resolved against the current working directory. */
export const DEFAULT_HOME_DIR = ".rdls-sim";

/**
 * The store directory: explicit option, else $RDLS_SIM_HOME, else ./.rdls-sim (all resolved against cwd).
 * An explicit empty (or blank) folder is refused: resolved, it would be the current folder itself.
 */
export function resolveHome(home?: string, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
    if (home !== undefined && home.trim() === "") {
        throw new LicensingError({
            kind: "invalid-parameter",
            message: `the simulator store folder is empty (got ${JSON.stringify(home)}); give a folder such as .rdls-sim, or leave it out for $${HOME_ENV} or ./${DEFAULT_HOME_DIR}`,
        });
    }
    const chosen = home ?? (env[HOME_ENV] ? env[HOME_ENV] : undefined) ?? DEFAULT_HOME_DIR;
    return path.resolve(cwd, chosen);
}

export interface StorePaths {
    readonly home: string;
    readonly config: string;
    readonly faults: string;
    readonly registry: string;
    readonly serversDir: string;
    readonly executionsDir: string;
    readonly locksDir: string;
    readonly storeLock: string;
    /** The farm (farm-store.ts): session hosts, deployments, the simulated clock. Absent folders mean none. */
    readonly hostsDir: string;
    readonly deploymentsDir: string;
    readonly clock: string;
    readonly farmExecutionsDir: string;
}

export function storePaths(home: string): StorePaths {
    const locksDir = path.join(home, "locks");
    return {
        home,
        config: path.join(home, "config.json"),
        faults: path.join(home, "faults.json"),
        registry: path.join(home, "clearinghouse.json"),
        serversDir: path.join(home, "servers"),
        executionsDir: path.join(home, "executions"),
        locksDir,
        storeLock: path.join(locksDir, "store.lock"),
        hostsDir: path.join(home, "hosts"),
        deploymentsDir: path.join(home, "deployments"),
        clock: path.join(home, "clock.json"),
        farmExecutionsDir: path.join(home, "executions", "farm"),
    };
}

export const serverFile = (p: StorePaths, key: string) => path.join(p.serversDir, `${key}.json`);
export const executionLogFile = (p: StorePaths, key: string) => path.join(p.executionsDir, `${key}.jsonl`);
export const hostFile = (p: StorePaths, key: string) => path.join(p.hostsDir, `${key}.json`);
export const deploymentFile = (p: StorePaths, key: string) => path.join(p.deploymentsDir, `${key}.json`);
/** Farm executions (on a broker or a standalone host) are logged apart from a license server's of the same name. */
export const farmExecutionLogFile = (p: StorePaths, key: string) => path.join(p.farmExecutionsDir, `${key}.jsonl`);
/** One execution at a time per machine: a broker that is also a license server shares its lock. */
export const executionLockFile = (p: StorePaths, key: string) => path.join(p.locksDir, `exec-${key}.lock`);

/** A computer name (a DNS label): letters, digits and inner hyphens, at most 63 characters. */
const SERVER_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * The file key of a server name, or undefined when the name is not a valid computer name.
 * Windows computer names are case-insensitive, so the key is lower-case.
 */
export function serverKey(name: unknown): string | undefined {
    return typeof name === "string" && SERVER_NAME.test(name) ? name.toLowerCase() : undefined;
}
