/**
 * One batch execution over a ScriptRunner, whatever the batch operates on: run the script with
 * its (protected) input, find the framed result block, read the rest of a spooled body, decode
 * the per-operation results. Shared by the license server executor and the farm executor.
 */
import { LicensingError, LicensingErrorKind } from "../../licensing";
import type { RunOutput, ScriptRunner } from "../runners/script-runner";
import { Redactor } from "./errors";
import { decodeBody, readFramedBlock, type FramedBlock } from "./protocol";
import { renderSpoolReadScript } from "./render";
import { INPUT_PARAMETER } from "./script-prelude";
import { isWireResultArray, type WireResult } from "./wire";

export interface ChannelOptions {
    timeoutMs: number;
    /** Largest body printed inline; also the size of each spool read. */
    budget: number;
    nonce: () => string;
    /** Said when an execution gave no usable result: whether a retry is safe. */
    retryHint: string;
}

export class BatchChannel {
    constructor(private readonly options: ChannelOptions) {}

    /**
     * Runs a batch of planned steps as one script: their inputs travel base64-encoded in the
     * (protected) input parameter, the input and `secrets` are redacted from every message, and each
     * step gets its wire result, in step order (`undefined` when the script reported none).
     */
    async executeSteps(
        runner: ScriptRunner,
        steps: readonly { input: unknown }[],
        render: (nonce: string) => string,
        secrets: readonly string[] = [],
    ): Promise<{ wires: (WireResult | undefined)[]; redactor: Redactor }> {
        const input = Buffer.from(JSON.stringify({ o: steps.map((s) => s.input) }), "utf8").toString("base64");
        const redactor = new Redactor([input, ...secrets]);
        const byPosition = new Map<number, WireResult>((await this.execute(runner, render, input, redactor)).map((r) => [r.i, r]));
        return { wires: steps.map((_, position) => byPosition.get(position)), redactor };
    }

    /** Runs `render(nonce)` with the base64 input and returns the decoded per-operation results. */
    async execute(runner: ScriptRunner, render: (nonce: string) => string, input: string, redactor: Redactor): Promise<WireResult[]> {
        const nonce = this.options.nonce();
        const output = await this.run(runner, render(nonce), { [INPUT_PARAMETER]: input }, redactor);
        const block = this.frame(output, nonce, redactor, runner.transport);
        const body = await this.completeBody(runner, block, redactor);
        return this.decode(block.encoding, body);
    }

    private async run(runner: ScriptRunner, script: string, secrets: Record<string, string>, redactor: Redactor): Promise<RunOutput> {
        try {
            return await runner.run(script, secrets, { timeoutMs: this.options.timeoutMs });
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
            message: `no usable result from the ${transport} execution (exit code ${output.exitCode}): ${framed.detail}. ${this.options.retryHint}${tail}`,
        });
    }

    /** Read the rest of a spooled body, one follow-up execution per chunk. */
    private async completeBody(runner: ScriptRunner, first: FramedBlock, redactor: Redactor): Promise<string> {
        let body = first.body;
        if (first.total <= body.length) return body;
        if (!first.spool) throw protocolError("the result block announces more data but names no spool");
        const budget = this.options.budget;
        const maxReads = Math.ceil(first.total / budget) + 1;
        for (let read = 0; body.length < first.total; read++) {
            if (read >= maxReads) throw protocolError("the spooled result did not complete");
            const nonce = this.options.nonce();
            const script = renderSpoolReadScript({ nonce, spool: first.spool, offset: body.length, length: budget });
            const output = await this.run(runner, script, {}, redactor);
            const chunk = this.frame(output, nonce, redactor, runner.transport);
            if (chunk.encoding === "e") throw protocolError(`the spooled result could not be read back: ${chunk.body}`);
            if (chunk.encoding !== "c" || chunk.spool !== first.spool || chunk.total !== first.total || chunk.body.length === 0) {
                throw protocolError("a spooled chunk does not match the result it belongs to");
            }
            body += chunk.body;
        }
        return body;
    }

    private decode(encoding: FramedBlock["encoding"], body: string): WireResult[] {
        if (encoding !== "j" && encoding !== "z") throw protocolError(`unexpected result encoding '${encoding}'`);
        let value: unknown;
        try {
            value = decodeBody(encoding, body);
        } catch (error) {
            throw protocolError(`the result block cannot be decoded (${(error as Error).message})`);
        }
        if (!isWireResultArray(value)) throw protocolError("the result block is not a list of operation results");
        return value;
    }
}

export function protocolError(detail: string): LicensingError {
    return new LicensingError({ kind: LicensingErrorKind.Failed, message: `unusable script output: ${detail}` });
}

/** The result of a step the script reported nothing for. */
export function noResult(label: string): { ok: false; error: { kind: typeof LicensingErrorKind.Failed; message: string } } {
    return { ok: false, error: { kind: LicensingErrorKind.Failed, message: `${label}: the script reported no result for this operation` } };
}
