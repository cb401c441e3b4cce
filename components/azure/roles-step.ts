/**
 * The Remote Desktop roles of an Azure VM as one step of the deployment that *waits*: the
 * RoleInstallation resource installs the Windows features through managed Run Command and, when
 * Windows needs a restart to finish, restarts the VM through Azure Resource Manager and returns only
 * once the VM agent reports ready again. Whatever depends on it (activation, CAL installs, the RDS
 * deployment) therefore never runs into a reboot.
 *
 * A building block of AzureLicenseServer and AzureSessionHostPool, not (yet) exported from the
 * package: its JSDoc carries no @example, since examples are type-checked against the package's
 * exports (test/package/jsdoc-examples.test.ts).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { RdsRoleFeature } from "../../src/drivers/powershell/roles-script";
import { DEFAULT_ROLES_TIMEOUT_SECONDS, ROLES_TIMEOUT_RANGE, roleInstallationInputsSchema } from "../../src/providers/role-installation/inputs";
import type { AzureRunCommandConnection } from "../connection";
import { DynamicResource, PROVIDER_VERSION } from "../dynamic-resource";

export interface RoleInstallationArgs {
    /**
     * The VM, reached with managed Run Command (credentials: DefaultAzureCredential in the provider's
     * environment). Another VM replaces the resource.
     */
    connection: pulumi.Input<AzureRunCommandConnection>;
    /**
     * Windows feature names to install (Get-WindowsFeature); at least one. Adding a feature is an
     * in-place update that installs it; a feature removed from the list stays installed.
     */
    features: pulumi.Input<pulumi.Input<RdsRoleFeature>[]>;
    /**
     * Bound of the whole step: the agent wait before the install, the install script (Run Command
     * stops scripts after 90 minutes) and the restart with its agent wait after it; 60 to 16200.
     * @default 3600
     */
    timeoutSeconds?: pulumi.Input<number>;
}

/**
 * The RD roles of an Azure VM (RD Licensing, RD Connection Broker, RD Session Host), installed and
 * waited for. `create` and `update` wait for the VM agent (a domain join just restarted the VM),
 * run the idempotent roles script, and when it reports that a restart is needed, restart the VM
 * through ARM (`virtualMachines.restart`) and wait for the agent again. `read` runs nothing on the
 * VM (refresh keeps the stored state: roles are not drift this resource repairs); `delete` removes
 * nothing (the roles stay installed on the VM).
 */
export class RoleInstallation extends DynamicResource {
    declare readonly connection: pulumi.Output<AzureRunCommandConnection>;
    declare readonly features: pulumi.Output<RdsRoleFeature[]>;
    declare readonly timeoutSeconds: pulumi.Output<number>;
    /** `"installed"` when the last create or update installed a feature, `"present"` when all were there. */
    declare readonly state: pulumi.Output<string>;
    /** Whether the last create or update restarted the VM to finish the install. */
    declare readonly restarted: pulumi.Output<boolean>;

    constructor(name: string, args: RoleInstallationArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            "roleInstallation",
            { module: "azure", name: "RoleInstallation" },
            name,
            {
                connection: args.connection,
                features: args.features,
                timeoutSeconds: args.timeoutSeconds ?? DEFAULT_ROLES_TIMEOUT_SECONDS,
                providerVersion: PROVIDER_VERSION,
                state: undefined,
                restarted: undefined,
            },
            opts,
        );
    }
}

export { DEFAULT_ROLES_TIMEOUT_SECONDS, ROLES_TIMEOUT_RANGE };

export interface RolesStepArgs {
    /**
     * The VM, reached with managed Run Command.
     */
    connection: pulumi.Input<AzureRunCommandConnection>;
    /**
     * Windows features to install; at least one, none twice.
     */
    features: RdsRoleFeature[];
    /**
     * Bound of the whole step (agent waits, scripts, restart), 60 to 16200 seconds.
     * @default 3600
     */
    timeoutSeconds?: number;
}

const stepArgsSchema = roleInstallationInputsSchema.pick({ features: true, timeoutSeconds: true });

/** Throws one Error naming each bad setting (`features`, `timeoutSeconds`), before anything is registered. */
export function checkRolesStepArgs(name: string, args: Pick<RolesStepArgs, "features" | "timeoutSeconds">): void {
    const parsed = stepArgsSchema.safeParse({ features: args.features, timeoutSeconds: args.timeoutSeconds });
    if (parsed.success) return;
    const problems = parsed.error.issues.map((i) => `  - ${i.path.map(String).join(".")} ${i.message}`);
    throw new Error(`${name}: invalid role installation arguments:\n${problems.join("\n")}`);
}

/**
 * The roles step of a VM (license server, broker or session host): a {@link RoleInstallation}
 * named `name`. Pass `dependsOn` the domain join (its restart is waited for) and `parent` the
 * component; make the next step depend on the returned resource.
 */
export function createRolesStep(name: string, args: RolesStepArgs, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
    return roleInstallationStep(name, args, opts);
}

/** {@link createRolesStep} with the resource's own type (its `state` and `restarted` outputs). */
export function roleInstallationStep(name: string, args: RolesStepArgs, opts: pulumi.CustomResourceOptions): RoleInstallation {
    checkRolesStepArgs(name, args);
    return new RoleInstallation(name, { connection: args.connection, features: [...args.features], timeoutSeconds: args.timeoutSeconds }, opts);
}
