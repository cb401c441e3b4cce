/**
 * Bench program, farm scenarios: one simulated license server (activated, one per-user CAL pack)
 * and one SimulatedDeployment of K session hosts (Windows Server 2019 and 2022 alternately) whose
 * DeploymentLicensing points it, per user, at that server (see shape.ts).
 */
import { DeploymentLicensing, DeploymentLicensingMode, RequestKeySecret, SimulatedDeployment } from "../../components";
import { connection, licenseServer } from "./license-server";
import { FARM_PACK, farmShape, home } from "./shape";

const { server, activation } = licenseServer(0, [FARM_PACK], new RequestKeySecret("request-key").value);
const deployment = new SimulatedDeployment("farm", { home, ...farmShape() });
const licensing = new DeploymentLicensing(
    "farm-licensing",
    {
        connection,
        broker: deployment.broker,
        deploymentInstance: deployment.instanceId,
        mode: DeploymentLicensingMode.PerUser,
        licenseServers: [server.serverName],
    },
    { dependsOn: [activation] },
);

export const serverName = server.serverName;
export const broker = licensing.broker;
export const sessionHostCount = licensing.sessionHosts.apply((hosts) => hosts.length);
