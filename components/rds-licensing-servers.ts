/**
 * RdsLicensing's license servers: each one provisioned for the target (a simulated server, or the
 * Azure VM with its roles) and activated, as children of the component.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Connection } from "./connection";
import { LicenseServerActivation } from "./license-server-activation";
import { SimulatedLicenseServer } from "./simulated-license-server";
// azure-native submodules load lazily: importing them costs the simulator target under 0.1 s.
import { AzureLicenseServer } from "./azure";
import { azureLicenseServerArgsOf, type RdsLicenseServerArgs, type RdsLicensingArgs } from "./rds-licensing-args";

/** A license server as the rest of the component uses it. */
export interface ProvisionedServer {
    /** As declared (the name packs and hosts refer to). */
    name: string;
    connection: pulumi.Output<Connection>;
    serverName: pulumi.Output<string>;
    /** Changes when the server is rebuilt: its packs and activation are then applied again. */
    serverInstance: pulumi.Output<string>;
    activation: LicenseServerActivation;
    azure?: AzureLicenseServer;
}

/**
 * Child names of the `index`-th server: the first keeps those of a one-server component
 * (`<name>-server`, `<name>-activation`), so adding a second server replaces nothing.
 */
export function serverPrefix(name: string, server: RdsLicenseServerArgs, index: number): string {
    return index === 0 ? name : `${name}-${server.name.toLowerCase()}`;
}

/** The machine for the target: a simulated server, or the Azure VM (roles installed first). */
function provisionMachine(prefix: string, server: RdsLicenseServerArgs, args: RdsLicensingArgs, parent: pulumi.Resource) {
    if (args.target === "azure") {
        if (!args.azure) throw new Error(`RdsLicensing ${prefix}: azure is required with target "azure"`);
        if (args.azure.serverName !== server.name) {
            throw new Error(`RdsLicensing ${prefix}: azure.serverName (${args.azure.serverName}) must be licenseServer.name (${server.name})`);
        }
        const azure = new AzureLicenseServer(`${prefix}-azure`, azureLicenseServerArgsOf(args.azure), { parent });
        return {
            connection: azure.connection,
            serverName: pulumi.output(azure.computerName),
            // The VM's unique ID (not its ARM ID, which a VM recreated under the same name keeps).
            serverInstance: azure.vm.vmId,
            // Activation runs a script on the VM: the roles must be installed first.
            ready: [azure.rolesRunCommand] as pulumi.Resource[],
            azure,
        };
    }
    const simulated = new SimulatedLicenseServer(
        `${prefix}-server`,
        {
            home: args.simulatorHome ?? ".rdls-sim",
            serverName: server.name,
            windowsServerVersion: server.windowsServerVersion,
            adoptExisting: args.adoptExistingServer ?? false,
        },
        { parent },
    );
    // Every licensing resource names the server through these outputs, so each depends on it.
    return {
        connection: simulated.home.apply((home) => ({ kind: "simulator" as const, home })),
        serverName: simulated.serverName,
        serverInstance: simulated.instanceId,
        ready: [] as pulumi.Resource[],
    };
}

/** Provision and activate one license server. */
export function provisionServer(name: string, server: RdsLicenseServerArgs, index: number, args: RdsLicensingArgs, parent: pulumi.Resource): ProvisionedServer {
    const prefix = serverPrefix(name, server, index);
    const machine = provisionMachine(prefix, server, args, parent);
    const activation = new LicenseServerActivation(
        `${prefix}-activation`,
        {
            connection: machine.connection,
            server: machine.serverName,
            contact: server.contact,
            deactivateOnDelete: server.deactivateOnDelete ?? false,
            serverInstance: machine.serverInstance,
        },
        { parent, dependsOn: machine.ready },
    );
    const provisioned: ProvisionedServer = { name: server.name, ...machine, activation };
    delete (provisioned as { ready?: unknown }).ready;
    return provisioned;
}
