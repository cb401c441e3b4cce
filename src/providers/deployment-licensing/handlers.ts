/**
 * The DeploymentLicensing dynamic provider: an RDS deployment's licensing configuration (mode and
 * license servers in preference order, Set/Get-RDLicenseConfiguration on its Connection Broker) as
 * a resource, with what each of its session hosts says about its licensing (`hosts`) read in the
 * same execution. `check` and `diff` never touch a server; every other handler makes exactly one
 * remote execution on the broker, however many hosts the deployment has (../licensing-settings.ts).
 */
import type { FarmOperation, LicensingSettings, SessionHostLicensing } from "../../licensing/farm";
import { runFarmOperations } from "../farm-registry";
import { licensingSettingsProvider, sameServerList } from "../licensing-settings";

/**
 * The deployment's settings as its hosts live them: the broker's (Get-RDLicenseConfiguration), unless
 * a host was changed on its own (by hand, a script, WMI), when that host's value is what refresh
 * shows. Set-RDLicenseConfiguration then applies the deployment's settings to every host again, so
 * `up` repairs a host that drifted away from its deployment. A setting Group Policy makes on a host
 * is not the deployment's to repair (policy wins over Set-RDLicenseConfiguration): never drift here.
 */
export function effectiveSettings(deployment: LicensingSettings, hosts: readonly SessionHostLicensing[]): LicensingSettings {
    const mode = hosts.find((h) => !h.policy.modeByGroupPolicy && h.mode !== deployment.mode)?.mode;
    const list = hosts.find((h) => !h.policy.licenseServersByGroupPolicy && !sameServerList(h.licenseServers, deployment.licenseServers));
    return { mode: mode ?? deployment.mode, licenseServers: list?.licenseServers ?? deployment.licenseServers };
}

type DeploymentOperation = Extract<FarmOperation, { op: "get-deployment-licensing" | "set-deployment-licensing" }>;

export const deploymentLicensingProvider = licensingSettingsProvider({
    target: "broker",
    instance: "deploymentInstance",
    noun: "the deployment",
    outputs: ["sessionHosts", "hosts"],
    get: { op: "get-deployment-licensing" } as DeploymentOperation,
    set: (settings): DeploymentOperation => ({ op: "set-deployment-licensing", ...settings }),
    describe: (s) => `Set-RDLicenseConfiguration -Mode ${s.mode} -LicenseServer ${s.licenseServers.join(", ")}`,
    // The RemoteDesktop module's cmdlets need a domain identity; Run Command runs as SYSTEM by default.
    takesRunAs: true,
    async run(connection, broker, operation, runAs) {
        // The hosts' licensing after the get or set, from the broker, in the same execution.
        const [live, hosts] = await runFarmOperations(connection, broker, [operation, { op: "read-host-licensing" }] as const, runAs);
        return { settings: { ...live, ...effectiveSettings(live, hosts) }, outputs: { sessionHosts: live.sessionHosts, hosts } };
    },
});
