/**
 * The RDS deployment side of the fake Windows double: what a Connection Broker's RemoteDesktop
 * module knows (servers by role service, session collections and their hosts). Like fake-farm.ts
 * it reads the script's syntax tree and acts on what the script says: the cmdlets each step runs,
 * their documented parameter names, the role literals, the `$I.*` fields the values come from, and
 * that every changing cmdlet runs through Invoke-RdlsDeploymentCmdlet (which reports its failure).
 * It keeps the FakeFarm of the same machine in step, so the DeploymentLicensing scripts run against
 * the deployment these scripts built (its hosts, its Group Policy locks).
 */
import type { Node } from "web-tree-sitter";
import { WbemCode } from "../../../src/licensing";
import { RdsRole, SessionDeploymentStep, type SessionDeploymentStepInput } from "../../../src/drivers/powershell/session-deployment";
import { fakeSessionHost, type FakeFarm } from "./fake-farm";
import { StepError } from "./fake-windows";
import { ancestor, assignedValue, commands, descendants, memberRead, stringValue, type CommandCall } from "./powershell-syntax";

/** The names the deployment scenarios use: a broker (also the first license server), two hosts, a second license server, the run-as account. */
export const FARM_NAMES = {
    broker: "rdcb01.corp.contoso.test",
    sessionHosts: ["rdsh01.corp.contoso.test", "rdsh02.corp.contoso.test"],
    secondLicenseServer: "rdls02.corp.contoso.test",
    user: "CORP\\svc-rds",
    password: "Pa55word-never-shown!",
} as const;

export interface FakeRdServer {
    name: string;
    roles: Set<string>;
}

export interface FakeCollection {
    name: string;
    description: string;
    hosts: string[];
}

/** A cmdlet that throws the next time it runs (on one server only, when `server` is given). */
export interface DeploymentFault {
    cmdlet: string;
    server?: string;
    message: string;
}

type Input = SessionDeploymentStepInput;

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const has = (names: readonly string[], name: string) => names.some((n) => same(n, name));

export class FakeSessionDeployment {
    readonly operations: ReadonlySet<string> = new Set(Object.values(SessionDeploymentStep));
    /** Whether the broker has a deployment (Get-RDServer lists its servers). */
    exists = false;
    servers: FakeRdServer[] = [];
    collections: FakeCollection[] = [];
    /** `Get-Module -ListAvailable RemoteDesktop` finds it (the broker role is installed). */
    remoteDesktopModule = true;
    faults: DeploymentFault[] = [];
    /** Cmdlets that return without doing anything (the read-back must catch it). */
    inert = new Set<string>();
    /** Every changing cmdlet run, as "<cmdlet> <target>". */
    calls: string[] = [];

    constructor(readonly farm: FakeFarm) {}

    /** A deployment already there: the broker, these hosts and license servers, and collections. */
    given(options: { hosts: string[]; licenseServers?: string[]; collections?: FakeCollection[] }): this {
        this.exists = true;
        this.servers = [{ name: this.farm.fqdn, roles: new Set([RdsRole.ConnectionBroker]) }];
        for (const host of options.hosts) this.addRole(host, RdsRole.SessionHost);
        for (const server of options.licenseServers ?? []) this.addRole(server, RdsRole.Licensing);
        this.collections = (options.collections ?? []).map((c) => ({ ...c, hosts: [...c.hosts] }));
        this.syncFarm();
        return this;
    }

    /**
     * The licensing mode of a host set by Group Policy ("Set the Remote Desktop licensing mode"):
     * the broker's Set-RDLicenseConfiguration then fails with WBEM_E_INVALID_OPERATION, as the setters do.
     */
    lockLicensingByGroupPolicy(hostName: string): void {
        const host = this.farm.deployment?.hosts.find((h) => same(h.name, hostName));
        if (!host) throw new Error(`fake: ${hostName} is not a session host of the deployment`);
        host.modeByGroupPolicy = true;
        this.farm.faults.push({ method: "Set-RDLicenseConfiguration", wbemCode: WbemCode.InvalidOperation, exception: `The licensing mode of ${host.name} is set by Group Policy.` });
    }

    perform(op: string, body: Node, input: Input): unknown {
        const root = ancestor(body, "program") ?? body;
        this.checkFunctions(root);
        this.expect(body, "Import-RdlsRemoteDesktop");
        this.expect(body, "Get-RdlsSessionDeployment");
        if (!this.remoteDesktopModule) throw new StepError({ m: this.moduleMissingMessage(root), k: "failed" });
        if (op === SessionDeploymentStep.Read) {
            if (!commands(body, "New-RdlsRefusal").some((r) => stringValue(r.positional[0]!) === "not-found")) throw new Error("fake: the read does not refuse (not-found) without a deployment");
            if (!this.exists) throw new StepError({ m: `no RDS deployment on this broker (${this.noDeploymentReason()})`, k: "not-found" });
            return this.row(input.c);
        }
        if (op !== SessionDeploymentStep.Ensure) throw new Error(`fake: unknown deployment step ${op}`);
        return this.ensure(body, input);
    }

    private ensure(body: Node, input: Input): unknown {
        this.checkEnsure(body, input);
        const done: string[] = [];
        // `change` returns the cmdlet's own error message when the broker refuses the change.
        const run = (cmdlet: string, what: string, target: string, change: () => string | void) => {
            this.calls.push(`${cmdlet} ${target}`);
            const at = this.faults.findIndex((f) => f.cmdlet === cmdlet && (f.server === undefined || target.toLowerCase().includes(f.server.toLowerCase())));
            if (at >= 0) {
                const [fault] = this.faults.splice(at, 1);
                throw new StepError({ m: `${what} failed: ${fault!.message}`, k: "failed" });
            }
            const refused = this.inert.has(cmdlet) ? undefined : change();
            if (refused) throw new StepError({ m: `${what} failed: ${refused}`, k: "failed" });
            done.push(what);
            this.syncFarm();
        };
        if (!this.exists) {
            run("New-RDSessionDeployment", "New-RDSessionDeployment", this.farm.fqdn, () => {
                this.exists = true;
                this.servers = [{ name: this.farm.fqdn, roles: new Set([RdsRole.ConnectionBroker]) }];
                for (const host of input.h) this.addRole(host, RdsRole.SessionHost);
                if (input.w) this.addRole(input.w, RdsRole.WebAccess);
            });
            if (!this.exists) throw new StepError({ m: `New-RDSessionDeployment returned, but there is still no deployment: ${this.noDeploymentReason()}`, k: "failed" });
        }
        const roles: [string[], string][] = [
            [input.h, RdsRole.SessionHost],
            [input.w ? [input.w] : [], RdsRole.WebAccess],
            [input.l, RdsRole.Licensing],
        ];
        for (const [names, role] of roles) {
            for (const name of names) {
                if (this.hasRole(name, role)) continue;
                run("Add-RDServer", `Add-RDServer -Server ${name} -Role ${role}`, `${name} ${role}`, () => this.addRole(name, role));
            }
        }
        const collection = this.collection(input.c);
        if (!collection) {
            run("New-RDSessionCollection", `New-RDSessionCollection ${input.c}`, input.c, () => {
                const taken = this.taken(input.h, input.c);
                if (taken) return taken;
                this.collections.push({ name: input.c, description: input.d ?? "", hosts: [...input.h] });
                return undefined;
            });
        } else {
            const missing = input.h.filter((h) => !has(collection.hosts, h));
            if (missing.length > 0) {
                run("Add-RDSessionHost", `Add-RDSessionHost ${missing.join(", ")}`, missing.join(", "), () => {
                    const taken = this.taken(missing, collection.name);
                    if (taken) return taken;
                    collection.hosts.push(...missing);
                    return undefined;
                });
            }
            if (input.d !== undefined && collection.description !== input.d) {
                run("Set-RDSessionCollectionConfiguration", "Set-RDSessionCollectionConfiguration -CollectionDescription", collection.name, () => {
                    collection.description = input.d!;
                });
            }
        }
        if (this.removesUnlisted(body)) {
            const members = this.collection(input.c)?.hosts ?? [];
            for (const server of this.servers.filter((s) => s.roles.has(RdsRole.SessionHost) && !has(input.h, s.name)).map((s) => s.name)) {
                if (has(members, server)) {
                    run("Remove-RDSessionHost", `Remove-RDSessionHost ${server}`, server, () => {
                        for (const c of this.collections) c.hosts = c.hosts.filter((h) => !same(h, server));
                        return undefined;
                    });
                }
                run("Remove-RDServer", `Remove-RDServer -Server ${server} -Role ${RdsRole.SessionHost}`, `${server} ${RdsRole.SessionHost}`, () => {
                    const entry = this.servers.find((s) => same(s.name, server))!;
                    entry.roles.delete(RdsRole.SessionHost);
                    if (entry.roles.size === 0) this.servers = this.servers.filter((s) => s !== entry);
                    return undefined;
                });
            }
        }
        return { a: done, v: this.row(input.c) };
    }

    /** Whether the step removes unlisted hosts: both cmdlets, with their documented parameters, over the hosts read back and not asked for. */
    private removesUnlisted(body: Node): boolean {
        const fromCollection = this.cmdlet(body, "Remove-RDSessionHost", { sessionhost: "@($server)", connectionbroker: "$broker", force: "" });
        const fromDeployment = this.cmdlet(body, "Remove-RDServer", { server: "$server", role: `'${RdsRole.SessionHost}'`, connectionbroker: "$broker", force: "" });
        if (fromCollection.length === 0 && fromDeployment.length === 0) return false;
        if (fromCollection.length !== 1 || fromDeployment.length !== 1) throw new Error("fake: unlisted hosts are removed from the collection and from the deployment, once each");
        const loop = ancestor(fromDeployment[0]!.node, "foreach_statement");
        if (loop?.text.split("\n")[0]?.trim() !== "foreach ($server in $leaving) {") throw new Error("fake: Remove-RDServer does not loop over $leaving");
        const leaving = assignedValue(body, "$leaving")?.text ?? "";
        if (!leaving.includes(`-contains '${RdsRole.SessionHost}'`) || !leaving.includes("$hosts -notcontains")) throw new Error(`fake: $leaving is not the session hosts not asked for (${leaving})`);
        if (fromCollection[0]!.node.startIndex > fromDeployment[0]!.node.startIndex) throw new Error("fake: a host is removed from the deployment before its collection");
        return true;
    }

    /** The broker's refusal when a host is not a session host of the deployment, or in another collection already (one at most). */
    private taken(hosts: string[], collection: string): string | undefined {
        for (const host of hosts) {
            if (!this.hasRole(host, RdsRole.SessionHost)) return `The server ${host} is not an RD Session Host server in the deployment.`;
            const other = this.collections.find((c) => !same(c.name, collection) && has(c.hosts, host));
            if (other) return `The RD Session Host server ${host} is already part of the session collection ${other.name}.`;
        }
        return undefined;
    }

    private noDeploymentReason(): string {
        const fqdn = this.farm.fqdn;
        return `Get-RDServer -ConnectionBroker ${fqdn}: A Remote Desktop Services deployment does not exist on ${fqdn}. This operation can be performed after creating a deployment.`;
    }

    private collection(name: string): FakeCollection | undefined {
        return this.collections.find((c) => same(c.name, name));
    }

    private hasRole(name: string, role: string): boolean {
        return this.servers.some((s) => same(s.name, name) && s.roles.has(role));
    }

    private addRole(name: string, role: string): void {
        const server = this.servers.find((s) => same(s.name, name));
        if (server) server.roles.add(role);
        else this.servers.push({ name, roles: new Set([role]) });
    }

    /** The FakeFarm sees this deployment: its session hosts (the objects kept), created NotConfigured. */
    private syncFarm(): void {
        if (!this.exists) {
            this.farm.deployment = undefined;
            return;
        }
        const farm = (this.farm.deployment ??= { mode: "NotConfigured", servers: [], hosts: [] });
        const hosts = this.servers.filter((s) => s.roles.has(RdsRole.SessionHost)).map((s) => s.name);
        farm.hosts = hosts.map((name) => farm.hosts.find((h) => same(h.name, name)) ?? fakeSessionHost(name));
    }

    private row(collectionName: string) {
        const collection = this.collection(collectionName);
        return {
            b: this.farm.fqdn,
            x: 1,
            r: null,
            s: this.servers.map((s) => ({ n: s.name, r: [...s.roles] })),
            c: collection ? { n: collection.name, d: collection.description, h: [...collection.hosts] } : null,
        };
    }

    private expect(body: Node, name: string): CommandCall {
        const call = commands(body, name)[0];
        if (!call) throw new Error(`fake: the step does not call ${name}`);
        return call;
    }

    /** The functions the steps rely on read what the documentation says the cmdlets return. */
    private checkFunctions(root: Node): void {
        const fn = (name: string) => {
            const found = descendants(root, "function_statement").find((f) => new RegExp(`^function\\s+${name}\\b`, "i").test(f.text));
            if (!found) throw new Error(`fake: the script has no ${name} function`);
            return found;
        };
        const read = fn("Get-RdlsSessionDeployment");
        const rdServer = commands(read, "Get-RDServer")[0];
        if (!rdServer?.parameters.has("connectionbroker")) throw new Error("fake: the deployment is not read with Get-RDServer -ConnectionBroker");
        if (!commands(read, "Get-RDSessionCollection")[0]?.parameters.has("connectionbroker")) throw new Error("fake: the collections are not read with Get-RDSessionCollection -ConnectionBroker");
        const members = commands(read, "Get-RDSessionHost")[0];
        if (!members?.parameters.has("collectionname") || !members.parameters.has("connectionbroker")) throw new Error("fake: the collection's hosts are not read with Get-RDSessionHost -CollectionName -ConnectionBroker");
        const properties = new Set(descendants(read, "member_name").map((m) => m.text));
        for (const p of ["Server", "Roles", "CollectionName", "CollectionDescription", "SessionHost"]) {
            if (!properties.has(p)) throw new Error(`fake: Get-RdlsSessionDeployment does not read ${p}`);
        }
        const invoke = fn("Invoke-RdlsDeploymentCmdlet");
        const catchClause = descendants(invoke, "catch_clause")[0];
        const refusal = catchClause && commands(catchClause, "New-RdlsRefusal")[0];
        if (!refusal || stringValue(refusal.positional[0]!) !== "failed" || !/Protect-RdlsText/.test(refusal.node.text)) {
            throw new Error("fake: Invoke-RdlsDeploymentCmdlet does not fail the step with the cmdlet's scrubbed message");
        }
    }

    private moduleMissingMessage(root: Node): string {
        const fn = descendants(root, "function_statement").find((f) => /^function\s+Import-RdlsRemoteDesktop\b/i.test(f.text));
        const refusal = fn && commands(fn, "New-RdlsRefusal")[0];
        if (!refusal) throw new Error("fake: Import-RdlsRemoteDesktop does not refuse without the module");
        return stringValue(refusal.positional[1]!);
    }

    /** `$name` is assigned from `$I.<field>` in the step. */
    private fromInput(body: Node, variable: string, field: string): void {
        const source = assignedValue(body, variable);
        const read = source && memberRead(source);
        if (!read || read.variable !== "$I" || read.member !== field) throw new Error(`fake: ${variable} is not read from the input's ${field}`);
    }

    /** One changing cmdlet call, run through Invoke-RdlsDeploymentCmdlet, with exactly these parameters and values. */
    private cmdlet(body: Node, name: string, parameters: Record<string, string | RegExp>): CommandCall[] {
        const calls = commands(body, name);
        for (const call of calls) {
            const wrapper = ancestor(call.node, "command");
            const outer = wrapper && commands(wrapper, "Invoke-RdlsDeploymentCmdlet").find((c) => c.node.startIndex === wrapper.startIndex);
            if (!outer) throw new Error(`fake: ${name} does not run through Invoke-RdlsDeploymentCmdlet`);
            const wanted: Record<string, string | RegExp> = { ...parameters, erroraction: "Stop" };
            const got = [...call.parameters.keys()].sort();
            if (JSON.stringify(got) !== JSON.stringify(Object.keys(wanted).sort())) throw new Error(`fake: ${name} with -${got.join(" -")}, not -${Object.keys(wanted).sort().join(" -")}`);
            for (const [parameter, value] of Object.entries(wanted)) {
                const node = call.parameters.get(parameter);
                const text = node?.text.trim() ?? "";
                // "" is a switch (-Force): no value follows it.
                const wrong = value === "" ? node !== undefined : typeof value === "string" ? text !== value && (!node || stringValue(node) !== value) : !value.test(text);
                if (wrong) {
                    throw new Error(`fake: ${name} -${parameter} ${text}, not ${String(value)}`);
                }
            }
        }
        return calls;
    }

    private checkEnsure(body: Node, input: Input): void {
        for (const [variable, field] of [["$broker", "b"], ["$hosts", "h"], ["$licensing", "l"], ["$collection", "c"]] as const) this.fromInput(body, variable, field);
        if (input.w !== undefined) this.fromInput(body, "$web", "w");
        if (input.d !== undefined) this.fromInput(body, "$description", "d");
        const deployment = { connectionbroker: "$broker", sessionhost: "$hosts", ...(input.w !== undefined ? { webaccessserver: "$web" } : {}) };
        if (this.cmdlet(body, "New-RDSessionDeployment", deployment).length !== 1) throw new Error("fake: one New-RDSessionDeployment expected");
        const adds = this.cmdlet(body, "Add-RDServer", { server: "$server", role: /^'RDS-[A-Z-]+'$/, connectionbroker: "$broker" });
        const loops = new Map(adds.map((a) => [stringValue(a.parameters.get("role")!), ancestor(a.node, "foreach_statement")?.text.split("\n")[0]?.trim()]));
        const expected: Record<string, string> = { [RdsRole.SessionHost]: "$hosts", [RdsRole.Licensing]: "$licensing", ...(input.w !== undefined ? { [RdsRole.WebAccess]: "@($web)" } : {}) };
        if (loops.size !== Object.keys(expected).length) throw new Error(`fake: Add-RDServer for roles ${[...loops.keys()].join(", ")}`);
        for (const [role, list] of Object.entries(expected)) {
            if (loops.get(role) !== `foreach ($server in ${list}) {`) throw new Error(`fake: Add-RDServer -Role ${role} does not loop over ${list} (${loops.get(role)})`);
        }
        const description: Record<string, string> = input.d !== undefined ? { collectiondescription: "$description" } : {};
        if (this.cmdlet(body, "New-RDSessionCollection", { collectionname: "$collection", sessionhost: "$hosts", connectionbroker: "$broker", ...description }).length !== 1) {
            throw new Error("fake: one New-RDSessionCollection expected");
        }
        if (this.cmdlet(body, "Add-RDSessionHost", { collectionname: "$collection", sessionhost: "$missing", connectionbroker: "$broker" }).length !== 1) throw new Error("fake: one Add-RDSessionHost expected");
        const setters = this.cmdlet(body, "Set-RDSessionCollectionConfiguration", { collectionname: "$collection", collectiondescription: "$description", connectionbroker: "$broker" });
        if (setters.length !== (input.d !== undefined ? 1 : 0)) throw new Error("fake: Set-RDSessionCollectionConfiguration runs only when a description is managed");
    }
}
