/**
 * Bench reference: the graph of packs.ts (see shape.ts) with the same input and output properties,
 * as plain `pulumi.dynamic.Resource`s whose inline provider does nothing and touches no server
 * (noop.ts). It is what the Pulumi SDK and engine cost for that many dynamic resources through the
 * standard API; the bench program's time beyond it is our providers' (their code, the scheduler,
 * the simulator).
 */
import { Noop, noopLicenseServer } from "./noop";
import { packIndexes, packsPerServer, servers } from "./shape";

export const packCount = servers * packsPerServer;

// packs.ts's RequestKeySecret.
const requestKeySecret = new Noop("RequestKeySecret", "request-key", { value: undefined });

for (let s = 0; s < servers; s++) noopLicenseServer(s, packIndexes(), requestKeySecret);
