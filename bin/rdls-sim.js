#!/usr/bin/env node
"use strict";
// Thin shim: the CLI is compiled TypeScript (npm run build → dist/).
let cli;
try {
    cli = require("../dist/src/simulator/cli.js");
} catch (err) {
    if (err && err.code === "MODULE_NOT_FOUND") {
        process.stderr.write("rdls-sim: not built yet; run `npm run build` first\n");
        process.exit(1);
    }
    throw err;
}
cli.main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
});
