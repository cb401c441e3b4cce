/**
 * The example pipelines: valid (GitHub workflows by GitHub's own parser, `@actions/workflow-parser`;
 * Azure pipelines by this project's structure check, no maintained offline validator existing: see
 * validate.ts), secure (the project's rules: pinned actions, OIDC, no stored keys, secrets scoped to
 * the steps that run Pulumi, approvals before `pulumi up`), their shell scripts parse (`bash -n`),
 * and every `rds-licensing drift` invocation is one the CLI accepts, in the current form (no
 * deprecated option).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { parseArgs } from "../../src/cli/drift/args";
import { MARKDOWN_MARKER } from "../../src/cli/drift/render-text";
import { REPO_ROOT } from "../support/engine";
import { driftInvocations, loadYaml, Problem, shellScripts, validateAzurePipeline, validateGithubWorkflow } from "./validate";

const DIR = path.join(REPO_ROOT, "examples", "pipelines");
const files = (sub: string) => fs.readdirSync(path.join(DIR, sub)).filter((f) => f.endsWith(".yml")).map((f) => path.join(sub, f));
const GITHUB = files("github");
const AZURE = files("azure-devops");
const read = (file: string) => fs.readFileSync(path.join(DIR, file), "utf8");
const yamlOf = (file: string) => loadYaml(read(file)) as Record<string, any>;

describe("the example pipelines", () => {
    it("are all there", () => {
        expect(GITHUB.sort()).toEqual(["github/deploy.yml", "github/nightly-drift.yml", "github/pull-request.yml"]);
        expect(AZURE.sort()).toEqual(["azure-devops/deploy.yml", "azure-devops/nightly-drift.yml", "azure-devops/pull-request.yml"]);
    });

    it.each(GITHUB)("%s is a valid GitHub Actions workflow (GitHub's parser) and keeps the project's rules", async (file) => {
        expect(await validateGithubWorkflow(read(file), file)).toEqual([]);
    });

    it.each(AZURE)("%s is a valid Azure Pipelines file", (file) => {
        expect(validateAzurePipeline(read(file))).toEqual([]);
    });

    it.each([...GITHUB, ...AZURE])("%s: every shell script parses with bash -n", (file) => {
        for (const [where, script] of shellScripts(yamlOf(file))) {
            // GitHub substitutes ${{ }} before the shell runs.
            const text = script.replace(/\$\{\{[^}]*\}\}/g, "x");
            const result = spawnSync("bash", ["-n"], { input: text, encoding: "utf8" });
            expect(result.status, `${file} ${where}: ${result.stderr}`).toBe(0);
        }
    });

    it.each(GITHUB)("%s: every actions/github-script block compiles as JavaScript", (file) => {
        const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => unknown;
        const doc = yamlOf(file);
        for (const job of Object.values(doc.jobs as Record<string, any>)) {
            for (const step of job.steps as Record<string, any>[]) {
                if (String(step.uses).startsWith("actions/github-script@")) expect(() => new AsyncFunction("github", "context", "require", step.with.script)).not.toThrow();
            }
        }
    });

    it.each([...GITHUB, ...AZURE])("%s: every `rds-licensing drift` is a command the CLI accepts, in its current form", (file) => {
        const invocations = driftInvocations(read(file));
        if (file.includes("deploy") || file.includes("nightly") || file.includes("pull-request")) expect(invocations.length).toBeGreaterThan(0);
        for (const args of invocations) {
            const parsed = parseArgs(args.map((a) => a.replace(/^\$\{?(\w+)\}?$/, "value-of-$1").replace(/^value-of-WARN_AT$/, "90")), "/repo");
            expect(parsed.stack).toBe("value-of-STACK");
            expect(parsed.deprecations).toEqual([]);
        }
        // Through the package's bin, not the deprecated npm script.
        expect(read(file)).not.toMatch(/npm run drift/);
        for (const match of read(file).matchAll(/rds-licensing drift /g)) expect(read(file).slice(match.index - 4, match.index)).toBe("npx ");
    });
});

describe("what the pipelines do", () => {
    const gh = (name: string) => yamlOf(`github/${name}.yml`);
    const steps = (doc: Record<string, any>) => Object.values(doc.jobs as Record<string, any>).flatMap((j) => j.steps as Record<string, any>[]);

    it("pull requests: preview with the policy pack, comment the Markdown report, updated through its marker", () => {
        const doc = gh("pull-request");
        expect(Object.keys(doc.on)).toEqual(["pull_request"]);
        expect(doc.permissions).toMatchObject({ "id-token": "write", "pull-requests": "write", contents: "read" });
        const all = steps(doc);
        expect(all.some((s) => /pulumi -- preview .*--policy-pack policy/.test(s.run ?? ""))).toBe(true);
        const comment = all.find((s) => String(s.uses).startsWith("actions/github-script@"));
        expect(comment?.with.script).toContain(MARKDOWN_MARKER);
        expect(all.find((s) => s.id === "drift")?.run).toMatch(/--markdown --output drift\.md/);
    });

    it("main: `pulumi up` only behind the approval environment", () => {
        const doc = gh("deploy");
        const [job] = Object.values(doc.jobs as Record<string, any>);
        expect(job.environment).toEqual({ name: "rds-licensing-prod" });
        expect(doc.concurrency["cancel-in-progress"]).toBe(false);
        expect(job.steps.some((s: any) => /pulumi -- up .*--yes/.test(s.run ?? ""))).toBe(true);
    });

    it("nightly: scheduled, fails on drift (no continue-on-error), uploads the report even then", () => {
        const doc = gh("nightly-drift");
        expect(doc.on.schedule).toEqual([{ cron: "17 3 * * *" }]);
        const all = steps(doc);
        const check = all.find((s) => /npx rds-licensing drift/.test(s.run ?? ""))!;
        expect(check["continue-on-error"]).toBeUndefined();
        expect(check.run).toMatch(/exit "\$code"/);
        const upload = all.find((s) => String(s.uses).startsWith("actions/upload-artifact@"))!;
        expect(upload.if).toBe("always()");
        expect(upload.with.path).toBe("drift-report/");
    });

    it("Azure DevOps: deployment job with an environment, workload identity, Key Vault-backed secrets, nightly artifact", () => {
        const deploy = yamlOf("azure-devops/deploy.yml");
        const deployment = deploy.stages[1].jobs[0];
        expect(deployment).toMatchObject({ deployment: "up", environment: "rds-licensing-prod" });
        for (const file of AZURE) {
            const doc = yamlOf(file);
            expect(doc.variables).toContainEqual({ group: "rds-licensing-secrets" });
            expect(read(file)).toMatch(/addSpnToEnvironment: true/);
            expect(read(file)).toMatch(/ARM_USE_OIDC=true/);
        }
        const nightly = yamlOf("azure-devops/nightly-drift.yml");
        expect(nightly.schedules[0]).toMatchObject({ cron: "17 3 * * *", always: true });
        const publish = nightly.jobs[0].steps.find((s: any) => s.task === "PublishPipelineArtifact@1");
        expect(publish.condition).toBe("always()");
    });
});

describe("the validators catch what they are for", () => {
    const base = read("github/deploy.yml");
    const azure = read("azure-devops/deploy.yml");
    const show = (problems: Problem[]) => problems.map((p) => `[${p.source}] ${p.path}: ${p.message}`).join("\n");
    /** The problems of a mutation of github/deploy.yml, which must change the file. */
    const mutated = async (mutate: (t: string) => string) => {
        const text = mutate(base);
        expect(text).not.toBe(base);
        return validateGithubWorkflow(text, "github/deploy.yml");
    };
    const azMutated = (mutate: (t: string) => string) => {
        const text = mutate(azure);
        expect(text).not.toBe(azure);
        return validateAzurePipeline(text);
    };
    /** A message of GitHub's parser, verbatim: `<file> (Line: n, Col: n): <what>`. */
    const parserMessage = (what: string) => new RegExp(`^github/deploy\\.yml \\(Line: \\d+, Col: \\d+\\): ${what}$`);

    it.each([
        ["an unknown step key", (t: string) => t.replace("        with:\n          node-version", "        whit:\n          node-version"), "Unexpected value 'whit'"],
        ["an unknown trigger", (t: string) => t.replace("  push:\n", "  pushh:\n"), "Unexpected value 'pushh'"],
        ["an unknown trigger, in the list form", (t: string) => t.replace(/on:\n  push:\n[^]*?workflow_dispatch: \{\}\n/, "on: [push, pull_requests]\n"), "Unexpected value 'pull_requests'"],
        ["an unknown filter of a trigger", (t: string) => t.replace("    branches: [main]\n", "    branchez: [main]\n"), "Unexpected value 'branchez'"],
        ["an unknown top-level key", (t: string) => t.replace("concurrency:\n", "concurency:\n"), "Unexpected value 'concurency'"],
        ["a bad permission level", (t: string) => t.replace("  contents: read\n", "  contents: rread\n"), "Unexpected value 'rread'"],
        ["a step with both uses and run", (t: string) => t.replace("      - name: pulumi up\n", "      - name: pulumi up\n        uses: ./local-action\n"), "Unexpected value 'run'"],
        ["a bad cron", (t: string) => t.replace("  workflow_dispatch: {}", '  schedule:\n    - cron: "every night"\n  workflow_dispatch: {}'), "Invalid cron expression\\..*"],
        ["an unclosed expression", (t: string) => t.replace("${{ vars.PULUMI_BACKEND_URL }}", "${{ vars.PULUMI_BACKEND_URL"), "The expression is not closed\\..*"],
        ["an unknown expression context", (t: string) => t.replace("${{ vars.PULUMI_BACKEND_URL }}", "${{ varz.PULUMI_BACKEND_URL }}"), "Unrecognized named-value: 'varz'"],
        ["a missing runs-on", (t: string) => t.replace("    runs-on: ubuntu-24.04\n", ""), "Required property is missing: runs-on"],
    ])("GitHub schema (GitHub's parser): %s", async (_label, mutate, what) => {
        const problems = await mutated(mutate);
        const parser = problems.filter((p) => p.source === "workflow-parser");
        expect(parser.map((p) => p.message), show(problems)).toContainEqual(expect.stringMatching(parserMessage(what)));
    });

    it.each([
        ["an action pinned to a tag", (t: string) => t.replace(/actions\/checkout@[0-9a-f]{40}/, "actions/checkout@v4"), /pin the action to a full commit SHA/],
        ["an action pinned to a branch", (t: string) => t.replace(/azure\/login@[0-9a-f]{40}/, "azure/login@main"), /pin the action to a full commit SHA/],
        ["OIDC without id-token: write", (t: string) => t.replace("  id-token: write # OIDC token for azure/login\n", ""), /id-token: write/],
        ["write-all permissions", (t: string) => t.replace("permissions:\n  contents: read\n  id-token: write # OIDC token for azure/login\n", "permissions: write-all\n"), /write-all grants every scope/],
        ["no permissions at all", (t: string) => t.replace("permissions:\n  contents: read\n  id-token: write # OIDC token for azure/login\n", ""), /set permissions explicitly/],
        ["a client secret for azure/login", (t: string) => t.replace("          subscription-id: ${{ vars.AZURE_SUBSCRIPTION_ID }}\n", "          subscription-id: ${{ vars.AZURE_SUBSCRIPTION_ID }}\n          client-secret: ${{ secrets.X }}\n"), /stored credential/],
        ["a literal client ID", (t: string) => t.replace("          client-id: ${{ vars.AZURE_CLIENT_ID }}\n", "          client-id: 00000000-0000-0000-0000-000000000000\n"), /must come from vars or secrets/],
        ["a literal passphrase", (t: string) => t.replace(/PULUMI_CONFIG_PASSPHRASE: \$\{\{ secrets\.PULUMI_CONFIG_PASSPHRASE \}\}/, "PULUMI_CONFIG_PASSPHRASE: hunter2-but-longer"), /secret given inline/],
        ["a storage account key", (t: string) => t.replace("  AZURE_STORAGE_ACCOUNT:", "  AZURE_STORAGE_KEY: ${{ secrets.KEY }}\n  AZURE_STORAGE_ACCOUNT:"), /long-lived credential/],
        ["a secret at workflow level", (t: string) => t.replace("env:\n  STACK: prod\n", "env:\n  STACK: prod\n  PULUMI_CONFIG_PASSPHRASE: ${{ secrets.PULUMI_CONFIG_PASSPHRASE }}\n"), /secrets at workflow level/],
        ["a secret at job level", (t: string) => t.replace("    timeout-minutes: 60\n", "    timeout-minutes: 60\n    env:\n      PULUMI_CONFIG_PASSPHRASE: ${{ secrets.PULUMI_CONFIG_PASSPHRASE }}\n"), /secrets at job level/],
        ["`pulumi up` without an environment", (t: string) => t.replace("    environment:\n      name: rds-licensing-prod\n", ""), /needs an environment/],
        ["an inline JWT", (t: string) => t.replace('  STACK: prod\n', '  STACK: prod\n  X: eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmEvYiJ9.c2lnbmF0dXJl\n'), /inline credential/],
    ])("GitHub project rule (the parser accepts it): %s", async (_label, mutate, expected) => {
        const problems = await mutated(mutate);
        expect(problems.filter((p) => p.source === "workflow-parser"), show(problems)).toEqual([]);
        expect(show(problems.filter((p) => p.source === "project-rule"))).toMatch(expected);
    });

    it.each([
        ["an unknown step key", (t: string) => t.replace("                  displayName: Publish the drift report\n", "                  displayNam: Publish the drift report\n"), /\.displayNam: unknown key/],
        ["an unknown top-level key", (t: string) => t.replace("pr: none\n", "prr: none\n"), /\$\.prr: unknown key/],
        ["an unknown trigger filter", (t: string) => t.replace("trigger:\n  branches:\n", "trigger:\n  branch:\n"), /\$\.trigger\.branch: unknown key/],
        ["a trigger filter that is not a list", (t: string) => t.replace("    include: [main]\n", "    include: main\n"), /\$\.trigger\.branches\.include: must be a list/],
        ["a trigger that is not none, a list or a mapping", (t: string) => t.replace("trigger:\n  branches:\n    include: [main]\n", "trigger: 42\n"), /\$\.trigger: must be a mapping/],
        ["a bad schedule cron", (t: string) => t.replace("pr: none\n", 'pr: none\nschedules:\n  - cron: "every night"\n    branches:\n      include: [main]\n'), /five-field cron/],
        ["a deployment job without an environment", (t: string) => t.replace("        environment: rds-licensing-prod\n", ""), /environment: is required/],
        ["a step with two kinds", (t: string) => t.replace("          - checkout: self\n", "          - checkout: self\n            script: echo hi\n"), /exactly one of/],
    ])("Azure structure (the project's own check): %s", (_label, mutate, expected) => {
        const problems = azMutated(mutate);
        expect(show(problems.filter((p) => p.source === "azure-structure"))).toMatch(expected);
    });

    it.each([
        ["a task without a major version", (t: string) => t.replace("task: AzureCLI@2\n                  displayName: pulumi up", "task: AzureCLI\n                  displayName: pulumi up"), /pin the task's major version/],
        ["`pulumi up` in a plain job", (t: string) => t.replace("npm run pulumi -- preview --stack", "npm run pulumi -- up --stack"), /deployment job with an environment/],
        ["a literal passphrase", (t: string) => t.replace(/PULUMI_CONFIG_PASSPHRASE: \$\(pulumi-config-passphrase\)/, "PULUMI_CONFIG_PASSPHRASE: not-a-secret-store"), /secret given inline/],
        ["a secret variable in YAML", (t: string) => t.replace("  - name: stack\n", "  - name: pulumiConfigPassphrase\n    value: hunter2\n  - name: stack\n"), /variable group linked to Key Vault/],
        ["a client secret", (t: string) => t.replace("              STACK: $(stack)\n", "              STACK: $(stack)\n              ARM_CLIENT_SECRET: $(spSecret)\n"), /long-lived credential/],
        ["a literal service connection", (t: string) => t.replace(/azureSubscription: \$\{\{ variables\.azureServiceConnection \}\}/, "azureSubscription: my-connection"), /service connection through a variable/],
    ])("Azure project rule: %s", (_label, mutate, expected) => {
        const problems = azMutated(mutate);
        expect(problems.filter((p) => p.source === "azure-structure"), show(problems)).toEqual([]);
        expect(show(problems.filter((p) => p.source === "project-rule"))).toMatch(expected);
    });

    it("reports YAML syntax errors instead of throwing", async () => {
        const [github] = await validateGithubWorkflow("on: [", "broken.yml");
        expect(github).toMatchObject({ source: "workflow-parser", message: expect.stringMatching(/^broken\.yml: .*Flow sequence/) });
        expect(validateAzurePipeline("jobs:\n  - job: a\n   steps: x")[0].message).toMatch(/^YAML:/);
    });
});
