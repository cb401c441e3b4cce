import { beforeEach, describe, expect, it } from "vitest";
import { PowerShellExecutor } from "../../src/drivers/powershell";
import { INPUT_PARAMETER } from "../../src/drivers/powershell/script-prelude";
import { LicensingError, WbemCode, type KeyPack, type Operation } from "../../src/licensing";
import { failure, ok } from "../support/results";
import { FakeRunner, asMisdecodedUtf16, lastBytes } from "./support/fake-runner";
import { FakeWindowsServer } from "./support/fake-windows";

const AGREEMENT = "4829175";
const contact = { firstName: "Ada", lastName: "Lovelace", company: "Analytical Engines", countryRegion: "GB", email: "ada@example.org" };

function install(requestKey: string, count = 25, agreementNumber = AGREEMENT): Operation {
    return { op: "install", requestKey, spec: { program: "enterprise-agreement", agreementNumber, productVersion: "2022", licenseType: "per-user", count } };
}

let server: FakeWindowsServer;
let runner: FakeRunner;
let executor: PowerShellExecutor;

beforeEach(() => {
    server = new FakeWindowsServer();
    runner = new FakeRunner(server);
    executor = new PowerShellExecutor({ runner });
});

describe("PowerShellExecutor over a fake Windows server", () => {
    it("runs a whole batch in one execution and returns one result per operation", async () => {
        const results = await executor.execute("rdls01", [{ op: "status" }, { op: "activate", contact }, install("req-1"), { op: "list-packs" }]);
        expect(runner.calls).toHaveLength(1);
        expect(ok<{ activation: string }>(results[0]).activation).toBe("not-activated");
        const activated = ok<{ activation: string; licenseServerId?: string; contact: object; windowsServerVersion: string }>(results[1]);
        expect(activated.activation).toBe("activated");
        expect(activated.licenseServerId).toMatch(/^[0-9A-F]{35}$/);
        expect(activated.contact).toEqual(contact);
        expect(activated.windowsServerVersion).toBe("2022");
        const pack = ok<KeyPack>(results[2]);
        expect(pack).toMatchObject({ productVersion: "2022", licenseType: "per-user", totalLicenses: 25, availableLicenses: 25, programName: "Enterprise Agreement", keyPackType: 2 });
        // The listing never shows the built-in pack.
        expect(ok<KeyPack[]>(results[3])).toEqual([pack]);
    });

    it("drives install, list, remove and uninstall", async () => {
        await executor.execute("rdls01", [{ op: "activate", contact }]);
        const [installed] = await executor.execute("rdls01", [install("req-1", 40)]);
        const id = ok<KeyPack>(installed).keyPackId;
        const [removed] = await executor.execute("rdls01", [{ op: "remove-licenses", keyPackId: id, count: 15 }]);
        expect(ok<KeyPack>(removed)).toMatchObject({ keyPackId: id, totalLicenses: 25, availableLicenses: 25 });
        const [listed] = await executor.execute("rdls01", [{ op: "list-packs" }]);
        expect(ok<KeyPack[]>(listed).map((p) => [p.keyPackId, p.totalLicenses])).toEqual([[id, 25]]);
        const [uninstalled, after] = await executor.execute("rdls01", [{ op: "uninstall", keyPackId: id }, { op: "list-packs" }]);
        expect(ok(uninstalled)).toEqual({ keyPackId: id });
        expect(ok(after)).toEqual([]);
    });

    it("keeps going after a failing operation, each failure mapped with its operation's context", async () => {
        await executor.execute("rdls01", [{ op: "activate", contact }]);
        server.refusedNumbers.add("7777777");
        const [installed] = await executor.execute("rdls01", [install("ok", 10)]);
        const id = ok<KeyPack>(installed).keyPackId;
        const results = await executor.execute("rdls01", [
            install("refused", 5, "7777777"),
            { op: "remove-licenses", keyPackId: id, count: 11 },
            { op: "uninstall", keyPackId: 999 },
            install("next", 5),
        ]);
        expect(runner.calls).toHaveLength(3);
        expect(failure(results[0])).toMatchObject({ kind: "entitlement-refused", returnValue: WbemCode.AccessDenied });
        expect(failure(results[1])).toMatchObject({ kind: "not-enough-available", returnValue: WbemCode.ValueOutOfRange });
        expect(failure(results[2])).toMatchObject({ kind: "not-found", returnValue: WbemCode.NotFound });
        expect(ok<KeyPack>(results[3]).totalLicenses).toBe(5);
        expect(server.packs.filter((p) => p.id !== 1)).toHaveLength(2);
    });

    it("maps return codes by operation: NOT_AVAILABLE is the Clearinghouse for installs and activation", async () => {
        server.clearinghouseDown = true;
        const [activation] = await executor.execute("rdls01", [{ op: "activate", contact }]);
        expect(failure(activation)).toMatchObject({ kind: "clearinghouse-unreachable", returnValue: WbemCode.NotAvailable });
        expect(new LicensingError(failure(activation)).transient).toBe(true);
        server.clearinghouseDown = false;
        const [notActivated] = await executor.execute("rdls01", [install("a")]);
        expect(failure(notActivated).kind).toBe("not-activated");
        server.activation = 0;
        const [tooNew] = await executor.execute("rdls01", [
            { op: "install", requestKey: "b", spec: { program: "select", agreementNumber: AGREEMENT, productVersion: "2025", licenseType: "per-device", count: 1 } },
        ]);
        expect(failure(tooNew).kind).toBe("version-not-supported");
    });

    it("maps CIM-layer exceptions, and says what to do about access denied", async () => {
        server.activation = 0;
        server.faults.push({ method: "InstallAgreementLicenseKeyPack", exception: "Access denied", cimCode: "AccessDenied" });
        const [denied] = await executor.execute("rdls01", [install("x")]);
        expect(failure(denied).kind).toBe("failed");
        expect(failure(denied).message).toMatch(/administrator/);
        server.faults.push({ method: "UninstallLicenseKeyPackWithId", returnValue: WbemCode.Failed });
        const pack = server.addPack({ total: 3 });
        const [uninstall] = await executor.execute("rdls01", [{ op: "uninstall", keyPackId: pack.id }]);
        expect(failure(uninstall)).toMatchObject({ kind: "failed", returnValue: WbemCode.Failed });
        expect(failure(uninstall).message).toContain(`uninstall key pack ${pack.id}`);
    });
});

describe("idempotent installs", () => {
    beforeEach(() => {
        server.activation = 0;
    });

    it("returns the pack of an earlier install with the same request key", async () => {
        const [first] = await executor.execute("rdls01", [install("same-key", 20)]);
        const [again] = await executor.execute("rdls01", [install("same-key", 20)]);
        expect(ok<KeyPack>(again)).toEqual(ok<KeyPack>(first));
        expect(server.packs.filter((p) => p.id !== 1)).toHaveLength(1);
    });

    it("makes a retry after a lost response safe", async () => {
        runner.failWith = { error: new LicensingError({ kind: "transient", message: "connection reset" }), afterRunning: true };
        await expect(executor.execute("rdls01", [install("lost", 20)])).rejects.toMatchObject({ kind: "transient" });
        runner.failWith = undefined;
        const [retried] = await executor.execute("rdls01", [install("lost", 20)]);
        expect(ok<KeyPack>(retried).totalLicenses).toBe(20);
        expect(server.packs.filter((p) => p.id !== 1)).toHaveLength(1);
    });

    it("installs again when the pack the key points to is gone", async () => {
        const [first] = await executor.execute("rdls01", [install("k", 20)]);
        server.packs = server.packs.filter((p) => p.id !== ok<KeyPack>(first).keyPackId);
        const [second] = await executor.execute("rdls01", [install("k", 20)]);
        expect(ok<KeyPack>(second).keyPackId).not.toBe(ok<KeyPack>(first).keyPackId);
    });
});

describe("local validation", () => {
    it("refuses malformed numbers before anything runs, without echoing them", async () => {
        const results = await executor.execute("rdls01", [install("a", 5, "12-34"), { op: "remove-licenses", keyPackId: 0, count: 1 }]);
        expect(runner.calls).toHaveLength(0);
        expect(failure(results[0]).kind).toBe("invalid-number");
        expect(failure(results[0]).message).toMatch(/agreement number.*7 digits/);
        expect(failure(results[0]).message).not.toContain("12-34");
        expect(failure(results[1]).kind).toBe("invalid-parameter");
    });

    it("runs the valid operations of a batch and reports the invalid ones in place", async () => {
        const results = await executor.execute("rdls01", [{ op: "status" }, install("a", 5, "x"), { op: "list-packs" }]);
        expect(runner.calls).toHaveLength(1);
        expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    });

    it("checks the activation contact", async () => {
        const [r] = await executor.execute("rdls01", [{ op: "activate", contact: { ...contact, company: " " } }]);
        expect(failure(r).kind).toBe("contact-incomplete");
    });
});

describe("product version codes", () => {
    it("renders an overridden code and reads it back as that version", async () => {
        server.build = 26100;
        server.activation = 0;
        executor = new PowerShellExecutor({ runner, productVersionIds: { "2025": 9 } });
        server.addPack({ total: 5, versionId: 9, versionText: "Windows Server 2025", description: "Windows Server 2025 - RDS Per User CAL" });
        const [listed] = await executor.execute("rdls01", [{ op: "list-packs" }]);
        expect(ok<KeyPack[]>(listed)[0]).toMatchObject({ productVersion: "2025", productVersionId: 9 });
        await executor.execute("rdls01", [
            { op: "install", requestKey: "k25", spec: { program: "spla", agreementNumber: AGREEMENT, productVersion: "2025", licenseType: "per-user", count: 3 } },
        ]);
        expect(runner.calls.at(-1)!.script).toMatch(/ProductVersion = \[uint32\]9;/);
    });

    it("falls back to the version text when a server reports an unknown 2025 code", async () => {
        server.addPack({ total: 5, versionId: 11, versionText: "Windows Server 2025", description: "Windows Server 2025 - RDS Per Device CAL", productType: 0 });
        const [listed] = await executor.execute("rdls01", [{ op: "list-packs" }]);
        expect(ok<KeyPack[]>(listed)[0]).toMatchObject({ productVersion: "2025", licenseType: "per-device", productVersionId: 11 });
    });
});

describe("large results", () => {
    it("reads a 200-pack listing back in chunks, every output under Run Command's 4,096 bytes", async () => {
        for (let i = 0; i < 200; i++) {
            const version = (["2016", "2019", "2022"] as const)[i % 3]!;
            server.addPack({
                total: 10 + ((i * 37) % 990),
                issued: (i * 13) % 10,
                versionId: { "2016": 5, "2019": 6, "2022": 7 }[version],
                versionText: `Windows Server ${version}`,
                description: `Windows Server ${version} - RDS Per ${i % 2 ? "User" : "Device"} CAL`,
                productType: i % 2,
                type: i % 4 === 0 ? 5 : 2,
                expires: i % 10 === 0 ? `2027-0${1 + (i % 9)}-15` : null,
            });
        }
        const [listed] = await executor.execute("rdls01", [{ op: "list-packs" }]);
        const packs = ok<KeyPack[]>(listed);
        expect(packs).toHaveLength(200);
        const expected = server.packs.filter((p) => p.id !== 1);
        expect(packs.map((p) => [p.keyPackId, p.totalLicenses, p.issuedLicenses, p.availableLicenses, p.licenseType, p.expirationDate])).toEqual(
            expected.map((p) => [p.id, p.total, p.issued, p.available, p.productType ? "per-user" : "per-device", p.expires ?? undefined]),
        );
        expect(runner.calls.length).toBeGreaterThan(1);
        for (const call of runner.calls) expect(Buffer.byteLength(call.output!.stdout)).toBeLessThan(4096);
        // Follow-ups carry no input and the spool is gone once read.
        expect(runner.calls.slice(1).every((c) => Object.keys(c.secretParameters).length === 0)).toBe(true);
        expect(server.spool.size).toBe(0);
    });

    it("reports a spool that vanished between executions", async () => {
        for (let i = 0; i < 200; i++) server.addPack({ total: i + 1, description: `Pack ${i} ${"x".repeat(i % 17)}` });
        runner.transform = (s) => {
            server.spool.clear();
            return s;
        };
        await expect(executor.execute("rdls01", [{ op: "list-packs" }])).rejects.toThrow(/spooled result could not be read back/);
    });
});

describe("noisy, re-encoded and cut output", () => {
    const banner = [
        "Windows PowerShell",
        "Copyright (C) Microsoft Corporation. All rights reserved.",
        "",
        "Install the latest PowerShell for new features and improvements! https://aka.ms/PSWindows",
        "WARNING: The names of some imported commands from the module 'RemoteDesktop' include unapproved verbs.",
    ];

    it("reads results through banners, warnings and UTF-16LE with a BOM", async () => {
        server.noise = banner;
        runner.transform = asMisdecodedUtf16;
        const [status] = await executor.execute("rdls01", [{ op: "status" }]);
        expect(ok<{ name: string }>(status).name).toBe("RDLS01");
    });

    it("says the output was truncated when Run Command kept only its tail", async () => {
        server.noise = banner;
        for (let i = 0; i < 30; i++) server.addPack({ total: i + 1, description: `Pack ${i}` });
        // A block that fits the budget but, with a long description, no longer fits 4 KB.
        executor = new PowerShellExecutor({ runner, outputBudget: 6000 });
        runner.transform = (s) => lastBytes(s, 2048);
        await expect(executor.execute("rdls01", [{ op: "list-packs" }])).rejects.toThrow(/cut before the result block.*4096 bytes/);
    });

    it("says so when there is no result block at all, with the stderr tail", async () => {
        runner.transform = () => "";
        server.noise = [];
        const run = runner.run.bind(runner);
        runner.run = async (...args) => ({ ...(await run(...args)), stdout: "", stderr: "At line:1 char:1\r\n+ CategoryInfo : ParserError", exitCode: 1 });
        await expect(executor.execute("rdls01", [{ op: "status" }])).rejects.toThrow(/exit code 1.*no result block.*ParserError/s);
    });

    it("rejects transport failures with their kind and retry hint", async () => {
        runner.failWith = { error: new LicensingError({ kind: "transient", message: "throttled", retryAfterMs: 7000 }), afterRunning: false };
        await expect(executor.execute("rdls01", [{ op: "status" }])).rejects.toMatchObject({ kind: "transient", retryAfterMs: 7000 });
    });
});

describe("secrets", () => {
    const secretOps = (n: string, lic: string, auth: string, code: string): Operation[] => [
        install("k1", 5, n),
        { op: "install", requestKey: "k2", spec: { program: "open-license", licenseNumber: lic, authorizationNumber: auth, productVersion: "2019", licenseType: "per-device", count: 2 } },
        { op: "install", requestKey: "k3", spec: { program: "retail", licenseCode: code, productVersion: "2022", licenseType: "per-user", count: 10 } },
    ];

    it("renders the same script whatever the secret values, and never puts them in it", async () => {
        const fixed = new PowerShellExecutor({ runner, nonce: () => "00112233445566778899aabb" });
        server.activation = 0;
        await fixed.execute("rdls01", secretOps("1111111", "22222222", "AAAAABBBBBCCCCC", "DDDDD-EEEEE-FFFFF-GGGGG-HHHHH"));
        await fixed.execute("rdls01", secretOps("9999999", "88888888", "ZZZZZYYYYYXXXXX", "WWWWWVVVVVUUUUUTTTTTSSSSS"));
        const [a, b] = runner.calls;
        expect(a!.script).toBe(b!.script);
        for (const secret of ["1111111", "22222222", "AAAAABBBBBCCCCC", "DDDDDEEEEEFFFFFGGGGGHHHHH", "DDDDD-EEEEE"]) {
            expect(a!.script).not.toContain(secret);
            expect(a!.output!.stdout).not.toContain(secret);
        }
        // They travel in the input parameter only, normalized.
        const input = JSON.parse(Buffer.from(a!.secretParameters[INPUT_PARAMETER]!, "base64").toString("utf8"));
        expect(input.o.map((o: Record<string, string>) => o.num ?? o.lic ?? o.code)).toEqual(["1111111", "22222222", "DDDDDEEEEEFFFFFGGGGGHHHHH"]);
    });

    it("scrubs secrets from error messages, even when the script failed to", async () => {
        server.activation = 0;
        server.scrubSecrets = false;
        server.faults.push({ method: "InstallAgreementLicenseKeyPack", exception: `The Clearinghouse refused agreement ${AGREEMENT}` });
        const [r] = await executor.execute("rdls01", [install("s")]);
        expect(failure(r).message).toContain("refused agreement ***");
        expect(failure(r).message).not.toContain(AGREEMENT);
    });

    it("scrubs secrets from transport errors", async () => {
        runner.failWith = { error: new LicensingError({ kind: "failed", message: `echo of ${AGREEMENT}` }), afterRunning: false };
        const error = await executor.execute("rdls01", [install("t")]).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(LicensingError);
        expect((error as Error).message).not.toContain(AGREEMENT);
    });
});
