/**
 * `rds-licensing revoke --device <name> [--dry-run]`: give a retired device's per-device CAL back
 * to its pack (Win32_TSIssuedLicense.Revoke), within the documented limit: at most 20 % of one
 * version's per-device CALs in the revoked state, the next allowed when a revoked one expires.
 * `--user <name>` is always refused, with the reason (per-user CALs cannot be revoked).
 */
import { licenseUsage } from "../licensing/usage-server";
import { RevokeRefusal, type RevokeOutcome } from "../licensing/usage";
import { processIo, type CliIo } from "./io";
import { ReportUsageError, parseOptions, serverFilter, serverSource } from "./report-args";
import { usageTargets } from "./report-servers";

export const REVOKE_PROG = "rds-licensing revoke";

export const RevokeExitCode = {
    /** Revoked (or, with --dry-run, it would be). */
    Done: 0,
    /** Bad arguments, unreadable store or stack, a server that did not answer. */
    Error: 1,
    /** Refused: a per-user CAL, the version's limit reached (the next allowed date is printed), or no such CAL. */
    Refused: 2,
} as const;

export const REVOKE_USAGE = `Usage: ${REVOKE_PROG} --device <name> (--stack <name> [--cwd <dir>] | --home <dir>) [options]

Revokes the per-device CAL issued to a device (Win32_TSIssuedLicense.Revoke), so its pack can
issue it again. Windows allows it for per-device CALs only, and at most 20 % of one version's
installed per-device CALs (at least one) may be revoked at a time: each revoked CAL holds its place
until its own expiration date, the earliest of which is when the next revocation is allowed.

Options
  --device <name>   the client device whose CAL to revoke
  --user <name>     refused, with the reason: per-user CALs cannot be revoked
  --dry-run         say what would be revoked and how many more could be, change nothing
  --stack <name>    the stack whose license servers to search (from its state)
  --cwd <dir>       the Pulumi project folder of --stack (default: the current folder)
  --home <dir>      a simulator store instead (rdls-sim)
  --server <a,b>    only these license servers (default: each in turn until one holds the CAL)
  --json            the outcome as JSON
  -h, --help        show this help

Exit codes
  0  revoked (with --dry-run: it would be)
  1  error: bad arguments, unreadable store or stack, a server that did not answer
  2  refused: a per-user CAL, the version's limit reached (with the next allowed date), or no
     per-device CAL issued to that device

Examples
  ${REVOKE_PROG} --device PC-042 --stack prod --dry-run
  ${REVOKE_PROG} --device PC-042 --home .rdls-sim
`;

export function formatOutcome(o: RevokeOutcome): string {
    const lines = [`${o.licenseServer}: ${o.message}`];
    if (o.limit !== undefined) lines.push(`  limit: ${o.limit} revoked at a time (Windows Server ${o.productVersion} per-device CALs); ${o.revokableCals ?? 0} more can be revoked now`);
    if (o.nextRevokeAllowedOn) lines.push(`  next revocation allowed on: ${o.nextRevokeAllowedOn}`);
    return `${lines.join("\n")}\n`;
}

export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
    try {
        const p = parseOptions(
            argv,
            { "--device": "--device PC-042", "--user": "--user alice", "--stack": "--stack dev", "--cwd": "--cwd infra", "--home": "--home .rdls-sim", "--server": "--server ls1" },
            ["--dry-run", "--json", "--help"],
            REVOKE_PROG,
        );
        if (p.flags.has("--help")) {
            io.stdout(REVOKE_USAGE);
            return RevokeExitCode.Done;
        }
        const device = p.values.get("--device");
        const user = p.values.get("--user");
        if ((device === undefined) === (user === undefined)) throw new ReportUsageError("name the CAL's holder: --device <name> (per-device CALs can be revoked), e.g. --device PC-042");
        const source = serverSource(p, io.cwd);
        const targets = await usageTargets(source, serverFilter(p), io.env, (line) => io.stderr(`revoke: warning: ${line}\n`));
        const dryRun = p.flags.has("--dry-run");
        let outcome: RevokeOutcome | undefined;
        for (const t of targets) {
            outcome = await licenseUsage(t.server, t.executor).revoke(device !== undefined ? { device } : { user: user! }, { dryRun });
            // A user is refused the same everywhere; a device is looked for server by server.
            if (outcome.refusal !== RevokeRefusal.NotFound) break;
        }
        if (!outcome) throw new ReportUsageError("no license server to ask");
        io.stdout(p.flags.has("--json") ? `${JSON.stringify(outcome, null, 2)}\n` : formatOutcome(outcome));
        return outcome.refusal ? RevokeExitCode.Refused : RevokeExitCode.Done;
    } catch (err) {
        io.stderr(`revoke: error: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}\n`);
        return RevokeExitCode.Error;
    }
}
