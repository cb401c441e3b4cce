#!/usr/bin/env node
// The rds-licensing provider plugin's entry (docs/plugin.md): the plugin tarball's launcher runs it.
require("../dist/src/plugin/main.js")
    .serve(process.argv.slice(2))
    .catch((err) => {
        process.stderr.write(`pulumi-resource-rds-licensing: ${err && err.message ? err.message : err}\n`);
        process.exit(1);
    });
