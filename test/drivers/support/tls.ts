/** A throwaway self-signed certificate for 127.0.0.1, and trusting it in this test process. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tls from "node:tls";

export function selfSignedCertificate(): { key: string; cert: string; dir: string } {
    const dir = mkdtempSync(join(tmpdir(), "rdls-tls-"));
    execFileSync(
        "openssl",
        ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        { stdio: "pipe" },
    );
    return { key: readFileSync(join(dir, "key.pem"), "utf8"), cert: readFileSync(join(dir, "cert.pem"), "utf8"), dir };
}

/**
 * NODE_EXTRA_CA_CERTS is read only at process start; tls.setDefaultCACertificates (Node 24.5+)
 * changes the default trust store of this process at run time. Each vitest file runs in its
 * own forked process, so nothing leaks into other test files.
 */
export function trustCertificate(cert: string): void {
    const setDefault = (tls as { setDefaultCACertificates?: (certs: string[]) => void }).setDefaultCACertificates;
    if (typeof setDefault !== "function") {
        throw new Error(`tls.setDefaultCACertificates is missing in Node ${process.version}: run the tests with Node >= 24.5 (node_modules/.bin/node)`);
    }
    setDefault([...tls.getCACertificates("default"), cert]);
}
