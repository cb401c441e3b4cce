// Entry point of the rds-licensing stack program (Pulumi.yaml `main`), compiled from program/index.ts.
// It sits at the project root on purpose: the engine starts the program's provider processes in the
// folder of `main`, and paths in the stack config (the simulator's store) are relative to this folder.
module.exports = require("./dist/program/index.js");
