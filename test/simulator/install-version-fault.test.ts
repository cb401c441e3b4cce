/**
 * The installVersion fault: a server whose ProductVersion code means another version than the one
 * asked (Windows Server 2025's code is undocumented). The install makes a pack of the other version;
 * the check every install gets (as the PowerShell driver's script makes it) fails it, naming
 * productVersion, the override and the pack, and a retry installs nothing more.
 */
import { describe, expect, it } from "vitest";
import { calKeyPackProvider } from "../../src/providers/cal-key-pack/handlers";
import { forgetLicenseServers } from "../../src/providers/registry";
import { PRODUCT_VERSION_OVERRIDE_2025 } from "../../src/licensing";
import type { KeyPack } from "../../src/licensing/operations";
import { agreement, fixture, ok, refused, retail, simCli as cli } from "./helpers/sim";

describe("sim faults set --install-version", () => {
    it("sets, shows and clears the fault, and refuses a version it does not know", async () => {
        const f = await fixture({ version: "2025" });
        expect((await cli(f.home, "faults", "set", "--install-version", "2022")).stdout).toMatch(/Installs\s+make 2022 packs, whatever version is asked/);
        expect(JSON.parse((await cli(f.home, "faults", "--json")).stdout)).toMatchObject({ installVersion: "2022" });
        expect((await cli(f.home, "faults", "set", "--install-version", "off")).stdout).toMatch(/Installs\s+as asked/);
        const bad = await cli(f.home, "faults", "set", "--install-version", "2012");
        expect(bad.code).toBe(2);
        expect(bad.stderr).toMatch(/--install-version takes 2016, 2019, 2022, 2025 or off/);
        expect((await cli(f.home, "faults", "--help")).stdout).toMatch(/--install-version/);
    });

    it("an install of another version fails naming productVersion, the override and the pack; a retry installs nothing", async () => {
        const f = await fixture({ version: "2025" });
        await f.sim.setFaults({ installVersion: "2022" });
        const op = { op: "install" as const, spec: agreement({ productVersion: "2025", count: 20 }), requestKey: "k" };
        const error = refused(await f.run(op), "failed");
        const packs = (await f.sim.packs()).filter((p) => p.program === "enterprise-agreement");
        expect(packs).toHaveLength(1);
        expect(packs[0]!.productVersion).toBe("2022");
        expect(error.message).toContain(`the server installed key pack ${packs[0]!.keyPackId}, which is not the pack asked: productVersion: Windows Server 2022`);
        expect(error.message).toContain(`${PRODUCT_VERSION_OVERRIDE_2025}=<code>`);
        expect(error.message).toContain(`adoptKeyPackId: ${packs[0]!.keyPackId}`);
        refused(await f.run(op), "failed");
        expect((await f.sim.packs()).filter((p) => p.program === "enterprise-agreement")).toHaveLength(1);
        await f.sim.setFaults({ installVersion: null });
        expect(ok<KeyPack>(await f.run({ ...op, requestKey: "k2" })).productVersion).toBe("2025");
    });

    it("leaves retail codes alone: their numbers fix the pack", async () => {
        const f = await fixture();
        await f.sim.setFaults({ installVersion: "2016" });
        expect(ok<KeyPack>(await f.run({ op: "install", spec: retail(), requestKey: "r" })).productVersion).not.toBe("2016");
    });
});

describe("up-level: the CalKeyPack provider on a server that installs another version", () => {
    it("create fails naming productVersion and the override, and the wrong pack is reported with its ID", async () => {
        process.env.RDS_LICENSING_QUIET = "1";
        const f = await fixture({ version: "2025" });
        await f.sim.setFaults({ installVersion: "2022" });
        forgetLicenseServers();
        const inputs = {
            providerVersion: "1",
            connection: { kind: "simulator", home: f.home },
            server: "rdls01",
            packKey: "proj/dev/ea-2025",
            program: "enterprise-agreement",
            agreementNumber: "9990041",
            productVersion: "2025",
            licenseType: "per-user",
            count: 30,
            allowDeleteWithIssuedLicenses: false,
            requestKeySecret: "c0ffee".repeat(11),
        };
        const error = await calKeyPackProvider.create(inputs).then(
            () => undefined,
            (e: unknown) => e as Error,
        );
        expect(error).toBeInstanceOf(Error);
        const packs = (await f.sim.packs()).filter((p) => p.program === "enterprise-agreement");
        expect(packs).toHaveLength(1);
        expect(error!.message).toContain("productVersion");
        expect(error!.message).toContain(PRODUCT_VERSION_OVERRIDE_2025);
        expect(error!.message).toContain(`key pack ${packs[0]!.keyPackId}`);
        // The engine's retry (same inputs, same request key) fails the same way and installs nothing more.
        forgetLicenseServers();
        await expect(calKeyPackProvider.create(inputs)).rejects.toThrow(/productVersion/);
        expect((await f.sim.packs()).filter((p) => p.program === "enterprise-agreement")).toHaveLength(1);
    });
});
