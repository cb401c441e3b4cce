export { PowerShellExecutor, type PowerShellExecutorOptions } from "./executor";
export { renderBatchScript, renderSpoolReadScript, type BatchScriptOptions } from "./render";
export { planStep, INSTALL_METHOD, type Step, type StepShape, type Planned } from "./plan";
export { INPUT_PARAMETER } from "./script-prelude";
export {
    DEFAULT_OUTPUT_BUDGET,
    RUN_COMMAND_OUTPUT_LIMIT,
    beginMarker,
    endMarker,
    newNonce,
    normalizeOutput,
    readFramedBlock,
    decodeBody,
    type FramedBlock,
    type FrameProblem,
    type FrameResult,
    type BodyEncoding,
} from "./protocol";
export { Redactor, errorFromWire, contextOf } from "./errors";
export { keyPackFromWire, statusFromWire, isBuiltInPack } from "./results";
export { windowsServerVersionFromBuild, productVersionFromText } from "./windows-version";
export type { WirePack, WireStatus, WireError, WireResult } from "./wire";
export { PowerShellFarmExecutor, type PowerShellFarmExecutorOptions, hostFromWire, deploymentFromWire } from "./farm-executor";
export { planFarmStep, type FarmStep, type FarmStepShape, type FarmPlanned } from "./farm-plan";
export { renderFarmScript, type FarmScriptOptions } from "./farm-render";
export { corePrelude } from "./script-prelude";
