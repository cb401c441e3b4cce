/**
 * Refusals carry the WBEM code the real method would return for them, chosen per method so that the
 * PowerShell driver's mapping (kindFromReturnValue) reads the same kind back.
 */
import { LicensingError, returnValueOf, type CodeContext, type LicensingErrorKind } from "../licensing/errors";

export { CODE_CONTEXT_OF as CONTEXT_OF } from "../licensing/errors";

/** Throw the refusal; messages must never contain a number or code. */
export function refuse(context: CodeContext, kind: LicensingErrorKind, message: string): never {
    throw new LicensingError({ kind, returnValue: returnValueOf(context, kind), message });
}

/**
 * Refusals of the guards the contract adds on top of WMI (expectedTotal, refuseIfIssued). They are
 * checked before any method is called, as a script would, so they carry no return value.
 */
export function refuseGuard(kind: LicensingErrorKind, message: string): never {
    throw new LicensingError({ kind, message });
}
