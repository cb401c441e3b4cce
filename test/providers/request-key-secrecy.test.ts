/**
 * A request key must not give the number back. Keys used to be HMACs keyed by the number over a
 * public message, so the 10^7 agreement numbers could be tried in under two minutes against a key
 * from the simulator's store or the PowerShell journal. Now they are HMACs under the stack's random
 * RequestKeySecret: the same brute force, given everything an attacker without the stack's secrets
 * has (the key itself, the pack's name, program and shape), finds nothing.
 */
import { createHmac } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { calKeyPackProvider } from "../../src/providers/cal-key-pack/handlers";
import { createRequestKey } from "../../src/providers/cal-key-pack/request-keys";
import { requestKeyHash } from "../../src/simulator/secrets";
import { fixture } from "../simulator/helpers/sim";

const NUMBER = "4711815";
const PACK_KEY = "rds-licensing/prod/rds-ea-users";
const SHAPE = "enterprise-agreement|2022|per-user";

const inputs = (home: string, secret: string) => ({
    providerVersion: "1",
    connection: { kind: "simulator", home },
    server: "rdls01",
    packKey: PACK_KEY,
    program: "enterprise-agreement",
    agreementNumber: NUMBER,
    productVersion: "2022",
    licenseType: "per-user",
    count: 5,
    allowDeleteWithIssuedLicenses: false,
    requestKeySecret: secret,
});

/** The old derivation: the number as the HMAC key, over the pack's public identity. */
const oldKey = (n: string) => createHmac("sha256", `${n}|||`).update(`${PACK_KEY}|${SHAPE}`).digest("hex").slice(0, 32);

/** Try every 7-digit number in [from, to) against the keys; returns the numbers that match. */
function bruteForce(keys: Set<string>, derive: (n: string) => string, from = 0, to = 10_000_000): string[] {
    const found: string[] = [];
    for (let i = from; i < to; i++) {
        const n = String(i).padStart(7, "0");
        if (keys.has(derive(n))) found.push(n);
    }
    return found;
}

describe("request keys cannot be brute-forced into numbers", () => {
    it("the attack works on keys of the old derivation (so a miss below means something)", () => {
        expect(bruteForce(new Set([oldKey(NUMBER)]), oldKey, 4_700_000, 4_720_000)).toEqual([NUMBER]);
    });

    it("finds nothing in the whole 10^7 space from the keys the simulator and the journal keep", { timeout: 240_000 }, async () => {
        process.env.RDS_LICENSING_QUIET = "1";
        const f = await fixture();
        const secret = "9f".repeat(32);
        await calKeyPackProvider.create(inputs(f.home, secret));
        const key = createRequestKey(inputs(f.home, secret) as never);
        // The simulator keeps HMAC(store salt, key); the PowerShell journal keeps the key itself.
        const storeText = fs.readdirSync(path.join(f.home, "servers")).map((file) => fs.readFileSync(path.join(f.home, "servers", file), "utf8")).join("\n");
        const salt = JSON.parse(fs.readFileSync(path.join(f.home, "config.json"), "utf8")).salt as string;
        expect(storeText).toContain(requestKeyHash(salt, key));
        expect(storeText).not.toContain(NUMBER);
        // The attacker holds the key (the stronger position: the store's entry is a hash of it).
        const keys = new Set([key, key.replace(/^k2:/, "")]);
        expect(bruteForce(keys, oldKey)).toEqual([]);
        // Nor does the new derivation give it away without the stack's secret (tried with none).
        const withoutSecret = (n: string) => `k2:${createHmac("sha256", "").update([PACK_KEY, SHAPE, n, "create"].join("\n")).digest("hex").slice(0, 40)}`;
        expect(bruteForce(keys, withoutSecret, 4_700_000, 4_720_000)).toEqual([]);
        // With the secret (what only the stack's state holds) the key is the number's.
        expect(createRequestKey({ ...inputs(f.home, secret), agreementNumber: NUMBER } as never)).toBe(key);
    });
});
