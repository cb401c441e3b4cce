/**
 * Unwrapping what an executor or a license server answers: the value of a success, the error of a
 * failed operation, the LicensingError a call rejects with. Each fails the test, saying what came
 * instead, when the answer is not the one expected.
 */
import { expect } from "vitest";
import { LicensingError, type LicensingErrorData, type OperationResult } from "../../src/licensing";

/** The value of a successful operation result. */
export function ok<T = unknown>(result: OperationResult | undefined): T {
    if (!result?.ok) throw new Error(`expected success, got ${JSON.stringify(result)}`);
    return result.value as T;
}

/** The error of a failed operation result. */
export function failure(result: OperationResult | undefined): LicensingErrorData {
    if (!result || result.ok) throw new Error(`expected failure, got ${JSON.stringify(result)}`);
    return result.error;
}

/** The LicensingError `promise` rejects with (it must reject, and with a LicensingError). */
export async function rejection(promise: Promise<unknown>): Promise<LicensingError> {
    const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LicensingError);
    return error as LicensingError;
}
