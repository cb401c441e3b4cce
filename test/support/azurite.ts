/**
 * Azurite (Microsoft's Azure Storage emulator, a devDependency) for the team-state tests: a blob
 * service on 127.0.0.1 at a free port, with its data in a temp folder, and the few REST calls the
 * tests need (create a container, list and read blobs, an account SAS), signed with the emulator's
 * well-known SharedKey, with no Azure SDK.
 *
 * How the Pulumi CLI (gocloud.dev azureblob) reaches it: `PULUMI_BACKEND_URL=azblob://<container>
 * ?domain=127.0.0.1:<port>&protocol=http` (a domain starting with 127.0.0.1 or localhost, or
 * `localemu=true`, makes the service URL path-style: `http://127.0.0.1:<port>/<account>`), with
 * `AZURE_STORAGE_ACCOUNT` and `AZURE_STORAGE_KEY` (or `AZURE_STORAGE_SAS_TOKEN`). See docs/team.md.
 */
import { spawn, type ChildProcess } from "child_process";
import { createHmac } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { NUMBER_PATHS, validConfig } from "./config-fixtures";
import { REPO_ROOT, TestProject } from "./engine";

/** Azurite's default account and key (public, documented by Microsoft for the emulator). */
export const EMULATOR_ACCOUNT = "devstoreaccount1";
export const EMULATOR_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const API_VERSION = "2021-08-06";

export interface BlobItem {
    name: string;
    size: number;
}

export interface Azurite {
    readonly port: number;
    readonly account: string;
    readonly key: string;
    /** `http://127.0.0.1:<port>/<account>`: the service URL the CLI builds from the backend URL. */
    readonly serviceUrl: string;
    /** `azblob://<container>[/<prefix>]?domain=127.0.0.1:<port>&protocol=http`. */
    backendUrl(container: string, prefix?: string): string;
    /** The environment of a SharedKey login: `AZURE_STORAGE_ACCOUNT` and `AZURE_STORAGE_KEY`. */
    sharedKeyEnv(): Record<string, string>;
    /** An account SAS (no leading `?`) for `AZURE_STORAGE_SAS_TOKEN`. */
    accountSas(permissions?: string, validForMs?: number): string;
    createContainer(name: string): Promise<void>;
    listBlobs(container: string, prefix?: string): Promise<BlobItem[]>;
    readBlob(container: string, name: string): Promise<Buffer>;
    /** Upload a block blob (what another client of the container would write). */
    writeBlob(container: string, name: string, content: string | Buffer): Promise<void>;
    /** Every blob of a container, name then content, concatenated: for secret scans. */
    containerBytes(container: string): Promise<string>;
    stop(): Promise<void>;
}

/** HMAC-SHA256 of `text` with the base64 account key, base64. */
function sign(key: string, text: string): string {
    return createHmac("sha256", Buffer.from(key, "base64")).update(text, "utf8").digest("base64");
}

/**
 * The SharedKey `Authorization` header of a request (Blob service, version 2015-02-21 and later):
 * https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key
 */
export function sharedKeyAuthorization(
    account: string,
    key: string,
    method: string,
    url: URL,
    headers: Record<string, string>,
): string {
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    const contentLength = lower["content-length"] && lower["content-length"] !== "0" ? lower["content-length"] : "";
    const canonicalHeaders = Object.keys(lower)
        .filter((k) => k.startsWith("x-ms-"))
        .sort()
        .map((k) => `${k}:${lower[k].trim()}\n`)
        .join("");
    const params = [...new Set([...url.searchParams.keys()].map((k) => k.toLowerCase()))].sort();
    const canonicalResource =
        `/${account}${url.pathname}` +
        params.map((p) => `\n${p}:${url.searchParams.getAll(p).sort().join(",")}`).join("");
    const stringToSign = [
        method.toUpperCase(),
        lower["content-encoding"] ?? "",
        lower["content-language"] ?? "",
        contentLength,
        lower["content-md5"] ?? "",
        lower["content-type"] ?? "",
        "", // Date: x-ms-date is used instead
        lower["if-modified-since"] ?? "",
        lower["if-match"] ?? "",
        lower["if-none-match"] ?? "",
        lower["if-unmodified-since"] ?? "",
        lower["range"] ?? "",
    ].join("\n");
    return `SharedKey ${account}:${sign(key, `${stringToSign}\n${canonicalHeaders}${canonicalResource}`)}`;
}

/**
 * An account SAS for the Blob service (signed version 2019-12-12, HTTP allowed for the emulator):
 * https://learn.microsoft.com/rest/api/storageservices/create-account-sas
 */
export function accountSas(account: string, key: string, permissions: string, expiry: Date): string {
    const fields = {
        sv: "2019-12-12",
        ss: "b",
        srt: "sco",
        sp: permissions,
        se: expiry.toISOString().replace(/\.\d{3}Z$/, "Z"),
        spr: "https,http",
    };
    const stringToSign = [account, fields.sp, fields.ss, fields.srt, "", fields.se, "", fields.spr, fields.sv, ""].join("\n");
    return new URLSearchParams({ ...fields, sig: sign(key, stringToSign) }).toString();
}

const blobResource = (container: string, name: string) => `${container}/${name.split("/").map(encodeURIComponent).join("/")}`;

function decodeXml(text: string): string {
    return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");
}

/** Start Azurite's blob service on 127.0.0.1 at a free port (port 0: the OS picks; Azurite prints it). */
export async function startAzurite(options: { timeoutMs?: number } = {}): Promise<Azurite> {
    const location = fs.mkdtempSync(path.join(os.tmpdir(), "rds-licensing-azurite-"));
    const main = path.join(REPO_ROOT, "node_modules", "azurite", "dist", "src", "blob", "main.js");
    const child: ChildProcess = spawn(
        process.execPath,
        [main, "--blobHost", "127.0.0.1", "--blobPort", "0", "--location", location, "--silent", "--loose", "--skipApiVersionCheck", "--disableTelemetry"],
        { cwd: location, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, AZURITE_ACCOUNTS: "" } },
    );
    let output = "";
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => {
            child.kill("SIGKILL");
            reject(new Error(`Azurite did not start within ${options.timeoutMs ?? 60_000} ms:\n${output}`));
        }, options.timeoutMs ?? 60_000);
        const onData = (chunk: Buffer) => {
            output += chunk.toString();
            const match = /successfully listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
            if (match) {
                clearTimeout(timer);
                resolve(Number(match[1]));
            }
        };
        child.stdout!.on("data", onData);
        child.stderr!.on("data", onData);
        child.once("error", (err) => {
            clearTimeout(timer);
            reject(err);
        });
        child.once("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`Azurite exited (${code}) before listening:\n${output}`));
        });
    });

    const account = EMULATOR_ACCOUNT;
    const key = EMULATOR_KEY;
    const serviceUrl = `http://127.0.0.1:${port}/${account}`;

    async function request(
        method: string,
        resource: string,
        query: Record<string, string> = {},
        body?: Buffer,
        extraHeaders: Record<string, string> = {},
    ): Promise<Response> {
        const url = new URL(`${serviceUrl}/${resource}`);
        for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
        const headers: Record<string, string> = { "x-ms-date": new Date().toUTCString(), "x-ms-version": API_VERSION, ...extraHeaders };
        if (method === "PUT") headers["content-length"] = String(body?.length ?? 0);
        headers.authorization = sharedKeyAuthorization(account, key, method, url, headers);
        const response = await fetch(url, { method, headers, ...(body ? { body } : {}) });
        if (!response.ok) {
            throw new Error(`Azurite ${method} ${url.pathname}${url.search} failed: ${response.status} ${await response.text()}`);
        }
        return response;
    }

    const azurite: Azurite = {
        port,
        account,
        key,
        serviceUrl,
        backendUrl: (container, prefix) =>
            `azblob://${container}${prefix ? `/${prefix}` : ""}?domain=127.0.0.1:${port}&protocol=http`,
        sharedKeyEnv: () => ({ AZURE_STORAGE_ACCOUNT: account, AZURE_STORAGE_KEY: key }),
        accountSas: (permissions = "racwdl", validForMs = 3_600_000) => accountSas(account, key, permissions, new Date(Date.now() + validForMs)),
        async createContainer(name) {
            await request("PUT", name, { restype: "container" });
        },
        async listBlobs(container, prefix) {
            const items: BlobItem[] = [];
            let marker = "";
            do {
                const query: Record<string, string> = { restype: "container", comp: "list" };
                if (prefix) query.prefix = prefix;
                if (marker) query.marker = marker;
                const xml = await (await request("GET", container, query)).text();
                for (const blob of xml.match(/<Blob>[\s\S]*?<\/Blob>/g) ?? []) {
                    const name = decodeXml(/<Name>([\s\S]*?)<\/Name>/.exec(blob)?.[1] ?? "");
                    const size = Number(/<Content-Length>(\d+)<\/Content-Length>/.exec(blob)?.[1] ?? 0);
                    items.push({ name, size });
                }
                marker = decodeXml(/<NextMarker>([\s\S]*?)<\/NextMarker>/.exec(xml)?.[1] ?? "");
            } while (marker);
            return items;
        },
        async readBlob(container, name) {
            return Buffer.from(await (await request("GET", blobResource(container, name))).arrayBuffer());
        },
        async writeBlob(container, name, content) {
            const body = Buffer.from(content);
            await request("PUT", blobResource(container, name), {}, body, { "x-ms-blob-type": "BlockBlob", "content-type": "application/octet-stream" });
        },
        async containerBytes(container) {
            const parts: string[] = [];
            for (const blob of await azurite.listBlobs(container)) {
                parts.push(`${blob.name}\n${(await azurite.readBlob(container, blob.name)).toString("latin1")}`);
            }
            return parts.join("\n");
        },
        async stop() {
            if (child.exitCode === null && child.signalCode === null) {
                child.kill("SIGTERM");
                const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
                await exited;
                clearTimeout(timer);
            }
            fs.rmSync(location, { recursive: true, force: true });
        },
    };
    return azurite;
}

/**
 * Azurite with a new `container`, and a TestProject whose state lives in it (a SharedKey login),
 * its stack set to the valid config. If a step fails, what was started is stopped.
 */
export async function azblobProject(label: string, container: string): Promise<{ azurite: Azurite; project: TestProject }> {
    const azurite = await startAzurite();
    let project: TestProject | undefined;
    try {
        await azurite.createContainer(container);
        project = await TestProject.create(label, { PULUMI_BACKEND_URL: azurite.backendUrl(container), ...azurite.sharedKeyEnv() });
        await project.setConfig(validConfig(), NUMBER_PATHS);
        return { azurite, project };
    } catch (err) {
        project?.remove();
        await azurite.stop();
        throw err;
    }
}
