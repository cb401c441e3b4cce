/** The farm's CLI commands: a rehearsal end to end, usage errors, generated help. */
import { describe, expect, it } from "vitest";
import { usage } from "../../src/simulator/cli";
import { simCli as cli, snapshot, tempHome } from "./helpers/sim";

describe("the farm's CLI commands", () => {
    it("a rehearsal: hosts, deployment, connections, clock, hand changes, Group Policy", async () => {
        const home = tempHome();
        expect((await cli(home, "create-server", "ls1", "--version", "2022")).code).toBe(0);
        expect((await cli(home, "activate", "--first-name", "Ada", "--last-name", "L", "--company", "C", "--country", "NL")).code).toBe(0);
        expect((await cli(home, "create-deployment", "rdcb")).stdout).toMatch(/Created the deployment of rdcb with 0/);
        expect((await cli(home, "create-host", "SH1", "--version", "2022", "--deployment", "rdcb")).stdout).toMatch(/in the deployment of rdcb.*120 grace/);
        expect((await cli(home, "create-host", "SH2", "--version", "2019")).code).toBe(0);
        expect((await cli(home, "set-mode", "rdcb", "PerUser")).stdout).toMatch(/Deployment of rdcb: mode PerUser/);
        expect((await cli(home, "set-license-servers", "rdcb", "ls1", "ls9")).code).toBe(0);
        const hosts = JSON.parse((await cli(home, "hosts", "--json")).stdout);
        expect(hosts[0]).toMatchObject({ name: "SH1", deployment: "rdcb", mode: "PerUser", connectivity: [{ licenseServer: "ls1", status: 11 }, { licenseServer: "ls9", status: 6 }] });
        expect((await cli(home, "hosts")).stdout).toMatch(/SH1\s+2022\s+rdcb\s+PerUser\s+ls1 \(Valid 11\), ls9 \(NotConnectable 6\)\s+120/);
        const c = await cli(home, "connect", "--host", "SH1", "--user", "alice");
        expect(c).toMatchObject({ code: 0 });
        expect(c.stdout).toMatch(/alice connected to SH1 \(over-allocated\)/);
        expect((await cli(home, "licenses")).stdout).toMatch(/ls1\s+1\s+over-allocated\s+alice/);
        expect((await cli(home, "clock", "advance", "121d")).stdout).toMatch(/121 day\(s\) ahead/);
        expect(JSON.parse((await cli(home, "clock", "show", "--json")).stdout)).toMatchObject({ offsetDays: 121 });
        const refused = await cli(home, "connect", "--host", "SH2", "--user", "bob");
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain("The remote session was disconnected because there are no Remote Desktop License Servers available to provide a license.");
        expect((await cli(home, "lock-policy", "SH2", "--mode")).stdout).toMatch(/Group Policy sets mode\n/);
        const locked = await cli(home, "set-mode", "SH2", "PerDevice");
        expect(locked.code).toBe(1);
        expect(locked.stderr).toMatch(/Group Policy.*WBEM_E_INVALID_OPERATION/);
        expect((await cli(home, "lock-policy", "SH2", "--unlock")).stdout).toMatch(/sets nothing/);
        expect((await cli(home, "check")).stdout).toMatch(/1 session host|2 session host\(s\), 1 deployment/);
    });

    it("usage errors change nothing and exit 2", async () => {
        const home = tempHome();
        await cli(home, "create-host", "SH1", "--version", "2022");
        const before = snapshot(home);
        for (const argv of [
            ["create-host", "SH2"],
            ["create-host", "SH2", "--version", "2012"],
            ["connect", "--user", "alice"],
            ["connect", "--host", "SH1"],
            ["clock", "advance", "3w"],
            ["clock", "rewind"],
            ["set-mode", "SH1", "PerSeat"],
            ["create-deployment", "rdcb", "--hosts", "SH1,,SH2"],
            ["hosts", "--server", "x"],
        ]) {
            const r = await cli(home, ...argv);
            expect([argv, r.code]).toEqual([argv, 2]);
        }
        expect(snapshot(home)).toEqual(before);
    });

    it("--help lists the farm's commands and documents each", async () => {
        const text = usage();
        for (const cmd of ["hosts", "create-host", "create-deployment", "connect", "licenses", "clock advance", "set-mode", "set-license-servers", "lock-policy"]) {
            expect(text).toContain(`  ${cmd}`);
        }
        const help = await cli(tempHome(), "connect", "--help");
        expect(help.stdout).toMatch(/--device <name>/);
        expect(help.stdout).toMatch(/grace period/);
    });
});
