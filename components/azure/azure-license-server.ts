import type * as compute from "@pulumi/azure-native/compute";
import { RESOURCE_TYPES } from "../../src/licensing/resource-types";
import * as pulumi from "@pulumi/pulumi";
import type { AzureLicenseServerArgs } from "./args";
import type { RoleInstallation } from "./roles-step";
import { resolveAzureLicenseServerArgs } from "./resolve-args";
import { createAzureLicenseServer, licenseServerFqdn, type AzureRunCommandConnection } from "./build";

/**
 * An RD License Server on an Azure VM: resource group (or an existing one), network with no
 * inbound RDP from the internet and no public IP by default, a Windows Server VM with Trusted
 * Launch, managed boot diagnostics and a system-assigned identity, an optional domain join, and
 * the RD Licensing role (plus RD Connection Broker on request) installed by a RoleInstallation
 * step: when Windows needs a restart to finish, the step restarts the VM and completes only once the
 * VM agent is ready again, so the activation and CAL installs that depend on it never run into a reboot.
 *
 * Activation and CAL packs come next, through the licensing resources with `connection`; point
 * the deployment at the server last with {@link LicensingConfiguration}.
 *
 * @example A license server in a new network, password generated
 * ```ts
 * const server = new AzureLicenseServer("rdls", {
 *     serverName: "RDLS01",
 *     location: "westeurope",
 * });
 * export const privateIp = server.privateIpAddress;
 * export const adminPassword = server.adminPassword; // secret
 * ```
 *
 * @example In an existing subnet, domain-joined, with the Connection Broker role
 * ```ts
 * const cfg = new pulumi.Config();
 * const server = new AzureLicenseServer("rdls", {
 *     serverName: "RDCB01",
 *     location: "westeurope",
 *     windowsServerVersion: AzureWindowsServerVersion.WS2025,
 *     resourceGroupName: "rg-rds-prod",
 *     createResourceGroup: false,
 *     network: { subnetId: "/subscriptions/.../virtualNetworks/hub/subnets/servers" },
 *     allowRdpFrom: ["10.0.0.0/8"],
 *     domain: {
 *         name: "corp.contoso.com",
 *         ouPath: "OU=RDS,DC=corp,DC=contoso,DC=com",
 *         joinUser: "CORP\\svc-join",
 *         joinPassword: cfg.requireSecret("joinPassword"),
 *     },
 *     connectionBroker: true,
 * });
 * ```
 *
 * @example Wiring the licensing resources and the licensing configuration
 * ```ts
 * const activation = new LicenseServerActivation("rdls-activation",
 *     { connection: server.connection, server: server.computerName, serverInstance: server.vm.vmId, contact },
 *     { dependsOn: [server.roles] });
 * const pack = new CalKeyPack("rdls-ea", {
 *     connection: server.connection, server: server.computerName, serverInstance: server.vm.vmId,
 *     program: "enterprise-agreement", agreementNumber: cfg.requireSecret("eaNumber"),
 *     productVersion: "2022", licenseType: "per-user", count: 50,
 * }, { dependsOn: [activation] });
 * new LicensingConfiguration("rdls-licensing", { server, mode: LicensingMode.PerUser, after: [activation, pack] });
 * ```
 */
export class AzureLicenseServer extends pulumi.ComponentResource {
    /** ARM ID of the VM. */
    public readonly vmId: pulumi.Output<string>;
    public readonly vmName: pulumi.Output<string>;
    public readonly resourceGroupName: pulumi.Output<string>;
    public readonly location: string;
    /** The computer name, which the licensing resources take as `server`. */
    public readonly computerName: string;
    /** The name clients and session hosts use for the license server (FQDN when domain-joined). */
    public readonly licenseServerFqdn: string;
    public readonly privateIpAddress: pulumi.Output<string>;
    /** Only with `publicIp: true`. */
    public readonly publicIpAddress: pulumi.Output<string | undefined>;
    /** Object ID of the VM's system-assigned identity, for role assignments. */
    public readonly principalId: pulumi.Output<string>;
    /** ARM ID of the subnet its NIC is in (the one given, or the one it created): session hosts can join it. */
    public readonly subnetId: pulumi.Output<string>;
    public readonly adminUsername: string;
    /** Secret. */
    public readonly adminPassword: pulumi.Output<string>;
    /** For the licensing resources (`connection` input); never holds a credential. */
    public readonly connection: pulumi.Output<AzureRunCommandConnection>;
    public readonly vm: compute.VirtualMachine;
    /** Only with `domain`. */
    public readonly domainJoin: compute.VirtualMachineExtension | undefined;
    /**
     * The role installation (a RoleInstallation resource): done once the roles are installed and
     * the VM's agent is ready after any restart. Activation must depend on it.
     */
    public readonly roles: RoleInstallation;
    /** @deprecated Use `roles`: the roles are no longer a run command resource. The same resource. */
    public readonly rolesRunCommand: RoleInstallation;

    constructor(name: string, args: AzureLicenseServerArgs, opts?: pulumi.ComponentResourceOptions) {
        // Checked before anything is registered, the component included.
        const resolved = resolveAzureLicenseServerArgs(name, args);
        super(RESOURCE_TYPES.azureLicenseServer, name, {}, opts);
        const built = createAzureLicenseServer(name, this, resolved);

        this.vm = built.vm;
        this.vmId = built.vm.id;
        this.vmName = built.vm.name;
        this.resourceGroupName = built.resourceGroupName;
        this.location = resolved.location;
        this.computerName = resolved.serverName;
        this.licenseServerFqdn = licenseServerFqdn(resolved);
        this.privateIpAddress = built.network.nic.ipConfigurations.apply((configs) => configs?.[0]?.privateIPAddress ?? "");
        this.publicIpAddress = built.network.publicIp ? built.network.publicIp.ipAddress : pulumi.output(undefined);
        this.subnetId = built.network.subnetId;
        this.principalId = built.vm.identity.apply((identity) => identity?.principalId ?? "");
        this.adminUsername = resolved.adminUsername;
        this.adminPassword = built.adminPassword;
        this.connection = built.connection;
        this.domainJoin = built.domainJoin;
        this.roles = built.roles;
        this.rolesRunCommand = built.roles;

        this.registerOutputs({
            vmId: this.vmId,
            vmName: this.vmName,
            resourceGroupName: this.resourceGroupName,
            location: this.location,
            computerName: this.computerName,
            licenseServerFqdn: this.licenseServerFqdn,
            privateIpAddress: this.privateIpAddress,
            publicIpAddress: this.publicIpAddress,
            principalId: this.principalId,
            subnetId: this.subnetId,
            adminUsername: this.adminUsername,
            adminPassword: this.adminPassword,
            connection: this.connection,
        });
    }
}
