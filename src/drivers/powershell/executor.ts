/**
 * OperationExecutor over a ScriptRunner: one script per batch, one remote execution (plus, rarely,
 * follow-ups that read back a result too large for one output), one result per operation.
 */
import {
    DEFAULT_PRODUCT_VERSION_IDS,
    LicensingError,
    LicensingErrorKind,
    type KeyPack,
    type Operation,
    type OperationExecutor,
    type OperationResult,
    type ProductVersion,
} from "../../licensing";
import type { RunOutput, ScriptRunner } from "../runners/script-runner";
import { Redactor, errorFromWire } from "./errors";
import { planStep, type Step } from "./plan";
import { DEFAULT_OUTPUT_BUDGET, decodeBody, newNonce, readFramedBlock, type FramedBlock } from "./protocol";
import { renderBatchScript, renderSpoolReadScript } from "./render";
import { keyPackFromWire, statusFromWire } from "./results";
import { INPUT_PARAMETER } from "./script-prelude";
import { isWireResultArray, type WireListValue, type WirePackValue, type WireResult, type WireStatus, type WireUninstallValue } from "./wire";

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

    constructor(private readonly options: PowerShellExecutorOptions) {
        this.ids = { ...DEFAULT_PRODUCT_VERSION_IDS, ...options.productVersionIds };
        this.timeoutMs = options.timeoutMs ?? 600_000;
        this.budget = options.outputBudget ?? DEFAULT_OUTPUT_BUDGET;
        if (!Number.isInteger(this.budget) || this.budget < 200) throw new TypeError("outputBudget must be an integer of at least 200");
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

        const input = Buffer.from(JSON.stringify({ o: steps.map((s) => s.input) }), "utf8").toString("base64");
        const redactor = new Redactor([input, ...steps.flatMap((s) => s.secrets)]);
        const runner = typeof this.options.runner === "function" ? this.options.runner(server) : this.options.runner;
        const nonce = this.nonce();
        const script = renderBatchScript(steps, { nonce, budget: this.budget });

        const output = await this.run(runner, script, { [INPUT_PARAMETER]: input }, redactor);
        const block = this.frame(output, nonce, redactor, runner.transport);
        const body = await this.completeBody(runner, block, redactor);
        const decoded = this.decode(block.encoding, body);

        const byPosition = new Map<number, WireResult>(decoded.map((r) => [r.i, r]));
        steps.forEach((step, position) => {
            const wire = byPosition.get(position);
            results[step.index] = wire
                ? this.toResult(step, wire, redactor)
                : { ok: false, error: { kind: LicensingErrorKind.Failed, message: `${step.label}: the script reported no result for this operation` } };
        });
        return results;
    }

    private nonce(): string {
        return this.options.nonce ? this.options.nonce() : newNonce();
    }

    private async run(runner: ScriptRunner, script: string, secrets: Record<string, string>, redactor: Redactor): Promise<RunOutput> {
        try {
            return await runner.run(script, secrets, { timeoutMs: this.timeoutMs });
        } catch (error) {
            throw redactor.error(error);
        }
    }

    /** The result block of an execution, or a clear error saying why there is none. */
    private frame(output: RunOutput, nonce: string, redactor: Redactor, transport: string): FramedBlock {
        const framed = readFramedBlock(output.stdout, nonce);
        if (framed.ok) return framed.block;
        const stderr = redactor.apply(output.stderr.trim()).slice(-500);
        const tail = stderr ? `; stderr: ${stderr}` : "";
        throw new LicensingError({
            kind: LicensingErrorKind.Failed,
            message:
                `no usable result from the ${transport} execution (exit code ${output.exitCode}): ${framed.detail}. ` +
                `The operations may have run; installs are safe to retry (request keys)${tail}`,
        });
    }

    /** Read the rest of a spooled body, one follow-up execution per chunk. */
    private async completeBody(runner: ScriptRunner, first: FramedBlock, redactor: Redactor): Promise<string> {
        let body = first.body;
        if (first.total <= body.length) return body;
        if (!first.spool) throw this.protocolError("the result block announces more data but names no spool");
        const maxReads = Math.ceil(first.total / this.budget) + 1;
        for (let read = 0; body.length < first.total; read++) {
            if (read >= maxReads) throw this.protocolError("the spooled result did not complete");
            const nonce = this.nonce();
            const script = renderSpoolReadScript({ nonce, spool: first.spool, offset: body.length, length: this.budget });
            const output = await this.run(runner, script, {}, redactor);
            const chunk = this.frame(output, nonce, redactor, runner.transport);
            if (chunk.encoding === "e") throw this.protocolError(`the spooled result could not be read back: ${chunk.body}`);
            if (chunk.encoding !== "c" || chunk.spool !== first.spool || chunk.total !== first.total || chunk.body.length === 0) {
                throw this.protocolError("a spooled chunk does not match the result it belongs to");
            }
            body += chunk.body;
        }
        return body;
    }

    private decode(encoding: FramedBlock["encoding"], body: string): WireResult[] {
        if (encoding !== "j" && encoding !== "z") throw this.protocolError(`unexpected result encoding '${encoding}'`);
        let value: unknown;
        try {
            value = decodeBody(encoding, body);
        } catch (error) {
            throw this.protocolError(`the result block cannot be decoded (${(error as Error).message})`);
        }
        if (!isWireResultArray(value)) throw this.protocolError("the result block is not a list of operation results");
        return value;
    }

    private protocolError(detail: string): LicensingError {
        return new LicensingError({ kind: LicensingErrorKind.Failed, message: `unusable script output: ${detail}` });
    }

    private toResult(step: Step, wire: WireResult, redactor: Redactor): OperationResult {
        if (wire.ok === 0) return { ok: false, error: errorFromWire(step.op.op, step.label, wire.e, redactor) };
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
