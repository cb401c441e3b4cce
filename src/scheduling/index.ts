export * from "./batch";
export * from "./retry";
export * from "./scheduler";
export * from "./license-server-client";
