export * from "./codes";
export * from "./catalog";
export * from "./programs";
// codes.ts re-exports these two type-only: name the value and type of programs.ts explicitly.
export { LicenseProgram, type AgreementProgram } from "./programs";
export * from "./modes";
export * from "./resource-types";
export * from "./errors";
export * from "./numbers";
export * from "./operations";
export * from "./license-server";
export * from "./countries";
export * from "./farm";
export * from "./health";
export * from "./farm-checks";
export * from "./usage";
export * from "./usage-server";
