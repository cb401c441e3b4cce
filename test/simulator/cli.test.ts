import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { executeOnSimulator } from "../../src/simulator";
import { ALIAS_NOTICE, main } from "../../src/simulator/cli";
import { MAX_LATENCY_MS } from "../../src/simulator/faults";
import { NODE, childEnv, compileSimulator } from "./helpers/compile";
import { NUMBERS, agreement, fixture, openLicense, retail, snapshot, tempHome } from "./helpers/sim";

async function cli(home: string, ...argv: string[]) {
    let stdout = "";
    let stderr = "";
    const code = await main([...argv, "--home", home], {
        stdout: (t) => void (stdout += t),
        stderr: (t) => void (stderr += t),
        env: {},
        cwd: "/",
    });
    return { code, stdout, stderr };
}

/** A store with one activated server and three packs (agreement, retail, open license). */
async function populated() {
    const f = await fixture();
    for (const [i, spec] of [agreement(), retail(), openLicense()].entries()) {
        const [r] = await f.exec.execute("rdls01", [{ op: "install", spec, requestKey: `k${i}` }]);
        expect(r?.ok).toBe(true);
    }
    return f;
}

describe("the simulator CLI (rds-licensing sim)", () => {
    it("packs --json prints the packs with the program id and counts", async () => {
        const f = await populated();
        const { code, stdout } = await cli(f.home, "packs", "--json");
        expect(code).toBe(0);
        const packs = JSON.parse(stdout);
        expect(packs).toHaveLength(3);
        expect(packs[0]).toMatchObject({
            keyPackId: 3,
            program: "enterprise-agreement",
            programName: "Enterprise Agreement",
            productVersion: "2022",
            licenseType: "per-user",
            totalLicenses: 25,
            issuedLicenses: 0,
            availableLicenses: 25,
        });
        expect(packs.map((p: { program: string }) => p.program)).toEqual(["enterprise-agreement", "retail", "open-license"]);
        const all = JSON.parse((await cli(f.home, "packs", "--json", "--all")).stdout);
        expect(all[0]).toMatchObject({ keyPackId: 2, program: "built-in" });
    });

    it("acts like a human admin: issue, revoke, remove-licenses, uninstall, deactivate", async () => {
        const f = await populated();
        expect((await cli(f.home, "issue", "4", "10")).stdout).toMatch(/issued 10; total 20, issued 10, available 10/);
        expect((await cli(f.home, "revoke", "4", "2")).code).toBe(0);
        expect((await cli(f.home, "remove-licenses", "3", "5")).stdout).toMatch(/total 20/);
        expect((await cli(f.home, "uninstall", "5")).code).toBe(0);
        expect((await cli(f.home, "deactivate")).code).toBe(0);
        expect((await f.sim.packs()).map((p) => [p.keyPackId, p.totalLicenses, p.issuedLicenses])).toEqual([
            [3, 20, 0],
            [4, 20, 8],
        ]);
        expect((await f.sim.status()).activation).toBe("not-activated");
        // Admin actions are not remote executions.
        expect((await f.sim.executionStats("rdls01")).count).toBe(3);
    });

    it("refusals exit 1 with the reason on stderr", async () => {
        const f = await populated();
        for (const argv of [["issue", "3", "26"], ["revoke", "3", "1"], ["uninstall", "99"], ["status", "--server", "nope"], ["remove-licenses", "3", "26"]]) {
            const before = snapshot(f.home);
            const r = await cli(f.home, ...argv);
            expect(r.code, argv.join(" ")).toBe(1);
            expect(r.stderr).toMatch(/^rds-licensing sim: /);
            expect(snapshot(f.home)).toEqual(before);
        }
        const r = await cli(f.home, "revoke", "3", "1");
        expect(r.stderr).toMatch(/per-user CALs, which cannot be revoked/);
    });

    it.each([
        [[]],
        [["bogus"]],
        [["packs", "--bogus"]],
        [["packs", "extra"]],
        [["issue", "3"]],
        [["issue", "3", "abc"]],
        [["issue", "3", "0"]],
        [["issue", "3", "10000"]],
        [["issue", "x", "1"]],
        [["uninstall", "-1"]],
        [["create-server", "rdls09"]],
        [["create-server", "rdls09", "--version", "2012"]],
        [["faults", "set"]],
        [["faults", "set", "--clearinghouse", "maybe"]],
        [["faults", "set", "--slow-count", "2"]],
        [["faults", "toggle"]],
        [["faults", "show", "--transient", "2"]],
        [["clearinghouse"]],
        [["clearinghouse", "load"]],
        [["config", "--latency-ms", "-5"]],
        [["config", "--latency-ms", "soon"]],
        [["status", "--version", "2022"]],
        [["config", "--latency-ms", "9007199254740991"]],
        [["config", "--latency-ms", "600001"]],
        [["faults", "set", "--slow-ms", "2147483648"]],
        [["activate", "--country", "Netherlands"]],
        [["activate", "--country", "nl"]],
        [["activate", "--country", "XX"]],
        [["activate", "--email", "ada"]],
        [["activate", "--email", "ada@"]],
        [["activate", "--first-name", " "]],
        [["create-server", "rdls09", "--version", "2022", "--country", "Nederland"]],
        [["create-server", "rdls09", "--version", "2022", "--email", "not an address"]],
    ])("usage error %j exits 2 with usage on stderr and leaves the store unchanged", async (argv) => {
        const f = await populated();
        const before = snapshot(f.home);
        const r = await cli(f.home, ...argv);
        expect(r.code).toBe(2);
        // The message, then the usage: the command's own when the command is known.
        if (argv.length === 0) expect(r.stderr).toMatch(/^Usage: rds-licensing sim <command>/);
        else expect(r.stderr).toMatch(/^rds-licensing sim: .+\n\nUsage: rds-licensing sim /);
        if (argv.length > 0 && argv[0] !== "bogus") expect(r.stderr).toContain(`Usage: rds-licensing sim ${argv[0]} `);
        expect(r.stdout).toBe("");
        expect(snapshot(f.home)).toEqual(before);
    });

    it("argument errors name the flag, what was found and the fix", async () => {
        const f = await populated();
        const says = async (argv: string[], expected: RegExp) => {
            const r = await cli(f.home, ...argv);
            expect(r.code, argv.join(" ")).toBe(2);
            expect(r.stderr.split("\n")[0], argv.join(" ")).toMatch(expected);
        };
        await says(["activate", "--country", "nl"], /^rds-licensing sim: --country must be an ISO 3166 alpha-2 country code in capitals, e.g\. NL, US, DE \(got "nl": use NL\)$/);
        await says(["activate", "--country", "Holland"], /--country must be an ISO 3166 .* \(got "Holland"\)$/);
        await says(["activate", "--email", "ada"], /^rds-licensing sim: --email must be an e-mail address \(got "ada"\)$/);
        await says(["activate", "--last-name", ""], /^rds-licensing sim: --last-name must not be empty \(got ""\)$/);
        await says(["config", "--latency-ms", "9007199254740991"], /^rds-licensing sim: --latency-ms must be at most 600000 \(10 minutes, .*\) \(got 9007199254740991\)$/);
        await says(["config", "--latency-ms", "soon"], /^rds-licensing sim: --latency-ms must be a whole number from 0 to 600000, written in digits \(got "soon"\)$/);
        await says(["faults", "set", "--slow-ms", "1e9"], /--slow-ms must be a whole number from 0 to 600000/);
        await says(["faults", "show", "--transient", "2"], /^rds-licensing sim: faults show does not take --transient \(it takes --json, --home\)$/);
        await says(["status", "--version", "2022"], /^rds-licensing sim: status does not take --version \(it takes --server, --json, --home\)$/);
        await says(["packs", "--al"], /^rds-licensing sim: unknown option --al$/);
        await says(["packs", "--json=yes"], /^rds-licensing sim: --json takes no value \(got --json=\.\.\.\): write --json alone$/);
        await says(["status", "--server", "--json"], /^rds-licensing sim: --server needs a value \(got the next option instead\)/);
        // The limit is the simulator's own, whichever way it is set.
        await expect(f.sim.setConfig({ latencyMs: MAX_LATENCY_MS + 1 })).rejects.toMatchObject({ kind: "invalid-parameter" });
        await expect(f.sim.setFaults({ slow: { extraMs: 2 ** 31 } })).rejects.toMatchObject({ kind: "invalid-parameter" });
        await expect(f.exec.execute("rdls01", [{ op: "status" }]).then(() => executeOnSimulator(f.home, "rdls01", [{ op: "status" }], { env: { RDLS_SIM_LATENCY_MS: "9007199254740991" } }))).rejects.toThrow(
            /RDLS_SIM_LATENCY_MS must be a number of milliseconds from 0 to 600000/,
        );
        // Valid contact flags still go through, as the config would take them.
        expect((await cli(f.home, "create-server", "rdls09", "--version", "2022", "--country", "DE", "--email", "ada@contoso.com")).code).toBe(0);
        expect((await f.sim.status({ server: "rdls09" })).contact).toEqual({ countryRegion: "DE", email: "ada@contoso.com" });
    });

    it("the largest latency is really waited for (setTimeout would fire a larger one after ~1 ms)", async () => {
        const f = await populated();
        expect((await cli(f.home, "config", "--latency-ms", String(MAX_LATENCY_MS))).code).toBe(0);
        vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
        try {
            let done = false;
            const running = executeOnSimulator(f.home, "rdls01", [{ op: "status" }], { env: {} }).then(() => (done = true));
            while (vi.getTimerCount() === 0) await new Promise((r) => setImmediate(r));
            await vi.advanceTimersByTimeAsync(MAX_LATENCY_MS - 1);
            expect(done).toBe(false);
            await vi.advanceTimersByTimeAsync(1);
            await running;
            expect(done).toBe(true);
        } finally {
            vi.useRealTimers();
        }
    });

    it('--home "" is a usage error and writes nothing into the current folder', async () => {
        const cwd = tempHome();
        let stderr = "";
        const io = { stdout: () => undefined, stderr: (t: string) => void (stderr += t), env: {}, cwd };
        expect(await main(["create-server", "rdls01", "--version", "2022", "--home", ""], io)).toBe(2);
        expect(stderr).toMatch(/^rds-licensing sim: --home is empty \(got ""\): give the store folder, e\.g\. --home \.rdls-sim/);
        expect(await main(["servers", "--home", "   "], io)).toBe(2);
        expect(fs.readdirSync(cwd)).toEqual([]);
    });

    it("store errors name the file, even from check, and exit 1 without changing anything", async () => {
        const f = await populated();
        const server = path.join(f.home, "servers", "rdls01.json");
        const text = fs.readFileSync(server, "utf8");
        fs.writeFileSync(server, text.slice(0, text.length / 2));
        for (const argv of [["check"], ["packs"], ["servers"]]) {
            const before = snapshot(f.home);
            const r = await cli(f.home, ...argv);
            expect(r.code, argv.join(" ")).toBe(1);
            expect(r.stderr).toContain(`rds-licensing sim: simulator store file ${server} is not valid JSON`);
            expect(r.stderr).toContain(`rdls-sim reset --home ${f.home}`);
            expect(snapshot(f.home)).toEqual(before);
        }
        fs.writeFileSync(server, text);
        fs.rmSync(path.join(f.home, "config.json"));
        const r = await cli(f.home, "check");
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`simulator store file ${path.join(f.home, "config.json")} is missing, but the store holds servers/rdls01.json`);
        expect((await cli(f.home, "reset")).code).toBe(0);
        expect((await cli(f.home, "check")).stdout).toMatch(/is valid: 0 server\(s\)/);
    });

    it("--server is required when the store has several servers, naming them (exit 2)", async () => {
        const f = await populated();
        await f.sim.createServer({ name: "rdls02", windowsServerVersion: "2019" });
        const before = snapshot(f.home);
        const r = await cli(f.home, "issue", "3", "1");
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/several license servers exist \(rdls01, rdls02\)/);
        expect(snapshot(f.home)).toEqual(before);
        expect((await cli(f.home, "issue", "3", "1", "--server", "rdls01")).code).toBe(0);
    });

    it("manages servers, faults, registry, config and executions", async () => {
        const home = path.join(tempHome(), "store");
        expect((await cli(home, "servers")).stdout).toMatch(/No license servers/);
        expect(fs.existsSync(home)).toBe(false);
        expect((await cli(home, "create-server", "rdls01", "--version", "2022")).code).toBe(0);
        expect((await cli(home, "activate", "--first-name", "Ada", "--last-name", "Lovelace", "--company", "Contoso", "--country", "NL")).stdout).toMatch(
            /is activated \(license server ID [0-9A-F-]{36}\)/,
        );
        expect((await cli(home, "status")).stdout).toMatch(/Activation\s+activated/);
        expect((await cli(home, "faults", "set", "--clearinghouse", "down", "--transient", "2", "--slow-ms", "100", "--slow-count", "3")).stdout).toMatch(
            /Clearinghouse\s+unreachable\nTransient failures\s+the next 2 execution\(s\)\nSlow executions\s+\+100 ms for the next 3 execution\(s\)/,
        );
        expect(JSON.parse((await cli(home, "faults", "--json")).stdout)).toEqual({
            clearinghouseUnreachable: true,
            transientFailures: 2,
            slow: { extraMs: 100, remaining: 3 },
        });
        expect((await cli(home, "faults", "clear")).stdout).toMatch(/Clearinghouse\s+reachable/);
        expect(JSON.parse((await cli(home, "config", "--latency-ms", "250", "--json")).stdout)).toEqual({ latencyMs: 250, effectiveLatencyMs: 250 });
        const registry = path.join(tempHome(), "purchases.json");
        fs.writeFileSync(registry, JSON.stringify({ agreements: [{ agreementNumber: NUMBERS.agreement, productVersion: "2022", licenseType: "per-user", count: 5 }] }));
        expect((await cli(home, "clearinghouse", "load", registry)).stdout).toMatch(/Agreements\s+1/);
        expect((await cli(home, "clearinghouse", "clear")).stdout).toMatch(/No registry loaded/);
        expect(JSON.parse((await cli(home, "executions", "--json")).stdout)).toEqual({ count: 0, log: [] });
        expect((await cli(home, "check")).stdout).toMatch(/is valid: 1 server\(s\), 0 key pack\(s\)/);
        expect((await cli(home, "delete-server", "rdls01")).code).toBe(0);
        expect((await cli(home, "reset")).code).toBe(0);
    });

    it("human output is aligned tables", async () => {
        const f = await populated();
        await f.sim.issue(3, 5);
        const lines = (await cli(f.home, "packs")).stdout.trimEnd().split("\n");
        expect(lines[0]).toMatch(/^ID\s+PROGRAM\s+VERSION\s+TYPE\s+TOTAL\s+ISSUED\s+AVAILABLE\s+EXPIRES$/);
        expect(lines).toHaveLength(4);
        // Numeric columns are right-aligned: every row ends its TOTAL column at the same offset.
        const end = lines[0]!.indexOf("TOTAL") + "TOTAL".length;
        for (const line of lines.slice(1)) expect(line.slice(end - 2, end)).toMatch(/^\s?\d+$/);
        expect((await cli(f.home, "servers")).stdout).toMatch(/^NAME\s+VERSION\s+ACTIVATION\s+PACKS\s+TOTAL\s+ISSUED\s+AVAILABLE\s+EXECUTIONS\nrdls01\s+2022\s+activated\s+3\s+55\s+5\s+50\s+3\n$/);
    });

    it("never prints or stores a number in plain text", async () => {
        const f = await populated();
        await f.sim.loadRegistryDocument({ retail: [{ licenseCode: NUMBERS.retail, productVersion: "2019", licenseType: "per-device", count: 20 }] });
        let output = "";
        for (const argv of [["servers"], ["status"], ["packs"], ["packs", "--json", "--all"], ["executions"], ["executions", "--json"], ["faults"], ["clearinghouse", "show"], ["config"]]) {
            const r = await cli(f.home, ...argv);
            output += r.stdout + r.stderr;
        }
        const stored = Object.values(snapshot(f.home)).join("\n");
        for (const n of Object.values(NUMBERS)) {
            expect(output).not.toContain(n);
            expect(stored).not.toContain(n);
        }
    });

    it("the rdls-sim alias runs the compiled CLI (exit codes included), saying on stderr what replaced it", () => {
        const root = compileSimulator();
        const home = path.join(tempHome(), "store");
        const bin = path.join(root, "bin/rdls-sim.js");
        const help = spawnSync(NODE, [bin, "--help"], { encoding: "utf8", env: childEnv() });
        expect(help.status).toBe(0);
        expect(help.stdout).toContain("Usage: rdls-sim");
        expect(help.stderr).toBe(ALIAS_NOTICE);
        const created = spawnSync(NODE, [bin, "create-server", "rdls01", "--version", "2022"], { encoding: "utf8", env: childEnv({ RDLS_SIM_HOME: home }) });
        expect(created.status).toBe(0);
        const packs = spawnSync(NODE, [bin, "packs", "--json"], { encoding: "utf8", env: childEnv({ RDLS_SIM_HOME: home }) });
        expect(packs.status).toBe(0);
        expect(JSON.parse(packs.stdout)).toEqual([]);
        expect(packs.stderr).toBe(ALIAS_NOTICE);
        const usage = spawnSync(NODE, [bin, "issue"], { encoding: "utf8", env: childEnv({ RDLS_SIM_HOME: home }) });
        expect(usage.status).toBe(2);
        expect(usage.stderr).toContain(`${ALIAS_NOTICE}rdls-sim: issue needs 2 argument(s), got 0\n\nUsage: rdls-sim issue <keyPackId> <count>`);
        const refused = spawnSync(NODE, [bin, "uninstall", "3"], { encoding: "utf8", env: childEnv({ RDLS_SIM_HOME: home }) });
        expect(refused.status).toBe(1);
        // Default location: .rdls-sim in the working directory.
        const cwd = tempHome();
        spawnSync(NODE, [bin, "create-server", "here", "--version", "2016"], { cwd, env: childEnv({ RDLS_SIM_HOME: "" }) });
        expect(fs.existsSync(path.join(cwd, ".rdls-sim", "servers", "here.json"))).toBe(true);
    });
});
