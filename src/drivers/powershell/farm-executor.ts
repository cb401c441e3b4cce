/**
 * FarmExecutor over a ScriptRunner: one farm script per batch, run on a broker (its deployment and,
 * over CIM sessions, every session host of it) or on a standalone session host; results framed,
 * decoded and mapped like the license server executor's (channel.ts, errors.ts).
 */
import { LicensingErrorKind, WbemCode, type LicensingErrorData } from "../../licensing";
import {
    HostLicensingMode,
    type DeploymentLicensing,
    type FarmExecutor,
    type FarmOperation,
    type FarmOperationResult,
    type LicenseServerConnectivity,
    type SessionHostLicensing,
} from "../../licensing/farm";
import { LICENSING_TYPE_CODE } from "../../licensing/modes";
import type { ScriptRunner } from "../runners/script-runner";
import { BatchChannel, noResult } from "./channel";
import { Redactor, describeWireError } from "./errors";
import { planFarmStep, type FarmStep } from "./farm-plan";
import { FARM_REFUSALS, renderFarmScript } from "./farm-render";
import { DEFAULT_OUTPUT_BUDGET, newNonce } from "./protocol";
import { windowsServerVersionFromBuild } from "./windows-version";
import type { WireResult } from "./wire";

/** What Get-RdlsDeploymentLicensing prints. */
export interface WireDeployment {
    b: string;
    /** Get-RDLicenseConfiguration Mode, as text */
    m: string;
    l: string[] | string | null;
    /** Get-RDServer -Role RDS-RD-SERVER */
    h: string[] | string | null;
}

/** What Get-RdlsHostLicensing prints (one Win32_TerminalServiceSetting, read as the Diagnoser does). */
export interface WireHostLicensing {
    n: string;
    /** Win32_OperatingSystem.BuildNumber */
    b: number;
    /** LicensingType */
    t: number;
    /** GetSpecifiedLicenseServerList */
    l: string[] | string | null;
    /** GetGracePeriodDays DaysLeft */
    g: number;
    /** GetTStoLSConnectivityStatus per listed server */
    k: { s: string; c: number }[] | { s: string; c: number } | null;
    /** PolicySourceLicensingType, PolicySourceConfiguredLicenseServers */
    pm: number;
    ps: number;
    /** The broker, when read through one */
    d: string | null;
}

export interface PowerShellFarmExecutorOptions {
    /** The runner for a target (broker or standalone host), or one runner for all. */
    runner: ScriptRunner | ((target: string) => ScriptRunner);
    /** @default 600_000 (a broker reads every host of its deployment) */
    timeoutMs?: number;
    /** @default 3000 */
    outputBudget?: number;
    nonce?: () => string;
}

/** ConvertTo-Json on PowerShell 5.1 may print a one-element array as a scalar. */
function list<T>(value: T[] | T | null | undefined): T[] {
    if (value === null || value === undefined) return [];
    return Array.isArray(value) ? value : [value];
}

function modeFromLicensingType(code: number): HostLicensingMode {
    if (code === LICENSING_TYPE_CODE.PerUser) return HostLicensingMode.PerUser;
    if (code === LICENSING_TYPE_CODE.PerDevice) return HostLicensingMode.PerDevice;
    return HostLicensingMode.NotConfigured;
}

function modeFromText(text: string): HostLicensingMode | undefined {
    return (Object.values(HostLicensingMode) as string[]).find((m) => m.toLowerCase() === text.trim().toLowerCase()) as HostLicensingMode | undefined;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
    return a.length === b.length && a.every((name, at) => name.toLowerCase() === b[at]!.toLowerCase());
}

export function hostFromWire(w: WireHostLicensing): { ok: true; host: SessionHostLicensing } | { ok: false; problem: string } {
    const windowsServerVersion = windowsServerVersionFromBuild(Number(w.b));
    if (!windowsServerVersion) return { ok: false, problem: `session host ${w.n} runs Windows build ${w.b}, older than Windows Server 2016, which this product does not manage` };
    const host: SessionHostLicensing = {
        name: String(w.n),
        windowsServerVersion,
        mode: modeFromLicensingType(Number(w.t)),
        licenseServers: list(w.l).map(String),
        graceDaysLeft: Number(w.g),
        connectivity: list(w.k).map((link) => ({ licenseServer: String(link.s), status: Number(link.c) as LicenseServerConnectivity })),
        policy: { modeByGroupPolicy: Number(w.pm) === 1, licenseServersByGroupPolicy: Number(w.ps) === 1 },
    };
    if (w.d) host.deployment = String(w.d);
    return { ok: true, host };
}

export function deploymentFromWire(w: WireDeployment): { ok: true; deployment: DeploymentLicensing } | { ok: false; problem: string } {
    const mode = modeFromText(String(w.m ?? ""));
    if (!mode) return { ok: false, problem: `Get-RDLicenseConfiguration reports an unknown mode ${JSON.stringify(w.m)}` };
    return { ok: true, deployment: { broker: String(w.b), mode, licenseServers: list(w.l).map(String), sessionHosts: list(w.h).map(String) } };
}

export class PowerShellFarmExecutor implements FarmExecutor {
    private readonly channel: BatchChannel;
    private readonly budget: number;

    constructor(private readonly options: PowerShellFarmExecutorOptions) {
        this.budget = options.outputBudget ?? DEFAULT_OUTPUT_BUDGET;
        if (!Number.isInteger(this.budget) || this.budget < 200) throw new TypeError("outputBudget must be an integer of at least 200");
        this.channel = new BatchChannel({
            timeoutMs: options.timeoutMs ?? 600_000,
            budget: this.budget,
            nonce: () => (options.nonce ? options.nonce() : newNonce()),
            retryHint: "The operations may have run; reads and sets are safe to retry (sets change only what differs)",
        });
    }

    async execute(target: string, operations: readonly FarmOperation[]): Promise<FarmOperationResult[]> {
        const results: FarmOperationResult[] = new Array(operations.length);
        const steps: FarmStep[] = [];
        operations.forEach((op, index) => {
            const planned = planFarmStep(index, op);
            if (planned.ok) steps.push(planned.step);
            else results[index] = { ok: false, error: planned.error };
        });
        if (steps.length === 0) return results;

        const runner = typeof this.options.runner === "function" ? this.options.runner(target) : this.options.runner;
        // Nothing secret in farm inputs; the redactor still keeps the encoded input out of messages.
        const { wires, redactor } = await this.channel.executeSteps(runner, steps, (nonce) => renderFarmScript(steps, { nonce, budget: this.budget }));
        steps.forEach((step, position) => {
            const wire = wires[position];
            results[step.index] = wire ? this.toResult(step, wire, redactor) : noResult(step.label);
        });
        return results;
    }

    private toResult(step: FarmStep, wire: WireResult, redactor: Redactor): FarmOperationResult {
        const kind = step.shape.kind;
        if (wire.ok === 0) {
            const setter = kind === "set-host-licensing" || kind === "set-deployment-licensing";
            return {
                ok: false,
                error: describeWireError(wire.e, {
                    context: kind.startsWith("set-") ? "configure" : "read",
                    label: step.label,
                    redactor,
                    refusals: FARM_REFUSALS[kind],
                    // The setters of a value made by Group Policy fail with WBEM_E_INVALID_OPERATION.
                    returnValue: (rv) =>
                        setter && rv === WbemCode.InvalidOperation
                            ? { kind: LicensingErrorKind.InvalidParameter, reason: "WBEM_E_INVALID_OPERATION: the setting is set by Group Policy: change the GPO or remove it" }
                            : rv === WbemCode.InvalidOperation
                              ? { kind: LicensingErrorKind.Failed }
                              : undefined,
                }),
            };
        }
        const fail = (why: string): FarmOperationResult => ({ ok: false, error: { kind: LicensingErrorKind.Failed, message: `${step.label}: ${why}` } satisfies LicensingErrorData });
        const op = step.op;
        switch (op.op) {
            case "get-deployment-licensing":
            case "set-deployment-licensing": {
                const read = deploymentFromWire(wire.v as WireDeployment);
                if (!read.ok) return fail(read.problem);
                if (op.op === "set-deployment-licensing" && (read.deployment.mode !== op.mode || !sameNames(read.deployment.licenseServers, step.input.s ?? []))) {
                    return fail(`the deployment reads back ${read.deployment.mode} [${read.deployment.licenseServers.join(", ")}], not the configuration asked`);
                }
                return { ok: true, value: read.deployment };
            }
            case "get-host-licensing":
            case "set-host-licensing": {
                const read = hostFromWire(wire.v as WireHostLicensing);
                if (!read.ok) return fail(read.problem);
                if (op.op === "set-host-licensing" && (read.host.mode !== op.mode || !sameNames(read.host.licenseServers, step.input.s ?? []))) {
                    return fail(`the host reads back ${read.host.mode} [${read.host.licenseServers.join(", ")}], not the settings asked`);
                }
                return { ok: true, value: read.host };
            }
            case "read-host-licensing": {
                const rows = list((wire.v as { h?: WireHostLicensing[] | WireHostLicensing | null } | null)?.h);
                const hosts: SessionHostLicensing[] = [];
                for (const row of rows) {
                    const read = hostFromWire(row);
                    if (!read.ok) return fail(read.problem);
                    hosts.push(read.host);
                }
                return { ok: true, value: hosts };
            }
        }
    }
}
