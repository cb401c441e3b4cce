import type { z } from "zod";
import { checkNumber, serverAcceptsCalVersion } from "../licensing";
import { azureCrossChecks } from "./azure";
import { NAMESPACE, NUMBER_FIELDS, stackConfigSchema, type StackConfig } from "./schema";

/** One thing wrong with the stack config. Never carries a secret value. */
export interface ConfigProblem {
    /** Full key path, e.g. `rds-licensing:calPacks[1].agreementNumber`. */
    key: string;
    problem: string;
    fix: string;
}

/** Raised before any resource is registered; lists every problem at once. */
export class ConfigError extends Error {
    constructor(readonly problems: ConfigProblem[]) {
        super(
            `invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p.key} ${p.problem}.\n    Fix: ${p.fix}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

/** `["calPacks", 0, "count"]` → `calPacks[0].count` (the form `pulumi config set --path` takes). */
export function pathOf(segments: ReadonlyArray<PropertyKey>): string {
    return segments
        .map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? String(s) : `.${String(s)}`))
        .join("");
}

const keyOf = (path: string) => `${NAMESPACE}:${path}`;
const setHint = (path: string, what: string, secret = false) =>
    `pulumi config set${secret ? " --secret" : ""} --path '${path}' ${what}`;

function problemFromIssue(issue: z.core.$ZodIssue): ConfigProblem {
    const path = pathOf(issue.path);
    if (issue.code === "unrecognized_keys") {
        const where = path || "the namespace";
        return {
            key: keyOf(path ? `${path}.${issue.keys[0]}` : issue.keys[0]),
            problem: `is not a setting of ${where}`,
            fix: `remove it (pulumi config rm --path '${path ? `${path}.` : ""}${issue.keys[0]}'); check its spelling against the README`,
        };
    }
    if (issue.code === "invalid_type" && issue.input === undefined) {
        return { key: keyOf(path), problem: "is required", fix: setHint(path, "<value>") };
    }
    if (issue.code === "invalid_union" && path.match(/calPacks\[\d+\]$/)) {
        return { key: keyOf(`${path}.program`), problem: issue.message, fix: setHint(`${path}.program`, "<program>") };
    }
    return { key: keyOf(path), problem: issue.message, fix: setHint(path, "<value>") };
}

// --- Azure target -------------------------------------------------------------------------------

/** Checks of `rds-licensing:azure` that span keys or need secretness (see src/config/azure.ts). */
function azureProblems(config: StackConfig, isSecret: (path: string) => boolean): ConfigProblem[] {
    if (!config.azure) return [];
    return azureCrossChecks(config.azure, config.licenseServer.windowsServerVersion, isSecret).map((p) => ({
        key: keyOf(p.path),
        problem: p.problem,
        fix: p.fix,
    }));
}

// -------------------------------------------------------------------------------------------------

/**
 * Validate the raw `rds-licensing:*` config values.
 * @param raw the namespace's values, keyed by setting name (`licenseServer`, `calPacks`, ...)
 * @param isSecret whether a key path (e.g. `calPacks[0].agreementNumber`) was set with --secret
 */
export function validateStackConfig(raw: Record<string, unknown>, isSecret: (path: string) => boolean): StackConfig {
    const parsed = stackConfigSchema.safeParse(raw);
    if (!parsed.success) throw new ConfigError(parsed.error.issues.map(problemFromIssue));
    const config = parsed.data;
    const problems: ConfigProblem[] = [];

    if (config.target === "azure" && !config.azure) {
        problems.push({ key: keyOf("azure"), problem: "is required when target is azure", fix: "see examples/azure/README.md" });
    }
    problems.push(...azureProblems(config, isSecret));
    const seen = new Map<string, number>();
    config.calPacks.forEach((pack, i) => {
        const at = `calPacks[${i}]`;
        const first = seen.get(pack.name);
        if (first !== undefined) {
            problems.push({
                key: keyOf(`${at}.name`),
                problem: `repeats the name "${pack.name}" of calPacks[${first}]; pack names must be unique`,
                fix: setHint(`${at}.name`, "<another-name>"),
            });
        } else seen.set(pack.name, i);

        if (!serverAcceptsCalVersion(config.licenseServer.windowsServerVersion, pack.productVersion)) {
            problems.push({
                key: keyOf(`${at}.productVersion`),
                problem: `is ${pack.productVersion}, newer than the license server's Windows Server ${config.licenseServer.windowsServerVersion}; a license server only holds CALs of its own version or older`,
                fix: `use CALs of ${config.licenseServer.windowsServerVersion} or older, or raise licenseServer.windowsServerVersion`,
            });
        }
        for (const { field, format } of NUMBER_FIELDS[pack.program]) {
            const path = `${at}.${field}`;
            const value = (pack as Record<string, unknown>)[field] as string;
            if (!isSecret(path)) {
                problems.push({
                    key: keyOf(path),
                    problem: `is stored in plain text; ${format.label}s must be stack secrets`,
                    fix: `${setHint(path, "<value>", true)} (this encrypts it in Pulumi.<stack>.yaml)`,
                });
                continue;
            }
            const checked = checkNumber(format, value);
            if (!checked.ok) {
                problems.push({ key: keyOf(path), problem: checked.problem, fix: setHint(path, `<${format.expected}>`, true) });
            } else {
                (pack as Record<string, unknown>)[field] = checked.value;
            }
        }
    });
    if (problems.length > 0) throw new ConfigError(problems);
    return config;
}
