#!/usr/bin/env node
"use strict";
// `rdls-sim <command>`: the old name of `rds-licensing sim <command>`, kept for this release. It says
// so in one line on stderr (stdout stays the command's own, JSON included), then runs the same code.
const path = require("path");
const entry = path.join(__dirname, "..", "dist", "src", "simulator", "cli.js");
let cli;
try {
    cli = require(entry);
} catch (err) {
    if (err && err.code === "MODULE_NOT_FOUND" && String(err.message).includes(entry)) {
        process.stderr.write("rdls-sim: not built yet; run `npm run build` first\n");
        process.exit(1);
    }
    throw err;
}
process.stderr.write(cli.ALIAS_NOTICE);
cli.main(process.argv.slice(2), undefined, { prog: "rdls-sim" }).then((code) => {
    process.exitCode = code;
});
