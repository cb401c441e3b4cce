#!/usr/bin/env node
// A Node.js language host for the Pulumi engine, used where the official `pulumi-language-nodejs`
// binary cannot be had: its Go module is never tagged and the Go module proxy reachable here refuses
// untagged (commit) versions, so it cannot be built offline (see docs/toolchain.md). With internet,
// the official CLI ships the official host and this file is never used.
//
// It implements the LanguageRuntime gRPC service of @pulumi/pulumi's protocol: the engine starts it,
// reads the port it prints, and asks it to run the program. Running the program is delegated to the
// SDK's own entry point (@pulumi/pulumi/cmd/run), exactly as the official host does, so the program,
// the resource monitor protocol and dynamic providers behave the same. Plugins written in Node.js
// (policy packs: `pulumi preview --policy-pack <dir>`) are started through RunPlugin, with the SDK's
// @pulumi/pulumi/cmd/run-policy-pack or cmd/run-plugin, as the official host does.
//
// Two things differ from a plain spawn, both through the files the bootstrap copies beside this one:
// - the stack configuration reaches the program through an inherited pipe, not its environment (too
//   large for execve at ~900 key packs, and decrypted secrets would sit in /proc/<pid>/environ):
//   see pulumi-nodejs-preload.js, loaded into the program with `node -r`;
// - this host, the program and the plugins it starts exit when the engine is gone (`kill -9 pulumi`),
//   as the official host does: see pulumi-nodejs-watchdog.js.
"use strict";

const fs = require("fs");
const path = require("path");
const childProcess = require("child_process");

const HOST_VERSION = "3.274.1";

/** Resolve a module from the program's folder first (its node_modules), then from this file's. */
function resolveFrom(dirs, request) {
    for (const dir of dirs) {
        try {
            return require.resolve(request, { paths: [dir] });
        } catch {
            /* try the next folder */
        }
    }
    throw new Error(
        `pulumi-language-nodejs: cannot find '${request}' from ${dirs.join(", ")}. ` +
            "Run `npm install` in the Pulumi project first.",
    );
}

const searchDirs = [process.cwd(), __dirname];
const grpc = require(resolveFrom(searchDirs, "@grpc/grpc-js"));
const protoDir = path.dirname(resolveFrom(searchDirs, "@pulumi/pulumi/proto/language_pb.js"));
const langProto = require(path.join(protoDir, "language_pb.js"));
const langRpc = require(path.join(protoDir, "language_grpc_pb.js"));
const pluginProto = require(path.join(protoDir, "plugin_pb.js"));

/** Preloaded into every Node.js process this host starts (config from a pipe, engine watchdog). */
const PRELOAD = path.join(__dirname, "pulumi-nodejs-preload.js");
const watchdog = require(path.join(__dirname, "pulumi-nodejs-watchdog.js"));

const hostArgs = process.argv.slice(2);
const state = { engineAddress: watchdog.engineAddressFromArgs(hostArgs) || hostArgs.find((a) => !a.startsWith("-")) || "" };
/** The fd number the program reads its configuration from (stdio[3] of the spawn). */
const CONFIG_FD = 3;

/** The processes this host started and that still run: stopped with it when the engine is gone. */
const children = new Set();
function track(child) {
    children.add(child);
    child.on("exit", () => children.delete(child));
    child.on("error", () => children.delete(child));
    return child;
}

/** Prefer the project's own Node (npm package `node`, e.g. Node 24) over the one on PATH. */
function nodeBinary(programDirectory) {
    for (let dir = programDirectory; dir; dir = path.dirname(dir)) {
        const candidate = path.join(dir, "node_modules", ".bin", "node");
        if (fs.existsSync(candidate)) return candidate;
        if (path.dirname(dir) === dir) break;
    }
    return process.env.PULUMI_NODEJS_NODE || "node";
}

function programInfo(req) {
    const info = req.getInfo && req.getInfo();
    const options = info && info.getOptions() ? info.getOptions().toJavaScript() : {};
    return {
        rootDirectory: (info && info.getRootDirectory()) || process.cwd(),
        programDirectory: (info && info.getProgramDirectory()) || process.cwd(),
        entryPoint: (info && info.getEntryPoint()) || ".",
        options,
    };
}

/** Packages in node_modules that declare a Pulumi resource plugin (package.json `pulumi.resource`). */
function requiredPackages(programDirectory) {
    const found = new Map();
    const modules = path.join(programDirectory, "node_modules");
    const visit = (dir) => {
        let pkg;
        try {
            pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
        } catch {
            return;
        }
        if (!pkg.pulumi || !pkg.pulumi.resource) return;
        const name = pkg.pulumi.name || String(pkg.name).replace(/^@pulumi\//, "").replace(/^@/, "");
        const version = pkg.pulumi.version || pkg.version;
        found.set(`${name}@${version}`, { name, version: version.startsWith("v") ? version : `v${version}`, server: pkg.pulumi.server || "" });
    };
    let entries = [];
    try {
        entries = fs.readdirSync(modules);
    } catch {
        return [];
    }
    for (const entry of entries) {
        if (entry.startsWith("@")) {
            for (const sub of fs.readdirSync(path.join(modules, entry))) visit(path.join(modules, entry, sub));
        } else if (!entry.startsWith(".")) {
            visit(path.join(modules, entry));
        }
    }
    return [...found.values()];
}

function runArgs(req, info, runPath) {
    const args = [runPath];
    const add = (flag, value) => {
        if (value !== undefined && value !== null && value !== "") args.push(`--${flag}=${value}`);
    };
    add("monitor", req.getMonitorAddress());
    add("engine", state.engineAddress);
    add("organization", req.getOrganization());
    add("project", req.getProject());
    add("root-directory", info.rootDirectory);
    add("stack", req.getStack());
    add("pwd", req.getPwd() || info.programDirectory);
    if (req.getDryrun()) args.push("--dry-run");
    add("parallel", String(req.getParallel()));
    args.push(info.entryPoint || req.getProgram() || ".");
    args.push(...req.getArgsList());
    return args;
}

/**
 * The program's environment. The configuration is NOT in it: it goes through a pipe (configPayload),
 * so a stale PULUMI_CONFIG inherited from our own environment is dropped too.
 */
function runEnv(info) {
    const env = { ...process.env, PULUMI_NODEJS_TYPESCRIPT: String(info.options.typescript !== false) };
    delete env.PULUMI_CONFIG;
    delete env.PULUMI_CONFIG_SECRET_KEYS;
    env.RDS_LICENSING_CONFIG_FD = String(CONFIG_FD);
    if (info.options.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = String(info.options.tsconfig);
    return env;
}

/** What the preload turns into PULUMI_CONFIG / PULUMI_CONFIG_SECRET_KEYS inside the program. */
function configPayload(req) {
    const config = {};
    req.getConfigMap().forEach((value, key) => {
        config[key] = value;
    });
    return JSON.stringify({ config, secretKeys: req.getConfigsecretkeysList() });
}

/** A spawn error as the user should read it (E2BIG says nothing by itself). */
function spawnErrorMessage(err) {
    if (err.code === "E2BIG") {
        return (
            "could not start node: E2BIG, its command line and environment are larger than the operating system accepts " +
            "(Linux: 128 KiB for any one argument or environment variable, ARG_MAX in all, see `getconf ARG_MAX`). " +
            "The stack configuration does not travel there; look for a very large environment variable in the shell that runs pulumi."
        );
    }
    return `could not start node: ${err.message}`;
}

/** `KEY=VALUE` strings (RunPluginRequest.env) as an environment object. */
function envFromList(list) {
    const env = {};
    for (const entry of list) {
        const at = entry.indexOf("=");
        if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
    }
    return env;
}

/**
 * The command line of a plugin written in Node.js, as the official host builds it. Policy packs
 * (kind `analyzer`: since CLI 3.221 the engine runs them through the language host, no longer through
 * the `pulumi-analyzer-policy` shim) take the engine address first and their folder last, and run in
 * their own folder (@pulumi/policy reads the pack's version from ./package.json). Other plugins take
 * their folder first and run in the engine's working directory.
 */
function pluginCommand(req, info) {
    const analyzer = req.getKind() === "analyzer";
    const entry = analyzer ? "@pulumi/pulumi/cmd/run-policy-pack" : process.env.PULUMI_LANGUAGE_NODEJS_RUN_PATH || "@pulumi/pulumi/cmd/run-plugin";
    const runPath = resolveFrom([info.programDirectory, info.rootDirectory], entry);
    const nodeArgs = info.options.nodeargs ? String(info.options.nodeargs).split(/\s+/).filter(Boolean) : [];
    const args = analyzer
        ? [runPath, ...nodeArgs, ...req.getArgsList(), info.programDirectory]
        : [runPath, ...nodeArgs, info.programDirectory, ...req.getArgsList()];
    const env = envFromList(req.getEnvList());
    if (Object.keys(env).length === 0) Object.assign(env, process.env);
    if (info.options.typescript !== false) env.PULUMI_NODEJS_TYPESCRIPT = "true";
    if (info.options.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = String(info.options.tsconfig);
    return { args, env, cwd: analyzer ? info.programDirectory : req.getPwd() || info.programDirectory };
}

const service = {
    handshake(call, callback) {
        state.engineAddress = call.request.getEngineAddress() || state.engineAddress;
        callback(null, new langProto.LanguageHandshakeResponse());
    },
    getPluginInfo(_call, callback) {
        callback(null, new pluginProto.PluginInfo().setVersion(HOST_VERSION));
    },
    getRequiredPlugins(call, callback) {
        const deps = requiredPackages(programInfo(call.request).programDirectory).map((p) =>
            new pluginProto.PluginDependency().setName(p.name).setKind("resource").setVersion(p.version).setServer(p.server),
        );
        callback(null, new langProto.GetRequiredPluginsResponse().setPluginsList(deps));
    },
    getRequiredPackages(call, callback) {
        const deps = requiredPackages(programInfo(call.request).programDirectory).map((p) =>
            new pluginProto.PackageDependency().setName(p.name).setKind("resource").setVersion(p.version).setServer(p.server),
        );
        callback(null, new langProto.GetRequiredPackagesResponse().setPackagesList(deps));
    },
    runtimeOptionsPrompts(_call, callback) {
        callback(null, new langProto.RuntimeOptionsResponse());
    },
    about(call, callback) {
        const node = nodeBinary(programInfo(call.request).programDirectory);
        const version = childProcess.execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
        callback(null, new langProto.AboutResponse().setExecutable(node).setVersion(version));
    },
    getProgramDependencies(call, callback) {
        const dir = programInfo(call.request).programDirectory;
        const list = [];
        try {
            const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
            for (const name of Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })) {
                try {
                    const dep = JSON.parse(fs.readFileSync(path.join(dir, "node_modules", name, "package.json"), "utf8"));
                    list.push(new langProto.DependencyInfo().setName(name).setVersion(dep.version));
                } catch {
                    /* not installed: not reported */
                }
            }
        } catch {
            /* no package.json */
        }
        callback(null, new langProto.GetProgramDependenciesResponse().setDependenciesList(list));
    },
    installDependencies(call) {
        const info = programInfo(call.request);
        const child = childProcess.spawn("npm", ["install"], { cwd: call.request.getDirectory() || info.programDirectory });
        child.stdout.on("data", (d) => call.write(new langProto.InstallDependenciesResponse().setStdout(d)));
        child.stderr.on("data", (d) => call.write(new langProto.InstallDependenciesResponse().setStderr(d)));
        child.on("close", (code) => {
            if (code === 0) call.end();
            else call.destroy(Object.assign(new Error(`npm install exited with code ${code}`), { code: grpc.status.UNKNOWN }));
        });
    },
    run(call, callback) {
        const req = call.request;
        const info = programInfo(req);
        let runPath;
        try {
            runPath = resolveFrom([info.programDirectory, info.rootDirectory], "@pulumi/pulumi/cmd/run");
        } catch (err) {
            callback(null, new langProto.RunResponse().setError(String(err.message)));
            return;
        }
        const nodeArgs = info.options.nodeargs ? String(info.options.nodeargs).split(/\s+/).filter(Boolean) : [];
        let answered = false;
        const answer = (response) => {
            if (answered) return;
            answered = true;
            callback(null, response);
        };
        let child;
        try {
            // Node.js throws some spawn errors (E2BIG among them) instead of emitting "error".
            child = track(
                childProcess.spawn(nodeBinary(info.programDirectory), ["-r", PRELOAD, ...nodeArgs, ...runArgs(req, info, runPath)], {
                    cwd: req.getPwd() || info.programDirectory,
                    env: runEnv(info),
                    stdio: ["ignore", "inherit", "inherit", "pipe"],
                }),
            );
        } catch (err) {
            answer(new langProto.RunResponse().setError(spawnErrorMessage(err)));
            return;
        }
        child.on("error", (err) => {
            answer(new langProto.RunResponse().setError(spawnErrorMessage(err)));
        });
        // The configuration, decrypted secrets included: memory to memory, read by the preload before
        // the program starts. A program that dies first closes the pipe: ignore EPIPE.
        if (child.stdio[CONFIG_FD]) {
            child.stdio[CONFIG_FD].on("error", () => {});
            child.stdio[CONFIG_FD].end(configPayload(req));
        }
        child.on("exit", (code, signal) => {
            const response = new langProto.RunResponse();
            // Exit code 32 means the SDK already reported the error to the engine: bail quietly.
            if (code === 32) response.setBail(true);
            else if (code !== 0) response.setError(signal ? `Program exited with signal ${signal}` : `Program exited with non-zero exit code: ${code}`);
            answer(response);
        });
    },
    // Runs a plugin written in Node.js (policy packs, components) and streams its output back: the
    // engine reads the plugin's port from its stdout. Cancelling the call (the engine closing the
    // plugin) stops the process.
    runPlugin(call) {
        const req = call.request;
        const info = programInfo(req);
        const send = (set, value) => {
            if (!call.cancelled && !call.writableEnded) call.write(set(new langProto.RunPluginResponse(), value));
        };
        let command;
        try {
            command = pluginCommand(req, info);
        } catch (err) {
            call.destroy(Object.assign(new Error(String(err.message)), { code: grpc.status.FAILED_PRECONDITION }));
            return;
        }
        let child;
        try {
            child = track(
                childProcess.spawn(nodeBinary(info.programDirectory), ["-r", PRELOAD, ...command.args], {
                    cwd: command.cwd,
                    env: command.env,
                    stdio: ["ignore", "pipe", "pipe"],
                }),
            );
        } catch (err) {
            call.destroy(Object.assign(new Error(spawnErrorMessage(err)), { code: grpc.status.UNKNOWN }));
            return;
        }
        const stop = () => {
            if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        };
        call.on("cancelled", stop);
        call.on("close", stop);
        child.stdout.on("data", (d) => send((r, v) => r.setStdout(v), new Uint8Array(d)));
        child.stderr.on("data", (d) => send((r, v) => r.setStderr(v), new Uint8Array(d)));
        child.on("error", (err) => {
            call.destroy(Object.assign(new Error(spawnErrorMessage(err)), { code: grpc.status.UNKNOWN }));
        });
        child.on("close", (code, signal) => {
            send((r, v) => r.setExitcode(v), code === null ? (signal ? 128 : 1) : code);
            if (!call.cancelled && !call.writableEnded) call.end();
        });
    },
};

const server = new grpc.Server();
server.addService(langRpc.LanguageRuntimeService, service);
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) {
        console.error(`pulumi-language-nodejs: cannot listen: ${err.message}`);
        process.exit(1);
    }
    process.stdout.write(`${port}\n`);
});

// The engine is gone (killed with SIGKILL, say) when the process that started us is, or when its gRPC
// server stops answering (the official hosts' check). Nobody will call us again: stop the program and
// plugins we run (each also watches its own parent, in case this host is the one killed) and exit.
watchdog.watchEngine({
    engineAddress: () => state.engineAddress,
    grpc: () => grpc,
    onGone: () => {
        for (const child of children) {
            if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        }
        process.exit(1);
    },
});
