/**
 * UsageExecutor over a ScriptRunner: the usage script (report-script.ts) of a batch of report and
 * revocation operations as one execution on a license server, results framed, decoded and mapped
 * like the license server executor's (channel.ts, errors.ts). Operations that are malformed fail
 * here, before the server is asked.
 */
import { DEFAULT_PRODUCT_VERSION_IDS, LicensingErrorKind, type LicensingErrorData, type ProductVersion } from "../../licensing";
import type { UsageOperation } from "../../licensing/usage";
import type { UsageExecutor, UsageOperationResult } from "../../licensing/usage-server";
import type { ScriptRunner } from "../runners/script-runner";
import { BatchChannel, noResult } from "./channel";
import { describeWireError, type Redactor } from "./errors";
import { DEFAULT_OUTPUT_BUDGET, newNonce } from "./protocol";
import { decodeRevokeValue, decodeUsageReport, renderUsageScript, usageScriptInput } from "./report-script";
import type { WireError } from "./wire";

export interface PowerShellUsageExecutorOptions {
    /** The runner for a license server, or one runner for all. */
    runner: ScriptRunner | ((server: string) => ScriptRunner);
    /**
     * How long one execution may take: a report reads every issued license of the server.
     * @default 600_000
     */
    timeoutMs?: number;
    /**
     * Characters of result printed inline before it is compressed, then spooled and read back.
     * @default 3000
     * @example 3000
     */
    outputBudget?: number;
    /** @default newNonce (16 random hex digits) */
    nonce?: () => string;
    /**
     * ProductVersionID codes, where a real server shows another than the default (2025 is undocumented).
     * @default DEFAULT_PRODUCT_VERSION_IDS
     * @example { "2025": 8 }
     */
    productVersionIds?: Partial<Record<ProductVersion, number>>;
}

/** Why an operation cannot be sent, or undefined when it can. */
export function usageOperationProblem(op: UsageOperation): string | undefined {
    switch (op?.op) {
        case "usage-report": {
            const size = op.pageSize ?? 0;
            return Number.isSafeInteger(size) && size >= 0 && size <= 0xffffffff
                ? undefined
                : `pageSize must be a whole number from 0 (all at once) to 4294967295, got ${JSON.stringify(op.pageSize)}; e.g. --page-size 500`;
        }
        case "revoke-cal": {
            const named = [op.device, op.user].filter((v) => v !== undefined);
            if (named.length !== 1) return "revoke-cal names exactly one device or one user, e.g. --device PC-042";
            return typeof named[0] === "string" && named[0].trim() !== "" ? undefined : `revoke-cal: the ${op.device !== undefined ? "device" : "user"} name is empty; e.g. --device PC-042`;
        }
        default:
            return `unknown usage operation ${JSON.stringify((op as { op?: unknown })?.op ?? null)}`;
    }
}

export class PowerShellUsageExecutor implements UsageExecutor {
    private readonly channel: BatchChannel;
    private readonly budget: number;
    private readonly productVersionIds: Readonly<Record<ProductVersion, number>>;

    constructor(private readonly options: PowerShellUsageExecutorOptions) {
        this.budget = options.outputBudget ?? DEFAULT_OUTPUT_BUDGET;
        if (!Number.isInteger(this.budget) || this.budget < 200) throw new TypeError("outputBudget must be an integer of at least 200");
        this.productVersionIds = { ...DEFAULT_PRODUCT_VERSION_IDS, ...options.productVersionIds };
        this.channel = new BatchChannel({
            timeoutMs: options.timeoutMs ?? 600_000,
            budget: this.budget,
            nonce: () => (options.nonce ? options.nonce() : newNonce()),
            // A report only reads (its own report is deleted in a finally); a revocation may have happened.
            retryHint: "A report is safe to run again; a revocation may have happened: run the report to see",
        });
    }

    async execute(server: string, operations: readonly UsageOperation[]): Promise<UsageOperationResult[]> {
        const results: UsageOperationResult[] = new Array(operations.length);
        const sent: { index: number; op: UsageOperation; input: unknown }[] = [];
        operations.forEach((op, index) => {
            const problem = usageOperationProblem(op);
            if (problem) results[index] = { ok: false, error: { kind: LicensingErrorKind.InvalidParameter, message: problem } };
            else sent.push({ index, op, input: usageScriptInput([op]).o[0] });
        });
        if (sent.length === 0) return results;

        const runner = typeof this.options.runner === "function" ? this.options.runner(server) : this.options.runner;
        // Nothing secret in usage inputs; the redactor still keeps the encoded input out of messages.
        const ops = sent.map((s) => s.op);
        const { wires, redactor } = await this.channel.executeSteps(runner, sent, (nonce) => renderUsageScript(ops, { nonce, budget: this.budget }));
        sent.forEach(({ index, op }, position) => {
            const wire = wires[position];
            const label = `${server}: ${op.op}`;
            if (!wire) results[index] = noResult(label);
            else if (wire.ok === 0) results[index] = { ok: false, error: this.failure(label, wire.e, redactor) };
            else if (op.op === "usage-report") results[index] = { ok: true, value: decodeUsageReport(server, wire.v, this.productVersionIds) };
            else results[index] = { ok: true, value: decodeRevokeValue(server, op, wire.v, this.productVersionIds) };
        });
        return results;
    }

    /** The script's own refusal (a revoked license's pack is gone) travels by kind; WMI codes read as reads do. */
    private failure(label: string, e: WireError, redactor: Redactor): LicensingErrorData {
        return describeWireError(e, { context: "read", label, redactor, refusals: [LicensingErrorKind.Failed] });
    }
}
