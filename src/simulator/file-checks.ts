/** The checks every store file's parser makes; their errors name the file and never quote it. */
import { LicensingError } from "../licensing/errors";

export type Obj = Record<string, unknown>;

export function invalid(file: string, problem: string): never {
    throw new LicensingError({ kind: "failed", message: `simulator store file ${file} is invalid: ${problem}` });
}

export function obj(value: unknown, file: string, what: string): Obj {
    if (typeof value !== "object" || value === null || Array.isArray(value)) invalid(file, `${what} is not an object`);
    return value as Obj;
}

export const isCount = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;
