// Entry point of the policy pack (package.json `main`): the pack is written in TypeScript
// (pack.ts, rules.ts) and compiled by `npm run build` into dist/policy, like the stack program.
module.exports = require("../dist/policy/pack.js");
