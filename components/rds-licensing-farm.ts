/**
 * RdsLicensing's farm (simulator target): the deployment and standalone session hosts, pointed at
 * the license servers once those are activated and hold their packs, and the farm's health derived
 * from what the broker and hosts read back (one execution per deployment or host on each refresh)
 * and what the packs hold (src/licensing/health.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import type { SessionHostLicensing } from "../src/licensing/farm";
import { farmHealth, type HealthFinding, type HostHealth, type PackHolding } from "../src/licensing/health";
import { DeploymentLicensing } from "./deployment-licensing";
import { HostLicensing } from "./host-licensing";
import type { RdsLicensingArgs } from "./rds-licensing-args";
import type { ProvisionedServer } from "./rds-licensing-servers";
import { SimulatedDeployment } from "./simulated-deployment";
import { SimulatedSessionHost } from "./simulated-session-host";
import type { RdsPackOutputs } from "./rds-licensing";

export interface ProvisionedFarm {
    deploymentLicensing?: DeploymentLicensing;
    hostLicensing: HostLicensing[];
    health: pulumi.Output<HostHealth[]>;
    findings: pulumi.Output<HealthFinding[]>;
}

interface FarmInputs {
    servers: ProvisionedServer[];
    packs: Record<string, RdsPackOutputs>;
    /** What must be in place before a host is pointed at the servers (activations, packs). */
    after: pulumi.Resource[];
}

/** The names hosts list: as declared, or every server of the component in order. */
function listed(names: readonly string[] | undefined, servers: ProvisionedServer[]): pulumi.Input<string>[] {
    if (names) return [...names];
    return servers.map((s) => s.serverName);
}

export function provisionFarm(name: string, args: RdsLicensingArgs, farm: FarmInputs, parent: pulumi.Resource): ProvisionedFarm {
    const home = args.simulatorHome ?? ".rdls-sim";
    const connection = pulumi.output({ kind: "simulator" as const, home });
    const reads: pulumi.Output<SessionHostLicensing[]>[] = [];
    let deploymentLicensing: DeploymentLicensing | undefined;
    if (args.deployment && args.licensingMode) {
        const d = args.deployment;
        const deployment = new SimulatedDeployment(
            `${name}-deployment`,
            { home, broker: d.broker, sessionHosts: d.sessionHosts ?? [], adoptExisting: d.adoptExisting ?? false },
            { parent },
        );
        deploymentLicensing = new DeploymentLicensing(
            `${name}-deployment-licensing`,
            {
                connection,
                broker: deployment.broker,
                deploymentInstance: deployment.instanceId,
                mode: args.licensingMode,
                licenseServers: listed(d.licenseServers, farm.servers),
                resetOnDelete: d.resetOnDelete ?? false,
            },
            { parent, dependsOn: farm.after },
        );
        reads.push(deploymentLicensing.hosts);
    }
    const hostLicensing = (args.sessionHosts ?? []).map((h) => {
        const mode = h.mode ?? args.licensingMode!;
        const prefix = `${name}-host-${h.name.toLowerCase()}`;
        const host = new SimulatedSessionHost(
            prefix,
            { home, name: h.name, windowsServerVersion: h.windowsServerVersion, adoptExisting: h.adoptExisting ?? false },
            { parent },
        );
        const licensing = new HostLicensing(
            `${prefix}-licensing`,
            {
                connection,
                host: host.name,
                hostInstance: host.instanceId,
                mode,
                licenseServers: listed(h.licenseServers, farm.servers),
                resetOnDelete: h.resetOnDelete ?? false,
            },
            { parent, dependsOn: farm.after },
        );
        reads.push(licensing.hosts);
        return licensing;
    });

    const holdings = pulumi.all(
        Object.entries(farm.packs).map(([pack, p]) =>
            pulumi.all([p.totalLicenses, p.issuedLicenses, p.availableLicenses]).apply(
                ([totalLicenses, issuedLicenses, availableLicenses]): PackHolding => ({
                    licenseServer: p.licenseServer,
                    pack,
                    licenseType: p.licenseType,
                    productVersion: p.productVersion,
                    totalLicenses,
                    issuedLicenses,
                    availableLicenses,
                }),
            ),
        ),
    );
    const health = pulumi
        .all([pulumi.all(reads), holdings])
        .apply(([hosts, packs]) => farmHealth(hosts.flatMap((h) => h ?? []), packs, { graceWarningDays: args.graceWarningDays }));
    return { deploymentLicensing, hostLicensing, health, findings: health.apply((rows) => rows.flatMap((r) => r.findings)) };
}
