/**
 * The usage side of one license server, LicenseServer-style: typed calls over a UsageExecutor (the
 * transport: the simulator, or the PowerShell usage script over a runner). Each call is one remote
 * execution; a refusal of the server rejects with a LicensingError.
 */
import { LicensingError, type LicensingErrorData } from "./errors";
import type { RevokeOutcome, ServerUsageReport, UsageOperation, UsageOperationValues } from "./usage";

export type UsageOperationResult<N extends UsageOperation["op"] = UsageOperation["op"]> =
    | { ok: true; value: UsageOperationValues[N] }
    | { ok: false; error: LicensingErrorData };

/** Runs usage operations against one server in a single remote execution, in order. */
export interface UsageExecutor {
    execute(server: string, operations: readonly UsageOperation[]): Promise<UsageOperationResult[]>;
}

export interface LicenseUsage {
    readonly name: string;
    /** GenerateReportEx, every Fetch*Entries table paged to LSERVER_I_NO_MORE_DATA, DeleteReport. */
    report(options?: { pageSize?: number }): Promise<ServerUsageReport>;
    /** Win32_TSIssuedLicense.Revoke of a device's per-device CAL; `user` is always refused (per-user CALs). */
    revoke(target: { device: string } | { user: string }, options?: { dryRun?: boolean }): Promise<RevokeOutcome>;
}

export function licenseUsage(name: string, executor: UsageExecutor): LicenseUsage {
    async function one<N extends UsageOperation["op"]>(op: UsageOperation & { op: N }): Promise<UsageOperationValues[N]> {
        const [result] = await executor.execute(name, [op]);
        if (!result) throw new LicensingError({ kind: "failed", message: `${name} returned no result for ${op.op}` });
        if (!result.ok) throw new LicensingError(result.error);
        return result.value as UsageOperationValues[N];
    }
    return {
        name,
        report: (options = {}) => one({ op: "usage-report", ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }) }),
        revoke: (target, options = {}) => one({ op: "revoke-cal", ...target, dryRun: options.dryRun === true }),
    };
}
