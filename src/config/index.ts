export * from "./schema";
export * from "./validate";
export { loadStackConfig } from "./load";
