/**
 * The farm side of the fake Windows double: a broker (with an RDS deployment of session hosts, or
 * none) or a standalone session host. Like fake-windows.ts it reads the farm script's syntax tree
 * and acts on what the script says: the cmdlets and methods each step calls, their named arguments
 * and literal codes, the Group Policy checks it makes before a setter, the CIM sessions it opens
 * and closes, and the `$I.s` list it takes from the input. A small model plays
 * Win32_TerminalServiceSetting and the RemoteDesktop module.
 */
import type { Node } from "web-tree-sitter";
import { WbemCode } from "../../../src/licensing";
import { StepError, cimFailure, wbem } from "./fake-windows";
import { ancestor, assignedValue, commands, descendants, hashEntries, integerValue, memberRead, stringValue, type CommandCall } from "./powershell-syntax";

export const FARM_OPERATIONS: ReadonlySet<string> = new Set([
    "get-deployment-licensing",
    "set-deployment-licensing",
    "get-host-licensing",
    "set-host-licensing",
    "read-host-licensing",
]);

/** One Win32_TerminalServiceSetting, and what the host sees of each license server. */
export interface FakeSessionHost {
    name: string;
    build: number;
    /** LicensingType: 2 per device, 4 per user, 5 not configured. */
    licensingType: number;
    servers: string[];
    graceDays: number;
    /** PolicySourceLicensingType / PolicySourceConfiguredLicenseServers = 1. */
    modeByGroupPolicy: boolean;
    serversByGroupPolicy: boolean;
    /** GetTStoLSConnectivityStatus per license server (lower-case name); 11 (valid) when absent. */
    connectivity: Record<string, number>;
    /** 1 for an RD Session Host. */
    terminalServerMode: number;
    /** New-CimSession to it succeeds. */
    reachable: boolean;
}

export function fakeSessionHost(name: string, more: Partial<FakeSessionHost> = {}): FakeSessionHost {
    return {
        name,
        build: 20348,
        licensingType: 5,
        servers: [],
        graceDays: 120,
        modeByGroupPolicy: false,
        serversByGroupPolicy: false,
        connectivity: {},
        terminalServerMode: 1,
        reachable: true,
        ...more,
    };
}

export interface FakeDeployment {
    /** Get-RDLicenseConfiguration Mode: PerUser, PerDevice or NotConfigured. */
    mode: string;
    servers: string[];
    hosts: FakeSessionHost[];
}

/** A method (or cmdlet) that fails the next time it is called, optionally on one host only. */
export interface FarmFault {
    method: string;
    host?: string;
    returnValue?: number;
    exception?: string;
    /** A CimException with this WBEM code (error_Code), instead of a non-zero ReturnValue. */
    wbemCode?: number;
}

const MODE_CODE: Record<string, number> = { PerDevice: 2, PerUser: 4, NotConfigured: 5 };

export class FakeFarm {
    /** This machine's FQDN (the broker's, or the standalone host's). */
    fqdn = "rdcb01.contoso.test";
    deployment?: FakeDeployment;
    /** This machine's own Win32_TerminalServiceSetting, when it is a session host. */
    self?: FakeSessionHost;
    faults: FarmFault[] = [];
    /** The setter returns but changes nothing (the read-back must catch it). */
    ignoreSets = false;
    sessions = { opened: 0, closed: 0 };
    /** Every cmdlet and method the scripts made the model run, as "host:method". */
    calls: string[] = [];

    /** The body of the step being performed (how the script calls a method decides what a CimException reports). */
    private body?: Node;

    perform(op: string, body: Node, input: { s?: string[] }): unknown {
        this.body = body;
        switch (op) {
            case "get-deployment-licensing":
                this.expect(body, "Assert-RdlsDeployment");
                this.expect(body, "Get-RdlsDeploymentLicensing");
                return this.deploymentRow(this.assertDeployment());
            case "set-deployment-licensing":
                return this.setDeployment(body, input);
            case "get-host-licensing":
                this.expect(body, "Get-RdlsHostLicensing");
                return this.hostRow(this.assertSelf(), null);
            case "set-host-licensing":
                return this.setHost(body, input);
            case "read-host-licensing":
                return this.readHosts(body);
            default:
                throw new Error(`fake: unknown farm step ${op}`);
        }
    }

    private expect(body: Node, name: string): CommandCall {
        const call = commands(body, name)[0];
        if (!call) throw new Error(`fake: the step does not call ${name}`);
        return call;
    }

    private fault(method: string, host: string): void {
        const at = this.faults.findIndex((f) => f.method === method && (f.host === undefined || f.host.toLowerCase() === host.toLowerCase()));
        this.calls.push(`${host}:${method}`);
        if (at < 0) return;
        const [fault] = this.faults.splice(at, 1);
        if (fault!.wbemCode !== undefined) throw cimFailure(this.body, method, fault!.wbemCode, fault!.exception ?? "The WMI provider failed the call.");
        if (fault!.exception !== undefined) throw new StepError({ m: fault!.exception, h: -2146233088 });
        throw wbem(fault!.returnValue!, `${method} returned 0x${fault!.returnValue!.toString(16).toUpperCase()}`);
    }

    private assertDeployment(): FakeDeployment {
        if (!this.deployment) {
            throw new StepError({ m: `no RDS deployment on this server (Get-RDServer -ConnectionBroker ${this.fqdn}: A Remote Desktop Services deployment does not exist on ${this.fqdn}.); nothing was read or changed`, k: "not-found" });
        }
        return this.deployment;
    }

    private assertSelf(): FakeSessionHost {
        if (!this.self) throw wbem(WbemCode.NotFound, "Win32_TerminalServiceSetting has no instance: is the RD Session Host role installed?");
        return this.self;
    }

    private deploymentRow(d: FakeDeployment) {
        return { b: this.fqdn, m: d.mode, l: [...d.servers], h: d.hosts.map((h) => h.name) };
    }

    /** The list variable a setter is given must be read from the input's `s`, not rendered. */
    private wantedFromInput(body: Node, value: Node | undefined, input: { s?: string[] }): string[] {
        const variable = value?.text.trim();
        if (!variable?.startsWith("$")) throw new Error(`fake: the server list is not a variable (${value?.text})`);
        const source = assignedValue(body, variable);
        const read = source && memberRead(source);
        if (!read || read.variable !== "$I" || read.member !== "s") throw new Error(`fake: ${variable} is not read from the input's s`);
        return [...(input.s ?? [])];
    }

    /** Does the step refuse with this kind, in an if whose condition reads this property, before `before`? */
    private refusalOn(body: Node, property: string, kind: string, before: Node | undefined): string {
        for (const refusal of commands(body, "New-RdlsRefusal")) {
            const statement = ancestor(refusal.node, "if_statement");
            const condition = statement?.childForFieldName("condition");
            if (!statement || !condition || stringValue(refusal.positional[0]!) !== kind) continue;
            if (!descendants(condition, "member_access").some((m) => memberRead(m)?.member === property)) continue;
            if (before && statement.startIndex > before.startIndex) throw new Error(`fake: the ${property} check comes after the setter`);
            return stringValue(refusal.positional[1]!);
        }
        throw new Error(`fake: the step does not refuse (${kind}) on ${property}`);
    }

    private setDeployment(body: Node, input: { s?: string[] }): unknown {
        this.expect(body, "Assert-RdlsDeployment");
        const set = this.expect(body, "Set-RDLicenseConfiguration");
        for (const p of ["connectionbroker", "mode", "force"]) if (!set.parameters.has(p)) throw new Error(`fake: Set-RDLicenseConfiguration without -${p}`);
        const mode = stringValue(set.parameters.get("mode")!);
        if (!(mode in MODE_CODE)) throw new Error(`fake: unknown -Mode ${mode}`);
        const servers = set.parameters.has("licenseserver") ? this.wantedFromInput(body, set.parameters.get("licenseserver"), input) : [];
        if (!commands(body, "New-RdlsRefusal").some((r) => stringValue(r.positional[0]!) === "failed")) throw new Error("fake: the set has no read-back check");
        const d = this.assertDeployment();
        this.fault("Set-RDLicenseConfiguration", this.fqdn);
        if (!this.ignoreSets) {
            d.mode = mode;
            d.servers = servers;
            // The broker applies the deployment's configuration to every session host of it.
            for (const h of d.hosts) {
                h.licensingType = MODE_CODE[mode]!;
                h.servers = [...servers];
            }
        }
        const after = this.deploymentRow(d);
        if (after.m !== mode || !sameNames(after.l, input.s ?? [])) {
            throw new StepError({ m: `Set-RDLicenseConfiguration returned, but the deployment reads back ${after.m} with ${after.l.length} license server(s), not ${mode} with the ${servers.length} asked`, k: "failed" });
        }
        return after;
    }

    private cim(body: Node): { method: string; args: Map<string, Node>; node: Node }[] {
        return commands(body, "Invoke-CimMethod").map((c) => ({
            method: stringValue(c.parameters.get("methodname")!),
            args: c.parameters.get("arguments") ? hashEntries(c.parameters.get("arguments")!) : new Map(),
            node: c.node,
        }));
    }

    private setHost(body: Node, input: { s?: string[] }): unknown {
        const calls = this.cim(body);
        const change = calls.find((c) => c.method === "ChangeMode");
        const setList = calls.find((c) => c.method === "SetSpecifiedLicenseServerList");
        if (!change || !setList) throw new Error("fake: a host set calls ChangeMode and SetSpecifiedLicenseServerList");
        if ([...change.args.keys()].join() !== "LicensingType" || [...setList.args.keys()].join() !== "SpecifiedLSList") throw new Error("fake: undocumented argument names");
        const code = integerValue(change.args.get("LicensingType")!);
        if (code !== 2 && code !== 4) throw new Error(`fake: ChangeMode LicensingType ${change.args.get("LicensingType")!.text} is not a literal 2 or 4`);
        const wanted = this.wantedFromInput(body, setList.args.get("SpecifiedLSList"), input);
        const firstSetter = [change.node, setList.node].sort((a, b) => a.startIndex - b.startIndex)[0];
        const modeRefusal = this.refusalOn(body, "PolicySourceLicensingType", "invalid-parameter", firstSetter);
        const listRefusal = this.refusalOn(body, "PolicySourceConfiguredLicenseServers", "invalid-parameter", firstSetter);
        const host = this.assertSelf();
        this.fault("GetSpecifiedLicenseServerList", host.name);
        const needList = !sameNames(host.servers, wanted);
        const needMode = host.licensingType !== code;
        if (needMode && host.modeByGroupPolicy) throw new StepError({ m: modeRefusal, k: "invalid-parameter" });
        if (needList && host.serversByGroupPolicy) throw new StepError({ m: listRefusal, k: "invalid-parameter" });
        if (needList) {
            this.fault("SetSpecifiedLicenseServerList", host.name);
            if (!this.ignoreSets) host.servers = wanted;
        }
        if (needMode) {
            this.fault("ChangeMode", host.name);
            if (!this.ignoreSets) host.licensingType = code;
        }
        const after = this.hostRow(host, null);
        if (after.t !== code || !sameNames(after.l, wanted)) {
            throw new StepError({ m: `the methods returned 0, but the host reads back LicensingType ${after.t} with ${after.l.length} license server(s), not the settings asked`, k: "failed" });
        }
        return after;
    }

    private readHosts(body: Node): unknown {
        this.expect(body, "Find-RdlsDeployment");
        if (!this.deployment) {
            const self = this.self;
            if (!self || self.terminalServerMode !== 1) {
                throw new StepError({ m: `no RDS deployment on this server (the RemoteDesktop module is not installed) and it is not an RD Session Host: no session host to read`, k: "not-found" });
            }
            return { h: [this.hostRow(self, null)] };
        }
        const open = this.expect(body, "New-CimSession");
        if (!open.parameters.has("computername")) throw new Error("fake: New-CimSession without -ComputerName");
        const close = this.expect(body, "Remove-CimSession");
        if (!ancestor(close.node, "finally_clause")) throw new Error("fake: the CIM session is not closed in a finally block");
        const role = this.expect(body, "Get-RDServer").parameters.get("role");
        if (!role || stringValue(role) !== "RDS-RD-SERVER") throw new Error("fake: the hosts are not listed with -Role RDS-RD-SERVER");
        const rows: unknown[] = [];
        for (const host of this.deployment.hosts) {
            if (!host.reachable) {
                throw new StepError({ m: `session host ${host.name}: WinRM cannot complete the operation. Verify that the specified computer name is valid`, h: -2144108526 });
            }
            this.sessions.opened++;
            try {
                rows.push(this.hostRow(host, this.fqdn));
            } catch (error) {
                if (error instanceof StepError) throw new StepError({ ...error.info, m: `session host ${host.name}: ${String(error.info.m)}` });
                throw error;
            } finally {
                this.sessions.closed++;
            }
        }
        return { h: rows };
    }

    private hostRow(host: FakeSessionHost, broker: string | null) {
        this.fault("GetSpecifiedLicenseServerList", host.name);
        this.fault("GetGracePeriodDays", host.name);
        const links = host.servers.map((s) => {
            this.fault("GetTStoLSConnectivityStatus", host.name);
            return { s, c: host.connectivity[s.toLowerCase()] ?? 11 };
        });
        return {
            n: host.name,
            b: host.build,
            t: host.licensingType,
            l: [...host.servers],
            g: host.graceDays,
            k: links,
            pm: host.modeByGroupPolicy ? 1 : 0,
            ps: host.serversByGroupPolicy ? 1 : 0,
            d: broker,
        };
    }
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
    return a.length === b.length && a.every((n, i) => n.toLowerCase() === b[i]!.toLowerCase());
}
