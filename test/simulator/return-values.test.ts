/**
 * Every refusal of the WMI surface carries the WBEM code the real method returns, and the code reads
 * back as the same kind through kindFromReturnValue (what the PowerShell driver does with real codes).
 */
import { describe, expect, it } from "vitest";
import { WbemCode } from "../../src/licensing/codes";
import { kindFromReturnValue, returnValueOf, type LicensingErrorKind } from "../../src/licensing/errors";
import type { Operation } from "../../src/licensing/operations";
import { executeFarm } from "../../src/simulator/farm-execution";
import { CONTEXT_OF } from "../../src/simulator/refusal";
import { CONTACT, agreement, fixture, retail, type Fixture } from "./helpers/sim";

/** [name, kind, operation, setup, server activated beforehand (default true)] */
type Case = [string, LicensingErrorKind, Operation, (f: Fixture) => Promise<unknown>, boolean?];
const nothing = async () => undefined;
const deactivated = (f: Fixture) => f.sim.deactivate();
const down = (f: Fixture) => f.sim.setFaults({ clearinghouseUnreachable: true });
const withPack = (f: Fixture) => f.sim.install(agreement({ count: 5 }));

const CASES: Case[] = [
    ["activate without contact", "contact-incomplete", { op: "activate", contact: { ...CONTACT, company: "" } }, nothing, false],
    ["activate, Clearinghouse down", "clearinghouse-unreachable", { op: "activate", contact: CONTACT }, down, false],
    ["deactivate, not activated", "not-activated", { op: "deactivate" }, deactivated],
    ["install, not activated", "not-activated", { op: "install", spec: agreement(), requestKey: "k" }, deactivated],
    ["install, bad count", "invalid-parameter", { op: "install", spec: agreement({ count: 0 }), requestKey: "k" }, nothing],
    ["install, bad number", "invalid-number", { op: "install", spec: agreement({ agreementNumber: "1" } as never), requestKey: "k" }, nothing],
    ["install, newer version", "version-not-supported", { op: "install", spec: agreement({ productVersion: "2025" }), requestKey: "k" }, nothing],
    ["install, Clearinghouse down", "clearinghouse-unreachable", { op: "install", spec: agreement(), requestKey: "k" }, down],
    ["install, retail code reused", "entitlement-refused", { op: "install", spec: retail(), requestKey: "k2" }, (f) => f.sim.install(retail())],
    ["remove, not activated", "not-activated", { op: "remove-licenses", keyPackId: 3, count: 1 }, async (f) => (await withPack(f), deactivated(f))],
    ["remove, bad count", "invalid-parameter", { op: "remove-licenses", keyPackId: 3, count: -1 }, withPack],
    ["remove, unknown pack", "not-found", { op: "remove-licenses", keyPackId: 77, count: 1 }, nothing],
    ["remove, too many", "not-enough-available", { op: "remove-licenses", keyPackId: 3, count: 6 }, withPack],
    ["uninstall, not activated", "not-activated", { op: "uninstall", keyPackId: 3 }, async (f) => (await withPack(f), deactivated(f))],
    ["uninstall, unknown pack", "not-found", { op: "uninstall", keyPackId: 77 }, nothing],
];

describe("return values of refusals", () => {
    it.each(CASES)("%s → %s, and the code maps back to the kind", async (_, kind, op, setup, activated) => {
        const f = await fixture({ activated });
        await setup(f);
        const [result] = await f.exec.execute("rdls01", [op]);
        expect(result).toMatchObject({ ok: false, error: { kind } });
        if (result?.ok !== false) return;
        const context = CONTEXT_OF[op.op];
        expect(result.error.returnValue).toBe(returnValueOf(context, kind));
        expect(kindFromReturnValue(context, result.error.returnValue!)).toBe(kind);
    });

    it("unknown-server refusals map back to not-found for every operation", async () => {
        const f = await fixture();
        const ops: Operation[] = [
            { op: "status" },
            { op: "list-packs" },
            { op: "activate", contact: CONTACT },
            { op: "deactivate" },
            { op: "install", spec: agreement(), requestKey: "k" },
            { op: "remove-licenses", keyPackId: 3, count: 1 },
            { op: "uninstall", keyPackId: 3 },
        ];
        const results = await f.exec.execute("ghost", ops);
        results.forEach((r, i) => {
            expect(r.ok).toBe(false);
            if (r.ok) return;
            expect(kindFromReturnValue(CONTEXT_OF[ops[i]!.op], r.error.returnValue!)).toBe("not-found");
        });
    });

    it("covers every kind the simulator reports through the WMI surface", () => {
        const kinds = new Set(CASES.map((c) => c[1]));
        for (const k of ["contact-incomplete", "clearinghouse-unreachable", "not-activated", "invalid-parameter", "invalid-number", "version-not-supported", "entitlement-refused", "not-found", "not-enough-available"]) {
            expect(kinds.has(k as LicensingErrorKind)).toBe(true);
        }
    });
});

describe("return values of the farm's setters", () => {
    it("a setting Group Policy makes fails with WBEM_E_INVALID_OPERATION, which reads back as invalid-parameter", async () => {
        const f = await fixture();
        await f.sim.createHost({ name: "RDSH01", windowsServerVersion: "2022" });
        await f.sim.lockPolicy("RDSH01", { mode: true });
        const [result] = await executeFarm(f.home, "RDSH01", [{ op: "set-host-licensing", mode: "PerUser", licenseServers: ["rdls01"] }]);
        expect(result).toMatchObject({ ok: false, error: { kind: "invalid-parameter", returnValue: WbemCode.InvalidOperation } });
        if (result?.ok !== false) return;
        expect(kindFromReturnValue("configure", result.error.returnValue!)).toBe("invalid-parameter");
        // The same code from a license server method still means "not activated".
        expect(kindFromReturnValue("uninstall", WbemCode.InvalidOperation)).toBe("not-activated");
    });
});
