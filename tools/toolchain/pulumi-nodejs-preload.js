// Preloaded (`node -r <this file>`) into the Node.js processes of this toolchain: the program our
// language host runs, the plugins it runs (policy packs) and the dynamic provider the engine starts
// through `pulumi-resource-pulumi-nodejs`. The bootstrap copies it next to the CLI. It runs before
// the main script, so before @pulumi/pulumi is loaded, and does two things:
//
// 1. The stack configuration. @pulumi/pulumi reads the program's configuration (every key, secrets
//    decrypted) from process.env.PULUMI_CONFIG. Passing it in the environment of execve() has two
//    costs: Linux refuses any single environment string over 128 KiB (MAX_ARG_STRLEN; and all of argv
//    + environment together over ARG_MAX), which a stack of ~900 key packs exceeds (spawn fails with
//    E2BIG), and every decrypted secret is readable in /proc/<pid>/environ for the process's life.
//    So the language host sends it through an inherited pipe instead (fd number in
//    RDS_LICENSING_CONFIG_FD) as JSON { config, secretKeys }; it is read here synchronously to EOF
//    and put into process.env, where the SDK (and every copy of it the program may load) expects it.
//    Nothing is written to disk or to the command line; the fd is closed and its variable removed, so
//    processes the program starts do not inherit either.
// 2. The engine watchdog (pulumi-nodejs-watchdog.js): the process exits when the engine is gone.
"use strict";

const fs = require("fs");
const path = require("path");

const CONFIG_FD_ENV = "RDS_LICENSING_CONFIG_FD";

/** Read a blocking or non-blocking fd to EOF without an event loop (the preload must be synchronous). */
function readFdToEnd(fd) {
    const chunks = [];
    const buffer = Buffer.alloc(64 * 1024);
    const pause = new Int32Array(new SharedArrayBuffer(4));
    for (;;) {
        let n;
        try {
            n = fs.readSync(fd, buffer, 0, buffer.length, null);
        } catch (err) {
            // A non-blocking descriptor with nothing to read yet: wait a little (a real sleep, not a spin).
            if (err.code === "EAGAIN") {
                Atomics.wait(pause, 0, 0, 5);
                continue;
            }
            throw err;
        }
        if (n === 0) break;
        chunks.push(Buffer.from(buffer.subarray(0, n)));
    }
    return Buffer.concat(chunks).toString("utf8");
}

function loadConfigFromFd() {
    const value = process.env[CONFIG_FD_ENV];
    if (value === undefined) return;
    delete process.env[CONFIG_FD_ENV];
    const fd = Number(value);
    try {
        if (!Number.isInteger(fd) || fd < 3) throw new Error(`${CONFIG_FD_ENV}=${JSON.stringify(value)} is not a file descriptor number`);
        let payload;
        try {
            payload = JSON.parse(readFdToEnd(fd));
        } finally {
            try {
                fs.closeSync(fd);
            } catch {
                /* already closed */
            }
        }
        if (!payload || typeof payload.config !== "object" || !Array.isArray(payload.secretKeys)) {
            throw new Error("the data read is not { config, secretKeys }");
        }
        process.env.PULUMI_CONFIG = JSON.stringify(payload.config);
        process.env.PULUMI_CONFIG_SECRET_KEYS = JSON.stringify(payload.secretKeys);
    } catch (err) {
        // Never print what was read: it holds decrypted secrets.
        process.stderr.write(`pulumi-language-nodejs: could not read the stack configuration from file descriptor ${value}: ${err.message}\n`);
        process.exit(1);
    }
}

loadConfigFromFd();

const watchdog = require(path.join(__dirname, "pulumi-nodejs-watchdog.js"));
watchdog.watchEngine({
    onGone: watchdog.terminateSelf,
    engineAddress: watchdog.engineAddressFromArgs(process.argv.slice(2)),
    grpc: watchdog.grpcFromMain,
});
