/**
 * OperationExecutor over a ScriptRunner: one script per batch, one remote execution (plus, rarely,
 * follow-ups that read back a result too large for one output), one result per operation.
 */
import {
    DEFAULT_PRODUCT_VERSION_IDS,
    LicensingErrorKind,
    installMismatchError,
    installMismatches,
    licenseTypeFromProductType,
    type KeyPack,
    type LicensingErrorData,
    type Operation,
    type OperationExecutor,
    type OperationResult,
    type ProductVersion,
} from "../../licensing";
import type { ScriptRunner } from "../runners/script-runner";
import { BatchChannel, noResult } from "./channel";
import { Redactor, errorFromWire } from "./errors";
import { planStep, type Step } from "./plan";
import { DEFAULT_OUTPUT_BUDGET, newNonce } from "./protocol";
import { renderBatchScript } from "./render";
import { keyPackFromWire, statusFromWire } from "./results";
import { type WireError, type WireListValue, type WirePackValue, type WireResult, type WireStatus, type WireUninstallValue } from "./wire";

export interface PowerShellExecutorOptions {
    /** The runner for a server (by the name `execute` is called with), or one runner for all. */
    runner: ScriptRunner | ((server: string) => ScriptRunner);
    /**
     * ProductVersion codes per CAL version, merged over DEFAULT_PRODUCT_VERSION_IDS. 2025's code is
     * undocumented: set it here once a real server shows it.
     */
    productVersionIds?: Partial<Record<ProductVersion, number>>;
    /** Time one execution may take. @default 600_000 (activation and installs wait on the Clearinghouse) */
    timeoutMs?: number;
    /** Largest result body printed inline, in characters; larger ones are spooled. @default 3000 */
    outputBudget?: number;
    /** Nonce source; tests pin it. @default 12 random bytes in hex */
    nonce?: () => string;
}

export class PowerShellExecutor implements OperationExecutor {
    private readonly ids: Readonly<Record<ProductVersion, number>>;
    private readonly timeoutMs: number;
    private readonly budget: number;
    private readonly channel: BatchChannel;

    constructor(private readonly options: PowerShellExecutorOptions) {
        this.ids = { ...DEFAULT_PRODUCT_VERSION_IDS, ...options.productVersionIds };
        this.timeoutMs = options.timeoutMs ?? 600_000;
        this.budget = options.outputBudget ?? DEFAULT_OUTPUT_BUDGET;
        if (!Number.isInteger(this.budget) || this.budget < 200) throw new TypeError("outputBudget must be an integer of at least 200");
        this.channel = new BatchChannel({
            timeoutMs: this.timeoutMs,
            budget: this.budget,
            nonce: () => (options.nonce ? options.nonce() : newNonce()),
            retryHint: "The operations may have run; installs are safe to retry (request keys)",
        });
    }

    async execute(server: string, operations: readonly Operation[]): Promise<OperationResult[]> {
        const results: OperationResult[] = new Array(operations.length);
        const steps: Step[] = [];
        operations.forEach((op, index) => {
            const planned = planStep(index, op, this.ids);
            if (planned.ok) steps.push(planned.step);
            else results[index] = { ok: false, error: planned.error };
        });
        if (steps.length === 0) return results;

        const runner = typeof this.options.runner === "function" ? this.options.runner(server) : this.options.runner;
        const render = (nonce: string) => renderBatchScript(steps, { nonce, budget: this.budget });
        const { wires, redactor } = await this.channel.executeSteps(runner, steps, render, steps.flatMap((s) => s.secrets));
        steps.forEach((step, position) => {
            const wire = wires[position];
            results[step.index] = wire ? this.toResult(step, wire, redactor) : noResult(step.label);
        });
        return results;
    }

    /** An install whose read-back differs from what was sent: the error names the setting, the override and the pack. */
    private mismatch(step: Step, e: WireError): LicensingErrorData | undefined {
        if (step.op.op !== "install" || step.shape.kind !== "install" || e.k !== LicensingErrorKind.Failed || !e.p) return undefined;
        const spec = step.op.spec;
        const asked = { productVersion: spec.productVersion, productVersionId: step.shape.productVersionId, licenseType: spec.licenseType, count: spec.count };
        const row = e.p;
        const got = { keyPackId: row.i, productVersionId: row.v, productVersionText: `${row.s} ${row.d}`, licenseType: licenseTypeFromProductType(row.y), totalLicenses: row.n };
        // The script names the settings it found wrong (a known request's pack is not checked for its count).
        const problems = installMismatches(asked, got).filter((p) => String(e.m).includes(p.slice(0, p.indexOf(":"))));
        return installMismatchError(step.label, asked, got, problems.length > 0 ? problems : [String(e.m)]);
    }

    private toResult(step: Step, wire: WireResult, redactor: Redactor): OperationResult {
        if (wire.ok === 0) return { ok: false, error: this.mismatch(step, wire.e) ?? errorFromWire(step.op.op, step.label, wire.e, redactor) };
        const fail = (why: string): OperationResult => ({ ok: false, error: { kind: LicensingErrorKind.Failed, message: `${step.label}: ${why}` } });
        const pack = (row: WirePackValue["p"] | undefined): KeyPack | undefined => (row ? keyPackFromWire(row, this.ids) : undefined);
        switch (step.op.op) {
            case "status":
            case "activate":
            case "deactivate": {
                const status = statusFromWire(wire.v as WireStatus);
                return status.ok ? { ok: true, value: status.status } : fail(status.problem);
            }
            case "list-packs": {
                const rows = (wire.v as WireListValue).p ?? [];
                return { ok: true, value: rows.map((row) => keyPackFromWire(row, this.ids)).filter((p): p is KeyPack => p !== undefined) };
            }
            case "install": {
                const value = wire.v as WirePackValue;
                const installed = pack(value.p);
                if (installed) return { ok: true, value: value.w === 1 ? { ...installed, reinstalled: true } : installed };
                return fail(`installed key pack ${value.p?.i ?? "?"}, which is not a 2016-2025 per-user or per-device pack (check productVersionIds)`);
            }
            case "remove-licenses": {
                const value = wire.v as WirePackValue;
                const after = pack(value.p);
                if (after) return { ok: true, value: after };
                // The pack vanished with its last licenses: report it as emptied.
                const before = pack(value.b);
                if (!before) return fail("the key pack could not be read back");
                const count = step.op.count;
                return {
                    ok: true,
                    value: { ...before, totalLicenses: before.totalLicenses - count, availableLicenses: before.availableLicenses - count },
                };
            }
            case "uninstall":
                return { ok: true, value: { keyPackId: (wire.v as WireUninstallValue).i } };
        }
    }
}
