export { assertParameterName, type RunOptions, type RunOutput, type ScriptRunner } from "./script-runner";
export { decodeOutput } from "./decode";
export { AzureRunCommandRunner, type AzureRunCommandRunnerOptions } from "./azure-run-command";
export { mapAzureError, parseRetryAfter, type AzureTarget } from "./azure-errors";
export { SshRunner, type SshRunnerOptions } from "./ssh";
export { POWERSHELL_BOOTSTRAP, bootstrapCommand, bootstrapStdin, encodePowerShellCommand } from "./ssh-bootstrap";
export { hostKeyFingerprint, normalizeFingerprint } from "./ssh-host-key";
export { SSH_ENV, sshCredentialsFromEnv, type SshCredentials } from "./ssh-credentials";
