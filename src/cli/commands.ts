/**
 * The subcommands of `rds-licensing`. Adding one is a module under src/cli/ that exports
 * `run(argv, io): Promise<number>` (its exit code; it prints its own `--help`) plus one line here.
 * Modules load only when their command runs, so `--help` and the other commands stay fast.
 */
import type { CliIo } from "./io";

export interface Subcommand {
    /** Runs the command on the arguments after its name; resolves to its exit code, never throws for bad input. */
    run(argv: readonly string[], io: CliIo): Promise<number>;
}

export interface CommandEntry {
    name: string;
    /** One line for `rds-licensing --help`. */
    summary: string;
    /** Its exit codes, one line for `rds-licensing --help` (the command's own help has the details). */
    exitCodes: string;
    load(): Promise<Subcommand>;
}

export const COMMANDS: readonly CommandEntry[] = [
    {
        name: "drift",
        summary: "does the farm still match the stack? `pulumi preview --refresh`, licensing health, CAL usage",
        exitCodes: "0 in sync, 2 drift, 4 health findings only, 3 usage warnings only (--warn-at), 1 error",
        load: () => import("./drift.js"),
    },
    {
        name: "report",
        summary: "who holds the CALs: per-user, per-device, failed-issuance and summary tables (JSON, CSV, HTML)",
        exitCodes: "0 no finding, 4 over-allocated per-user CALs, 3 failed issuances only, 1 error",
        load: () => import("./report.js"),
    },
    {
        name: "revoke",
        summary: "revoke a retired device's per-device CAL (--device), within the 20 % limit",
        exitCodes: "0 revoked (or would be, --dry-run), 2 refused (per-user, limit, none), 1 error",
        load: () => import("./revoke.js"),
    },
    {
        name: "sim",
        summary: "the rdls-sim simulator: license servers, key packs, faults (`sim --help` lists them)",
        exitCodes: "0 done, 1 refused by the simulator, 2 usage error",
        load: () => import("./sim.js"),
    },
];
