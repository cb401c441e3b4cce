/**
 * Structural validators for the pipeline files in examples/pipelines: the GitHub Actions workflow
 * and Azure Pipelines shapes those files use, plus this project's rules (actions pinned to commits,
 * OIDC instead of stored keys, secrets only where Pulumi runs, approvals on `pulumi up`).
 *
 * Not the published JSON schemas (schemastore's github-workflow.json, Azure Pipelines' service
 * schema): they cannot be downloaded here. These checks cover the keys, triggers and step shapes the
 * examples use and fail on anything unknown, so a typo cannot pass silently.
 */
import * as yaml from "js-yaml";

export interface Problem {
    path: string;
    message: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

export function loadYaml(text: string): unknown {
    return yaml.load(text, { schema: yaml.CORE_SCHEMA });
}

/** The document of a pipeline file, or the one problem that it is not YAML. */
function parseDocument(text: string): { doc: unknown } | { problems: Problem[] } {
    try {
        return { doc: loadYaml(text) };
    } catch (err) {
        return { problems: [{ path: "$", message: `YAML: ${(err as Error).message.split("\n")[0]}` }] };
    }
}

class Checker {
    readonly problems: Problem[] = [];
    add(path: string, message: string): void {
        this.problems.push({ path, message });
    }
    keys(value: unknown, allowed: readonly string[], path: string, required: readonly string[] = []): value is Obj {
        if (!isObj(value)) {
            this.add(path, "must be a mapping");
            return false;
        }
        for (const k of Object.keys(value)) if (!allowed.includes(k)) this.add(`${path}.${k}`, "unknown key");
        for (const k of required) if (!(k in value)) this.add(`${path}.${k}`, "is required");
        return true;
    }
}

/** Five-field cron, each field digits, `*`, ranges, steps or lists. */
export function isCron(expr: unknown): boolean {
    if (typeof expr !== "string") return false;
    const fields = expr.trim().split(/\s+/);
    return fields.length === 5 && fields.every((f) => /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/.test(f));
}

/** Strings in a document, with their paths. */
function strings(value: unknown, path: string): Array<[string, string]> {
    if (typeof value === "string") return [[path, value]];
    if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}[${i}]`));
    if (isObj(value)) return Object.entries(value).flatMap(([k, v]) => strings(v, `${path}.${k}`));
    return [];
}

/** Credentials that must never be in a pipeline: long-lived keys and client secrets. */
const FORBIDDEN_ENV = /^(ARM_CLIENT_SECRET|AZURE_CLIENT_SECRET|ARM_ACCESS_KEY|AZURE_STORAGE_KEY|AZURE_STORAGE_SAS_TOKEN|ARM_CLIENT_CERTIFICATE_PASSWORD|AZURE_CLIENT_CERTIFICATE_PASSWORD|PULUMI_ACCESS_TOKEN)$/;
const SECRET_NAME = /(PASSPHRASE|PASSWORD|SECRET|TOKEN|_KEY)$/i;
/** A literal that looks like a credential: a JWT, a PEM block, a long base64 or hex run. */
const CREDENTIAL_LITERAL = /(eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}|-----BEGIN [A-Z ]*PRIVATE KEY-----|(?<![A-Za-z0-9/+])[A-Za-z0-9+/]{40,}={0,2}(?![A-Za-z0-9/+=]))/;

function checkSecrets(c: Checker, doc: unknown, reference: RegExp, where: string): void {
    for (const [path, value] of strings(doc, where)) {
        const stripped = value.replace(/\$\{\{[^}]*\}\}/g, "").replace(/\$\([^)]*\)/g, "");
        // Action pins are 40-hex commit SHAs, not credentials.
        if (CREDENTIAL_LITERAL.test(stripped.replace(/@[0-9a-f]{40}\b/g, ""))) c.add(path, "looks like an inline credential");
    }
    // Environment variables, action inputs and task inputs: the places a value reaches a process.
    const visit = (value: unknown, path: string, parent: string) => {
        if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${path}[${i}]`, parent));
        if (!isObj(value)) return;
        if (parent === "variables" && typeof value.name === "string" && SECRET_NAME.test(value.name.replace(/[-.]/g, "_"))) {
            if (typeof value.value === "string" && value.value.trim() && !reference.test(value.value.trim())) c.add(`${path}.value`, "secret given inline: use a variable group linked to Key Vault");
        }
        for (const [k, v] of Object.entries(value)) {
            if (FORBIDDEN_ENV.test(k)) c.add(`${path}.${k}`, "long-lived credential: use workload identity federation (OIDC) instead");
            else if (["env", "with", "inputs"].includes(parent) && SECRET_NAME.test(k) && typeof v === "string" && v.trim() !== "" && !reference.test(v.trim())) {
                c.add(`${path}.${k}`, "secret given inline: reference a secret store instead");
            }
            visit(v, `${path}.${k}`, k);
        }
    };
    visit(doc, where, "");
}

const runsPulumiUp = (script: unknown) => typeof script === "string" && /(^|[\s;&|])(npm run pulumi --|pulumi)\s+up\b/m.test(script);

// ------------------------------------------------------------------------------------------------
// GitHub Actions

const GH_TOP = ["name", "run-name", "on", "permissions", "env", "defaults", "concurrency", "jobs"];
const GH_EVENTS = ["pull_request", "pull_request_target", "push", "schedule", "workflow_dispatch", "workflow_call", "release", "merge_group"];
const GH_FILTERS = ["branches", "branches-ignore", "paths", "paths-ignore", "tags", "tags-ignore", "types"];
const GH_SCOPES = [
    "actions",
    "attestations",
    "checks",
    "contents",
    "deployments",
    "discussions",
    "id-token",
    "issues",
    "packages",
    "pages",
    "pull-requests",
    "repository-projects",
    "security-events",
    "statuses",
];
const GH_JOB = ["name", "runs-on", "needs", "if", "permissions", "environment", "concurrency", "outputs", "env", "defaults", "timeout-minutes", "strategy", "continue-on-error", "steps", "services", "container"];
const GH_STEP = ["id", "name", "if", "uses", "run", "with", "env", "shell", "working-directory", "continue-on-error", "timeout-minutes"];
const SECRET_REF = /^\$\{\{\s*secrets\.[A-Za-z_][A-Za-z0-9_]*\s*\}\}$/;
const VAR_REF = /^\$\{\{\s*(vars|secrets)\.[A-Za-z_][A-Za-z0-9_]*\s*\}\}$/;

function checkPermissions(c: Checker, value: unknown, path: string): void {
    if (value === "read-all" || value === "{}") return;
    if (value === "write-all") {
        c.add(path, "write-all grants every scope: list the scopes the job needs");
        return;
    }
    if (!c.keys(value, GH_SCOPES, path)) return;
    for (const [scope, level] of Object.entries(value)) {
        if (!["read", "write", "none"].includes(String(level))) c.add(`${path}.${scope}`, "must be read, write or none");
    }
}

export function validateGithubWorkflow(text: string): Problem[] {
    const parsed = parseDocument(text);
    if ("problems" in parsed) return parsed.problems;
    const { doc } = parsed;
    const c = new Checker();
    if (!c.keys(doc, GH_TOP, "$", ["on", "jobs"])) return c.problems;
    // Expressions must be closed.
    for (const [path, s] of strings(doc, "$")) {
        if ((s.match(/\$\{\{/g) ?? []).length !== (s.match(/\}\}/g) ?? []).length) c.add(path, "unbalanced ${{ }} expression");
    }
    const on = doc.on;
    if (c.keys(on, GH_EVENTS, "$.on")) {
        for (const [event, config] of Object.entries(on)) {
            const path = `$.on.${event}`;
            if (event === "schedule") {
                if (!Array.isArray(config) || config.length === 0) c.add(path, "must be a list of { cron }");
                list(config).forEach((s, i) => {
                    if (c.keys(s, ["cron"], `${path}[${i}]`, ["cron"]) && !isCron(s.cron)) c.add(`${path}[${i}].cron`, "not a five-field cron expression");
                });
            } else if (event === "workflow_dispatch") {
                if (config !== null && !(isObj(config) && c.keys(config, ["inputs"], path))) c.add(path, "must be empty or { inputs }");
            } else if (config !== null) {
                if (c.keys(config, GH_FILTERS, path)) {
                    for (const [k, v] of Object.entries(config)) {
                        if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) c.add(`${path}.${k}`, "must be a list of strings");
                    }
                }
            }
        }
    }
    if (doc.permissions !== undefined) checkPermissions(c, doc.permissions, "$.permissions");
    else c.add("$.permissions", "set permissions explicitly (least privilege)");
    const workflowEnv = isObj(doc.env) ? doc.env : {};
    for (const [k, v] of Object.entries(workflowEnv)) {
        if (typeof v === "string" && /secrets\./.test(v)) c.add(`$.env.${k}`, "secrets at workflow level reach every step: give them to the steps that need them");
    }
    const jobs = doc.jobs;
    if (!isObj(jobs) || Object.keys(jobs).length === 0) {
        c.add("$.jobs", "must map job ids to jobs");
        return c.problems;
    }
    for (const [id, job] of Object.entries(jobs)) {
        const path = `$.jobs.${id}`;
        if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(id)) c.add(path, "invalid job id");
        if (!c.keys(job, GH_JOB, path, ["runs-on", "steps"])) continue;
        for (const need of list(job.needs)) if (typeof need !== "string" || !(need in jobs)) c.add(`${path}.needs`, `unknown job ${String(need)}`);
        if (job.permissions !== undefined) checkPermissions(c, job.permissions, `${path}.permissions`);
        if (isObj(job.env)) {
            for (const [k, v] of Object.entries(job.env)) {
                if (typeof v === "string" && /secrets\./.test(v)) c.add(`${path}.env.${k}`, "secrets at job level reach every step (npm install scripts too): give them to the steps that need them");
            }
        }
        const environment = job.environment;
        if (environment !== undefined && typeof environment !== "string") c.keys(environment, ["name", "url"], `${path}.environment`, ["name"]);
        const permissions = (job.permissions ?? doc.permissions) as unknown;
        const idTokenWrite = isObj(permissions) && permissions["id-token"] === "write";
        if (!Array.isArray(job.steps) || job.steps.length === 0) {
            c.add(`${path}.steps`, "must be a non-empty list");
            continue;
        }
        job.steps.forEach((step, i) => {
            const sp = `${path}.steps[${i}]`;
            if (!c.keys(step, GH_STEP, sp)) return;
            const hasUses = "uses" in step;
            const hasRun = "run" in step;
            if (hasUses === hasRun) c.add(sp, "needs exactly one of uses or run");
            if (hasUses) {
                const uses = String(step.uses);
                if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]+@[0-9a-f]{40}$/.test(uses) && !uses.startsWith("./") && !/^docker:\/\/.+@sha256:[0-9a-f]{64}$/.test(uses)) {
                    c.add(`${sp}.uses`, "pin the action to a full commit SHA (tags can move)");
                }
                if (step.with !== undefined && isObj(step.with)) {
                    for (const [k, v] of Object.entries(step.with)) {
                        if (v !== null && typeof v === "object") c.add(`${sp}.with.${k}`, "inputs are scalars");
                    }
                }
                if (uses.startsWith("azure/login@")) {
                    if (!idTokenWrite) c.add(`${path}.permissions`, "azure/login with OIDC needs `permissions: id-token: write`");
                    const w = isObj(step.with) ? step.with : {};
                    for (const k of ["client-id", "tenant-id", "subscription-id"]) {
                        if (typeof w[k] !== "string" || !VAR_REF.test(w[k] as string)) c.add(`${sp}.with.${k}`, "must come from vars or secrets");
                    }
                    for (const k of ["creds", "client-secret"]) if (k in w) c.add(`${sp}.with.${k}`, "a stored credential: use OIDC (client-id, tenant-id, subscription-id)");
                }
            }
            if (hasRun && (typeof step.run !== "string" || !step.run.trim())) c.add(`${sp}.run`, "must be a script");
            if (runsPulumiUp(step.run) && environment === undefined) c.add(`${path}.environment`, "a job that runs `pulumi up` needs an environment (approval gate)");
        });
    }
    checkSecrets(c, doc, SECRET_REF, "$");
    return c.problems;
}

// ------------------------------------------------------------------------------------------------
// Azure Pipelines

const AZ_TOP = ["name", "trigger", "pr", "schedules", "resources", "variables", "parameters", "pool", "stages", "jobs", "steps", "extends", "lockBehavior", "appendCommitMessageToRunName"];
const AZ_TRIGGER = ["batch", "branches", "paths", "tags"];
const AZ_PR = ["autoCancel", "branches", "paths", "drafts"];
const AZ_FILTER = ["include", "exclude"];
const AZ_STAGE = ["stage", "displayName", "dependsOn", "condition", "variables", "jobs", "pool", "lockBehavior", "templateContext"];
const AZ_JOB_COMMON = ["displayName", "dependsOn", "condition", "continueOnError", "timeoutInMinutes", "cancelTimeoutInMinutes", "variables", "pool", "container", "services", "workspace", "uses", "templateContext"];
const AZ_JOB = ["job", "steps", "strategy", ...AZ_JOB_COMMON];
const AZ_DEPLOYMENT = ["deployment", "environment", "strategy", ...AZ_JOB_COMMON];
const AZ_STEP_KINDS = ["task", "script", "bash", "pwsh", "powershell", "checkout", "download", "downloadBuild", "publish", "getPackage", "template", "reviewApp"];
const AZ_STEP = [...AZ_STEP_KINDS, "displayName", "name", "condition", "continueOnError", "enabled", "env", "inputs", "timeoutInMinutes", "retryCountOnTaskFailure", "workingDirectory", "failOnStderr", "target", "fetchDepth", "clean", "persistCredentials", "lfs", "submodules", "path", "artifact", "patterns"];
/** `$(name)` macro or `${{ variables.name }}` / `${{ parameters.name }}` template expression. */
const AZ_REF = /^(\$\([A-Za-z_][A-Za-z0-9_.-]*\)|\$\{\{\s*(variables|parameters)\.[A-Za-z_][A-Za-z0-9_.-]*\s*\}\})$/;

function checkFilter(c: Checker, value: unknown, allowed: readonly string[], path: string): void {
    if (value === "none" || Array.isArray(value)) return;
    if (!c.keys(value, allowed, path)) return;
    for (const k of ["branches", "paths", "tags"]) {
        if (value[k] !== undefined && c.keys(value[k], AZ_FILTER, `${path}.${k}`)) {
            for (const [f, v] of Object.entries(value[k] as Obj)) if (!Array.isArray(v)) c.add(`${path}.${k}.${f}`, "must be a list");
        }
    }
}

function checkAzSteps(c: Checker, steps: unknown, path: string, gated: boolean): void {
    if (!Array.isArray(steps) || steps.length === 0) {
        c.add(path, "must be a non-empty list of steps");
        return;
    }
    steps.forEach((step, i) => {
        const sp = `${path}[${i}]`;
        if (!c.keys(step, AZ_STEP, sp)) return;
        const kinds = AZ_STEP_KINDS.filter((k) => k in step);
        if (kinds.length !== 1) c.add(sp, `needs exactly one of ${AZ_STEP_KINDS.join(", ")}`);
        if ("task" in step) {
            if (!/^[A-Za-z][A-Za-z0-9.-]*@\d+$/.test(String(step.task))) c.add(`${sp}.task`, "pin the task's major version (Name@N)");
            if (String(step.task).startsWith("AzureCLI@")) {
                const inputs = isObj(step.inputs) ? step.inputs : {};
                if (typeof inputs.azureSubscription !== "string" || !AZ_REF.test(inputs.azureSubscription)) {
                    c.add(`${sp}.inputs.azureSubscription`, "name the service connection through a variable or parameter");
                }
                if (!("inlineScript" in inputs) && !("scriptPath" in inputs)) c.add(`${sp}.inputs`, "needs inlineScript or scriptPath");
                if (runsPulumiUp(inputs.inlineScript) && !gated) c.add(sp, "`pulumi up` must run in a deployment job with an environment (approval gate)");
            }
        }
        for (const k of ["script", "bash", "pwsh", "powershell"]) {
            if (k in step && runsPulumiUp(step[k]) && !gated) c.add(sp, "`pulumi up` must run in a deployment job with an environment (approval gate)");
        }
        if (step.env !== undefined && isObj(step.env)) {
            for (const [k, v] of Object.entries(step.env)) if (v !== null && typeof v === "object") c.add(`${sp}.env.${k}`, "must be a scalar");
        }
    });
}

function checkAzJobs(c: Checker, jobs: unknown, path: string): void {
    if (!Array.isArray(jobs) || jobs.length === 0) {
        c.add(path, "must be a non-empty list of jobs");
        return;
    }
    jobs.forEach((job, i) => {
        const jp = `${path}[${i}]`;
        if (isObj(job) && "deployment" in job) {
            if (!c.keys(job, AZ_DEPLOYMENT, jp, ["deployment", "environment", "strategy"])) return;
            const strategy = job.strategy;
            if (!c.keys(strategy, ["runOnce", "rolling", "canary"], `${jp}.strategy`)) return;
            const runOnce = strategy.runOnce;
            if (!c.keys(runOnce, ["preDeploy", "deploy", "routeTraffic", "postRouteTraffic", "on"], `${jp}.strategy.runOnce`, ["deploy"])) return;
            if (c.keys(runOnce.deploy, ["steps", "pool"], `${jp}.strategy.runOnce.deploy`, ["steps"])) {
                checkAzSteps(c, (runOnce.deploy as Obj).steps, `${jp}.strategy.runOnce.deploy.steps`, typeof job.environment === "string" || isObj(job.environment));
            }
        } else if (c.keys(job, AZ_JOB, jp, ["job", "steps"])) {
            if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(String(job.job))) c.add(`${jp}.job`, "invalid job name");
            checkAzSteps(c, job.steps, `${jp}.steps`, false);
        }
    });
}

export function validateAzurePipeline(text: string): Problem[] {
    const parsed = parseDocument(text);
    if ("problems" in parsed) return parsed.problems;
    const { doc } = parsed;
    const c = new Checker();
    if (!c.keys(doc, AZ_TOP, "$")) return c.problems;
    const bodies = ["stages", "jobs", "steps"].filter((k) => k in doc);
    if (bodies.length !== 1) c.add("$", "needs exactly one of stages, jobs or steps");
    if (doc.trigger !== undefined) checkFilter(c, doc.trigger, AZ_TRIGGER, "$.trigger");
    if (doc.pr !== undefined) checkFilter(c, doc.pr, AZ_PR, "$.pr");
    list(doc.schedules).forEach((s, i) => {
        const sp = `$.schedules[${i}]`;
        if (!c.keys(s, ["cron", "displayName", "branches", "batch", "always"], sp, ["cron", "branches"])) return;
        if (!isCron(s.cron)) c.add(`${sp}.cron`, "not a five-field cron expression");
        c.keys(s.branches, AZ_FILTER, `${sp}.branches`, ["include"]);
    });
    if (doc.variables !== undefined) {
        if (Array.isArray(doc.variables)) {
            doc.variables.forEach((v, i) => {
                const vp = `$.variables[${i}]`;
                if (isObj(v) && "group" in v) c.keys(v, ["group"], vp);
                else if (isObj(v) && "template" in v) c.keys(v, ["template", "parameters"], vp);
                else c.keys(v, ["name", "value", "readonly"], vp, ["name", "value"]);
            });
        } else if (!isObj(doc.variables)) c.add("$.variables", "must be a mapping or a list");
    }
    if (doc.pool !== undefined && typeof doc.pool !== "string") c.keys(doc.pool, ["vmImage", "name", "demands"], "$.pool");
    if (Array.isArray(doc.stages)) {
        doc.stages.forEach((stage, i) => {
            const sp = `$.stages[${i}]`;
            if (c.keys(stage, AZ_STAGE, sp, ["stage", "jobs"])) checkAzJobs(c, stage.jobs, `${sp}.jobs`);
        });
    } else if (doc.stages !== undefined) c.add("$.stages", "must be a list");
    if (doc.jobs !== undefined) checkAzJobs(c, doc.jobs, "$.jobs");
    if (doc.steps !== undefined) checkAzSteps(c, doc.steps, "$.steps", false);
    checkSecrets(c, doc, AZ_REF, "$");
    return c.problems;
}

/** The `rds-licensing drift ...` command lines of a file, split into arguments (for the CLI's own parser). */
export function driftInvocations(text: string): string[][] {
    return [...text.matchAll(/rds-licensing drift ([^\n]*)/g)].map((m) =>
        [...m[1].matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((a) => a[1] ?? a[2] ?? a[3]),
    );
}

/** Every shell script of a pipeline (GitHub `run`, Azure `script`/`bash`/`inlineScript`). */
export function shellScripts(doc: unknown): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    const visit = (value: unknown, path: string, parent: string) => {
        if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${path}[${i}]`, parent));
        if (!isObj(value)) return;
        for (const [k, v] of Object.entries(value)) {
            // `with.script` is actions/github-script's JavaScript, not a shell script.
            if (["run", "script", "bash", "inlineScript"].includes(k) && typeof v === "string" && parent !== "with") out.push([`${path}.${k}`, v]);
            else visit(v, `${path}.${k}`, k);
        }
    };
    visit(doc, "$", "");
    return out;
}
