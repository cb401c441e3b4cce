/**
 * The `connection` input: what the schema accepts, the keys that decide replacement and executor
 * sharing, and the lazy loading of drivers (a simulator run loads neither the Azure SDK nor ssh2).
 */
import { describe, expect, it } from "vitest";
import { connectionKey, connectionSchema, executorKey, type Connection } from "../../src/providers/connection";
import { licenseServer } from "../../src/providers/registry";
import { openSimulator } from "../../src/simulator";
import { tempHome } from "../simulator/helpers/sim";

const PIN = "SHA256:Yh3QkTt9W1pjYb0mV4yZcXfIhO1sQK2rLq9v8m0Jd7E";
const OTHER_PIN = "SHA256:AAAAkTt9W1pjYb0mV4yZcXfIhO1sQK2rLq9v8m0Jd7E";
const azure = {
    kind: "azure-run-command",
    subscriptionId: "00000000-1111-2222-3333-444444444444",
    resourceGroupName: "rg-rds",
    vmName: "rdls01",
} as const satisfies Connection;
const ssh = { kind: "ssh", host: "rdls01.corp.example", username: "CORP\\svc-rdls", hostKeySha256: PIN } as const satisfies Connection;

const accepts = (value: unknown) => connectionSchema.safeParse(value).success;

describe("the connection schema", () => {
    it("accepts the three kinds, with their optional fields", () => {
        expect(accepts({ kind: "simulator", home: ".rdls-sim" })).toBe(true);
        expect(accepts(azure)).toBe(true);
        expect(accepts({ ...azure, endpoint: "https://management.usgovcloudapi.net" })).toBe(true);
        expect(accepts(ssh)).toBe(true);
        expect(accepts({ ...ssh, port: 2222 })).toBe(true);
        // The pin as ssh-keygen prints it, or without its prefix.
        expect(accepts({ ...ssh, hostKeySha256: PIN.slice("SHA256:".length) })).toBe(true);
        // Parsing keeps the input as written: no defaults land in state.
        expect(connectionSchema.parse(ssh)).toEqual(ssh);
    });

    it("refuses credentials and anything else it does not know", () => {
        expect(accepts({ ...azure, clientSecret: "s3cret" })).toBe(false);
        expect(accepts({ ...azure, credential: {} })).toBe(false);
        expect(accepts({ ...ssh, password: "s3cret" })).toBe(false);
        expect(accepts({ ...ssh, privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----" })).toBe(false);
        expect(accepts({ kind: "winrm", host: "x" })).toBe(false);
    });

    it("refuses incomplete or malformed targets", () => {
        const { vmName: _vm, ...noVm } = azure;
        expect(accepts(noVm)).toBe(false);
        expect(accepts({ ...azure, resourceGroupName: "" })).toBe(false);
        expect(accepts({ ...azure, endpoint: "http://management.azure.com" })).toBe(false);
        expect(accepts({ ...azure, endpoint: "management.azure.com" })).toBe(false);
        const { hostKeySha256: _pin, ...unpinned } = ssh;
        expect(accepts(unpinned)).toBe(false);
        expect(accepts({ ...ssh, hostKeySha256: "MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48" })).toBe(false);
        for (const port of [0, 65536, 22.5, "22"]) expect(accepts({ ...ssh, port })).toBe(false);
        expect(accepts({ ...ssh, username: "" })).toBe(false);
    });

    it("never echoes a refused value in its messages", () => {
        const result = connectionSchema.safeParse({ ...ssh, hostKeySha256: "not-a-pin-7301946" });
        expect(result.success).toBe(false);
        expect(JSON.stringify(result.error!.issues.map((i) => i.message))).not.toContain("7301946");
    });
});

describe("connection keys", () => {
    it("tell Azure VMs apart by subscription, resource group, VM and cloud, ignoring case", () => {
        const keys = [
            azure,
            { ...azure, vmName: "rdls02" },
            { ...azure, resourceGroupName: "rg-other" },
            { ...azure, subscriptionId: "99999999-1111-2222-3333-444444444444" },
            { ...azure, endpoint: "https://management.chinacloudapi.cn" },
        ].map(connectionKey);
        expect(new Set(keys).size).toBe(keys.length);
        expect(connectionKey({ ...azure, vmName: "RDLS01", resourceGroupName: "RG-RDS" })).toBe(connectionKey(azure));
        expect(connectionKey({ ...azure, endpoint: "https://management.azure.com/" })).toBe(connectionKey(azure));
    });

    it("tell SSH hosts apart by host and port, with 22 the default", () => {
        const keys = [ssh, { ...ssh, host: "rdls02.corp.example" }, { ...ssh, port: 2222 }].map(connectionKey);
        expect(new Set(keys).size).toBe(3);
        expect(connectionKey({ ...ssh, port: 22 })).toBe(connectionKey(ssh));
        expect(connectionKey({ ...ssh, host: "RDLS01.corp.example" })).toBe(connectionKey(ssh));
    });

    it("never mix kinds, even for one name", () => {
        const keys = [connectionKey({ kind: "simulator", home: "/rdls01" }), connectionKey(azure), connectionKey({ ...ssh, host: "rdls01" })];
        expect(new Set(keys).size).toBe(3);
    });

    it("keep the machine when only how it is reached changes, but not its executor", () => {
        // Another user or a rotated host key is the same machine: no replacement of its resources...
        for (const changed of [{ ...ssh, username: "CORP\\other" }, { ...ssh, hostKeySha256: OTHER_PIN }]) {
            expect(connectionKey(changed)).toBe(connectionKey(ssh));
            // ...but each setting gets its own executor, so a stale pin in old state cannot hijack new ones.
            expect(executorKey(changed)).not.toBe(executorKey(ssh));
        }
        expect(executorKey({ ...ssh, hostKeySha256: PIN.slice("SHA256:".length) })).toBe(executorKey(ssh));
        expect(executorKey(azure)).toBe(connectionKey(azure));
    });
});

describe("lazy drivers", () => {
    it("a simulator run loads neither the Azure SDK nor ssh2", async () => {
        const home = tempHome();
        await openSimulator({ home }).createServer({ name: "rdls01", windowsServerVersion: "2022" });
        const status = await licenseServer({ kind: "simulator", home }, "rdls01").status();
        expect(status.name.toLowerCase()).toBe("rdls01");
        const loaded = Object.keys(require.cache).filter((file) => /[\\/]node_modules[\\/](@azure[\\/]|ssh2[\\/])/.test(file));
        expect(loaded).toEqual([]);
    });
});
