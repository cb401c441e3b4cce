/**
 * An `ssh` connection through the provider registry, against a real OpenSSH server (see
 * test/drivers/support/sshd.ts): host and port from the input, the host key pinned, credentials
 * from the RDLS_SSH_* environment at execution time. The server's stand-in for powershell.exe
 * cannot run the script, so each execution ends in "no usable result": what is checked is what
 * reached the server, and which failures come back.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POWERSHELL_BOOTSTRAP, SSH_ENV } from "../../src/drivers/runners";
import { connectionSchema, type Connection } from "../../src/providers/connection";
import { licenseServer } from "../../src/providers/registry";
import { rejection } from "../support/results";
import { startSshd, type Sshd } from "../drivers/support/sshd";

let sshd: Sshd;

beforeAll(async () => {
    sshd = await startSshd();
    process.env.RDS_LICENSING_QUIET = "1";
});

afterAll(async () => {
    await sshd?.stop();
});

beforeEach(() => {
    sshd.resetRecords();
    sshd.setReply("");
});

afterEach(() => {
    for (const name of Object.values(SSH_ENV)) delete process.env[name];
});

function connection(overrides: Partial<Extract<Connection, { kind: "ssh" }>> = {}): Connection {
    return connectionSchema.parse({ kind: "ssh", host: "127.0.0.1", port: sshd.port, username: sshd.username, hostKeySha256: sshd.hostKeyFingerprint, ...overrides });
}

describe("an ssh connection", () => {
    it("runs the batch script over the pinned host with the key from the environment", async () => {
        process.env[SSH_ENV.privateKey] = sshd.clientKey;
        const error = await rejection(licenseServer(connection(), "rdls01").listKeyPacks());
        expect(error.kind).toBe("failed");
        expect(error.message).toMatch(/no usable result from the ssh execution/);

        const command = sshd.requestedCommand()!;
        expect(Buffer.from(/-EncodedCommand (\S+)$/.exec(command)![1]!, "base64").toString("utf16le")).toBe(POWERSHELL_BOOTSTRAP);
        const [, scriptLine] = sshd.stdin()!.toString("utf8").split("\n");
        expect(Buffer.from(scriptLine!, "base64").toString("utf8")).toContain("Invoke-RdlsStep 0 'list-packs'");
    });

    it("reads the credentials at each execution: none set is a clear failure", async () => {
        // The executor of the first test, whose key is no longer in the environment.
        const error = await rejection(licenseServer(connection(), "rdls01").status());
        expect(error.kind).toBe("failed");
        expect(error.message).toMatch(/no SSH credentials.*RDLS_SSH_PRIVATE_KEY/);
        expect(sshd.requestedCommand()).toBeUndefined();
    });

    it("refuses a server whose host key is not the pinned one", async () => {
        process.env[SSH_ENV.privateKey] = sshd.clientKey;
        const stale = "SHA256:AAAAkTt9W1pjYb0mV4yZcXfIhO1sQK2rLq9v8m0Jd7E";
        const error = await rejection(licenseServer(connection({ hostKeySha256: stale }), "rdls01").status());
        expect(error.kind).toBe("failed");
        expect(error.message).toMatch(/host key mismatch/);
        expect(sshd.requestedCommand()).toBeUndefined();
    });
});
