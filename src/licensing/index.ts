export * from "./codes";
export * from "./errors";
export * from "./numbers";
export * from "./operations";
export * from "./license-server";
export * from "./countries";
