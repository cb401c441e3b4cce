/** Map what a script reports (wire errors) to the domain's errors, and keep secrets out of them. */
import {
    CODE_CONTEXT_OF,
    LicensingError,
    LicensingErrorKind,
    WBEM_MEANING,
    WbemCode,
    kindFromReturnValue,
    type CodeContext,
    type LicensingErrorData,
    type OperationName,
} from "../../licensing";
import type { WireError } from "./wire";

export function contextOf(op: OperationName): CodeContext {
    return CODE_CONTEXT_OF[op];
}

/**
 * The refusal of each guard operations.ts adds on top of WMI (expectedTotal, refuseIfIssued). The
 * script checks them on the live pack before any method runs, so they travel by kind on the wire
 * (`k`), never as a return value: no WMI code means "conflict" or "licenses issued".
 */
export const GUARD_KIND = {
    "remove-licenses": LicensingErrorKind.Conflict,
    uninstall: LicensingErrorKind.LicensesIssued,
} as const satisfies Partial<Record<OperationName, LicensingErrorKind>>;

/**
 * The refusal kinds (`k`) each operation's script may report: its guard, and for activation the
 * ActivationStatus out-value of ActivateServerAutomatic (1 not activated, 2 unknown error) after a
 * zero ReturnValue. Any other kind on the wire is an unexplained failure.
 */
export const REFUSALS_OF: Readonly<Partial<Record<OperationName, readonly LicensingErrorKind[]>>> = {
    "remove-licenses": [GUARD_KIND["remove-licenses"]],
    uninstall: [GUARD_KIND.uninstall],
    activate: [LicensingErrorKind.NotActivated, LicensingErrorKind.Failed],
    // The read-back of an install whose pack is not the one asked (executor.ts words it).
    install: [LicensingErrorKind.Failed],
};

/**
 * Errors raised by the CIM layer itself (Microsoft.Management.Infrastructure.NativeErrorCode names)
 * rather than returned by a licensing method.
 */
function fromCimCode(context: CodeContext, code: string): Pick<LicensingErrorData, "kind" | "returnValue"> & { hint?: string } {
    switch (code) {
        case "NotFound":
            return { kind: kindFromReturnValue(context, WbemCode.NotFound), returnValue: WbemCode.NotFound };
        case "InvalidParameter":
            return { kind: kindFromReturnValue(context, WbemCode.InvalidParameter), returnValue: WbemCode.InvalidParameter };
        case "AccessDenied":
            return { kind: LicensingErrorKind.Failed, hint: "the script must run as an administrator (Run Command runs as SYSTEM; over SSH use an administrator account)" };
        case "InvalidClass":
        case "InvalidNamespace":
            return {
                kind: LicensingErrorKind.Failed,
                hint:
                    context === "configure"
                        ? "the RD Session Host role service does not seem to be installed on this server (no root\\cimv2\\TerminalServices)"
                        : "the RD Licensing role service does not seem to be installed on this server",
            };
        case "ServerLimitsExceeded":
        case "ServerIsShuttingDown":
        case "InvalidOperationTimeout":
            return { kind: LicensingErrorKind.Transient };
        default:
            return { kind: LicensingErrorKind.Failed };
    }
}

/** The domain error for a failed operation; `label` names the operation without any secret. */
export function errorFromWire(op: OperationName, label: string, e: WireError, redactor: Redactor): LicensingErrorData {
    return describeWireError(e, { context: contextOf(op), label, redactor, refusals: REFUSALS_OF[op] ?? [] });
}

export interface WireErrorContext {
    /** The context the return codes are read in. */
    context: CodeContext;
    /** Names the operation in messages, without any secret. */
    label: string;
    redactor: Redactor;
    /** The refusal kinds (`k`) this operation's script may report; any other is an unexplained failure. */
    refusals: readonly LicensingErrorKind[];
    /** Overrides the code table for return values that mean something else here, with the reason. */
    returnValue?: (returnValue: number) => { kind: LicensingErrorKind; reason?: string } | undefined;
}

/** The domain error for what a script reported as a failed step. */
export function describeWireError(e: WireError, at: WireErrorContext): LicensingErrorData {
    const { context, label, redactor } = at;
    const message = redactor.apply(String(e.m ?? "").trim() || "the operation failed");
    if (e.k !== undefined && (at.refusals as readonly string[]).includes(e.k)) {
        return { kind: e.k as LicensingErrorKind, message: `${label}: ${message}` };
    }
    if (typeof e.rv === "number" && e.rv !== 0) {
        const returnValue = e.rv >>> 0;
        const special = at.returnValue?.(returnValue);
        // A method that failed by exception gets the code's general meaning, unless this context knows better.
        const meaning = e.x === 1 ? WBEM_MEANING[returnValue] : undefined;
        const reason = special?.reason ? ` (${special.reason})` : meaning ? ` (${meaning})` : "";
        return { kind: special?.kind ?? kindFromReturnValue(context, returnValue), returnValue, message: `${label}: ${message}${reason}` };
    }
    if (typeof e.c === "string") {
        const mapped = fromCimCode(context, e.c);
        const hint = mapped.hint ? ` (${mapped.hint})` : "";
        const data: LicensingErrorData = { kind: mapped.kind, message: `${label}: ${message}${hint}` };
        if (mapped.returnValue !== undefined) data.returnValue = mapped.returnValue;
        return data;
    }
    return { kind: LicensingErrorKind.Failed, message: `${label}: ${message}` };
}

/**
 * Replaces every known secret (and the encoded input carrying them) in text meant for messages.
 * Built per execution from that execution's secrets; nothing is kept afterwards.
 */
export class Redactor {
    private readonly secrets: string[];

    constructor(secrets: Iterable<string>) {
        // Longest first, so a secret that contains another is replaced whole.
        this.secrets = [...new Set([...secrets].filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
    }

    apply(text: string): string {
        let out = text;
        for (const secret of this.secrets) out = out.split(secret).join("***");
        return out;
    }

    error(error: unknown): LicensingError {
        if (error instanceof LicensingError) {
            const data = error.toData();
            return new LicensingError({ ...data, message: this.apply(data.message) });
        }
        const message = error instanceof Error ? error.message : String(error);
        return new LicensingError({ kind: LicensingErrorKind.Failed, message: this.apply(message) });
    }
}
