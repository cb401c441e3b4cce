import type { z } from "zod";
import { SECRET_NUMBER_FIELDS, checkNumber, farmSpecFindings, numberFieldsOf } from "../licensing";
import { azureCrossChecks } from "./azure";
import { NAMESPACE, stackConfigSchema, type LicenseServerConfig, type ParsedStackConfig, type StackConfig } from "./schema";
import { converted, shown, typedSetCommand, typeName, wrongTypeProblem, type SettingFacts } from "./types";

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

/** Settings that must be stack secrets: the CAL numbers of each program, the Azure passwords. */
const SECRET_NUMBERS: ReadonlySet<string> = new Set(SECRET_NUMBER_FIELDS);
export function isSecretSetting(path: string): boolean {
    const number = /^calPacks\[\d+\]\.(\w+)$/.exec(path);
    if (number) return SECRET_NUMBERS.has(number[1]!);
    return path === "azure.adminPassword" || path === "azure.domain.joinPassword";
}

/** The raw value at a zod issue path, and whether there is one. */
function valueAt(raw: unknown, segments: ReadonlyArray<PropertyKey>): { present: boolean; value?: unknown } {
    let at: unknown = raw;
    for (const s of segments) {
        if (at === null || typeof at !== "object" || !Object.prototype.hasOwnProperty.call(at, s)) return { present: false };
        at = (at as Record<PropertyKey, unknown>)[s];
    }
    return { present: at !== undefined, value: at };
}

/** The schema's complaint about `value` at `segments` (the rest of the config as it is), if any. */
function stillRefused(raw: Record<string, unknown>, segments: ReadonlyArray<PropertyKey>, value: unknown): string | undefined {
    const copy = structuredClone(raw) as Record<PropertyKey, unknown>;
    let at = copy;
    segments.slice(0, -1).forEach((s) => (at = at[s] as Record<PropertyKey, unknown>));
    at[segments[segments.length - 1]!] = value;
    const parsed = stackConfigSchema.safeParse(copy);
    const path = pathOf(segments);
    return parsed.success ? undefined : parsed.error.issues.find((i) => pathOf(i.path) === path)?.message;
}

/** A missing or wrong-typed value: "is required", or what type was found, with the `--type` fix. */
function typeProblem(
    issue: z.core.$ZodIssueInvalidType,
    raw: Record<string, unknown>,
    isSecret: (path: string) => boolean,
): ConfigProblem {
    const path = pathOf(issue.path);
    const found = valueAt(raw, issue.path);
    const facts: SettingFacts = {
        path,
        expected: issue.expected,
        secretSetting: isSecretSetting(path),
        secretNow: isSecret(path),
        present: found.present,
        stringThere: typeof found.value === "string",
    };
    if (!found.present) return { key: keyOf(path), problem: "is required", fix: typedSetCommand(facts) };
    const problem = wrongTypeProblem(facts, found.value);
    const value = converted(issue.expected, found.value);
    if (!value.ok || facts.secretSetting || facts.secretNow) return { key: keyOf(path), problem, fix: typedSetCommand(facts) };
    const refused = stillRefused(raw, issue.path, value.value);
    if (refused === undefined) return { key: keyOf(path), problem, fix: typedSetCommand(facts, value.value) };
    return { key: keyOf(path), problem, fix: `${typedSetCommand(facts)} (${shown(value.value)} is refused too: it ${refused})` };
}

function problemFromIssue(issue: z.core.$ZodIssue, raw: Record<string, unknown>, isSecret: (path: string) => boolean): ConfigProblem {
    const path = pathOf(issue.path);
    if (issue.code === "unrecognized_keys") {
        const where = path || "the namespace";
        return {
            key: keyOf(path ? `${path}.${issue.keys[0]}` : issue.keys[0]),
            problem: `is not a setting of ${where}`,
            fix: `remove it (pulumi config rm --path '${path ? `${path}.` : ""}${issue.keys[0]}'); check its spelling against the README`,
        };
    }
    if (issue.code === "invalid_type") return typeProblem(issue, raw, isSecret);
    if (issue.code === "invalid_union" && path.match(/calPacks\[\d+\]$/)) {
        return { key: keyOf(`${path}.program`), problem: issue.message, fix: setHint(`${path}.program`, "<program>") };
    }
    if (issue.code === "invalid_value") {
        // One of a list of words: a number or boolean in its place is named as such.
        const found = valueAt(raw, issue.path);
        const foreign = found.present && typeof found.value !== "string" && !isSecret(path);
        return {
            key: keyOf(path),
            problem: foreign ? `${issue.message}, found ${typeName(found.value)} (${shown(found.value)})` : issue.message,
            fix: setHint(path, "<value>"),
        };
    }
    return { key: keyOf(path), problem: issue.message, fix: setHint(path, "<value>") };
}

// --- License servers and the farm ---------------------------------------------------------------

/** `licenseServer` or `licenseServers`: exactly one of them. */
function licenseServersOf(config: ParsedStackConfig): { ok: true; list: LicenseServerConfig[] } | { ok: false; problem: ConfigProblem } {
    if (config.licenseServer && config.licenseServers) {
        return {
            ok: false,
            problem: {
                key: keyOf("licenseServers"),
                problem: "is set together with licenseServer; the stack's license servers are one or the other",
                fix: "move licenseServer into licenseServers as its first entry, then: pulumi config rm 'licenseServer'",
            },
        };
    }
    const list = config.licenseServers ?? (config.licenseServer ? [config.licenseServer] : undefined);
    if (!list) {
        const fix = "set its entries one by one: pulumi config set --path 'licenseServer.<setting>' <value> (or list several servers in licenseServers)";
        return { ok: false, problem: { key: keyOf("licenseServer"), problem: "is required", fix } };
    }
    return { ok: true, list };
}

/** The farm's checks (src/licensing/farm-checks.ts): their errors, at the config's own key paths. */
function farmProblems(config: StackConfig): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    if (config.target === "azure") {
        const farm = [
            ...(config.licenseServers.length > 1 ? ["licenseServers"] : []),
            ...(config.deployment ? ["deployment"] : []),
            ...(config.sessionHosts.length > 0 ? ["sessionHosts"] : []),
        ];
        for (const key of farm) {
            problems.push({
                key: keyOf(key),
                problem: "is only available with target simulator for now (the Azure target builds one license server VM)",
                fix: `remove it (pulumi config rm '${key}'), or use target simulator`,
            });
        }
    }
    const findings = farmSpecFindings(config).filter((f) => f.severity === "error");
    return [...problems, ...findings.map((f) => ({ key: keyOf(f.setting), problem: f.message, fix: f.fix }))];
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
    if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => problemFromIssue(issue, raw, isSecret)));
    const servers = licenseServersOf(parsed.data);
    if (!servers.ok) throw new ConfigError([servers.problem]);
    const { licenseServer: _one, licenseServers: _many, ...rest } = parsed.data;
    const config: StackConfig = { ...rest, licenseServer: servers.list[0]!, licenseServers: servers.list };
    const problems: ConfigProblem[] = farmProblems(config);

    if (config.target === "azure" && !config.azure) {
        problems.push({ key: keyOf("azure"), problem: "is required when target is azure", fix: "see examples/azure/README.md" });
    }
    problems.push(...azureProblems(config, isSecret));
    const seen = new Map<string, number>();
    const adopted = new Map<number, number>();
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

        if (pack.adoptKeyPackId !== undefined) {
            const owner = adopted.get(pack.adoptKeyPackId);
            if (owner !== undefined) {
                const other = `calPacks[${owner}].adoptKeyPackId`;
                problems.push({
                    key: keyOf(`${at}.adoptKeyPackId`),
                    problem: `adopts key pack ${pack.adoptKeyPackId}, which ${keyOf(other)} ("${config.calPacks[owner]!.name}") adopts already; both packs would count its licenses`,
                    fix: `keep it in one pack: pulumi config rm --path '${at}.adoptKeyPackId' (or set the key pack this pack really adopts)`,
                });
            } else adopted.set(pack.adoptKeyPackId, i);
        }

        for (const { name, format, secret } of numberFieldsOf(pack.program)) {
            const path = `${at}.${name}`;
            const value = (pack as Record<string, unknown>)[name] as string;
            if (secret && !isSecret(path)) {
                problems.push({
                    key: keyOf(path),
                    problem: `is stored in plain text; ${format.label}s must be stack secrets`,
                    fix: `${setHint(path, "<value>", true)} (this encrypts it in Pulumi.<stack>.yaml)`,
                });
                continue;
            }
            // The format only: the value flows on exactly as configured. The engine masks the secret
            // as written; a normalized spelling would be a new string it does not know to mask, so
            // the provider normalizes inside itself, at the point of use.
            const checked = checkNumber(format, value);
            if (!checked.ok) problems.push({ key: keyOf(path), problem: checked.problem, fix: setHint(path, `<${format.expected}>`, true) });
        }
    });
    if (problems.length > 0) throw new ConfigError(problems);
    return config;
}
