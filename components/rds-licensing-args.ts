/**
 * RdsLicensing's arguments, and what it refuses in them before it registers anything (so at
 * `preview`). They mirror the stack config (README, "Stack config"): a setting has the same path in
 * both, and the farm's checks (src/licensing/farm-checks.ts) name it the same way.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { LicenseProgram, LicenseType, ProductVersion } from "../src/licensing/codes";
import { farmSpecFindings, type FarmSpec, type PlanFinding } from "../src/licensing/farm-checks";
import type { AzureLicenseServerArgs, LicensingMode } from "./azure";
import type { CalNumbersVaultNetworkArgs, NumbersDelivery } from "./azure/numbers-vault";
import type { ActivationContact } from "./license-server-activation";
import type { SessionHostSpec } from "./simulated-deployment";

/** One CAL pack of an {@link RdsLicensing}. */
export interface RdsCalPackArgs {
    /** Unique within the component; names the child resource `${name}-<pack name>`. */
    name: string;
    program: LicenseProgram;
    /**
     * Agreement programs: 7 digits. Always a secret: the component wraps every number with
     * `pulumi.secret` whatever it is given, so a plain string never reaches state in plain text.
     * Pass it as written (the provider normalizes it where it is used).
     * @default undefined (required by the agreement programs)
     */
    agreementNumber?: pulumi.Input<string>;
    /**
     * Open License: 8 digits. Always a secret (wrapped with `pulumi.secret` whatever it is given).
     * @default undefined (required by `open-license`)
     */
    licenseNumber?: pulumi.Input<string>;
    /**
     * Open License: 15 letters or digits. Always a secret (wrapped with `pulumi.secret` whatever it is given).
     * @default undefined (required by `open-license`)
     */
    authorizationNumber?: pulumi.Input<string>;
    /**
     * Retail: 25 letters or digits, hyphens allowed. Always a secret (wrapped with `pulumi.secret` whatever it is given).
     * @default undefined (required by `retail`)
     */
    licenseCode?: pulumi.Input<string>;
    /** Not newer than its license server's `windowsServerVersion`: the component refuses such a pack at preview. */
    productVersion: ProductVersion;
    licenseType: LicenseType;
    count: pulumi.Input<number>;
    /**
     * The license server it is installed on: the `name` of one of `licenseServers`.
     * @default the first license server
     * @example A per-device pack on the second server
     * ```ts
     * {
     *     name: "open-devices", licenseServer: "RDLS02", program: "open-license",
     *     licenseNumber: cfg.requireSecret("openLicenseNumber"), authorizationNumber: cfg.requireSecret("openAuthorization"),
     *     productVersion: "2022", licenseType: "per-device", count: 25,
     * }
     * ```
     */
    licenseServer?: string;
    /**
     * Take over this key pack of the server instead of installing one. At most one pack of the
     * component may adopt a given key pack (two would count its licenses twice).
     * @default undefined
     */
    adoptKeyPackId?: number;
    /**
     * Let `destroy` (or removing the pack) uninstall it while licenses are issued.
     * @default false
     */
    allowDeleteWithIssuedLicenses?: boolean;
}

/** A license server of an {@link RdsLicensing}: its computer name, Windows Server version and activation. */
export interface RdsLicenseServerArgs {
    /** Computer name (1 to 15 letters, digits or hyphens). Session hosts list it by this name. */
    name: string;
    /** Its Windows Server version: it holds CALs of this version or older, and serves hosts of this version or older. */
    windowsServerVersion: ProductVersion;
    /** Activation contact (name, company, ISO 3166 country code, optional e-mail). */
    contact: pulumi.Input<ActivationContact>;
    /**
     * Deactivate the server with the Clearinghouse when it is deleted.
     * @default false
     */
    deactivateOnDelete?: boolean;
}

/** The RDS deployment of an {@link RdsLicensing} (simulator target): its broker, hosts and licensing. */
export interface RdsDeploymentArgs {
    /** Computer name of the RD Connection Broker (it may be one of the license servers). */
    broker: string;
    /**
     * The deployment's session hosts; adding or removing one changes only that host.
     * @default []
     * @example
     * ```ts
     * sessionHosts: [{ name: "RDSH01", windowsServerVersion: "2019" }, { name: "RDSH02", windowsServerVersion: "2022" }]
     * ```
     */
    sessionHosts?: SessionHostSpec[];
    /**
     * The license servers its hosts ask for CALs, in preference order (names or FQDNs). A name the
     * component does not manage is allowed, with a warning at preview.
     * @default every license server of the component, in their order
     */
    licenseServers?: string[];
    /**
     * Set the deployment back to NotConfigured when it is deleted from the program.
     * @default false
     */
    resetOnDelete?: boolean;
    /**
     * Manage a deployment of this broker that is already in the simulator store, without ever deleting it.
     * @default false
     */
    adoptExisting?: boolean;
}

/** A session host outside any deployment (simulator target), licensed on its own (`Win32_TerminalServiceSetting`). */
export interface RdsSessionHostArgs extends SessionHostSpec {
    /**
     * Its licensing mode.
     * @default the component's `licensingMode`
     */
    mode?: LicensingMode;
    /**
     * License servers in preference order (names or FQDNs).
     * @default every license server of the component, in their order
     */
    licenseServers?: string[];
    /**
     * Set the host back to NotConfigured when it is deleted from the program.
     * @default false
     */
    resetOnDelete?: boolean;
    /**
     * Manage a host of this name that is already in the simulator store, without ever deleting it.
     * @default false
     */
    adoptExisting?: boolean;
}

/** The Azure target's VM, plus how the CAL numbers reach it. */
export interface RdsLicensingAzureArgs extends AzureLicenseServerArgs {
    /**
     * How the CAL numbers reach the VM. `protected-parameters`: in the managed Run Command's
     * protected parameter, which the VM hands to the script on its command line while it runs
     * (local administrators can read it there: see docs/secrets-on-the-vm.md). `key-vault`: each
     * pack's numbers go to a Key Vault secret that only the VM's identity may read, and the script
     * reads them from there; no number is ever on a command line.
     * @default "protected-parameters"
     * @example Numbers through Key Vault
     * ```ts
     * numbersDelivery: NumbersDelivery.KeyVault
     * ```
     */
    numbersDelivery?: NumbersDelivery;
    /**
     * With `key-vault`: an existing vault (ARM ID, Azure RBAC mode) to hold the secrets.
     * @default undefined (a new vault in the VM's resource group)
     */
    numbersVaultId?: string;
    /**
     * With `key-vault` and a new vault: who may reach it over the network.
     * @default the public endpoint open to the network, Azure RBAC deciding who reads
     * @example Only the license server's subnet (with the Microsoft.KeyVault service endpoint)
     * ```ts
     * numbersVaultNetwork: { allowedSubnetIds: [subnetId] }
     * ```
     */
    numbersVaultNetwork?: CalNumbersVaultNetworkArgs;
}

/** The AzureLicenseServer's own arguments: the azure args without the numbers' delivery. */
export function azureLicenseServerArgsOf(azure: RdsLicensingAzureArgs): AzureLicenseServerArgs {
    const { numbersDelivery: _delivery, numbersVaultId: _vault, numbersVaultNetwork: _network, ...server } = azure;
    return server;
}

export interface RdsLicensingArgs {
    /**
     * Where the license server runs. `simulator` creates servers (and the farm) in rdls-sim; `azure`
     * builds an AzureLicenseServer VM from `azure` (see examples/azure): one license server, no farm yet.
     * @default "simulator"
     */
    target?: "simulator" | "azure";
    /**
     * The Azure VM, with `target: "azure"`. Its `serverName` must be `licenseServer.name`.
     * @default undefined
     */
    azure?: RdsLicensingAzureArgs;
    /**
     * The licensing mode. Simulator target: the deployment's mode and the default of each standalone
     * host's (required with `deployment`). Azure: pointed at the server (a LicensingConfiguration run
     * command) once the activation and every pack are in place; omit to leave it alone.
     * @default undefined
     */
    licensingMode?: LicensingMode;
    /**
     * The license server, when there is one; or use `licenseServers`. Exactly one of the two.
     * @default undefined
     */
    licenseServer?: RdsLicenseServerArgs;
    /**
     * The license servers, in preference order (simulator target); or use `licenseServer`. The first
     * one's resources keep the names a one-server component gives them (`<name>-server`,
     * `<name>-activation`), so a stack grows into several servers without replacing anything; the
     * others are `<name>-<server>-server` and `<name>-<server>-activation`.
     * @default undefined
     * @example Two license servers, the first preferred
     * ```ts
     * licenseServers: [
     *     { name: "RDLS01", windowsServerVersion: "2022", contact },
     *     { name: "RDLS02", windowsServerVersion: "2025", contact },
     * ]
     * ```
     */
    licenseServers?: RdsLicenseServerArgs[];
    /** The CAL packs to install (each on its `licenseServer`, the first by default). */
    calPacks: RdsCalPackArgs[];
    /**
     * An RDS deployment (simulator target), licensed once the servers are activated and hold their packs.
     * @default undefined
     */
    deployment?: RdsDeploymentArgs;
    /**
     * Session hosts outside the deployment (simulator target).
     * @default []
     */
    sessionHosts?: RdsSessionHostArgs[];
    /**
     * Health: warn when a host that cannot get CALs has this many grace days left or fewer.
     * @default 14
     */
    graceWarningDays?: number;
    /**
     * The simulator's store, relative to the project folder.
     * @default ".rdls-sim"
     */
    simulatorHome?: string;
    /**
     * With the simulator target: manage servers of these names that are already in the store (made
     * by another stack, or by hand) without ever deleting them. Without it, `up` refuses a server
     * this stack did not create, so one stack's `destroy` cannot delete another's server.
     * @default false
     */
    adoptExistingServer?: boolean;
}

/** The license servers the arguments declare (`licenseServer` is the one-server form). */
export function licenseServersOf(args: RdsLicensingArgs): RdsLicenseServerArgs[] {
    return args.licenseServers ?? (args.licenseServer ? [args.licenseServer] : []);
}

/** The arguments as the farm's checks read them. */
export function farmSpecOf(args: RdsLicensingArgs): FarmSpec {
    return {
        licenseServers: licenseServersOf(args),
        calPacks: args.calPacks,
        licensingMode: args.licensingMode,
        deployment: args.deployment && { ...args.deployment, sessionHosts: args.deployment.sessionHosts ?? [] },
        sessionHosts: args.sessionHosts,
    };
}

/** The servers' form: without a clear list of servers, the farm's checks cannot run. */
function serverFormProblems(args: RdsLicensingArgs): string[] {
    if (args.licenseServer && args.licenseServers) return ["licenseServer and licenseServers are both set; give the servers in one of them"];
    if (licenseServersOf(args).length === 0) return ["no license server: set licenseServer (or licenseServers)"];
    return [];
}

/** What only the component checks: pack names, adopted key packs, the Azure target's limits. */
function componentProblems(args: RdsLicensingArgs): string[] {
    const problems: string[] = [];
    if (args.target === "azure") {
        if ((args.licenseServers?.length ?? 0) > 1) problems.push("licenseServers: the azure target builds one license server VM; list one (or use the simulator target)");
        if (args.deployment) problems.push("deployment is only available with the simulator target for now");
        if ((args.sessionHosts?.length ?? 0) > 0) problems.push("sessionHosts is only available with the simulator target for now");
    }
    problems.push(...numbersDeliveryProblems(args));
    const names = new Set<string>();
    const adopters = new Map<number, string>();
    for (const pack of args.calPacks) {
        if (names.has(pack.name)) problems.push(`calPacks: the name "${pack.name}" is used twice; pack names must be unique`);
        names.add(pack.name);
        if (pack.adoptKeyPackId === undefined) continue;
        const first = adopters.get(pack.adoptKeyPackId);
        if (first !== undefined) {
            problems.push(`calPacks "${first}" and "${pack.name}" both adopt key pack ${pack.adoptKeyPackId}; both would count its licenses. Keep adoptKeyPackId in one of them`);
        } else adopters.set(pack.adoptKeyPackId, pack.name);
    }
    return problems;
}

/** The Azure numbers' delivery: a known value, and the vault settings only with `key-vault`. */
function numbersDeliveryProblems(args: RdsLicensingArgs): string[] {
    const azure = args.azure;
    if (!azure) return [];
    const delivery = azure.numbersDelivery ?? "protected-parameters";
    if (delivery !== "protected-parameters" && delivery !== "key-vault") {
        return [`azure.numbersDelivery is "${String(delivery)}"; use "protected-parameters" (the default) or "key-vault"`];
    }
    if (delivery === "key-vault") return [];
    return (["numbersVaultId", "numbersVaultNetwork"] as const)
        .filter((key) => azure[key] !== undefined)
        .map((key) => `azure.${key} applies only with azure.numbersDelivery "key-vault"; set numbersDelivery: "key-vault", or remove ${key}`);
}

/**
 * What RdsLicensing refuses in its arguments, before it registers anything (so at `preview`): the
 * component's own checks, then the farm's errors (CALs newer than their server, CALs never issued,
 * hosts no CAL serves...), each as `RdsLicensing <name>: <setting>: <problem>. Fix: <fix>`.
 */
export function rdsLicensingArgsProblems(name: string, args: RdsLicensingArgs): string[] {
    const form = serverFormProblems(args);
    const farm = form.length > 0 ? [] : farmSpecFindings(farmSpecOf(args)).filter((f) => f.severity === "error");
    return [...form, ...componentProblems(args), ...farm.map(findingLine)].map((p) => `RdsLicensing ${name}: ${p}`);
}

/** The farm's warnings (a host listing a server the stack does not manage), reported at preview. */
export function rdsLicensingArgsWarnings(args: RdsLicensingArgs): PlanFinding[] {
    return serverFormProblems(args).length > 0 ? [] : farmSpecFindings(farmSpecOf(args)).filter((f) => f.severity === "warning");
}

export const findingLine = (f: PlanFinding) => `${f.setting}: ${f.message}. Fix: ${f.fix}`;
