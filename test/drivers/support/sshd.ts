/**
 * A real OpenSSH server (Debian's openssh-server) on 127.0.0.1 for the SSH runner tests, with its
 * own config, port, host key and authorized key in a temporary directory. Its ForceCommand is a
 * stand-in for powershell.exe that records the requested command line and stdin to files and prints
 * a canned reply (bytes, stderr and exit code chosen by the test).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

export const SSHD = "/usr/sbin/sshd";

export interface Sshd {
    port: number;
    username: string;
    /** SHA256:... of the host key, as ssh-keygen -l prints it. */
    hostKeyFingerprint: string;
    /** An authorized client key, and one the server does not know. */
    clientKey: string;
    strangerKey: string;
    clientKeyFile: string;
    setReply(stdout: Buffer | string, options?: { stderr?: string; exitCode?: number }): void;
    /** Make the stand-in hang for this many seconds before replying. */
    hang(seconds: number): void;
    /** What the client asked to run (SSH_ORIGINAL_COMMAND), or undefined if nothing ran. */
    requestedCommand(): string | undefined;
    stdin(): Buffer | undefined;
    resetRecords(): void;
    stop(): Promise<void>;
}

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as { port: number };
            server.close(() => resolve(port));
        });
    });
}

function accepting(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = connect(port, "127.0.0.1");
        socket.once("connect", () => (socket.destroy(), resolve(true)));
        socket.once("error", () => resolve(false));
    });
}

function keygen(file: string): string {
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "rdls-test", "-f", file], { stdio: "pipe" });
    return readFileSync(file, "utf8");
}

export async function startSshd(): Promise<Sshd> {
    if (!existsSync(SSHD)) {
        throw new Error(`${SSHD} is missing: the SSH runner tests need a real OpenSSH server. Install it with: apt-get install openssh-server`);
    }
    // sshd started as root checks for its privilege separation directory, which Debian's service
    // unit creates at boot (RuntimeDirectory=sshd); we start sshd ourselves, so we create it.
    if (process.getuid?.() === 0 && !existsSync("/run/sshd")) mkdirSync("/run/sshd", { mode: 0o755, recursive: true });

    const dir = mkdtempSync(join(tmpdir(), "rdls-sshd-"));
    const username = userInfo().username;
    keygen(join(dir, "host_ed25519"));
    const clientKey = keygen(join(dir, "client_ed25519"));
    const strangerKey = keygen(join(dir, "stranger_ed25519"));
    writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "client_ed25519.pub")));
    const hostKeyFingerprint = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", join(dir, "host_ed25519.pub")], { encoding: "utf8" }).split(" ")[1]!;

    const standIn = join(dir, "powershell-stand-in.sh");
    writeFileSync(
        standIn,
        [
            "#!/bin/sh",
            `d='${dir}'`,
            'printf "%s" "$SSH_ORIGINAL_COMMAND" > "$d/requested-command"',
            'cat > "$d/stdin"',
            'if [ -f "$d/hang" ]; then exec sleep "$(cat "$d/hang")"; fi',
            'cat "$d/reply"',
            'cat "$d/reply-stderr" >&2',
            'exit "$(cat "$d/exit-code")"',
            "",
        ].join("\n"),
    );
    chmodSync(standIn, 0o755);

    const port = await freePort();
    const config = join(dir, "sshd_config");
    writeFileSync(
        config,
        [
            `Port ${port}`,
            "ListenAddress 127.0.0.1",
            `HostKey ${join(dir, "host_ed25519")}`,
            `PidFile ${join(dir, "sshd.pid")}`,
            `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
            "PermitRootLogin yes",
            "UsePAM no",
            "StrictModes no",
            "PubkeyAuthentication yes",
            "PasswordAuthentication yes",
            "KbdInteractiveAuthentication no",
            `ForceCommand ${standIn}`,
            "LogLevel ERROR",
            "",
        ].join("\n"),
    );
    const child: ChildProcess = spawn(SSHD, ["-D", "-e", "-f", config], { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    child.stderr!.on("data", (c: Buffer) => (log += c.toString()));
    for (let attempt = 0; !(await accepting(port)); attempt++) {
        if (child.exitCode !== null || attempt > 100) {
            child.kill();
            throw new Error(`sshd did not start (exit ${child.exitCode}): ${log}`);
        }
        await new Promise((r) => setTimeout(r, 50));
    }

    const file = (name: string) => join(dir, name);
    const sshd: Sshd = {
        port,
        username,
        hostKeyFingerprint,
        clientKey,
        strangerKey,
        clientKeyFile: file("client_ed25519"),
        setReply(stdout, options = {}) {
            writeFileSync(file("reply"), stdout);
            writeFileSync(file("reply-stderr"), options.stderr ?? "");
            writeFileSync(file("exit-code"), String(options.exitCode ?? 0));
        },
        hang(seconds) {
            writeFileSync(file("hang"), String(seconds));
        },
        requestedCommand: () => (existsSync(file("requested-command")) ? readFileSync(file("requested-command"), "utf8") : undefined),
        stdin: () => (existsSync(file("stdin")) ? readFileSync(file("stdin")) : undefined),
        resetRecords() {
            for (const name of ["requested-command", "stdin", "hang"]) rmSync(file(name), { force: true });
        },
        async stop() {
            // Sessions forked by sshd inherit its stderr: let go of it so they cannot hold us.
            child.stderr!.destroy();
            child.kill("SIGTERM");
            if (child.exitCode === null) await new Promise((r) => child.once("exit", r));
            rmSync(dir, { recursive: true, force: true });
        },
    };
    sshd.setReply("");
    return sshd;
}
