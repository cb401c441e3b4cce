/**
 * The WMI licensing surface as data. One remote execution runs a batch of these operations in order
 * (one Run Command, one SSH session, one simulator execution), so the provider can share an execution
 * between resources: see ../scheduling/.
 */
import type { LicenseType, ProductVersion } from "./codes";
import type { LicenseProgram, ProgramNumbers } from "./programs";
import type { LicensingErrorData } from "./errors";

/** Activation contact information (Win32_TSLicenseServer properties). */
export interface ContactInfo {
    firstName: string;
    lastName: string;
    company: string;
    /** ISO 3166 alpha-2 code, e.g. "NL". */
    countryRegion: string;
    email?: string;
}

export type ActivationState = "activated" | "not-activated" | "unknown";

/** What GetActivationStatus, GetLicenseServerId and the singleton's properties tell. */
export interface ServerStatus {
    /** The server's computer name. */
    name: string;
    /** The Windows Server version the license server runs. */
    windowsServerVersion: ProductVersion;
    activation: ActivationState;
    /** License server ID; present once activated. */
    licenseServerId?: string;
    contact: Partial<ContactInfo>;
}

/** A key pack as Win32_TSLicenseKeyPack shows it (the built-in pack is never listed). */
export interface KeyPack {
    keyPackId: number;
    /** Win32_TSLicenseKeyPack.KeyPackType (1 retail, 2 volume, 5 open license, ...). */
    keyPackType: number;
    /** The licensing program, as RD Licensing Manager's "License Program" column names it. */
    programName: string;
    description: string;
    productVersion: ProductVersion;
    productVersionId: number;
    licenseType: LicenseType;
    totalLicenses: number;
    issuedLicenses: number;
    availableLicenses: number;
    /** ISO date, for packs that expire (SPLA and temporary packs); absent otherwise. */
    expirationDate?: string;
}

/** What an install returns: the new (or, for a repeated request key, the earlier) key pack. */
export interface InstalledKeyPack extends KeyPack {
    /** Set when the pack came back through a Reinstall* method (see `allowReinstall`). */
    reinstalled?: true;
}

interface PackShape {
    productVersion: ProductVersion;
    licenseType: LicenseType;
    count: number;
}

/**
 * What an install needs: the program, its numbers (catalog.ts) and the pack's shape. Number fields
 * are secrets: they travel only as protected parameters or stdin, and are never logged, stored in
 * plain text or echoed in errors. Where the numbers alone determine the pack (a retail code), the
 * declared version, type and count are what the buyer expects, checked against what the server installs.
 */
export type InstallSpec = { [P in LicenseProgram]: { program: P } & ProgramNumbers<P> & PackShape }[LicenseProgram];

/**
 * Where an install's licenses come from when they are not a new purchase. Both run under the
 * install's request key (a retry returns the pack the first attempt made), so a crash between a
 * migration and the source's removal, or during a conversion, converges on the next attempt.
 * - `migration`: the Import* method of the program (catalog.ts) on this (target) server, with the
 *   source server's name and product ID; the Clearinghouse counts a move, not a purchase. The licenses
 *   stay on the source until removed from it (a separate operation there).
 * - `conversion`: ConvertLicenses on key pack `keyPackId` of this server, `spec.count` of its
 *   available licenses into a new key pack of `spec.licenseType` (the other type). No number is sent.
 */
export type InstallOrigin =
    | { kind: "migration"; sourceServer: string; sourceProductId: string }
    | { kind: "conversion"; keyPackId: number };

export type Operation =
    | { op: "status" }
    | { op: "list-packs" }
    | { op: "activate"; contact: ContactInfo }
    | { op: "deactivate" }
    | {
          op: "install";
          spec: InstallSpec;
          /**
           * Idempotency key: a repeated install with the same key returns the pack the first one
           * created (if it still exists) instead of installing again. Makes retries after a crash safe.
           */
          requestKey: string;
          /**
           * When the Clearinghouse refuses a fresh install because these numbers were installed on
           * this license server before (a retail code is consumed by its first install), reinstall
           * them with the documented Reinstall*LicenseKeyPack method instead: the way back for a pack
           * uninstalled by hand, or for a rebuilt server of the same name. The result says which ran.
           * @default false
           */
          allowReinstall?: boolean;
          /** Licenses moved from another server or converted from another pack, not bought: see InstallOrigin. */
          origin?: InstallOrigin;
      }
    | {
          op: "remove-licenses";
          keyPackId: number;
          count: number;
          /**
           * Only remove when the pack's total is still this number (else kind `conflict`, nothing
           * removed), so a retry after a lost reply cannot remove twice.
           */
          expectedTotal?: number;
      }
    | {
          op: "uninstall";
          keyPackId: number;
          /** Refuse (kind `licenses-issued`, nothing changed) when licenses of the pack are issued. */
          refuseIfIssued?: boolean;
      };

export type OperationName = Operation["op"];

/** The value each operation returns on success. */
export interface OperationValues {
    status: ServerStatus;
    "list-packs": KeyPack[];
    activate: ServerStatus;
    deactivate: ServerStatus;
    install: InstalledKeyPack;
    "remove-licenses": KeyPack;
    uninstall: { keyPackId: number };
}

export type OperationResult<N extends OperationName = OperationName> =
    | { ok: true; value: OperationValues[N] }
    | { ok: false; error: LicensingErrorData };

/**
 * Runs a batch of operations against one license server in a single remote execution, in order.
 * Each operation gets its own result: one failing does not stop the others (a failing operation
 * changes nothing). A rejected promise means the execution itself failed (transport), and then no
 * operation is known to have run.
 */
export interface OperationExecutor {
    execute(server: string, operations: readonly Operation[]): Promise<OperationResult[]>;
}
