// Engine watchdog for the Node.js processes the Pulumi engine starts through this toolchain: our
// language host (pulumi-language-nodejs.js), the program it runs and the dynamic provider
// (`pulumi-resource-pulumi-nodejs`). The bootstrap copies this file next to the CLI.
//
// Why: when `pulumi` is killed with SIGKILL it cannot stop its plugins, and a Node.js process serving
// gRPC (language host, provider) never exits on its own: one lived over 40 minutes. The official
// plugins notice a dead engine with `rpcutil.Healthcheck` (sdk/go/common/util/rpcutil/health.go):
// they are started with the engine's gRPC address and call grpc.health.v1.Health/Check on it every
// 5 minutes, treating UNIMPLEMENTED as alive and any other error as "the engine is gone". We do the
// same, more often, and add a cheaper and quicker check first: the engine (or, for the program, our
// language host) is the process that started us, so once it is gone the kernel reparents us and
// `process.ppid` changes. Comparing it with the pid we started with is one getppid() call a second
// and immune to pid reuse.
//
// Neither check keeps Node.js alive on its own (timers are unref()'d, the health-check client is
// closed after every call), so a normal exit is never delayed, and the engine's normal shutdown
// (SIGINT, then SIGKILL, to the plugin's process group) is untouched.
"use strict";

const path = require("path");

/** How often the parent pid is compared (ms): a getppid() syscall, nothing more. */
const PARENT_POLL_MS = 1000;
/** How often the engine's gRPC health service is asked (ms); the official plugins use 5 minutes. */
const HEALTH_POLL_MS = 10_000;
/** Deadline of one health call (ms). A slow answer is not a dead engine: only UNAVAILABLE counts. */
const HEALTH_DEADLINE_MS = 5000;
/** Consecutive UNAVAILABLE answers (connection refused / reset) before the engine is declared gone. */
const HEALTH_FAILURES = 2;
/** 127.0.0.1:4242, localhost:4242, [::1]:4242 */
const HOST_PORT = /^(?:[\w.-]+|\[[0-9a-fA-F:]+\]):\d{1,5}$/;

/**
 * Watch the engine and call `onGone(reason)` once when it is gone.
 * @param {object} options
 * @param {(reason: string) => void} options.onGone
 * @param {number} [options.parentPid] the process whose disappearance means the engine is gone
 *        (default: our parent now). 0 or 1 (started by init) turns the parent check off.
 * @param {string | (() => string | undefined)} [options.engineAddress] host:port of the engine's gRPC
 *        server (a function when it is learnt later, e.g. from the Handshake call); none: no health check.
 * @param {() => any} [options.grpc] returns @grpc/grpc-js, called at the first health check only.
 * @param {number} [options.parentPollMs] default PARENT_POLL_MS
 * @param {number} [options.healthPollMs] default HEALTH_POLL_MS
 * @returns {{ stop(): void }}
 */
function watchEngine(options) {
    const parentPid = options.parentPid === undefined ? process.ppid : options.parentPid;
    const address = typeof options.engineAddress === "function" ? options.engineAddress : () => options.engineAddress;
    const timers = [];
    let done = false;
    const stop = () => {
        done = true;
        for (const t of timers) clearInterval(t);
    };
    const gone = (reason) => {
        if (done) return;
        stop();
        options.onGone(reason);
    };

    if (parentPid > 1) {
        const timer = setInterval(() => {
            if (process.ppid !== parentPid) gone(`the engine (parent process ${parentPid}) exited`);
        }, options.parentPollMs || PARENT_POLL_MS);
        timer.unref();
        timers.push(timer);
    }

    if (options.grpc) {
        let grpc;
        let failures = 0;
        let inFlight = false;
        const timer = setInterval(() => {
            const target = address();
            // Only a host:port is an engine address (anything else: no health check, never a false alarm).
            if (!target || !HOST_PORT.test(target) || inFlight || done) return;
            let client;
            try {
                grpc = grpc || options.grpc();
                client = new grpc.Client(target, grpc.credentials.createInsecure());
            } catch {
                // No @grpc/grpc-js to be found, or it refuses the address: the parent check is all we have.
                clearInterval(timer);
                return;
            }
            inFlight = true;
            client.makeUnaryRequest(
                "/grpc.health.v1.Health/Check",
                () => Buffer.alloc(0), // an empty HealthCheckRequest
                (bytes) => bytes, // the answer's content does not matter: any answer means alive
                {},
                { deadline: Date.now() + HEALTH_DEADLINE_MS },
                (err) => {
                    inFlight = false;
                    client.close();
                    if (err && err.code === grpc.status.UNAVAILABLE) {
                        if (++failures >= HEALTH_FAILURES) gone(`the engine at ${target} no longer answers (${err.details || err.message})`);
                    } else {
                        failures = 0; // OK, UNIMPLEMENTED (alive, no health service), or merely slow
                    }
                },
            );
        }, options.healthPollMs || HEALTH_POLL_MS);
        timer.unref();
        timers.push(timer);
    }
    return { stop };
}

/**
 * The way a program or provider process ends once its engine is gone: SIGTERM to itself, so that
 * handlers the code installed run as on a normal interruption, and a hard exit a little later in case
 * a handler does not exit (unref'd: if nothing else is left, Node.js has exited already).
 */
function terminateSelf() {
    setTimeout(() => process.exit(1), 3000).unref();
    process.kill(process.pid, "SIGTERM");
}

/**
 * The engine address a plugin was started with: `--engine=host:port` (the program, from our host),
 * else the first argument that is a plain host:port (the dynamic provider: the engine passes its
 * address as a positional argument, after any logging flags).
 * @param {string[]} args
 */
function engineAddressFromArgs(args) {
    for (let i = 0; i < args.length; i++) {
        if (args[i].startsWith("--engine=")) return args[i].slice("--engine=".length);
        if (args[i] === "--engine" && args[i + 1]) return args[i + 1];
    }
    return args.find((a) => HOST_PORT.test(a));
}

/** @grpc/grpc-js as the main script sees it (the SDK's own copy: already loaded, no extra cost). */
function grpcFromMain() {
    const from = process.argv[1] ? path.dirname(process.argv[1]) : process.cwd();
    return require(require.resolve("@grpc/grpc-js", { paths: [from, process.cwd()] }));
}

module.exports = { watchEngine, terminateSelf, engineAddressFromArgs, grpcFromMain, PARENT_POLL_MS, HEALTH_POLL_MS };
