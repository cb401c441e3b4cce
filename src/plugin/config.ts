/**
 * The plugin's own settings, from the stack config under the package's namespace (the engine hands
 * a provider its namespace's values as the PULUMI_CONFIG environment variable, a JSON object of
 * strings): where `pulumi import` looks for what it adopts, which the import ID alone cannot say.
 *   rds-licensing:connection  a connection as JSON, e.g. {"kind":"simulator","home":".rdls-sim"}
 *   rds-licensing:server      the license server's computer name
 */
import { connectionSchema, type Connection } from "../providers/connection";
import { checkFailures } from "../providers/check";

export interface PluginConfig {
    connection: Connection;
    server?: string;
}

/** rdls-sim's default store, as the TypeScript components default it. */
export const DEFAULT_CONNECTION: Connection = { kind: "simulator", home: ".rdls-sim" };

const setting = (name: string) => `rds-licensing:${name}`;

export function pluginConfig(env: NodeJS.ProcessEnv = process.env): PluginConfig {
    let values: Record<string, unknown> = {};
    try {
        values = env.PULUMI_CONFIG ? JSON.parse(env.PULUMI_CONFIG) : {};
    } catch {
        values = {};
    }
    const server = typeof values.server === "string" && values.server ? values.server : undefined;
    if (values.connection === undefined) return { connection: DEFAULT_CONNECTION, ...(server ? { server } : {}) };
    let raw: unknown = values.connection;
    if (typeof raw === "string") {
        try {
            raw = JSON.parse(raw);
        } catch {
            throw new Error(`${setting("connection")}: found text that is not JSON; set a connection object, e.g. pulumi config set ${setting("connection")} '{"kind":"simulator","home":".rdls-sim"}'`);
        }
    }
    const parsed = connectionSchema.safeParse(raw);
    if (!parsed.success) {
        const problems = checkFailures(parsed.error).map((f) => `${f.property}: ${f.reason}`).join("; ");
        throw new Error(`${setting("connection")}: ${problems}; set a connection as CalKeyPack's connection input takes it, e.g. {"kind":"simulator","home":".rdls-sim"}`);
    }
    return { connection: parsed.data, ...(server ? { server } : {}) };
}
