/** A ScriptRunner that hands scripts to a FakeWindowsServer in process, recording every call. */
import type { RunOptions, RunOutput, ScriptRunner } from "../../../src/drivers/runners/script-runner";
import type { FakeWindowsServer } from "./fake-windows";

export interface RunnerCall {
    script: string;
    secretParameters: Record<string, string>;
    options: RunOptions;
    output?: RunOutput;
}

export class FakeRunner implements ScriptRunner {
    readonly transport = "fake";
    readonly calls: RunnerCall[] = [];
    /** Applied to stdout, e.g. to mimic an encoding or Run Command's 4 KB tail. */
    transform: (stdout: string) => string = (s) => s;
    /** Thrown instead of running (or after running, to mimic a lost response). */
    failWith?: { error: Error; afterRunning: boolean };

    constructor(readonly server: FakeWindowsServer) {}

    async run(script: string, secretParameters: Readonly<Record<string, string>>, options: RunOptions): Promise<RunOutput> {
        const call: RunnerCall = { script, secretParameters: { ...secretParameters }, options };
        this.calls.push(call);
        const failure = this.failWith;
        if (failure && !failure.afterRunning) throw failure.error;
        const result = await this.server.run(script, secretParameters);
        if (failure) throw failure.error;
        call.output = { ...result, stdout: this.transform(result.stdout) };
        return call.output;
    }
}

/** UTF-16LE with a BOM, read back as if it were 8-bit text (what a careless transport does). */
export function asMisdecodedUtf16(text: string): string {
    return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]).toString("latin1");
}

/** Run Command keeps only the last 4,096 bytes of output. */
export function lastBytes(text: string, bytes = 4096): string {
    const buf = Buffer.from(text, "utf8");
    return buf.subarray(Math.max(0, buf.length - bytes)).toString("utf8");
}
