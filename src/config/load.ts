import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { NAMESPACE, type StackConfig } from "./schema";
import { validateStackConfig } from "./validate";

/** The namespace's values from the Pulumi runtime; objects arrive JSON-encoded. */
function rawNamespaceValues(): Record<string, unknown> {
    const raw: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (!key.startsWith(`${NAMESPACE}:`)) continue;
        const name = key.slice(NAMESPACE.length + 1);
        try {
            raw[name] = JSON.parse(value);
        } catch {
            raw[name] = value;
        }
    }
    return raw;
}

/**
 * Which property paths hold `secure:` values in the stack's settings file. The runtime only tells
 * secretness per top-level key (a key is secret when any part of it is), so the file is read to catch
 * a number typed in plain text next to encrypted ones. Returns undefined when there is no such file.
 */
function securePathsFromStackFile(projectRoot: string, stack: string): Set<string> | undefined {
    const file = path.join(projectRoot, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) return undefined;
    const yaml = require("js-yaml") as typeof import("js-yaml");
    const doc = yaml.load(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | undefined;
    const secure = new Set<string>();
    const walk = (value: unknown, at: string) => {
        if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${at}[${i}]`));
        else if (value && typeof value === "object") {
            if ("secure" in value && Object.keys(value).length === 1) secure.add(at);
            else for (const [k, v] of Object.entries(value)) walk(v, at ? `${at}.${k}` : k);
        }
    };
    for (const [key, value] of Object.entries(doc?.config ?? {})) {
        if (key.startsWith(`${NAMESPACE}:`)) walk(value, key.slice(NAMESPACE.length + 1));
    }
    return secure;
}

/** Top-level config keys the engine marked secret (the language host passes them in this variable). */
function secretKeys(): Set<string> {
    try {
        return new Set(JSON.parse(process.env.PULUMI_CONFIG_SECRET_KEYS ?? "[]") as string[]);
    } catch {
        return new Set();
    }
}

/** Read and validate the stack config; throws ConfigError (naming every bad key) before anything else runs. */
export function loadStackConfig(projectRoot = process.env.PULUMI_NODEJS_ROOT_DIRECTORY ?? process.cwd()): StackConfig {
    const securePaths = securePathsFromStackFile(projectRoot, pulumi.getStack());
    const secret = secretKeys();
    const isSecret = (keyPath: string) => {
        const topKey = keyPath.split(/[.[]/)[0];
        if (!secret.has(`${NAMESPACE}:${topKey}`)) return false;
        return securePaths ? securePaths.has(keyPath) : true;
    };
    return validateStackConfig(rawNamespaceValues(), isSecret);
}
