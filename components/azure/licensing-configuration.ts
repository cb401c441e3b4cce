import * as compute from "@pulumi/azure-native/compute";
import { RESOURCE_TYPES } from "../../src/licensing/resource-types";
import * as pulumi from "@pulumi/pulumi";
import {
    LicensingMode,
    renderLicensingConfigurationReadScript,
    renderLicensingConfigurationScript,
} from "../../src/drivers/powershell/licensing-configuration";
import { managedRunCommandArgs } from "./run-command";

export { LicensingMode };

/** Name of the run command on the VM. */
export const LICENSING_RUN_COMMAND = "rds-licensing-configuration";

/** The VM the configuration runs on; an {@link AzureLicenseServer} is one. */
export interface LicensingConfigurationTarget {
    resourceGroupName: pulumi.Input<string>;
    vmName: pulumi.Input<string>;
    location: pulumi.Input<string>;
    /** The license server's name for clients (FQDN when domain-joined). */
    licenseServerFqdn: string;
    /** The role installation, which must come first. */
    rolesRunCommand?: pulumi.Resource;
}

export interface LicensingConfigurationArgs {
    /**
     * The server whose VM runs the configuration script. With RD Connection Broker on it and an
     * RDS deployment, the deployment is configured; without a deployment, the script configures the
     * server itself only if it is an RD Session Host, and otherwise fails the run command (nothing
     * changed, the reason in its output): create the deployment first ({@link SessionDeployment}).
     * @example
     * ```ts
     * server: azureLicenseServer
     * ```
     */
    server: LicensingConfigurationTarget;
    /**
     * Licensing mode: the kind of CALs session hosts request.
     * @example LicensingMode.PerUser
     */
    mode: LicensingMode;
    /**
     * License servers, in order of preference.
     * @default [server.licenseServerFqdn]
     */
    licenseServers?: string[];
    /**
     * FQDN of the RD Connection Broker of the deployment to configure.
     * @default the VM's own FQDN (the broker runs on the license server)
     */
    connectionBroker?: string;
    /**
     * What must be in place first, besides the roles: the activation and the CAL packs, so session
     * hosts are sent to a server that can hand out CALs.
     * @default []
     */
    after?: pulumi.Input<pulumi.Resource>[];
    /** @default 600 */
    timeoutInSeconds?: number;
    /** @default {} */
    tags?: Record<string, pulumi.Input<string>>;
}

/** The script pair for the arguments (a pure function; throws on bad names before registering). */
export function licensingConfigurationScripts(args: LicensingConfigurationArgs): { script: string; readBackScript: string } {
    const licenseServers = args.licenseServers ?? [args.server.licenseServerFqdn];
    return {
        script: renderLicensingConfigurationScript({ mode: args.mode, licenseServers, connectionBroker: args.connectionBroker }),
        readBackScript: renderLicensingConfigurationReadScript({ connectionBroker: args.connectionBroker }),
    };
}

/**
 * Points Remote Desktop licensing at the license server: licensing mode and license server list,
 * through `Set-RDLicenseConfiguration` when an RDS deployment exists, else
 * `Win32_TerminalServiceSetting` (ChangeMode, SetSpecifiedLicenseServerList) on the host when it is
 * an RD Session Host. A managed run command that fails the deployment when the script fails;
 * changing the mode or the servers runs it again. On a server with neither a deployment nor the
 * RD Session Host role (installing RD Connection Broker creates no deployment) the script fails
 * with that reason in its read-back line instead of reporting success: build the deployment with
 * {@link SessionDeployment} first, or use {@link DeploymentLicensing}, which reads the
 * configuration back on refresh. `pulumi refresh` cannot see this component's live setting: run
 * `readBackScript` for drift (see examples/azure/README.md).
 *
 * @example Per-user licensing once the server holds its packs
 * ```ts
 * const licensing = new LicensingConfiguration("rdls-licensing", {
 *     server,                          // an AzureLicenseServer
 *     mode: LicensingMode.PerUser,
 *     after: [activation, ...packs],
 * });
 * export const readBackScript = licensing.readBackScript;
 * ```
 */
export class LicensingConfiguration extends pulumi.ComponentResource {
    public readonly mode: LicensingMode;
    public readonly licenseServers: string[];
    /** Prints `rdls-licensing-configuration={...}`; changes nothing. */
    public readonly readBackScript: string;
    public readonly runCommand: compute.VirtualMachineRunCommandByVirtualMachine;

    constructor(name: string, args: LicensingConfigurationArgs, opts?: pulumi.ComponentResourceOptions) {
        const scripts = licensingConfigurationScripts(args);
        super(RESOURCE_TYPES.licensingConfiguration, name, {}, opts);
        const dependsOn = [...(args.server.rolesRunCommand ? [args.server.rolesRunCommand] : []), ...(args.after ?? [])];
        this.runCommand = new compute.VirtualMachineRunCommandByVirtualMachine(
            `${name}-run`,
            managedRunCommandArgs(
                { resourceGroupName: args.server.resourceGroupName, vmName: args.server.vmName, location: args.server.location, tags: args.tags },
                LICENSING_RUN_COMMAND,
                scripts.script,
                args.timeoutInSeconds ?? 600,
            ),
            { parent: this, dependsOn },
        );
        this.mode = args.mode;
        this.licenseServers = args.licenseServers ?? [args.server.licenseServerFqdn];
        this.readBackScript = scripts.readBackScript;
        this.registerOutputs({ mode: this.mode, licenseServers: this.licenseServers, readBackScript: this.readBackScript });
    }
}
