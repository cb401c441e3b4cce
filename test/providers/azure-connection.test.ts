/**
 * An `azure-run-command` connection end to end through the provider registry: what a CalKeyPack
 * does over its life (install, list, shrink guarded by the total it read, delete refusing while
 * licenses are issued), over the Azure runner against the fake ARM endpoint and fake Windows server.
 */
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { InstallSpec } from "../../src/licensing";
import { calKeyPackProvider } from "../../src/providers/cal-key-pack/handlers";
import { connectionSchema, type Connection } from "../../src/providers/connection";
import { licenseServer } from "../../src/providers/registry";
import { FAKE_RESOURCE_GROUP, FAKE_SUBSCRIPTION, useFakeAzure } from "../support/azure-fixture";
import { rejection } from "../support/results";

const AGREEMENT = "6203941";
const SPEC: InstallSpec = { program: "enterprise-agreement", agreementNumber: AGREEMENT, productVersion: "2022", licenseType: "per-user", count: 40 };

// A new endpoint (port) per test: its own executor and scheduler in the registry.
const fake = useFakeAzure({ driverOverrides: true });

function connection(): Connection {
    // Parsed as the provider parses its inputs: this is a valid `connection` input.
    return connectionSchema.parse({
        kind: "azure-run-command",
        subscriptionId: FAKE_SUBSCRIPTION,
        resourceGroupName: FAKE_RESOURCE_GROUP,
        vmName: fake.arm.vmName,
        endpoint: fake.arm.url,
    });
}

beforeAll(() => {
    process.env.RDS_LICENSING_QUIET = "1";
});

beforeEach(() => {
    fake.windows.activation = 0;
});

describe("a CalKeyPack's life over an azure-run-command connection", () => {
    it("installs, lists, shrinks with expectedTotal and uninstalls with refuseIfIssued", async () => {
        const server = licenseServer(connection(), "rdls01");

        const pack = await server.install(SPEC, "stack/dev/ea-users");
        expect(pack).toMatchObject({ programName: "Enterprise Agreement", productVersion: "2022", licenseType: "per-user", totalLicenses: 40 });
        expect(await server.listKeyPacks()).toEqual([pack]);

        // Shrink to 25, guarded by the total just read.
        const shrunk = await server.removeLicenses(pack.keyPackId, 15, pack.totalLicenses);
        expect(shrunk).toMatchObject({ keyPackId: pack.keyPackId, totalLicenses: 25, availableLicenses: 25 });
        // The same removal retried after a lost reply: refused, nothing removed twice.
        const conflict = await rejection(server.removeLicenses(pack.keyPackId, 15, pack.totalLicenses));
        expect(conflict).toMatchObject({ kind: "conflict", returnValue: undefined });
        expect(conflict.message).toContain("holds 25 licenses, not the expected 40");

        // Users connect; delete without allowDeleteWithIssuedLicenses is refused while they hold CALs.
        const live = fake.windows.packs.find((p) => p.id === pack.keyPackId)!;
        live.issued = 2;
        live.available -= 2;
        const issued = await rejection(server.uninstall(pack.keyPackId, true));
        expect(issued).toMatchObject({ kind: "licenses-issued", returnValue: undefined });
        expect(fake.windows.packs).toContain(live);

        live.issued = 0;
        live.available += 2;
        await server.uninstall(pack.keyPackId, true);
        expect(await server.listKeyPacks()).toEqual([]);

        // Each call was one execution: its own run command, authenticated with the injected credential, deleted after.
        const puts = fake.arm.requests.filter((r) => r.method === "PUT");
        expect(puts).toHaveLength(7);
        expect(puts.every((r) => r.headers.authorization === "Bearer fake-arm-token")).toBe(true);
        expect(fake.arm.remaining).toEqual([]);
        // The number never left the protected parameter.
        expect(puts.map((r) => JSON.parse(r.body).properties.source.script).join("\n")).not.toContain(AGREEMENT);
    });

    it("drives the CalKeyPack provider itself: create, shrink, refused delete, delete", async () => {
        const inputs = {
            providerVersion: "1",
            connection: connection(),
            server: "rdls01",
            packKey: "proj/dev/ea-users",
            requestKeySecret: "a2c".repeat(22),
            program: "enterprise-agreement",
            agreementNumber: AGREEMENT,
            productVersion: "2022",
            licenseType: "per-user",
            count: 40,
            allowDeleteWithIssuedLicenses: false,
        };
        expect((await calKeyPackProvider.check({}, inputs)).failures).toBeUndefined();
        expect((await calKeyPackProvider.check({}, { ...inputs, connection: { ...inputs.connection, clientSecret: "x" } })).failures).toHaveLength(1);

        const created = await calKeyPackProvider.create(inputs);
        expect(created.outs).toMatchObject({ keyPackIds: [Number(created.id)], totalLicenses: 40 });
        const updated = await calKeyPackProvider.update(created.id, created.outs, { ...inputs, count: 25 });
        expect(updated.outs).toMatchObject({ keyPackIds: [Number(created.id)], totalLicenses: 25 });
        const scripts = fake.arm.requests.filter((r) => r.method === "PUT").map((r) => JSON.parse(r.body).properties.source.script as string);
        expect(scripts.some((s) => /if \(\[uint32\]\$before\.TotalLicenses -ne \[uint32\]40\) \{/.test(s))).toBe(true);

        const live = fake.windows.packs.find((p) => p.id === Number(created.id))!;
        live.issued = 1;
        await expect(calKeyPackProvider.delete(created.id, updated.outs!)).rejects.toMatchObject({ kind: "licenses-issued" });
        expect(fake.windows.packs).toContain(live);
        live.issued = 0;
        await calKeyPackProvider.delete(created.id, updated.outs!);
        expect(fake.windows.packs).not.toContain(live);
        expect(fake.arm.remaining).toEqual([]);
    });

    it("shares one scheduler between callers: concurrent calls coalesce into one execution", async () => {
        fake.windows.addPack({ total: 10 });
        const server = licenseServer(connection(), "rdls01");
        const [packs, status] = await Promise.all([server.listKeyPacks(), server.status()]);
        expect(packs).toHaveLength(1);
        expect(status.activation).toBe("activated");
        expect(fake.arm.requests.filter((r) => r.method === "PUT")).toHaveLength(1);
    });

    it("loads the Azure SDK for this connection (the positive control of connection.test.ts's check)", async () => {
        await licenseServer(connection(), "rdls01").status();
        expect(Object.keys(require.cache).some((file) => /[\\/]node_modules[\\/]@azure[\\/]arm-compute[\\/]/.test(file))).toBe(true);
    });
});
