/**
 * The RDS session deployment on its Connection Broker, as one script per phase: `ensure` builds
 * what is missing and reads the result back, `read` only reads. Both run on the broker through the
 * shared batch protocol (script-prelude.ts `corePrelude`: input parameter, step wrapper, framed
 * results), one remote execution each, over the same ScriptRunners as every other script.
 *
 * What `ensure` does, each step finding what exists first (so a re-run changes nothing):
 * - no deployment (Get-RDServer -ConnectionBroker fails or lists nothing): New-RDSessionDeployment
 *   -ConnectionBroker -SessionHost [-WebAccessServer];
 * - session hosts, the Web Access server and license servers missing from the deployment:
 *   Add-RDServer -Server -Role RDS-RD-SERVER | RDS-WEB-ACCESS | RDS-LICENSING -ConnectionBroker;
 * - the collection missing: New-RDSessionCollection -CollectionName -SessionHost -ConnectionBroker
 *   [-CollectionDescription]; present: missing hosts added (Add-RDSessionHost -CollectionName
 *   -SessionHost -ConnectionBroker), a managed description set (Set-RDSessionCollectionConfiguration).
 * A cmdlet that fails fails the step with its own message (scrubbed); nothing is ever "skipped".
 * Run it once the roles are installed and their restarts are over (RoleInstallation):
 * New-RDSessionDeployment installs missing role services itself and restarts servers that need it,
 * which on the broker would end this very script.
 *
 * Hosts and license servers in the deployment but not asked for are reported, not removed: taking
 * a session host out ends the sessions of the users on it, and a host dropped from a program by
 * mistake (a shrunk list, a typo) must not log a whole shift off. With `removeUnlistedHosts` (a
 * deliberate opt-in, for a pool whose VMs come and go) the unlisted session hosts are removed from
 * their collection (Remove-RDSessionHost -SessionHost -ConnectionBroker -Force) and from the
 * deployment (Remove-RDServer -Server -Role RDS-RD-SERVER -ConnectionBroker -Force). License
 * servers are never removed.
 *
 * User values (names, the collection's description) are validated here, then travel in the input
 * parameter (`$I.*`), as every user value of the farm scripts does (ps-literal.ts): the script only
 * holds driver literals (role names, refusal kinds). Checked against Microsoft's documentation of
 * the RemoteDesktop module: New-RDSessionDeployment, Add-RDServer, Get-RDServer (objects with
 * Server and Roles), New-RDSessionCollection, Get-RDSessionCollection (CollectionName,
 * CollectionDescription), Get-RDSessionHost (SessionHost), Add-RDSessionHost,
 * Set-RDSessionCollectionConfiguration.
 */
import { LicensingError, LicensingErrorKind, type LicensingErrorData } from "../../licensing";
import type { ScriptRunner } from "../runners/script-runner";
import { BatchChannel, noResult } from "./channel";
import { describeWireError } from "./errors";
import { DEFAULT_OUTPUT_BUDGET, newNonce } from "./protocol";
import { psInt, psString } from "./ps-literal";
import { corePrelude } from "./script-prelude";
import type { WireResult } from "./wire";

/** The role service names Add-RDServer -Role and Get-RDServer use. */
export const RdsRole = {
    SessionHost: "RDS-RD-SERVER",
    Licensing: "RDS-LICENSING",
    WebAccess: "RDS-WEB-ACCESS",
    ConnectionBroker: "RDS-CONNECTION-BROKER",
} as const;

/**
 * A fully qualified domain name: labels of letters, digits and hyphens, at least two of them. The
 * RemoteDesktop cmdlets name servers by FQDN (a bare computer name is refused by New-RDSessionDeployment).
 */
export const FQDN = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/**
 * A session collection name. The documentation states no rule; this is a conservative subset:
 * letters, digits, spaces, `-`, `_` and `.`, starting with a letter or digit, at most 64 characters
 * (the name shows in RD Web Access and in .rdp file names).
 */
export const COLLECTION_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;
/** A collection description: printable ASCII, at most 256 characters. */
export const COLLECTION_DESCRIPTION = /^[\x20-\x7e]{0,256}$/;

export const MAX_SESSION_HOSTS = 256;
export const MAX_LICENSE_SERVERS = 16;

/** What the deployment should hold. */
export interface SessionDeploymentSpec {
    /** FQDN of the RD Connection Broker (the machine the script runs on). */
    connectionBroker: string;
    /** FQDNs of the RD Session Hosts: in the deployment and in the collection. */
    sessionHosts: readonly string[];
    /** FQDNs of the license servers to add to the deployment (RDS-LICENSING). */
    licenseServers: readonly string[];
    /** FQDN of the RD Web Access server. */
    webAccessServer?: string;
    collection: { name: string; description?: string };
    /**
     * Remove the deployment's session hosts that `sessionHosts` does not list.
     * @default false (report them only)
     */
    removeUnlistedHosts?: boolean;
}

/** One server of the deployment and its role services, as Get-RDServer lists it. */
export interface DeploymentServer {
    name: string;
    roles: string[];
}

/** The deployment as the broker reads it back. */
export interface SessionDeploymentState {
    broker: string;
    servers: DeploymentServer[];
    /** The collection asked for, when it exists. */
    collection?: { name: string; description: string; sessionHosts: string[] };
}

/** What `ensure` did (the cmdlets it ran, in order) and the deployment after it. */
export interface SessionDeploymentOutcome {
    actions: string[];
    state: SessionDeploymentState;
}

/** The names of the steps, as the script's Invoke-RdlsStep and the fake Windows double know them. */
export const SessionDeploymentStep = { Ensure: "ensure-session-deployment", Read: "read-session-deployment" } as const;

/** What each step reads from its input (`$I.*`): broker, hosts, license servers, Web Access, collection, description. */
export interface SessionDeploymentStepInput {
    b: string;
    h: string[];
    l: string[];
    w?: string;
    c: string;
    d?: string;
}

/** A problem with the spec: the input's path, and what is wrong and how to fix it. */
export interface SpecProblem {
    path: string;
    message: string;
}

function checkNames(path: string, what: string, names: readonly string[], max: number, min: number): SpecProblem[] {
    if (names.length < min) return [{ path, message: `list at least ${min} ${what} (FQDNs)` }];
    if (names.length > max) return [{ path, message: `at most ${max} ${what}, got ${names.length}` }];
    const problems: SpecProblem[] = [];
    const seen = new Set<string>();
    names.forEach((name, at) => {
        if (!FQDN.test(name)) problems.push({ path: `${path}.${at}`, message: `must be a fully qualified domain name such as rdsh01.corp.contoso.com (the RemoteDesktop cmdlets name servers by FQDN)` });
        else if (seen.has(name.toLowerCase())) problems.push({ path: `${path}.${at}`, message: `${JSON.stringify(name)} is listed twice: list each ${what.replace(/s$/, "")} once` });
        seen.add(name.toLowerCase());
    });
    return problems;
}

/** Every problem of a spec, before anything is rendered or run. Messages never echo a secret (there is none here). */
export function sessionDeploymentSpecProblems(spec: SessionDeploymentSpec): SpecProblem[] {
    const problems: SpecProblem[] = [];
    if (!FQDN.test(spec.connectionBroker)) problems.push({ path: "connectionBroker", message: "must be the broker's fully qualified domain name, such as rdcb01.corp.contoso.com" });
    problems.push(...checkNames("sessionHosts", "session hosts", spec.sessionHosts, MAX_SESSION_HOSTS, 1));
    problems.push(...checkNames("licenseServers", "license servers", spec.licenseServers, MAX_LICENSE_SERVERS, 0));
    if (spec.webAccessServer !== undefined && !FQDN.test(spec.webAccessServer)) {
        problems.push({ path: "webAccessServer", message: "must be the RD Web Access server's fully qualified domain name, or left out" });
    }
    if (!COLLECTION_NAME.test(spec.collection.name)) {
        problems.push({ path: "collection.name", message: "must be 1-64 letters, digits, spaces, '-', '_' or '.', starting with a letter or digit, e.g. \"Desktops\"" });
    }
    if (spec.collection.description !== undefined && !COLLECTION_DESCRIPTION.test(spec.collection.description)) {
        problems.push({ path: "collection.description", message: "must be at most 256 printable ASCII characters" });
    }
    return problems;
}

function assertSpec(spec: SessionDeploymentSpec): void {
    const problems = sessionDeploymentSpecProblems(spec);
    if (problems.length > 0) throw new TypeError(problems.map((p) => `${p.path}: ${p.message}`).join("; "));
}

function stepInput(spec: SessionDeploymentSpec): SessionDeploymentStepInput {
    const input: SessionDeploymentStepInput = { b: spec.connectionBroker, h: [...spec.sessionHosts], l: [...spec.licenseServers], c: spec.collection.name };
    if (spec.webAccessServer !== undefined) input.w = spec.webAccessServer;
    if (spec.collection.description !== undefined) input.d = spec.collection.description;
    return input;
}

const refuse = (kind: LicensingErrorKind, message: string) => `throw (New-RdlsRefusal ${psString(kind)} ${message})`;

function deploymentFunctions(): string {
    return `
$RdlsDone = New-Object System.Collections.ArrayList

function Import-RdlsRemoteDesktop {
    if (-not (Get-Module -ListAvailable -Name RemoteDesktop)) {
        ${refuse(LicensingErrorKind.Failed, psString("the RemoteDesktop module is not installed on this server: install the RD Connection Broker role service (RDS-Connection-Broker) on it first"))}
    }
    Import-Module -Name RemoteDesktop
}

# The deployment the broker knows: x = 1 with its servers (s) and the collection asked for (c, or
# $null), or x = 0 with why there is none (r). Get-RDServer fails on a broker without a deployment.
function Get-RdlsSessionDeployment([string]$Broker, [string]$Collection) {
    try {
        $listed = @(Get-RDServer -ConnectionBroker $Broker -ErrorAction Stop)
    } catch {
        return @{ b = $Broker; x = 0; r = ('Get-RDServer -ConnectionBroker ' + $Broker + ': ' + (Protect-RdlsText $_.Exception.Message)); s = @(); c = $null }
    }
    if ($listed.Count -eq 0) { return @{ b = $Broker; x = 0; r = ('Get-RDServer -ConnectionBroker ' + $Broker + ' lists no server'); s = @(); c = $null } }
    $servers = New-Object System.Collections.ArrayList
    foreach ($server in $listed) {
        [void]$servers.Add(@{ n = [string]$server.Server; r = @(@($server.Roles) | ForEach-Object { [string]$_ }) })
    }
    $found = $null
    # -eq compares names case-insensitively, as the broker does.
    $collections = @(Get-RDSessionCollection -ConnectionBroker $Broker -ErrorAction Stop | Where-Object { [string]$_.CollectionName -eq $Collection })
    if ($collections.Count -gt 0) {
        $members = @(Get-RDSessionHost -CollectionName $Collection -ConnectionBroker $Broker -ErrorAction Stop | ForEach-Object { [string]$_.SessionHost })
        $found = @{ n = [string]$collections[0].CollectionName; d = [string]$collections[0].CollectionDescription; h = $members }
    }
    return @{ b = $Broker; x = 1; r = $null; s = $servers.ToArray(); c = $found }
}

function Test-RdlsHasRole($Deployment, [string]$Server, [string]$Role) {
    foreach ($row in @($Deployment.s)) {
        if ([string]$row.n -eq $Server -and @($row.r) -contains $Role) { return $true }
    }
    return $false
}

# Runs one RemoteDesktop cmdlet. Its failure fails the step with its own message (scrubbed), naming
# what was being done; its success is recorded in the step's result.
function Invoke-RdlsDeploymentCmdlet([string]$What, [scriptblock]$Call) {
    try {
        $null = & $Call
    } catch {
        ${refuse(LicensingErrorKind.Failed, "($What + ' failed: ' + (Protect-RdlsText $_.Exception.Message))")}
    }
    [void]$RdlsDone.Add($What)
}
`;
}

function addRole(list: string, role: string): string[] {
    const literal = psString(role);
    return [
        `foreach ($server in ${list}) {`,
        `    if (-not (Test-RdlsHasRole $live $server ${literal})) {`,
        `        Invoke-RdlsDeploymentCmdlet ('Add-RDServer -Server ' + $server + ' -Role ' + ${literal}) { Add-RDServer -Server $server -Role ${literal} -ConnectionBroker $broker -ErrorAction Stop }`,
        "    }",
        "}",
    ];
}

/** The shape of the ensure step: which optional parameters and steps the spec uses. */
interface EnsureShape {
    webAccess: boolean;
    description: boolean;
    removeUnlisted: boolean;
}

/** Every session host of the deployment that `$hosts` does not list: out of its collection, then out of the deployment. */
function removeUnlisted(): string[] {
    const role = psString(RdsRole.SessionHost);
    return [
        "$now = Get-RdlsSessionDeployment $broker $collection",
        `$leaving = [string[]]@(@($now.s) | Where-Object { @($_.r) -contains ${role} -and $hosts -notcontains [string]$_.n } | ForEach-Object { [string]$_.n })`,
        "foreach ($server in $leaving) {",
        "    if ($null -ne $now.c -and @($now.c.h) -contains $server) {",
        "        Invoke-RdlsDeploymentCmdlet ('Remove-RDSessionHost ' + $server) { Remove-RDSessionHost -SessionHost @($server) -ConnectionBroker $broker -Force -ErrorAction Stop }",
        "    }",
        `    Invoke-RdlsDeploymentCmdlet ('Remove-RDServer -Server ' + $server + ' -Role ' + ${role}) { Remove-RDServer -Server $server -Role ${role} -ConnectionBroker $broker -Force -ErrorAction Stop }`,
        "}",
    ];
}

function ensureBody(shape: EnsureShape): string[] {
    const web = shape.webAccess ? " -WebAccessServer $web" : "";
    const description = shape.description ? " -CollectionDescription $description" : "";
    return [
        "$broker = [string]$I.b",
        "$hosts = [string[]]@($I.h)",
        "$licensing = [string[]]@($I.l)",
        "$collection = [string]$I.c",
        ...(shape.webAccess ? ["$web = [string]$I.w"] : []),
        ...(shape.description ? ["$description = [string]$I.d"] : []),
        "Import-RdlsRemoteDesktop",
        "$live = Get-RdlsSessionDeployment $broker $collection",
        "if ($live.x -eq 0) {",
        // The reason there is none ($live.r) stays out of the label: the message is cut at 300 characters, and the cmdlet's own must fit.
        `    Invoke-RdlsDeploymentCmdlet 'New-RDSessionDeployment' { New-RDSessionDeployment -ConnectionBroker $broker -SessionHost $hosts${web} -ErrorAction Stop }`,
        "    $live = Get-RdlsSessionDeployment $broker $collection",
        "    if ($live.x -eq 0) {",
        `        ${refuse(LicensingErrorKind.Failed, "('New-RDSessionDeployment returned, but there is still no deployment: ' + $live.r)")}`,
        "    }",
        "}",
        ...addRole("$hosts", RdsRole.SessionHost),
        ...(shape.webAccess ? addRole("@($web)", RdsRole.WebAccess) : []),
        ...addRole("$licensing", RdsRole.Licensing),
        "if ($null -eq $live.c) {",
        `    Invoke-RdlsDeploymentCmdlet ('New-RDSessionCollection ' + $collection) { New-RDSessionCollection -CollectionName $collection -SessionHost $hosts -ConnectionBroker $broker${description} -ErrorAction Stop }`,
        "} else {",
        "    $missing = [string[]]@($hosts | Where-Object { @($live.c.h) -notcontains $_ })",
        "    if ($missing.Count -gt 0) {",
        "        Invoke-RdlsDeploymentCmdlet ('Add-RDSessionHost ' + ($missing -join ', ')) { Add-RDSessionHost -CollectionName $collection -SessionHost $missing -ConnectionBroker $broker -ErrorAction Stop }",
        "    }",
        ...(shape.description
            ? [
                  // -cne: a description is text, compared case-sensitively (names are compared with -eq, which is not).
                  "    if ([string]$live.c.d -cne $description) {",
                  "        Invoke-RdlsDeploymentCmdlet 'Set-RDSessionCollectionConfiguration -CollectionDescription' { Set-RDSessionCollectionConfiguration -CollectionName $collection -CollectionDescription $description -ConnectionBroker $broker -ErrorAction Stop }",
                  "    }",
              ]
            : []),
        "}",
        ...(shape.removeUnlisted ? removeUnlisted() : []),
        "@{ a = $RdlsDone.ToArray(); v = (Get-RdlsSessionDeployment $broker $collection) }",
    ];
}

function readBody(): string[] {
    return [
        "Import-RdlsRemoteDesktop",
        "$live = Get-RdlsSessionDeployment ([string]$I.b) ([string]$I.c)",
        "if ($live.x -eq 0) {",
        `    ${refuse(LicensingErrorKind.NotFound, "('no RDS deployment on this broker (' + $live.r + ')')")}`,
        "}",
        "$live",
    ];
}

function step(op: string, lines: string[]): string {
    const indented = lines.map((line) => (line ? `    ${line}` : line)).join("\n");
    return `Invoke-RdlsStep ${psInt(0)} ${psString(op)} {\n    param($I)\n${indented}\n}\n`;
}

export type SessionDeploymentOperation = "ensure" | "read";

export interface SessionDeploymentScriptOptions {
    nonce: string;
    budget: number;
}

/** The script of one phase for `spec` (validated first: a bad name throws before anything renders). */
export function renderSessionDeploymentScript(operation: SessionDeploymentOperation, spec: SessionDeploymentSpec, options: SessionDeploymentScriptOptions): string {
    assertSpec(spec);
    const prelude = corePrelude({ nonce: options.nonce, budget: options.budget, secretFields: [], what: "RDS session deployment operations" });
    const body =
        operation === "ensure"
            ? step(SessionDeploymentStep.Ensure, ensureBody({ webAccess: spec.webAccessServer !== undefined, description: spec.collection.description !== undefined, removeUnlisted: spec.removeUnlistedHosts === true }))
            : step(SessionDeploymentStep.Read, readBody());
    return `${prelude}${deploymentFunctions()}\n${body}\nWrite-RdlsResults\n`;
}

/** What Get-RdlsSessionDeployment prints. */
export interface WireSessionDeployment {
    b: string;
    x: number;
    r?: string | null;
    s: { n: string; r: string[] | string | null }[] | { n: string; r: string[] | string | null } | null;
    c: { n: string; d: string | null; h: string[] | string | null } | null;
}

/** ConvertTo-Json on PowerShell 5.1 may print a one-element array as a scalar. */
function list<T>(value: T[] | T | null | undefined): T[] {
    if (value === null || value === undefined) return [];
    return Array.isArray(value) ? value : [value];
}

export function sessionDeploymentFromWire(w: WireSessionDeployment): SessionDeploymentState {
    const state: SessionDeploymentState = {
        broker: String(w.b),
        servers: list(w.s).map((s) => ({ name: String(s.n), roles: list(s.r).map((r) => String(r).toUpperCase()) })),
    };
    if (w.c) state.collection = { name: String(w.c.n), description: String(w.c.d ?? ""), sessionHosts: list(w.c.h).map(String) };
    return state;
}

/** The servers of `state` that hold `role`, in the broker's order. */
export function serversWithRole(state: SessionDeploymentState, role: string): string[] {
    return state.servers.filter((s) => s.roles.includes(role)).map((s) => s.name);
}

const has = (names: readonly string[], name: string) => names.some((n) => n.toLowerCase() === name.toLowerCase());

/** What `state` lacks of `spec`, in words; empty when the deployment is as asked. */
export function shortfall(spec: SessionDeploymentSpec, state: SessionDeploymentState): string[] {
    const hosts = serversWithRole(state, RdsRole.SessionHost);
    const licensing = serversWithRole(state, RdsRole.Licensing);
    const missing = [
        ...spec.sessionHosts.filter((h) => !has(hosts, h)).map((h) => `session host ${h}`),
        ...spec.licenseServers.filter((l) => !has(licensing, l)).map((l) => `license server ${l}`),
        ...(spec.webAccessServer && !has(serversWithRole(state, RdsRole.WebAccess), spec.webAccessServer) ? [`Web Access server ${spec.webAccessServer}`] : []),
    ];
    if (!state.collection) return [...missing, `collection ${spec.collection.name}`];
    const members = state.collection.sessionHosts;
    missing.push(...spec.sessionHosts.filter((h) => !has(members, h)).map((h) => `session host ${h} in collection ${spec.collection.name}`));
    if (spec.collection.description !== undefined && state.collection.description !== spec.collection.description) missing.push(`the description of collection ${spec.collection.name}`);
    if (spec.removeUnlistedHosts) missing.push(...hosts.filter((h) => !has(spec.sessionHosts, h)).map((h) => `the removal of unlisted session host ${h}`));
    return missing;
}

export interface SessionDeploymentDriverOptions {
    /** @default 1_800_000: New-RDSessionDeployment installs role services on every host */
    timeoutMs?: number;
    /** @default 3000 */
    outputBudget?: number;
    nonce?: () => string;
}

/** Runs the deployment scripts over a ScriptRunner to the broker. */
export class SessionDeploymentDriver {
    private readonly channel: BatchChannel;
    private readonly budget: number;

    constructor(options: SessionDeploymentDriverOptions = {}) {
        this.budget = options.outputBudget ?? DEFAULT_OUTPUT_BUDGET;
        this.channel = new BatchChannel({
            timeoutMs: options.timeoutMs ?? 1_800_000,
            budget: this.budget,
            nonce: () => (options.nonce ? options.nonce() : newNonce()),
            retryHint: "The deployment steps may have run; running them again is safe (each step finds what exists)",
        });
    }

    /**
     * Builds what is missing, in one execution, and returns what ran and the deployment read back.
     * Rejects with a LicensingError naming the step that failed, or what the read-back lacks.
     * `secrets` (the run-as password) are redacted from every message.
     */
    async ensure(runner: ScriptRunner, spec: SessionDeploymentSpec, secrets: readonly string[] = []): Promise<SessionDeploymentOutcome> {
        const label = `build the RDS deployment on ${spec.connectionBroker}`;
        const value = (await this.run(runner, "ensure", spec, label, secrets)) as { a?: string[] | string | null; v: WireSessionDeployment };
        const state = sessionDeploymentFromWire(value.v);
        const lacking = shortfall(spec, state);
        if (lacking.length > 0) {
            throw new LicensingError({ kind: LicensingErrorKind.Failed, message: `${label}: the cmdlets returned, but the deployment reads back without ${lacking.join(", ")}` });
        }
        return { actions: list(value.a).map(String), state };
    }

    /** The deployment as it is; a LicensingError of kind not-found when the broker has none. */
    async read(runner: ScriptRunner, spec: SessionDeploymentSpec, secrets: readonly string[] = []): Promise<SessionDeploymentState> {
        const value = await this.run(runner, "read", spec, `read the RDS deployment on ${spec.connectionBroker}`, secrets);
        return sessionDeploymentFromWire(value as WireSessionDeployment);
    }

    private async run(runner: ScriptRunner, operation: SessionDeploymentOperation, spec: SessionDeploymentSpec, label: string, secrets: readonly string[]): Promise<unknown> {
        assertSpec(spec);
        const steps = [{ input: stepInput(spec) }];
        const { wires, redactor } = await this.channel.executeSteps(runner, steps, (nonce) => renderSessionDeploymentScript(operation, spec, { nonce, budget: this.budget }), secrets);
        const wire: WireResult | undefined = wires[0];
        if (!wire) throw new LicensingError(noResult(label).error);
        if (wire.ok === 1) return wire.v;
        const error: LicensingErrorData = describeWireError(wire.e, {
            context: operation === "ensure" ? "configure" : "read",
            label,
            redactor,
            refusals: operation === "ensure" ? [LicensingErrorKind.Failed] : [LicensingErrorKind.NotFound, LicensingErrorKind.Failed],
        });
        throw new LicensingError(error);
    }
}
