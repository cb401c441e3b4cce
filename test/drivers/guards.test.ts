/**
 * The two guards operations.ts adds on top of WMI (remove-licenses `expectedTotal`, uninstall
 * `refuseIfIssued`), through the PowerShell executor and a fake Windows server that evaluates the
 * guards the script states; and the same scenario on the simulator, which must report alike.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { Redactor, errorFromWire, PowerShellExecutor } from "../../src/drivers/powershell";
import type { KeyPack, Operation, OperationExecutor } from "../../src/licensing";
import { failure, ok } from "../support/results";
import { fixture } from "../simulator/helpers/sim";
import { FakeRunner } from "./support/fake-runner";
import { FakeWindowsServer, type FakePack } from "./support/fake-windows";

let server: FakeWindowsServer;
let runner: FakeRunner;
let executor: PowerShellExecutor;
let pack: FakePack;

beforeEach(() => {
    server = new FakeWindowsServer();
    server.activation = 0;
    runner = new FakeRunner(server);
    executor = new PowerShellExecutor({ runner });
    pack = server.addPack({ total: 40 });
});

describe("remove-licenses with expectedTotal", () => {
    it("removes while the live total is the expected one", async () => {
        const [removed] = await executor.execute("rdls01", [{ op: "remove-licenses", keyPackId: pack.id, count: 10, expectedTotal: 40 }]);
        expect(ok<KeyPack>(removed)).toMatchObject({ keyPackId: pack.id, totalLicenses: 30, availableLicenses: 30 });
        expect(pack.total).toBe(30);
    });

    it("refuses with kind conflict and no return value when the total moved, changing nothing", async () => {
        const [first, retry] = await executor.execute("rdls01", [
            { op: "remove-licenses", keyPackId: pack.id, count: 10, expectedTotal: 40 },
            // A retry after a lost reply: the pack already shrank, so nothing more goes.
            { op: "remove-licenses", keyPackId: pack.id, count: 10, expectedTotal: 40 },
        ]);
        expect(first!.ok).toBe(true);
        const error = failure(retry);
        expect(error).toEqual({
            kind: "conflict",
            message: `remove 10 licenses from key pack ${pack.id}: key pack ${pack.id} holds 30 licenses, not the expected 40; nothing removed`,
        });
        expect(pack.total).toBe(30);
    });

    it("checks the total before availability, as the simulator does", async () => {
        const [r] = await executor.execute("rdls01", [{ op: "remove-licenses", keyPackId: pack.id, count: 500, expectedTotal: 7 }]);
        expect(failure(r).kind).toBe("conflict");
    });

    it("without expectedTotal, renders no guard and removes as before", async () => {
        const [r] = await executor.execute("rdls01", [{ op: "remove-licenses", keyPackId: pack.id, count: 5 }]);
        expect(ok<KeyPack>(r).totalLicenses).toBe(35);
        expect(stepsOf(runner.calls[0]!.script)).not.toMatch(/New-RdlsRefusal '/);
    });

    it("refuses an expectedTotal that is not a uint32 before anything runs", async () => {
        const results = await executor.execute("rdls01", [
            { op: "remove-licenses", keyPackId: pack.id, count: 1, expectedTotal: -1 },
            { op: "remove-licenses", keyPackId: pack.id, count: 1, expectedTotal: 2.5 },
        ]);
        expect(runner.calls).toHaveLength(0);
        expect(results.map((r) => failure(r).kind)).toEqual(["invalid-parameter", "invalid-parameter"]);
    });
});

describe("uninstall with refuseIfIssued", () => {
    it("refuses with kind licenses-issued and no return value while licenses are issued, changing nothing", async () => {
        pack.issued = 3;
        pack.available = 37;
        const [r] = await executor.execute("rdls01", [{ op: "uninstall", keyPackId: pack.id, refuseIfIssued: true }]);
        expect(failure(r)).toEqual({
            kind: "licenses-issued",
            message: `uninstall key pack ${pack.id}: key pack ${pack.id} has 3 issued licenses; not uninstalled`,
        });
        expect(server.packs).toContain(pack);
    });

    it("uninstalls a pack with nothing issued", async () => {
        const [r] = await executor.execute("rdls01", [{ op: "uninstall", keyPackId: pack.id, refuseIfIssued: true }]);
        expect(ok(r)).toEqual({ keyPackId: pack.id });
        expect(server.packs).not.toContain(pack);
    });

    it("without refuseIfIssued, uninstalls issued licenses with the pack", async () => {
        pack.issued = 3;
        const [r] = await executor.execute("rdls01", [{ op: "uninstall", keyPackId: pack.id, refuseIfIssued: false }]);
        expect(ok(r)).toEqual({ keyPackId: pack.id });
        expect(stepsOf(runner.calls[0]!.script)).not.toMatch(/New-RdlsRefusal '/);
    });
});

describe("reading refusals off the wire", () => {
    const redactor = new Redactor([]);

    it("believes a guard kind only from the operation that has that guard", () => {
        expect(errorFromWire("uninstall", "uninstall key pack 2", { m: "issued", k: "licenses-issued" }, redactor)).toEqual({
            kind: "licenses-issued",
            message: "uninstall key pack 2: issued",
        });
        expect(errorFromWire("uninstall", "uninstall key pack 2", { m: "odd", k: "conflict" }, redactor).kind).toBe("failed");
        expect(errorFromWire("install", "install", { m: "odd", k: "not-found" }, redactor).kind).toBe("failed");
    });
});

describe("parity with the simulator", () => {
    type Outcome = { ok: true; total?: number } | { ok: false; kind: string; returnValue?: number; message: string };

    /** The scenario of a CalKeyPack that shrinks, is retried after a lost reply, then is deleted. */
    async function scenario(exec: OperationExecutor, id: number, issue: (count: number) => Promise<void>): Promise<Outcome[]> {
        const steps: Operation[][] = [
            [{ op: "remove-licenses", keyPackId: id, count: 10, expectedTotal: 40 }],
            [{ op: "remove-licenses", keyPackId: id, count: 10, expectedTotal: 40 }],
            [{ op: "remove-licenses", keyPackId: id, count: 500, expectedTotal: 99 }],
            [{ op: "uninstall", keyPackId: id, refuseIfIssued: true }],
            [{ op: "uninstall", keyPackId: id, refuseIfIssued: false }],
        ];
        const outcomes: Outcome[] = [];
        for (const [i, ops] of steps.entries()) {
            if (i === 3) await issue(2);
            const [r] = await exec.execute("rdls01", ops);
            if (r!.ok) outcomes.push({ ok: true, total: (r!.value as Partial<KeyPack>).totalLicenses });
            // Messages compared without the driver's operation label.
            else outcomes.push({ ok: false, kind: r!.error.kind, returnValue: r!.error.returnValue, message: r!.error.message.replace(/^[^:]+: /, "") });
        }
        return outcomes;
    }

    it("reports the same outcomes, kinds, return values and messages", async () => {
        const sim = await fixture();
        const simPack = await sim.sim.install({ program: "select", agreementNumber: "7654321", productVersion: "2022", licenseType: "per-user", count: 40 });
        const fromSimulator = await scenario(sim.exec, simPack.keyPackId, async (n) => void (await sim.sim.issue(simPack.keyPackId, n)));
        const fromDriver = await scenario(executor, pack.id, async (n) => {
            pack.issued += n;
            pack.available -= n;
        });
        const anonymous = (outcomes: Outcome[], id: number) => JSON.parse(JSON.stringify(outcomes).split(`key pack ${id} `).join("key pack # "));
        expect(anonymous(fromDriver, pack.id)).toEqual(anonymous(fromSimulator, simPack.keyPackId));
        expect(fromDriver.map((o) => (o.ok ? "ok" : o.kind))).toEqual(["ok", "conflict", "conflict", "licenses-issued", "ok"]);
    });
});

/** The steps of a batch script, without the prelude (whose activation check refuses by kind too). */
function stepsOf(script: string): string {
    return script.slice(script.indexOf("\nInvoke-RdlsStep "));
}
