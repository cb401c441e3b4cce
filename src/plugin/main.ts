/**
 * Entry of `pulumi-resource-rds-licensing`: serves the plugin's provider over the engine's gRPC
 * protocol (@pulumi/pulumi/provider). The schema comes from the file the plugin tarball ships
 * (RDS_LICENSING_PLUGIN_SCHEMA, set by its launcher), or is generated from this package's sources.
 */
import * as fs from "fs";
import { main } from "@pulumi/pulumi/provider";
import { packageRoot, packageVersion } from "./package-info";
import { pluginProvider } from "./provider";

async function schemaText(): Promise<string> {
    const file = process.env.RDS_LICENSING_PLUGIN_SCHEMA;
    if (file && fs.existsSync(file)) return fs.readFileSync(file, "utf8");
    const { generateSchema } = await import("./generate.js");
    return JSON.stringify(generateSchema(packageRoot()));
}

export function serve(args: string[]): Promise<void> {
    return main(pluginProvider(packageVersion(), schemaText), args);
}
