#!/usr/bin/env node
"use strict";
// `rds-licensing <command>`: a thin shim over the compiled CLI (npm run build → dist/src/cli/main.js).
const path = require("path");
const entry = path.join(__dirname, "..", "dist", "src", "cli", "main.js");
let cli;
try {
    cli = require(entry);
} catch (err) {
    if (err && err.code === "MODULE_NOT_FOUND" && String(err.message).includes(entry)) {
        process.stderr.write("rds-licensing: not built yet; run `npm run build` (or `npm run demo`) first\n");
        process.exit(1);
    }
    throw err;
}
cli.main(process.argv.slice(2)).then(
    (code) => {
        process.exitCode = code;
    },
    (err) => {
        process.stderr.write(`rds-licensing: unexpected error: ${err && err.message ? err.message : String(err)}\n`);
        process.exitCode = 1;
    },
);
