/**
 * `rds-licensing sim <command>`: the simulator's admin CLI (src/simulator/cli.ts), under the one
 * command-line tool. Exit codes: 0 done, 1 refused by the simulator, 2 usage error (nothing changed).
 */
import { main, PROG } from "../simulator/cli";
import type { CliIo } from "./io";

export function run(argv: readonly string[], io: CliIo): Promise<number> {
    return main(argv, io, { prog: PROG });
}
