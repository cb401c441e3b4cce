/**
 * The bench's plugin variant: a scenario's graph (servers, activations, packs: programs/packs.ts) as
 * a Pulumi YAML program through the provider plugin (docs/plugin.md), installed from its tarball the
 * way a user installs it. The same resources, names and values, on the same simulated servers, so
 * its figures sit next to the dynamic provider's and the floor's in one run.
 */
import * as path from "path";
import type { Scenario } from "./options";
import { contact, packSpec, serverName } from "./programs/pack-spec";
import { REPO_ROOT, run } from "./project";

export interface PluginTools {
    version: string;
    tarball: string;
}

/**
 * The YAML language host (built from the Go module proxy on first use: tools/toolchain/yaml-host.mjs;
 * a version stamp makes later calls a file read) and the plugin tarball of this checkout (dist/ built).
 */
export async function ensurePluginTools(binDir: string): Promise<PluginTools> {
    const env = { ...process.env, PATH: [binDir, process.env.PATH].join(path.delimiter) };
    const host = await run("node", [path.join(REPO_ROOT, "tools", "toolchain", "yaml-host.mjs")], { cwd: REPO_ROOT, env, timeoutMs: 900_000 });
    if (host.code !== 0) throw new Error(`the YAML language host could not be made:\n${host.stderr}`);
    const made = await run("node", [path.join(REPO_ROOT, "dist", "src", "plugin", "tarball.js")], { cwd: REPO_ROOT, env });
    if (made.code !== 0) throw new Error(`the plugin tarball could not be made:\n${made.stderr}`);
    return JSON.parse(made.stdout.trim().split("\n").pop()!) as PluginTools;
}

/** Whether the plugin variant runs a scenario: the packs scenarios (a farm's deployment stays TypeScript-only here). */
export const hasPluginVariant = (scenario: Scenario): boolean => !scenario.farm;

const flow = (value: Record<string, unknown>) => `{ ${Object.entries(value).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(", ")} }`;

/** The scenario's program as Pulumi YAML: programs/packs.ts's resources, numbers as `fn::secret`. */
export function pluginProgram(scenario: Scenario, home = ".rdls-sim"): string {
    const connection = flow({ kind: "simulator", home });
    const lines = ["name: rds-licensing-bench", "runtime: yaml", "resources:", "  request-key:", "    type: rds-licensing:index:RequestKeySecret"];
    for (let s = 0; s < scenario.servers; s++) {
        const n = s + 1;
        lines.push(
            `  server-${n}:`,
            "    type: rds-licensing:index:SimulatedLicenseServer",
            `    properties: ${flow({ home, serverName: serverName(s), windowsServerVersion: "2022" })}`,
            `  activation-${n}:`,
            "    type: rds-licensing:index:LicenseServerActivation",
            "    properties:",
            `      connection: ${connection}`,
            `      server: \${server-${n}.serverName}`,
            `      contact: ${flow(contact)}`,
        );
        for (let p = 0; p < scenario.packsPerServer; p++) {
            const { agreementNumber, ...pack } = packSpec(s, p);
            lines.push(
                `  pack-${n}-${p + 1}:`,
                "    type: rds-licensing:index:CalKeyPack",
                "    properties:",
                `      connection: ${connection}`,
                `      server: \${server-${n}.serverName}`,
                ...Object.entries(pack).map(([k, v]) => `      ${k}: ${JSON.stringify(v)}`),
                `      agreementNumber: { fn::secret: ${JSON.stringify(agreementNumber)} }`,
                "      requestKeySecret: ${request-key.value}",
                `    options: { dependsOn: ["\${activation-${n}}"] }`,
            );
        }
    }
    return `${lines.join("\n")}\n`;
}
