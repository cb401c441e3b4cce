/**
 * `rds-licensing report` and `rds-licensing revoke` on a simulator store, in process: the tables
 * against the simulator's records, JSON, CSV (parsed by RFC 4180), the HTML page's charts (parsed
 * as XML, numbers read off the chart elements), findings and exit codes, the revocation limit.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { run as report } from "../../src/cli/report";
import { toCsv } from "../../src/cli/report-text";
import type { UsageReportDocument } from "../../src/cli/report-model";
import { executorOf, serversOfState } from "../../src/cli/report-servers";
import { run as revoke } from "../../src/cli/revoke";
import { licenseUsage } from "../../src/licensing/usage-server";
import { RESOURCE_TYPES } from "../../src/licensing/resource-types";
import { Store } from "../../src/simulator/store";
import { DAY_MS } from "../../src/simulator/clock";
import { descendants, parseXml } from "../drift/xml";
import { NUMBERS, simCli, tempHome } from "../simulator/helpers/sim";
import { usageFarm } from "../support/usage-farm";

async function cli(command: typeof report, ...argv: string[]) {
    let stdout = "";
    let stderr = "";
    const code = await command(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: {}, cwd: "/" });
    return { code, stdout, stderr };
}

/** ls1 with 1 per-user and 5 per-device CALs (2022); SH1 per user, SH2 per device; connections through the simulator's CLI. */
async function farm() {
    const f = await usageFarm({
        serverVersion: "2022",
        packs: [{ productVersion: "2022", licenseType: "per-user", count: 1 }, { productVersion: "2022", licenseType: "per-device", count: 5, agreementNumber: "1234567" }],
    });
    const connect = async (host: string, user: string, device?: string) => {
        const r = await simCli(f.home, "connect", "--host", host, "--user", user, ...(device ? ["--device", device] : []));
        expect(r.code, r.stderr).toBe(0);
    };
    return { home: f.home, sim: f.sim, install: f.install, connect };
}

/** A tiny RFC 4180 reader: quoted fields, doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
    const rows: string[][] = [];
    let row: string[] = [];
    let field = "";
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
        const c = text[i]!;
        if (quoted) {
            if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
            else if (c === '"') quoted = false;
            else field += c;
        } else if (c === '"') quoted = true;
        else if (c === ",") row.push(field), (field = "");
        else if (c === "\r" && text[i + 1] === "\n") {
            row.push(field), rows.push(row), (row = []), (field = ""), i++;
        } else field += c;
    }
    if (field !== "" || row.length > 0) throw new Error("the last record has no CRLF");
    return rows;
}

const readJson = (text: string) => JSON.parse(text) as UsageReportDocument;

describe("rds-licensing report", () => {
    it("after connections: the JSON tables match the simulator's records; over-allocation exits 4", async () => {
        const f = await farm();
        await f.connect("SH1", "alice");
        await f.connect("SH1", "bob"); // none left: over-allocated, a failed issuance
        await f.connect("SH2", "kiosk", "PC1");
        await f.connect("SH2", "kiosk", "PC1");
        const r = await cli(report, "--home", f.home, "--json");
        expect(r.code, r.stderr).toBe(4);
        const doc = readJson(r.stdout);
        const records = await f.sim.issuedLicenses();
        const pick = (rows: { licenseId: number; status: string; issueDate: string }[]) => rows.map((e) => [e.licenseId, e.status, e.issueDate]);
        expect(pick(doc.servers[0]!.perUser)).toEqual(pick(records.filter((l) => l.issuedToUser)));
        expect(doc.servers[0]!.perUser.map((e) => e.user)).toEqual(records.filter((l) => l.issuedToUser).map((l) => l.issuedToUser));
        expect(doc.servers[0]!.perDevice.map((e) => [e.device, e.expirationDate])).toEqual(records.filter((l) => l.issuedToComputer).map((l) => [l.issuedToComputer, l.expirationDate]));
        expect(doc).toMatchObject({ status: "over-allocated", exitCode: 4 });
        expect(doc.findings.map((x) => [x.kind, x.count])).toEqual([
            ["over-allocated", 1],
            ["failed-issuances", 1],
        ]);
        // The table goes to stderr with --json, and it names the finding.
        expect(r.stderr).toMatch(/Per-user CALs[\s\S]*bob\s+over-allocated/);
        expect(r.stderr).toMatch(/over-allocated: ls1: 1 user\(s\) hold no per-user CAL/);
    });

    it("exit codes: 0 without finding, 3 once over-allocation is gone but failed issuances remain, 1 on bad input before any server is asked", async () => {
        const f = await farm();
        await f.connect("SH1", "alice");
        const clean = await cli(report, "--home", f.home);
        expect(clean.code, clean.stderr).toBe(0);
        expect(clean.stdout).toContain("Findings: none");
        await f.connect("SH1", "bob");
        expect((await cli(report, "--home", f.home)).code).toBe(4);
        await f.install({ productVersion: "2022", licenseType: "per-user", count: 1, agreementNumber: "7777777" });
        await f.connect("SH1", "bob"); // now a real CAL: no over-allocation, the failure stays on record
        const history = await cli(report, "--home", f.home, "--json");
        expect(history.code).toBe(3);
        expect(readJson(history.stdout).findings.map((x) => x.kind)).toEqual(["failed-issuances"]);

        const executions = async () => (await new Store(f.home).readServer("ls1"))!.executions;
        const before = await executions();
        for (const [argv, message] of [
            [[], /give --stack <name> .* or --home <dir>/],
            [["--home", path.join(f.home, "nope")], /no simulator store at/],
            [["--home", f.home, "--stack", "dev"], /--home and --stack both given/],
            [["--home", f.home, "--history", f.home], /--history is read for the HTML page's chart over time: add --html <file>/],
            [["--home", f.home, "--page-size", "-3"], /--page-size needs a value|--page-size must be a whole number/],
            [["--home", f.home, "--server", "ls9"], /--server ls9: not among the license servers \(ls1\)/],
            [["--home", f.home, "--jsn"], /unknown option --jsn.*--json/],
        ] as const) {
            const r = await cli(report, ...argv);
            expect(r.code, argv.join(" ")).toBe(1);
            expect(r.stderr).toMatch(message);
        }
        expect(await executions()).toBe(before);
    });

    it("--csv writes four RFC 4180 files whose rows are the JSON tables'", async () => {
        const f = await farm();
        await f.connect("SH1", "alice");
        await f.connect("SH1", "CONTOSO\\bob");
        await f.connect("SH2", "kiosk", "PC1");
        const dir = path.join(tempHome(), "csv");
        const r = await cli(report, "--home", f.home, "--json", "--csv", dir);
        const doc = readJson(r.stdout);
        expect(fs.readdirSync(dir).sort()).toEqual(["failed-per-user.csv", "per-device.csv", "per-user.csv", "summary.csv"]);
        const users = parseCsv(fs.readFileSync(path.join(dir, "per-user.csv"), "utf8"));
        expect(users[0]).toEqual(["server", "licenseId", "user", "status", "keyPackId", "version", "host", "issued"]);
        expect(users.slice(1).map((row) => [row[1], row[2], row[3]])).toEqual(doc.servers[0]!.perUser.map((e) => [String(e.licenseId), e.user, e.status]));
        const devices = parseCsv(fs.readFileSync(path.join(dir, "per-device.csv"), "utf8"));
        expect(devices.slice(1).map((row) => [row[2], row[3], row[9]])).toEqual(doc.servers[0]!.perDevice.map((e) => [e.device, e.hardwareId, e.expirationDate]));
        const failed = parseCsv(fs.readFileSync(path.join(dir, "failed-per-user.csv"), "utf8"));
        expect(failed.slice(1).map((row) => [row[1], row[2]])).toEqual([["CONTOSO\\bob", "CONTOSO"]]);
        const summary = parseCsv(fs.readFileSync(path.join(dir, "summary.csv"), "utf8"));
        expect(summary.slice(1)).toEqual([
            ["ls1", "2022", "per-device", "5", "0", "5", "0"],
            ["ls1", "2022", "per-user", "1", "1", "0", "1"],
        ]);
        // Quoting round-trips what the simulator's names cannot hold.
        const tricky = ['a,b', 'say "hi"', "two\r\nlines", ""];
        expect(parseCsv(toCsv(["x", "y", "z", "w"], [tricky]))).toEqual([["x", "y", "z", "w"], tricky]);
    });

    it("--html draws usage per server, version and type, and CALs in use over time from --history; the numbers are on the chart elements", async () => {
        const f = await farm();
        const history = path.join(tempHome(), "history");
        fs.mkdirSync(history);
        fs.writeFileSync(path.join(history, "notes.json"), '{"not": "a report"}');
        await f.connect("SH1", "alice");
        fs.writeFileSync(path.join(history, "day-1.json"), (await cli(report, "--home", f.home, "--json")).stdout);
        await f.sim.advanceClock(DAY_MS);
        for (const device of ["PC1", "PC1", "PC2", "PC2"]) await f.connect("SH2", "kiosk", device);
        fs.writeFileSync(path.join(history, "day-2.json"), (await cli(report, "--home", f.home, "--json")).stdout);
        await f.connect("SH1", "bob");
        const html = path.join(tempHome(), "out", "usage.html");
        const r = await cli(report, "--home", f.home, "--html", html, "--history", history);
        expect(r.code).toBe(4);
        expect(r.stderr).toMatch(/notes\.json is not a usage report/);
        expect(r.stderr).toContain(`report: wrote ${html}`);
        const page = parseXml(fs.readFileSync(html, "utf8"));
        const all = descendants(page);
        expect(all.some((e) => e.name === "script" || e.name === "link")).toBe(false); // self-contained
        const bars = all.filter((e) => e.name === "g" && e.attributes.class === "usage-bar");
        expect(bars.map((b) => [b.attributes["data-type"], b.attributes["data-installed"], b.attributes["data-issued"], b.attributes["data-over-allocated"]])).toEqual([
            ["per-device", "5", "2", "0"],
            ["per-user", "1", "1", "1"],
        ]);
        const label = (b: (typeof bars)[number]) => descendants(b).find((e) => e.name === "text" && e.attributes.class === "value")?.text;
        expect(bars.map(label)).toEqual(["2 / 5", "1 / 1 +1 over"]);
        const series = all.filter((e) => e.name === "g" && e.attributes.class === "history-series");
        const values = (name: string) =>
            descendants(series.find((s) => s.attributes["data-series"] === name)!)
                .filter((e) => e.name === "circle")
                .map((c) => Number(c.attributes["data-value"]));
        expect(values("perUser")).toEqual([1, 1, 2]);
        expect(values("perDevice")).toEqual([0, 2, 2]);
    });

    it("never writes the numbers a pack was installed with", async () => {
        const f = await farm();
        await f.connect("SH1", "alice");
        const dir = tempHome();
        const r = await cli(report, "--home", f.home, "--json", "--csv", dir, "--html", path.join(dir, "r.html"));
        const written = fs.readdirSync(dir).map((n) => fs.readFileSync(path.join(dir, n), "utf8"));
        for (const text of [r.stdout, r.stderr, ...written]) {
            expect(text).not.toContain(NUMBERS.agreement);
            expect(text).not.toContain("1234567");
        }
    });
});

describe("the stack's license servers", () => {
    it("are the distinct server and connection inputs of its licensing resources; simulator homes resolve against the project; a malformed connection is refused by name", async () => {
        const f = await farm();
        const project = path.dirname(f.home);
        const sim = { kind: "simulator", home: path.basename(f.home) };
        const exported = {
            version: 3,
            deployment: {
                resources: [
                    { type: "pulumi:pulumi:Stack", inputs: {} },
                    { type: RESOURCE_TYPES.activation, inputs: { server: "ls1", connection: sim } },
                    { type: RESOURCE_TYPES.calKeyPack, inputs: { server: "LS1", connection: sim } },
                    { type: RESOURCE_TYPES.calKeyPack, inputs: { server: "ls2", connection: { kind: "azure-run-command", vmName: "ls2" } } },
                    { type: RESOURCE_TYPES.hostLicensing, inputs: { host: "SH1", connection: sim } },
                ],
            },
        };
        const servers = serversOfState(exported);
        expect(servers).toEqual([
            { server: "ls1", connection: sim },
            { server: "ls2", connection: { kind: "azure-run-command", vmName: "ls2" } },
        ]);
        const report = await licenseUsage("ls1", executorOf(servers[0]!, project)).report();
        expect(report.summary.map((r) => r.licenseType)).toEqual(["per-device", "per-user"]);
        // An Azure connection is reported on too, once the state's connection is one the provider accepts.
        expect(() => executorOf(servers[1]!, project)).toThrow(/license server ls2: its connection in the stack's state \(kind "azure-run-command"\) is not one the provider accepts \(subscriptionId/);
    });
});

describe("rds-licensing revoke", () => {
    it("within the limit (exit 0), past it (exit 2, with the next allowed date), per-user (exit 2, with the reason); --dry-run changes nothing", async () => {
        const f = await farm();
        for (const device of ["PC1", "PC1", "PC2", "PC2"]) await f.connect("SH2", "kiosk", device);
        await f.connect("SH1", "alice");
        const issued = async () => (await f.sim.packs({ server: "ls1" })).find((p) => p.licenseType === "per-device")!.issuedLicenses;
        expect(await issued()).toBe(2);

        const dry = await cli(revoke, "--device", "PC1", "--home", f.home, "--dry-run");
        expect(dry.code, dry.stderr).toBe(0);
        expect(dry.stdout).toMatch(/would revoke the per-device CAL of PC1/);
        expect(dry.stdout).toMatch(/limit: 1 revoked at a time \(Windows Server 2022 per-device CALs\); 1 more can be revoked now/);
        expect(await issued()).toBe(2);

        const done = await cli(revoke, "--device", "PC1", "--home", f.home, "--json");
        expect(done.code).toBe(0);
        expect(JSON.parse(done.stdout)).toMatchObject({ revoked: true, limit: 1, revokableCals: 0 });
        expect(await issued()).toBe(1);

        const pc1 = (await f.sim.issuedLicenses()).find((l) => l.issuedToComputer === "PC1")!;
        const past = await cli(revoke, "--device", "PC2", "--home", f.home);
        expect(past.code).toBe(2);
        expect(past.stdout).toContain(`next revocation allowed on: ${pc1.expirationDate}`);
        expect(await issued()).toBe(1);

        const user = await cli(revoke, "--user", "alice", "--home", f.home);
        expect(user.code).toBe(2);
        expect(user.stdout).toMatch(/alice holds a per-user CAL: only per-device CALs can be revoked/);

        expect((await cli(revoke, "--device", "PC7", "--home", f.home)).code).toBe(2);
        const bad = await cli(revoke, "--home", f.home);
        expect(bad.code).toBe(1);
        expect(bad.stderr).toMatch(/--device <name>/);
    });
});
