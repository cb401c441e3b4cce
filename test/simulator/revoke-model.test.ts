/**
 * Model-based: random sequences of device connections, revocations (some dry runs), clock moves and
 * reports over two per-device versions, checked after every step: pack counts add up and match the
 * active CALs, no version ever has more CALs in the revoked state than its limit, a refusal for the
 * limit names a date ahead, and the report's tables are the server's records. fast-check prints the
 * seed and the shrunk sequence of a failure; FC_SEED replays one.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HostLicensingMode } from "../../src/licensing/farm";
import { revocationLimit, type ProductVersion } from "../../src/licensing/codes";
import { DAY_MS } from "../../src/simulator/clock";
import { connect, reconcileLicenses } from "../../src/simulator/connections";
import { usageReport } from "../../src/simulator/report";
import { revocationState, revokeCal } from "../../src/simulator/revoke";
import { newHost } from "../../src/simulator/rules-farm";
import type { StoredPack, StoredServer } from "../../src/simulator/state";

const START = new Date("2026-01-01T00:00:00Z");
const DEVICES = ["PC0", "PC1", "PC2", "PC3", "PC4", "PC5"];

function pack(keyPackId: number, productVersion: ProductVersion, total: number): StoredPack {
    return {
        keyPackId,
        keyPackType: 2,
        programName: "Enterprise Agreement",
        description: "test pack",
        productVersion,
        productVersionId: 7,
        licenseType: "per-device",
        totalLicenses: total,
        issuedLicenses: 0,
        availableLicenses: total,
        program: "enterprise-agreement",
        entitlementKey: "k",
        installedAt: START.toISOString(),
        revokedLicenses: 0,
    };
}

function world() {
    const server: StoredServer = {
        formatVersion: 1,
        name: "ls1",
        windowsServerVersion: "2025",
        createdAt: START.toISOString(),
        contact: {},
        activation: "activated",
        nextKeyPackId: 5,
        packs: [pack(3, "2022", 5), pack(4, "2025", 11)],
        requests: {},
        retailCodesUsed: [],
        executions: 0,
    };
    // Two hosts: a 2025 one can use only the 2025 pack, a 2022 one the 2022 pack first.
    const hosts = (["2022", "2025"] as const).map((v) => ({ ...newHost(`SH${v}`, v, START), mode: HostLicensingMode.PerDevice, licenseServers: ["ls1"] }));
    return { server, hosts, now: new Date(START) };
}

type World = ReturnType<typeof world>;

// Connections weigh most: a device needs two to hold a CAL worth revoking.
const step = fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant("connect" as const), device: fc.integer({ min: 0, max: 5 }), host: fc.integer({ min: 0, max: 1 }), random: fc.double({ min: 0, max: 0.999, noNaN: true }) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant("revoke" as const), device: fc.integer({ min: 0, max: 5 }), dryRun: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("advance" as const), days: fc.integer({ min: 1, max: 40 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("report" as const) }) },
);

function check(w: World): void {
    const s = w.server;
    for (const p of s.packs) {
        expect(p.issuedLicenses + p.availableLicenses, `pack ${p.keyPackId} adds up`).toBe(p.totalLicenses);
        const active = (s.licenses ?? []).filter((l) => l.status === "active" && l.keyPackId === p.keyPackId).length;
        expect(active, `pack ${p.keyPackId}: issued = active CALs`).toBe(p.issuedLicenses);
        const state = revocationState(s, p.productVersion, w.now);
        expect(state.inForce.length, `version ${p.productVersion} within its limit`).toBeLessThanOrEqual(revocationLimit(p.totalLicenses));
    }
}

type Action = typeof step extends fc.Arbitrary<infer A> ? A : never;

function run(w: World, action: Action): void {
    const s = w.server;
    switch (action.kind) {
        case "connect": {
            const servers = new Map([["ls1", s]]);
            connect(w.hosts[action.host]!, { user: "kiosk", device: DEVICES[action.device]! }, servers, { now: w.now, random: () => action.random });
            break;
        }
        case "revoke": {
            reconcileLicenses(s, w.now); // what the execution does first
            const before = JSON.stringify(s);
            const out = revokeCal(s, { device: DEVICES[action.device]! }, w.now, action.dryRun);
            if (!out.revoked) expect(JSON.stringify(s), "a refusal or a dry run changes nothing").toBe(before);
            if (out.refusal === "limit") expect(Date.parse(out.nextRevokeAllowedOn!)).toBeGreaterThan(w.now.getTime());
            if (out.revoked) expect(out.revokableCals).toBe(revocationState(s, out.productVersion!, w.now).revokableCals);
            break;
        }
        case "advance":
            w.now = new Date(w.now.getTime() + action.days * DAY_MS);
            reconcileLicenses(s, w.now);
            break;
        case "report": {
            const copy = structuredClone(s);
            const r = usageReport(copy, w.now, 3);
            expect(r.perDevice.map((e) => [e.licenseId, e.status])).toEqual((s.licenses ?? []).map((l) => [l.licenseId, l.status]));
            expect(r.summary.map((x) => x.issued)).toEqual(s.packs.map((p) => p.issuedLicenses));
            expect(copy.reports ?? []).toEqual([]);
            break;
        }
    }
}

describe("revocation, model-based", () => {
    it("counts, limits and reports hold after every step of random sequences", () => {
        fc.assert(
            fc.property(fc.array(step, { minLength: 10, maxLength: 80, size: "max" }), (actions) => {
                const w = world();
                for (const action of actions) {
                    run(w, action);
                    check(w);
                }
            }),
            { numRuns: 200, ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}) },
        );
    });
});
