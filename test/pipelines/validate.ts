/**
 * Validators for the pipeline files in examples/pipelines.
 *
 * GitHub Actions: GitHub's own workflow parser, `@actions/workflow-parser` (the parser of the
 * actions/languageservices repository, behind the VS Code extension): the workflow is read against
 * its workflow schema (every key, trigger and filter, permissions scopes and levels, job and step
 * keys, `uses` xor `run`, expression syntax and the contexts it may use), then converted, which adds
 * the cron syntax, job ids and the `needs` graph. Its messages are reported verbatim. What it cannot
 * check: whether an action exists or takes the `with` inputs given (it never fetches action.yml),
 * the values of `vars`/`secrets`, reusable workflows (not fetched), runner labels, and anything only
 * known at run time (expression results, shell scripts: those are tested separately).
 *
 * Azure Pipelines: no maintained validator the npm registry offers works offline. Microsoft's
 * `azure-pipelines-language-service` / `azure-pipelines-language-server` are validation engines that
 * need the Azure Pipelines JSON schema handed to them, and neither ships it (it lives in the VS Code
 * extension, as `service-schema.json`, which is not on npm). So the Azure structure check below is
 * still this project's own, of the shapes the examples use (unknown keys fail, so a typo cannot
 * pass); it cannot check templates (`template:` files are not read, `${{ }}` template expressions
 * are not evaluated), runtime expressions (`$[ ]`, `condition:` strings), macro values (`$(x)`),
 * task names and their inputs beyond the few rules below, pools or service connections.
 *
 * On top of both, this project's rules: actions pinned to a full commit SHA, tasks to a major
 * version, `azure/login` only with OIDC and `id-token: write`, IDs from `vars`, no stored keys or
 * client secrets, no inline secret values or credential-looking literals, secrets never at workflow
 * or job level, `pulumi up` only behind an environment (the approval gate).
 */
import * as nodeModule from "module";
import * as yaml from "js-yaml";

export interface Problem {
    /** Who found it: GitHub's parser, this project's Azure structure check, or a project rule. */
    source: "workflow-parser" | "azure-structure" | "project-rule";
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
        return { problems: [{ source: "azure-structure", path: "$", message: `YAML: ${(err as Error).message.split("\n")[0]}` }] };
    }
}

class Checker {
    readonly problems: Problem[] = [];
    constructor(private readonly source: Problem["source"]) {}
    add(path: string, message: string): void {
        this.problems.push({ source: this.source, path, message });
    }
    /** A project rule, whatever the checker's source. */
    rule(path: string, message: string): void {
        this.problems.push({ source: "project-rule", path, message });
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
        if (CREDENTIAL_LITERAL.test(stripped.replace(/@[0-9a-f]{40}\b/g, ""))) c.rule(path, "looks like an inline credential");
    }
    // Environment variables, action inputs and task inputs: the places a value reaches a process.
    const visit = (value: unknown, path: string, parent: string) => {
        if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${path}[${i}]`, parent));
        if (!isObj(value)) return;
        if (parent === "variables" && typeof value.name === "string" && SECRET_NAME.test(value.name.replace(/[-.]/g, "_"))) {
            if (typeof value.value === "string" && value.value.trim() && !reference.test(value.value.trim())) c.rule(`${path}.value`, "secret given inline: use a variable group linked to Key Vault");
        }
        for (const [k, v] of Object.entries(value)) {
            if (FORBIDDEN_ENV.test(k)) c.rule(`${path}.${k}`, "long-lived credential: use workload identity federation (OIDC) instead");
            else if (["env", "with", "inputs"].includes(parent) && SECRET_NAME.test(k) && typeof v === "string" && v.trim() !== "" && !reference.test(v.trim())) {
                c.rule(`${path}.${k}`, "secret given inline: reference a secret store instead");
            }
            visit(v, `${path}.${k}`, k);
        }
    };
    visit(doc, where, "");
}

const runsPulumiUp = (script: unknown) => typeof script === "string" && /(^|[\s;&|])(npm run pulumi --|pulumi)\s+up\b/m.test(script);

// ------------------------------------------------------------------------------------------------
// GitHub Actions

const importWorkflowParser = () => import("@actions/workflow-parser");
let workflowParser: ReturnType<typeof importWorkflowParser> | undefined;

/**
 * `@actions/workflow-parser` 0.3.61 imports its schema JSON without `with { type: "json" }`, which
 * Node's ESM loader rejects (actions/languageservices#387); vitest leaves node_modules to Node. A
 * module hook adds the attribute, for that package's JSON files only, before the first import.
 */
function loadWorkflowParser(): ReturnType<typeof importWorkflowParser> {
    if (!workflowParser) {
        const own = (url: string) => url.startsWith("file:") && url.endsWith(".json") && url.includes("/@actions/workflow-parser/");
        const m = nodeModule as typeof nodeModule & { registerHooks?: (hooks: object) => unknown };
        if (typeof m.registerHooks === "function") {
            m.registerHooks({
                load(url: string, context: { importAttributes?: Record<string, string> }, next: (url: string, context?: object) => unknown) {
                    return own(url) && !context.importAttributes?.type ? next(url, { ...context, importAttributes: { ...context.importAttributes, type: "json" } }) : next(url, context);
                },
            });
        } else {
            const hook = `export async function load(url, context, next) {
                const own = ${own.toString()};
                return own(url) && !context.importAttributes?.type ? next(url, { ...context, importAttributes: { ...context.importAttributes, type: "json" } }) : next(url, context);
            }`;
            nodeModule.register(`data:text/javascript,${encodeURIComponent(hook)}`);
        }
        workflowParser = importWorkflowParser();
    }
    return workflowParser;
}

/** GitHub's parser on a workflow: schema errors, then conversion errors (cron, ids, `needs`), verbatim. */
async function parseWithGithub(text: string, name: string): Promise<Problem[]> {
    const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } = await loadWorkflowParser();
    const result = parseWorkflow({ name, content: text }, new NoOperationTraceWriter());
    const messages = result.context.errors.getErrors().map((e) => e.message);
    // Conversion stops at the first parse errors and repeats them; otherwise it adds its own.
    if (result.value && messages.length === 0) {
        const template = await convertWorkflowTemplate(result.context, result.value);
        for (const e of template.errors ?? []) messages.push(e.Message);
    }
    return [...new Set(messages)].map((message) => ({ source: "workflow-parser", path: name, message }));
}

const SECRET_REF = /^\$\{\{\s*secrets\.[A-Za-z_][A-Za-z0-9_]*\s*\}\}$/;
const VAR_REF = /^\$\{\{\s*(vars|secrets)\.[A-Za-z_][A-Za-z0-9_]*\s*\}\}$/;
const PINNED = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]+@[0-9a-f]{40}$/;

/** This project's rules for a workflow (its schema is the parser's business). */
function githubRules(doc: unknown): Problem[] {
    const c = new Checker("project-rule");
    if (!isObj(doc)) return c.problems;
    if (doc.permissions === undefined) c.add("$.permissions", "set permissions explicitly (least privilege)");
    else if (doc.permissions === "write-all") c.add("$.permissions", "write-all grants every scope: list the scopes the job needs");
    for (const [k, v] of Object.entries(isObj(doc.env) ? doc.env : {})) {
        if (typeof v === "string" && /secrets\./.test(v)) c.add(`$.env.${k}`, "secrets at workflow level reach every step: give them to the steps that need them");
    }
    for (const [id, job] of Object.entries(isObj(doc.jobs) ? doc.jobs : {})) {
        const path = `$.jobs.${id}`;
        if (!isObj(job)) continue;
        if (job.permissions === "write-all") c.add(`${path}.permissions`, "write-all grants every scope: list the scopes the job needs");
        for (const [k, v] of Object.entries(isObj(job.env) ? job.env : {})) {
            if (typeof v === "string" && /secrets\./.test(v)) c.add(`${path}.env.${k}`, "secrets at job level reach every step (npm install scripts too): give them to the steps that need them");
        }
        const permissions = job.permissions ?? doc.permissions;
        const idTokenWrite = isObj(permissions) && permissions["id-token"] === "write";
        list(job.steps).forEach((step, i) => {
            const sp = `${path}.steps[${i}]`;
            if (!isObj(step)) return;
            if (step.uses !== undefined) {
                const uses = String(step.uses);
                if (!PINNED.test(uses) && !uses.startsWith("./") && !/^docker:\/\/.+@sha256:[0-9a-f]{64}$/.test(uses)) {
                    c.add(`${sp}.uses`, "pin the action to a full commit SHA (tags can move)");
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
            if (runsPulumiUp(step.run) && job.environment === undefined) c.add(`${path}.environment`, "a job that runs `pulumi up` needs an environment (approval gate)");
        });
    }
    checkSecrets(c, doc, SECRET_REF, "$");
    return c.problems;
}

/** GitHub's parser, then this project's rules. `name` only labels the parser's messages. */
export async function validateGithubWorkflow(text: string, name = "workflow.yml"): Promise<Problem[]> {
    const problems = await parseWithGithub(text, name);
    let doc: unknown;
    try {
        doc = loadYaml(text);
    } catch {
        return problems; // the parser has reported the YAML error
    }
    return [...problems, ...githubRules(doc)];
}

// ------------------------------------------------------------------------------------------------
// Azure Pipelines: this project's structure check (see the top of the file for why), with its rules.

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
            if (!/^[A-Za-z][A-Za-z0-9.-]*@\d+$/.test(String(step.task))) c.rule(`${sp}.task`, "pin the task's major version (Name@N)");
            if (String(step.task).startsWith("AzureCLI@")) {
                const inputs = isObj(step.inputs) ? step.inputs : {};
                if (typeof inputs.azureSubscription !== "string" || !AZ_REF.test(inputs.azureSubscription)) {
                    c.rule(`${sp}.inputs.azureSubscription`, "name the service connection through a variable or parameter");
                }
                if (!("inlineScript" in inputs) && !("scriptPath" in inputs)) c.add(`${sp}.inputs`, "needs inlineScript or scriptPath");
                if (runsPulumiUp(inputs.inlineScript) && !gated) c.rule(sp, "`pulumi up` must run in a deployment job with an environment (approval gate)");
            }
        }
        for (const k of ["script", "bash", "pwsh", "powershell"]) {
            if (k in step && runsPulumiUp(step[k]) && !gated) c.rule(sp, "`pulumi up` must run in a deployment job with an environment (approval gate)");
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
    const c = new Checker("azure-structure");
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
