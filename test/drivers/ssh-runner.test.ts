import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PowerShellExecutor } from "../../src/drivers/powershell";
import { INPUT_PARAMETER } from "../../src/drivers/powershell/script-prelude";
import { POWERSHELL_BOOTSTRAP, SSH_ENV, SshRunner, sshCredentialsFromEnv, type SshRunnerOptions } from "../../src/drivers/runners";
import type { KeyPack, Operation } from "../../src/licensing";
import { rejection } from "../support/results";
import { FakeRunner } from "./support/fake-runner";
import { FakeWindowsServer } from "./support/fake-windows";
import { startSshd, type Sshd } from "./support/sshd";

let sshd: Sshd;

beforeAll(async () => {
    sshd = await startSshd();
});

afterAll(async () => {
    await sshd?.stop();
});

beforeEach(() => {
    sshd.resetRecords();
    sshd.setReply("");
});

function runner(overrides: Partial<SshRunnerOptions> = {}): SshRunner {
    return new SshRunner({
        host: "127.0.0.1",
        port: sshd.port,
        username: sshd.username,
        hostKeySha256: sshd.hostKeyFingerprint,
        credentials: () => ({ privateKey: sshd.clientKey }),
        connectTimeoutMs: 10_000,
        ...overrides,
    });
}

const SECRET = "7301946";

describe("SSH runner against a real OpenSSH server", () => {
    it("runs the constant bootstrap; script and secrets go on stdin only", async () => {
        sshd.setReply("hello from the stand-in\r\n");
        const script = "param([string]$RdlsInput)\nWrite-Output 'x'\n";
        const output = await runner().run(script, { [INPUT_PARAMETER]: Buffer.from(`{"num":"${SECRET}"}`).toString("base64") }, { timeoutMs: 20_000 });
        expect(output).toEqual({ stdout: "hello from the stand-in\r\n", stderr: "", exitCode: 0 });

        const command = sshd.requestedCommand()!;
        const match = /^powershell\.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ([A-Za-z0-9+/=]+)$/.exec(command);
        expect(match).not.toBeNull();
        expect(Buffer.from(match![1]!, "base64").toString("utf16le")).toBe(POWERSHELL_BOOTSTRAP);
        for (const form of [SECRET, Buffer.from(SECRET).toString("base64"), "RdlsInput"]) expect(command).not.toContain(form);

        const [parameterLine, scriptLine, rest] = sshd.stdin()!.toString("utf8").split("\n");
        expect(rest).toBe("");
        const parameters = JSON.parse(Buffer.from(parameterLine!, "base64").toString("utf8"));
        expect(Buffer.from(parameters[INPUT_PARAMETER], "base64").toString("utf8")).toContain(SECRET);
        expect(Buffer.from(scriptLine!, "base64").toString("utf8")).toBe(script);
    });

    it("decodes UTF-16LE output with a BOM, and passes stderr and the exit code", async () => {
        sshd.setReply(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("Windows PowerShell\r\nrésumé\r\n", "utf16le")]), { stderr: "WARNING: careful", exitCode: 3 });
        const output = await runner().run("Write-Output 1", {}, { timeoutMs: 20_000 });
        expect(output).toEqual({ stdout: "Windows PowerShell\r\nrésumé\r\n", stderr: "WARNING: careful", exitCode: 3 });
    });

    it("refuses a server whose host key does not match the pin, before running anything", async () => {
        const wrong = "SHA256:" + "A".repeat(43);
        const error = await rejection(runner({ hostKeySha256: wrong }).run("Write-Output 1", { [INPUT_PARAMETER]: "c2VjcmV0" }, { timeoutMs: 20_000 }));
        expect(error.kind).toBe("failed");
        expect(error.message).toContain("host key mismatch");
        expect(error.message).toContain(sshd.hostKeyFingerprint);
        expect(sshd.requestedCommand()).toBeUndefined();
    });

    it("accepts any of several pins, with or without the SHA256: prefix", async () => {
        sshd.setReply("ok");
        const pins = ["SHA256:" + "B".repeat(43), sshd.hostKeyFingerprint.replace(/^SHA256:/, "")];
        expect((await runner({ hostKeySha256: pins }).run("1", {}, { timeoutMs: 20_000 })).stdout).toBe("ok");
    });

    it("requires a pin unless trust on first use is chosen explicitly, and then reports the key", () => {
        expect(() => runner({ hostKeySha256: undefined })).toThrow(/hostKeySha256 is required/);
        expect(() => runner({ hostKeySha256: "md5:aa:bb" })).toThrow(/not a SHA-256 fingerprint/);
        const seen: string[] = [];
        return runner({ hostKeySha256: undefined, trustOnFirstUse: true, onHostKey: (f) => seen.push(f) })
            .run("1", {}, { timeoutMs: 20_000 })
            .then(() => expect(seen).toEqual([sshd.hostKeyFingerprint]));
    });

    it("reports an unknown key as an authentication failure", async () => {
        const error = await rejection(runner({ credentials: () => ({ privateKey: sshd.strangerKey }) }).run("1", {}, { timeoutMs: 20_000 }));
        expect(error.kind).toBe("failed");
        expect(error.message).toMatch(/authentication failed/);
        expect(sshd.requestedCommand()).toBeUndefined();
    });

    it("reports a wrong password as an authentication failure, without echoing it", async () => {
        const error = await rejection(runner({ credentials: () => ({ password: "not-the-password-42" }) }).run("1", {}, { timeoutMs: 20_000 }));
        expect(error.kind).toBe("failed");
        expect(error.message).toMatch(/authentication failed/);
        expect(error.message).not.toContain("not-the-password-42");
    });

    it("reads credentials from the environment at call time", async () => {
        sshd.setReply("env ok");
        const env = { [SSH_ENV.privateKeyFile]: sshd.clientKeyFile };
        expect((await runner({ credentials: () => sshCredentialsFromEnv(env) }).run("1", {}, { timeoutMs: 20_000 })).stdout).toBe("env ok");
        expect(() => sshCredentialsFromEnv({})).toThrow(/RDLS_SSH_PRIVATE_KEY/);
    });

    it("gives up on a command that runs past its timeout, as a transient failure", async () => {
        sshd.hang(8);
        const error = await rejection(runner().run("1", {}, { timeoutMs: 1500 }));
        expect(error.kind).toBe("transient");
        expect(error.message).toMatch(/did not finish within 2 s/);
    });

    it("times out a server that never completes the handshake", async () => {
        const silent: Server = createServer(() => undefined);
        await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
        try {
            const port = (silent.address() as { port: number }).port;
            const error = await rejection(runner({ port, connectTimeoutMs: 1000 }).run("1", {}, { timeoutMs: 20_000 }));
            expect(error.kind).toBe("transient");
            expect(error.message).toMatch(/no SSH handshake within 1 s/);
        } finally {
            silent.close();
        }
    });

    it("reports a refused connection as transient", async () => {
        const closed: Server = createServer();
        await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
        const port = (closed.address() as { port: number }).port;
        await new Promise((r) => closed.close(r));
        const error = await rejection(runner({ port }).run("1", {}, { timeoutMs: 20_000 }));
        expect(error).toMatchObject({ kind: "transient" });
        expect(error.message).toMatch(/ECONNREFUSED/);
    });
});

describe("the executor over SSH", () => {
    it("installs through the real transport, reading a UTF-16LE reply with a banner", async () => {
        const nonce = "feedfacecafebeef00112233";
        const ops: Operation[] = [
            { op: "install", requestKey: "ssh-1", spec: { program: "campus", agreementNumber: SECRET, productVersion: "2022", licenseType: "per-device", count: 12 } },
            { op: "list-packs" },
        ];
        // What Windows would print for this batch: computed by the fake server from the same script.
        const windows = new FakeWindowsServer();
        windows.activation = 0;
        windows.noise = ["Windows PowerShell", "Copyright (C) Microsoft Corporation. All rights reserved.", ""];
        const capture = new FakeRunner(windows);
        await new PowerShellExecutor({ runner: capture, nonce: () => nonce }).execute("rdls", ops);
        const reply = capture.calls[0]!.output!.stdout;
        sshd.setReply(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(reply, "utf16le")]));

        const results = await new PowerShellExecutor({ runner: runner(), nonce: () => nonce }).execute("rdls", ops);
        expect(results[0]).toMatchObject({ ok: true, value: { programName: "Campus Agreement", licenseType: "per-device", totalLicenses: 12 } });
        expect((results[1] as { value: KeyPack[] }).value).toHaveLength(1);

        // What went over the wire: the same script on stdin, the secret in the input line only.
        const [parameterLine, scriptLine] = sshd.stdin()!.toString("utf8").split("\n");
        expect(Buffer.from(scriptLine!, "base64").toString("utf8")).toBe(capture.calls[0]!.script);
        expect(JSON.parse(Buffer.from(parameterLine!, "base64").toString("utf8"))).toEqual(capture.calls[0]!.secretParameters);
        expect(sshd.requestedCommand()).not.toContain(SECRET);
    });
});
