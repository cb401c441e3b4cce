/**
 * A consumer can name every type the public API uses: `import type { HostHealth } from "rds-licensing"`.
 * The type-level checks below import from the package by its name, which `tsc -p tsconfig.json` (run
 * by `npm test`) resolves as a user's project does, through package.json `exports` (its `types`,
 * dist/components/index.d.ts: in this project tsc reads the source that declaration is built from),
 * and compare each with the sources'. consumer.test.ts compiles a program naming them against the
 * declarations of the packed tarball. The walk over the public signatures (components/index.ts's
 * exports: classes, args, outputs, functions) fails on a type they name that the package does not export.
 */
import type * as pulumi from "@pulumi/pulumi";
import * as ts from "typescript";
import { describe, expect, expectTypeOf, it } from "vitest";
import type * as Src from "../../components";
import { HealthFindingKind, HostLicensingMode, LicenseProgram, LICENSE_PROGRAMS, LicenseServerConnectivity, LicenseType, PRODUCT_VERSIONS } from "../../components";
import { SECRET_NUMBER_INPUTS, secretNumbers } from "../../components";
import type { ParsedStackConfig as SrcParsedStackConfig } from "../../src/config/schema";
import type {
    ActivationContact,
    AzureDomainJoinArgs,
    AzureLicenseServerArgs,
    AzureNetworkArgs,
    AzureRunCommandConnection,
    CalKeyPackArgs,
    Connection,
    DeploymentLicensingArgs,
    DynamicResource,
    FarmSpec,
    HealthFinding,
    HostCoverage,
    HostHealth,
    HostLicensingArgs,
    LicenseServerActivationArgs,
    LicenseServerConfig,
    LicensingConfigurationArgs,
    LicensingConfigurationTarget,
    LicensingMode,
    LicensingSettings,
    PlanFinding,
    PlannedLicenseServer,
    PolicySources,
    ProductVersion,
    RdsCalPackArgs,
    RdsDeploymentArgs,
    RdsLicenseServerArgs,
    RdsLicenseServerOutputs,
    RdsLicensing,
    RdsLicensingArgs,
    RdsPackOutputs,
    RdsSessionHostArgs,
    RolesScriptOptions,
    SecretNumberInput,
    SessionHostLicensing,
    SessionHostSpec,
    SimulatedDeploymentArgs,
    SimulatedLicenseServerArgs,
    SimulatedSessionHostArgs,
    SimulatorConnection,
    SshConnection,
    StackConfig,
    DeploymentLicensingMode as PkgDeploymentLicensingMode,
    HealthFindingKind as PkgHealthFindingKind,
    HostLicensingMode as PkgHostLicensingMode,
    LicenseProgram as PkgLicenseProgram,
    LicenseServerConnectivity as PkgLicenseServerConnectivity,
    LicenseType as PkgLicenseType,
} from "rds-licensing";
import { publicApiGaps, PUBLIC_ENTRY, repoCompilerOptions } from "./typescript-api";

describe("the public API's types", () => {
    it("are all exported: no public signature names a type a consumer cannot import", () => {
        const program = ts.createProgram([PUBLIC_ENTRY], repoCompilerOptions());
        const gaps = publicApiGaps(program).map((g) => `${g.name} (${g.file}), used by ${g.usedBy}`);
        // Local aliases the package exports under a name of their own (the same type, proved below).
        const standIns = [/^SecretNumberInput \(components\/cal-key-pack\.ts\)/, /^ParsedConfig \(src\/config\/schema\.ts\)/];
        expect(gaps.filter((g) => !standIns.some((s) => s.test(g)))).toEqual([]);
    }, 60_000);

    it("stand in for the local aliases of the signatures", () => {
        expectTypeOf<Parameters<typeof secretNumbers>[0]>().toEqualTypeOf<Partial<Record<SecretNumberInput, pulumi.Input<string> | undefined>>>();
        expectTypeOf<SecretNumberInput>().toEqualTypeOf<(typeof SECRET_NUMBER_INPUTS)[number]>();
        expectTypeOf<SrcParsedStackConfig>().toEqualTypeOf<Src.ParsedStackConfig>();
    });

    it("are the same from the package (dist/*.d.ts through `exports`) as in the sources", () => {
        expectTypeOf<Connection>().toEqualTypeOf<Src.Connection>();
        expectTypeOf<SimulatorConnection>().toEqualTypeOf<Src.SimulatorConnection>();
        expectTypeOf<AzureRunCommandConnection>().toEqualTypeOf<Src.AzureRunCommandConnection>();
        expectTypeOf<SshConnection>().toEqualTypeOf<Src.SshConnection>();
        expectTypeOf<PkgLicenseProgram>().toEqualTypeOf<Src.LicenseProgram>();
        expectTypeOf<ProductVersion>().toEqualTypeOf<Src.ProductVersion>();
        expectTypeOf<PkgLicenseType>().toEqualTypeOf<Src.LicenseType>();
        expectTypeOf<LicensingMode>().toEqualTypeOf<Src.LicensingMode>();
        expectTypeOf<PkgHostLicensingMode>().toEqualTypeOf<Src.HostLicensingMode>();
        expectTypeOf<PkgDeploymentLicensingMode>().toEqualTypeOf<Src.DeploymentLicensingMode>();
        expectTypeOf<PkgLicenseServerConnectivity>().toEqualTypeOf<Src.LicenseServerConnectivity>();
        expectTypeOf<SessionHostLicensing>().toEqualTypeOf<Src.SessionHostLicensing>();
        expectTypeOf<LicensingSettings>().toEqualTypeOf<Src.LicensingSettings>();
        expectTypeOf<PolicySources>().toEqualTypeOf<Src.PolicySources>();
        expectTypeOf<HostHealth>().toEqualTypeOf<Src.HostHealth>();
        expectTypeOf<HostCoverage>().toEqualTypeOf<Src.HostCoverage>();
        expectTypeOf<HealthFinding>().toEqualTypeOf<Src.HealthFinding>();
        expectTypeOf<PkgHealthFindingKind>().toEqualTypeOf<Src.HealthFindingKind>();
        expectTypeOf<ActivationContact>().toEqualTypeOf<Src.ActivationContact>();
        expectTypeOf<CalKeyPackArgs>().toEqualTypeOf<Src.CalKeyPackArgs>();
        expectTypeOf<LicenseServerActivationArgs>().toEqualTypeOf<Src.LicenseServerActivationArgs>();
        expectTypeOf<SimulatedLicenseServerArgs>().toEqualTypeOf<Src.SimulatedLicenseServerArgs>();
        expectTypeOf<SimulatedDeploymentArgs>().toEqualTypeOf<Src.SimulatedDeploymentArgs>();
        expectTypeOf<SimulatedSessionHostArgs>().toEqualTypeOf<Src.SimulatedSessionHostArgs>();
        expectTypeOf<SessionHostSpec>().toEqualTypeOf<Src.SessionHostSpec>();
        expectTypeOf<DeploymentLicensingArgs>().toEqualTypeOf<Src.DeploymentLicensingArgs>();
        expectTypeOf<HostLicensingArgs>().toEqualTypeOf<Src.HostLicensingArgs>();
        expectTypeOf<RdsLicensingArgs>().toEqualTypeOf<Src.RdsLicensingArgs>();
        expectTypeOf<RdsCalPackArgs>().toEqualTypeOf<Src.RdsCalPackArgs>();
        expectTypeOf<RdsLicenseServerArgs>().toEqualTypeOf<Src.RdsLicenseServerArgs>();
        expectTypeOf<RdsDeploymentArgs>().toEqualTypeOf<Src.RdsDeploymentArgs>();
        expectTypeOf<RdsSessionHostArgs>().toEqualTypeOf<Src.RdsSessionHostArgs>();
        expectTypeOf<RdsPackOutputs>().toEqualTypeOf<Src.RdsPackOutputs>();
        expectTypeOf<RdsLicenseServerOutputs>().toEqualTypeOf<Src.RdsLicenseServerOutputs>();
        expectTypeOf<AzureLicenseServerArgs>().toEqualTypeOf<Src.AzureLicenseServerArgs>();
        expectTypeOf<AzureNetworkArgs>().toEqualTypeOf<Src.AzureNetworkArgs>();
        expectTypeOf<AzureDomainJoinArgs>().toEqualTypeOf<Src.AzureDomainJoinArgs>();
        expectTypeOf<LicensingConfigurationArgs>().toEqualTypeOf<Src.LicensingConfigurationArgs>();
        expectTypeOf<LicensingConfigurationTarget>().toEqualTypeOf<Src.LicensingConfigurationTarget>();
        expectTypeOf<FarmSpec>().toEqualTypeOf<Src.FarmSpec>();
        expectTypeOf<PlanFinding>().toEqualTypeOf<Src.PlanFinding>();
        expectTypeOf<PlannedLicenseServer>().toEqualTypeOf<Src.PlannedLicenseServer>();
        expectTypeOf<StackConfig>().toEqualTypeOf<Src.StackConfig>();
        expectTypeOf<LicenseServerConfig>().toEqualTypeOf<Src.LicenseServerConfig>();
        expectTypeOf<RolesScriptOptions>().toEqualTypeOf<Src.RolesScriptOptions>();
        expectTypeOf<DynamicResource>().toEqualTypeOf<Src.DynamicResource>();
    });

    it("type the outputs and inputs a program reads and writes", () => {
        expectTypeOf<RdsLicensing["health"]>().toEqualTypeOf<pulumi.Output<HostHealth[]>>();
        expectTypeOf<RdsLicensing["findings"]>().toEqualTypeOf<pulumi.Output<HealthFinding[]>>();
        expectTypeOf<HostHealth["mode"]>().toEqualTypeOf<PkgHostLicensingMode>();
        expectTypeOf<SessionHostLicensing["connectivity"][number]["status"]>().toEqualTypeOf<PkgLicenseServerConnectivity>();
        expectTypeOf<RdsCalPackArgs["program"]>().toEqualTypeOf<PkgLicenseProgram>();
        expectTypeOf<RdsCalPackArgs["productVersion"]>().toEqualTypeOf<ProductVersion>();
        expectTypeOf<RdsCalPackArgs["licenseType"]>().toEqualTypeOf<PkgLicenseType>();
        expectTypeOf<NonNullable<RdsLicensingArgs["licensingMode"]>>().toEqualTypeOf<LicensingMode>();
        expectTypeOf<CalKeyPackArgs["connection"]>().toEqualTypeOf<pulumi.Input<Connection>>();
        expectTypeOf<ProductVersion>().toEqualTypeOf<"2016" | "2019" | "2022" | "2025">();
        expectTypeOf<PkgLicenseType>().toEqualTypeOf<"per-user" | "per-device">();
        // What a program writes with the named types compiles (a typo in a literal would not).
        const pack: RdsCalPackArgs = { name: "ea", program: "enterprise-agreement", agreementNumber: "1234567", productVersion: "2022", licenseType: "per-user", count: 5 };
        const server: RdsLicenseServerArgs = { name: "RDLS01", windowsServerVersion: "2022", contact: { firstName: "A", lastName: "B", company: "C", countryRegion: "NL" } };
        expectTypeOf({ licenseServer: server, calPacks: [pack], licensingMode: "PerUser" as const }).toMatchTypeOf<RdsLicensingArgs>();
    });

    it("come with the values of the named vocabularies", () => {
        expect(LicenseType).toEqual({ PerUser: "per-user", PerDevice: "per-device" });
        expect(PRODUCT_VERSIONS).toEqual(["2016", "2019", "2022", "2025"]);
        expect(LicenseProgram.EnterpriseAgreement).toBe("enterprise-agreement");
        expect(Object.values(LicenseProgram).sort()).toEqual([...LICENSE_PROGRAMS].sort());
        expect(HostLicensingMode).toEqual({ PerUser: "PerUser", PerDevice: "PerDevice", NotConfigured: "NotConfigured" });
        expect(LicenseServerConnectivity.Valid).toBe(11);
        expect(HealthFindingKind.NoCoverage).toBe("no-coverage");
    });
});
