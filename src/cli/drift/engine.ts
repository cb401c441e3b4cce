/**
 * Runs `pulumi preview --refresh` of a stack through the Automation API and hands back the engine
 * events. A preview never writes state: the refresh it starts with is a dry run too, so the backend
 * is left byte for byte as it was (the tests check this).
 */
import * as fs from "fs";
import * as path from "path";
import type * as Automation from "@pulumi/pulumi/automation";
import type { EngineEvent } from "@pulumi/pulumi/automation";

/** A failure with a one-line message meant for the user; the CLI prints it without a stack trace. */
export class DriftError extends Error {
    constructor(message: string) {
        super(message.replace(/\s*\n\s*/g, " ").trim());
        this.name = "DriftError";
    }
}

export interface PreviewRequest {
    stack: string;
    /** The Pulumi project folder (holds Pulumi.yaml). */
    workDir: string;
    /** Extra environment for the CLI (the process environment is inherited). */
    env?: Record<string, string>;
    /** Progress lines for a human (stderr). */
    log?: (line: string) => void;
    /** What the environment was given (see ./environment.ts), logged once the project and CLI are found. */
    notes?: readonly string[];
}

export interface PreviewResult {
    project: string;
    events: EngineEvent[];
}

/** The `pulumi` on PATH: its `<root>/bin/pulumi` layout lets the Automation API run that exact binary. */
export function findPulumi(envPath = process.env.PATH ?? ""): { root?: string; binary: string } | undefined {
    for (const dir of envPath.split(path.delimiter).filter(Boolean)) {
        const binary = path.join(dir, "pulumi");
        try {
            if (!fs.statSync(binary).isFile()) continue;
        } catch {
            continue;
        }
        return path.basename(dir) === "bin" ? { root: path.dirname(dir), binary } : { binary };
    }
    return undefined;
}

/** The `error:` lines the CLI printed, most specific last. */
function cliErrors(text: string): string[] {
    return text
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l.startsWith("error: "))
        .map((l) => l.slice("error: ".length).trim())
        .filter((l) => l && !/^preview failed$/.test(l) && !/^an error occurred while advancing the preview$/i.test(l));
}

/** Turn what the CLI said into one clear line. */
export function explainFailure(stack: string, stderr: string, diagnostics: readonly string[] = []): string {
    const lines = [...cliErrors(stderr)];
    const all = [...lines, ...diagnostics].join("\n");
    if (/incorrect passphrase|passphrase must be set|PULUMI_CONFIG_PASSPHRASE/i.test(all)) {
        return `cannot decrypt the secrets of stack '${stack}': incorrect or missing passphrase; set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) to the stack's passphrase`;
    }
    const noStack = /no stack named '([^']+)' found/.exec(all);
    if (noStack) return `no stack named '${noStack[1]}' in the backend; check --stack and PULUMI_BACKEND_URL (list stacks with \`pulumi stack ls\`)`;
    const unreachable = /unable to open (state directory|bucket)[^\n]*/i.exec(all);
    if (unreachable) return `cannot open the state backend (${unreachable[0].trim()}); check PULUMI_BACKEND_URL`;
    const backend = /(could not (read|load|deserialize)|failed to (read|load|decode|unmarshal|deserialize))[^\n]*(checkpoint|deployment|snapshot)[^\n]*/i.exec(all);
    if (backend) return `cannot read the stack's state from the backend (${backend[0].trim()}); check PULUMI_BACKEND_URL`;
    const detail = diagnostics.find((d) => d.trim() && !/^(preview|update) failed\.?$/i.test(d.trim())) ?? lines[lines.length - 1];
    return detail ? `pulumi preview --refresh failed: ${detail.split("\n").find((l) => l.trim()) ?? detail}` : "pulumi preview --refresh failed";
}

export async function previewWithRefresh(request: PreviewRequest): Promise<PreviewResult> {
    const { stack: stackName, workDir, env = {}, log = () => undefined } = request;
    if (!fs.existsSync(path.join(workDir, "Pulumi.yaml")) && !fs.existsSync(path.join(workDir, "Pulumi.yml"))) {
        throw new DriftError(`no Pulumi project in ${workDir} (Pulumi.yaml not found); pass the project folder with --cwd`);
    }
    const pulumi = findPulumi(env.PATH ?? process.env.PATH);
    if (!pulumi) {
        throw new DriftError(
            "the Pulumi CLI is neither on PATH nor in $PULUMI_HOME/versions/<version>/bin; install it (https://www.pulumi.com/docs/install/), or run `npm run bootstrap` in a clone of rds-licensing",
        );
    }
    for (const note of request.notes ?? []) log(`using ${note}`);
    // Loaded here: the Automation API is heavy, and argument errors should not wait for it.
    const auto = require("@pulumi/pulumi/automation") as typeof Automation;
    const events: EngineEvent[] = [];
    try {
        const pulumiCommand = await auto.PulumiCommand.get({ ...(pulumi.root ? { root: pulumi.root } : {}), skipVersionCheck: true });
        const workspace = await auto.LocalWorkspace.create({ workDir, pulumiCommand, envVars: env });
        const project = (await workspace.projectSettings()).name;
        // Selecting a stack changes the folder's current stack (in $PULUMI_HOME, not in the backend):
        // put the user's choice back afterwards.
        const previous = (await workspace.stack().catch(() => undefined))?.name;
        const stack = await auto.Stack.select(stackName, workspace);
        try {
            log(`refreshing and previewing stack ${stackName} of project ${project} (nothing is written to state)`);
            await stack.preview({ refresh: true, color: "never", onEvent: (e) => events.push(e) });
        } finally {
            if (previous && previous !== stackName) await workspace.selectStack(previous).catch(() => undefined);
        }
        return { project, events };
    } catch (err) {
        if (err instanceof DriftError) throw err;
        const diagnostics = events
            .map((e) => e.diagnosticEvent)
            .filter((d) => d?.severity === "error")
            .map((d) => d!.message.trim());
        const text = err instanceof Error ? err.message : String(err);
        throw new DriftError(explainFailure(stackName, text, diagnostics));
    }
}
