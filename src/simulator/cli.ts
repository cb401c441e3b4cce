/**
 * rdls-sim, the admin CLI of the simulator. Exit codes: 0 done, 1 refused by the simulator (message
 * on stderr), 2 usage error (nothing changed).
 */
import { LicensingError } from "../licensing/errors";
import { Simulator } from "./admin";
import { parse, UsageError } from "./cli-args";
import { COMMANDS } from "./cli-commands";
import { resolveHome } from "./paths";

export const USAGE = `Usage: rdls-sim <command> [arguments] [--home <dir>] [--server <name>]

RD License Server + Microsoft Clearinghouse simulator. The store is --home, else $RDLS_SIM_HOME,
else ./.rdls-sim. --server defaults to the only server of the store.

Servers
  servers [--json]                              list the license servers
  create-server <name> --version <v>            add a server (v: 2016, 2019, 2022, 2025), not activated
                [--first-name F --last-name L --company C --country CC --email E]
  delete-server <name>                          remove a server and its execution log
  status [--json]                               activation, license server ID, contact
  activate [--first-name F --last-name L --company C --country CC --email E]
                                                activate (needs the contact and the Clearinghouse)
  reactivate                                    renew the activation (needs the Clearinghouse)
  deactivate                                    deactivate; packs stay, installs are refused

Key packs (a human on the server: not counted as remote executions)
  packs [--json] [--all]                        list packs (--all adds the built-in pack)
  issue <keyPackId> <count>                     users take licenses: available -> issued
  revoke <keyPackId> <count>                    per-device only, at most 20% of the pack: issued -> available
  remove-licenses <keyPackId> <count>           remove available licenses from a pack
  uninstall <keyPackId>                         remove a pack

Rehearsal
  faults [show|clear] [--json]                  show or clear injected faults
  faults set [--clearinghouse up|down] [--transient N] [--slow-ms MS [--slow-count N]]
                                                Clearinghouse outage; the next N executions fail as
                                                transport errors; +MS per execution (for N executions),
                                                MS at most 600000 (10 minutes)
  clearinghouse load <file> | show | clear      registry of purchased entitlements (stored hashed)
  config [--latency-ms N] [--json]              per-execution latency, 0 to 600000 ms ($RDLS_SIM_LATENCY_MS wins)
  executions [--json]                           remote execution count and log of a server
  check                                         validate every file of the store (names a bad one)
  reset                                         empty the store (also the way out of a damaged one)

Exit codes: 0 ok, 1 refused (message on stderr), 2 usage error (nothing changed).
`;

export interface CliIO {
    stdout(text: string): void;
    stderr(text: string): void;
    env: NodeJS.ProcessEnv;
    cwd: string;
}

const processIO = (): CliIO => ({
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
});

/** Run the CLI; resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
    try {
        const p = parse(argv);
        if (p.values.help || p.command === "help" || p.command === undefined) {
            (p.command === undefined && !p.values.help ? io.stderr : io.stdout)(USAGE);
            return p.command === undefined && !p.values.help ? 2 : 0;
        }
        const command = COMMANDS[p.command];
        if (!command) throw new UsageError(`unknown command "${p.command}"`);
        const sim = new Simulator({ home: resolveHome(p.values.home, io.env, io.cwd) });
        await command({ p, sim, out: io.stdout, env: io.env });
        return 0;
    } catch (err) {
        if (err instanceof UsageError) {
            io.stderr(`rdls-sim: ${err.message}\n\n${USAGE}`);
            return 2;
        }
        if (err instanceof LicensingError) {
            io.stderr(`rdls-sim: ${err.message}\n`);
            return 1;
        }
        io.stderr(`rdls-sim: unexpected error: ${(err as Error)?.message ?? String(err)}\n`);
        return 1;
    }
}
