import { readProcessStdin } from "../simulator/stdin";

/** What a command reads and writes: its two streams, its environment and its folder (tests pass their own). */
export interface CliIo {
    stdout(text: string): void;
    stderr(text: string): void;
    /** Standard input, read whole (numbers for `sim install`); undefined for a terminal or when there is none. */
    stdin?(): Promise<string | undefined>;
    env: NodeJS.ProcessEnv;
    cwd: string;
}

export function processIo(): CliIo {
    return {
        stdout: (t) => void process.stdout.write(t),
        stderr: (t) => void process.stderr.write(t),
        stdin: readProcessStdin,
        env: process.env,
        cwd: process.cwd(),
    };
}
