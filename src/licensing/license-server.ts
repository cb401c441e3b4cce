import type { ContactInfo, InstallSpec, InstalledKeyPack, KeyPack, ServerStatus } from "./operations";

/** The source of a migration: its computer name and its license server ID (as `status()` reads it). */
export interface MigrationSource {
    server: string;
    licenseServerId: string;
}

/**
 * One license server, the WMI surface in typed form. Failures reject with a LicensingError.
 * Implemented over an OperationExecutor by ../scheduling/ (which shares executions between callers).
 */
export interface LicenseServer {
    readonly name: string;
    status(): Promise<ServerStatus>;
    activate(contact: ContactInfo): Promise<ServerStatus>;
    deactivate(): Promise<ServerStatus>;
    /** Every key pack except the built-in one. */
    listKeyPacks(): Promise<KeyPack[]>;
    /** Install a pack; `allowReinstall`: see the install operation in operations.ts. */
    install(spec: InstallSpec, requestKey: string, options?: { allowReinstall?: boolean }): Promise<InstalledKeyPack>;
    /**
     * Migrate `spec.count` licenses of the pack from `source` to this server (Import*: see InstallOrigin
     * in operations.ts); idempotent under `requestKey`. The source keeps its licenses until removed there.
     */
    importKeyPack(spec: InstallSpec, requestKey: string, source: MigrationSource): Promise<InstalledKeyPack>;
    /**
     * ConvertLicenses: `spec.count` available licenses of key pack `keyPackId` into a new key pack of
     * `spec.licenseType`; idempotent under `requestKey` (a retry returns the pack the first call made).
     */
    convertLicenses(keyPackId: number, spec: InstallSpec, requestKey: string): Promise<InstalledKeyPack>;
    /** Remove `count` available (not issued) licenses; with `expectedTotal`, only if the total still is that. */
    removeLicenses(keyPackId: number, count: number, expectedTotal?: number): Promise<KeyPack>;
    /** Uninstall a pack; with `refuseIfIssued`, refuse while licenses of it are issued. */
    uninstall(keyPackId: number, refuseIfIssued?: boolean): Promise<void>;
}
