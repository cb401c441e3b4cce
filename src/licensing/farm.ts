/**
 * The farm's licensing side as data: what a session host and an RDS deployment say about licensing,
 * and the operations that read and set it. One remote execution runs a batch of them on a broker
 * (its deployment and every session host of it, reached from there) or on a standalone session
 * host, like the license server operations in ./operations.ts. Implemented by rdls-sim and by the
 * PowerShell driver (`Get/Set-RDLicenseConfiguration`, `Win32_TerminalServiceSetting`).
 */
import type { LicensingErrorData } from "./errors";
import type { ProductVersion } from "./codes";

/** A session host's licensing mode (Win32_TerminalServiceSetting.LicensingType; the deployment's -Mode). */
export const HostLicensingMode = { PerUser: "PerUser", PerDevice: "PerDevice", NotConfigured: "NotConfigured" } as const;
export type HostLicensingMode = (typeof HostLicensingMode)[keyof typeof HostLicensingMode];

/**
 * GetTStoLSConnectivityStatus: how a session host sees one license server (documented codes).
 * 1, 2 and 11 mean it can get licenses there.
 */
export const LicenseServerConnectivity = {
    Unknown: 0,
    ValidWin2008R2: 1,
    ValidWin2008: 2,
    BetaOrRtmMismatch: 3,
    LowerVersion: 4,
    NotInTscGroup: 5,
    NotConnectable: 6,
    UnknownValidity: 7,
    AccessDenied: 8,
    Vdi: 9,
    FeatureNotSupported: 10,
    Valid: 11,
} as const;
export type LicenseServerConnectivity = (typeof LicenseServerConnectivity)[keyof typeof LicenseServerConnectivity];

/** The codes that mean a host can get licenses from the server. */
export const CONNECTABLE: ReadonlySet<number> = new Set([
    LicenseServerConnectivity.ValidWin2008R2,
    LicenseServerConnectivity.ValidWin2008,
    LicenseServerConnectivity.Valid,
]);

/** The licensing settings a deployment's broker applies to all its hosts, or a standalone host has. */
export interface LicensingSettings {
    mode: HostLicensingMode;
    /** License servers in preference order (computer names or FQDNs, as configured). */
    licenseServers: string[];
}

/** Where a setting comes from: 0 set on the server, 1 Group Policy (which makes setters fail). */
export interface PolicySources {
    /** PolicySourceLicensingType is 1: the mode is set by Group Policy. */
    modeByGroupPolicy: boolean;
    /** PolicySourceConfiguredLicenseServers is 1: the server list is set by Group Policy. */
    licenseServersByGroupPolicy: boolean;
}

/** What one session host says about its licensing (one row of the Licensing Diagnoser). */
export interface SessionHostLicensing extends LicensingSettings {
    name: string;
    windowsServerVersion: ProductVersion;
    /** The deployment's broker, when the host belongs to one. */
    deployment?: string;
    /** GetGracePeriodDays: days left in the 120-day grace period (0 once it has ended). */
    graceDaysLeft: number;
    /** GetTStoLSConnectivityStatus for each listed license server, in list order. */
    connectivity: { licenseServer: string; status: LicenseServerConnectivity }[];
    policy: PolicySources;
}

/** A deployment's licensing configuration (Get-RDLicenseConfiguration) and its session hosts. */
export interface DeploymentLicensing extends LicensingSettings {
    /** The Connection Broker's name. */
    broker: string;
    sessionHosts: string[];
}

export type FarmOperation =
    /** On a broker: Get-RDLicenseConfiguration. Fails with kind `not-found` when there is no deployment. */
    | { op: "get-deployment-licensing" }
    /** On a broker: Set-RDLicenseConfiguration -Mode -LicenseServer -Force; returns the read-back. */
    | ({ op: "set-deployment-licensing" } & LicensingSettings)
    /** On a standalone session host: its Win32_TerminalServiceSetting. */
    | { op: "get-host-licensing" }
    /**
     * On a standalone session host: ChangeMode + SetSpecifiedLicenseServerList; returns the read-back.
     * A setting made by Group Policy fails with kind `invalid-parameter` (WBEM_E_INVALID_OPERATION).
     */
    | ({ op: "set-host-licensing" } & LicensingSettings)
    /** The licensing of every session host: on a broker all of its deployment's, on a host itself. */
    | { op: "read-host-licensing" };

export type FarmOperationName = FarmOperation["op"];

export interface FarmOperationValues {
    "get-deployment-licensing": DeploymentLicensing;
    "set-deployment-licensing": DeploymentLicensing;
    "get-host-licensing": SessionHostLicensing;
    "set-host-licensing": SessionHostLicensing;
    "read-host-licensing": SessionHostLicensing[];
}

export type FarmOperationResult<N extends FarmOperationName = FarmOperationName> =
    | { ok: true; value: FarmOperationValues[N] }
    | { ok: false; error: LicensingErrorData };

/**
 * Runs a batch of farm operations on one broker or standalone session host in a single remote
 * execution, in order; each operation gets its own result (see OperationExecutor).
 */
export interface FarmExecutor {
    execute(target: string, operations: readonly FarmOperation[]): Promise<FarmOperationResult[]>;
}
