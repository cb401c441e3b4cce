/** Host key pinning by SHA-256 fingerprint, in the form `ssh-keygen -l` prints: SHA256:<base64>. */
import { createHash } from "node:crypto";

export function hostKeyFingerprint(key: Buffer): string {
    return `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;
}

/** Accept pins with or without the SHA256: prefix and base64 padding. */
export function normalizeFingerprint(pin: string): string {
    const bare = pin.trim().replace(/^SHA256:/i, "").replace(/=+$/, "");
    if (!/^[A-Za-z0-9+/]{43}$/.test(bare)) {
        throw new TypeError(`host key pin ${JSON.stringify(pin)} is not a SHA-256 fingerprint (SHA256:<43 base64 characters>, as ssh-keygen -l prints)`);
    }
    return `SHA256:${bare}`;
}
