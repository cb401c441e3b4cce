/**
 * The preload and watchdog our Node.js processes run with (tools/toolchain/pulumi-nodejs-preload.js,
 * pulumi-nodejs-watchdog.js), without the engine: the configuration arrives through an inherited pipe
 * and never through the environment or the command line; a process whose parent is killed exits; a
 * process whose work is done is not kept alive; the gRPC health check tells a live engine from a gone one.
 */
import { spawn, spawnSync } from "child_process";
import { createHash, randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/engine";
import { isGone, killLeftovers, waitFor } from "./processes";

const toolchain = path.join(REPO_ROOT, "tools", "toolchain");
const preload = path.join(toolchain, "pulumi-nodejs-preload.js");
const node = process.execPath;
const watchdog = require(path.join(toolchain, "pulumi-nodejs-watchdog.js")) as {
    watchEngine(options: { onGone(reason: string): void; parentPid?: number; engineAddress?: string; grpc?: () => unknown; healthPollMs?: number }): {
        stop(): void;
    };
    engineAddressFromArgs(args: string[]): string | undefined;
};

/** Collect a child's stdout until it prints a line, then resolve with that line. */
function firstLine(child: ReturnType<typeof spawn>): Promise<string> {
    return new Promise((resolve, reject) => {
        let out = "";
        child.stdout!.on("data", (d) => {
            out += d;
            if (out.includes("\n")) resolve(out.slice(0, out.indexOf("\n")));
        });
        child.on("error", reject);
        child.on("exit", (code) => reject(new Error(`exited (${code}) before printing: ${out}`)));
    });
}

describe("the configuration pipe", () => {
    it("hands a configuration far over the environment's limit to the program, out of its environment and command line", async () => {
        const secret = `Sx-${randomBytes(8).toString("hex")}`;
        const config: Record<string, string> = { "proj:secret": secret };
        for (let i = 0; i < 3000; i++) config[`proj:pack${i}`] = `{"count":${i},"padding":"${"y".repeat(300)}"}`; // ~1 MB
        const child = spawn(
            node,
            [
                "-r",
                preload,
                "-e",
                `const c = JSON.parse(process.env.PULUMI_CONFIG);
                 let fd3 = "open"; try { require("fs").fstatSync(3); } catch (e) { fd3 = e.code; }
                 console.log(JSON.stringify({ keys: Object.keys(c).length, sha: require("crypto").createHash("sha256").update(c["proj:secret"]).digest("hex"),
                   secretKeys: JSON.parse(process.env.PULUMI_CONFIG_SECRET_KEYS), fdVar: process.env.RDS_LICENSING_CONFIG_FD ?? null, fd3 }));
                 setTimeout(() => {}, 3000);`,
            ],
            { env: { ...process.env, RDS_LICENSING_CONFIG_FD: "3" }, stdio: ["ignore", "pipe", "inherit", "pipe"] },
        );
        try {
            child.stdio[3]!.on("error", () => {});
            (child.stdio[3] as NodeJS.WritableStream).end(JSON.stringify({ config, secretKeys: ["proj:secret"] }));
            const report = JSON.parse(await firstLine(child));
            expect(report).toEqual({
                keys: 3001,
                sha: createHash("sha256").update(secret).digest("hex"),
                secretKeys: ["proj:secret"],
                fdVar: null, // removed, and the fd closed, so what the program starts inherits neither
                fd3: "EBADF",
            });
            expect(JSON.stringify(config).length).toBeGreaterThan(128 * 1024);
            for (const file of ["cmdline", "environ"]) {
                expect(fs.readFileSync(`/proc/${child.pid}/${file}`, "latin1").includes(secret), `the secret is in /proc/<pid>/${file}`).toBe(false);
            }
        } finally {
            child.kill("SIGKILL");
        }
    });

    it("fails with a message, and without echoing what it read, when the pipe does not hold a configuration", async () => {
        const child = spawn(node, ["-r", preload, "-e", "console.log('program ran')"], {
            env: { ...process.env, RDS_LICENSING_CONFIG_FD: "3" },
            stdio: ["ignore", "pipe", "pipe", "pipe"],
        });
        let out = "";
        child.stdout!.on("data", (d) => (out += d));
        child.stderr!.on("data", (d) => (out += d));
        child.stdio[3]!.on("error", () => {});
        (child.stdio[3] as NodeJS.WritableStream).end('{"config": {"proj:secret": "Sx-not-to-be-echoed"'); // cut short
        const code = await new Promise((resolve) => child.on("close", resolve));
        expect(code).toBe(1);
        expect(out).toMatch(/could not read the stack configuration from file descriptor 3/);
        expect(out).not.toMatch(/program ran|Sx-not-to-be-echoed/);
    });
});

describe("the engine watchdog", () => {
    it("ends a preloaded process whose parent is killed with SIGKILL", async () => {
        // parent → child (with the preload, kept alive by a timer as a gRPC server would be). The parent
        // prints the child's pid, then the test kills the parent.
        const parent = spawn(
            node,
            [
                "-e",
                `const c = require("child_process").spawn(process.execPath, ["-r", ${JSON.stringify(preload)}, "-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
                 console.log(c.pid); setInterval(() => {}, 1000);`,
            ],
            { stdio: ["ignore", "pipe", "inherit"] },
        );
        const childPid = Number(await firstLine(parent));
        try {
            await new Promise((r) => setTimeout(r, 300)); // let the child's preload start
            expect(isGone(childPid)).toBe(false);
            parent.kill("SIGKILL");
            expect(await waitFor(() => isGone(childPid), 20_000, 100)).toBe(true);
        } finally {
            parent.kill("SIGKILL");
            killLeftovers([childPid]);
        }
    });

    it("does not keep a process alive once its work is done", () => {
        const result = spawnSync(node, ["-r", preload, "-e", "console.log('done')"], { encoding: "utf8", timeout: 20_000 });
        expect(result.error).toBeUndefined();
        expect(result.status).toBe(0);
        expect(result.stdout).toBe("done\n");
    });

    it("reads the engine address a plugin was started with", () => {
        expect(watchdog.engineAddressFromArgs(["--monitor=127.0.0.1:1", "--engine=127.0.0.1:4242", "index.js"])).toBe("127.0.0.1:4242");
        expect(watchdog.engineAddressFromArgs(["--logtostderr", "-v=9", "127.0.0.1:4242"])).toBe("127.0.0.1:4242");
        expect(watchdog.engineAddressFromArgs(["-root=/some/dir", "."])).toBeUndefined();
    });

    it("takes an engine without a health service for alive, and one that stopped answering for gone", async () => {
        const grpc = require(require.resolve("@grpc/grpc-js", { paths: [path.join(REPO_ROOT, "node_modules", "@pulumi", "pulumi")] }));
        const server = new grpc.Server();
        const port: number = await new Promise((resolve, reject) =>
            server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err: Error | null, p: number) => (err ? reject(err) : resolve(p))),
        );
        let reason: string | undefined;
        // grpc-js as the watchdog sees it, counting the health checks that got an answer.
        let answered = 0;
        class CountingClient extends grpc.Client {
            makeUnaryRequest(...args: unknown[]) {
                const callback = args.pop() as (...results: unknown[]) => void;
                return super.makeUnaryRequest(...args, (...results: unknown[]) => {
                    answered++;
                    callback(...results);
                });
            }
        }
        const counting = { ...grpc, Client: CountingClient };
        const watch = watchdog.watchEngine({ parentPid: 0, engineAddress: `127.0.0.1:${port}`, grpc: () => counting, healthPollMs: 100, onGone: (r) => (reason = r) });
        try {
            // Several checks answer UNIMPLEMENTED (more than the failures that make "gone"): alive.
            expect(await waitFor(() => answered >= 4, 20_000, 20)).toBe(true);
            expect(reason).toBeUndefined();
            server.forceShutdown();
            expect(await waitFor(() => reason, 20_000, 50)).toMatch(/no longer answers/);
        } finally {
            watch.stop();
            server.forceShutdown();
        }
    });
});
