/**
 * The rds-licensing stack program: validate the stack config (before any resource is registered),
 * then build the licensed farm: the license servers (simulator, or the Azure VM), their activation
 * and CAL packs, and on the simulator the deployment and session hosts pointed at them; on Azure the
 * licensing configuration pointed at the server.
 */
import * as pulumi from "@pulumi/pulumi";
import { RdsLicensing } from "../components";
import { azureLicenseServerArgsFromConfig } from "../components/azure";
import { ConfigError, loadStackConfig, type StackConfig } from "../src/config";

function loadConfigOrExplain(): StackConfig {
    try {
        return loadStackConfig();
    } catch (err) {
        // RunError prints the message alone: the problem list is the whole story, no stack trace.
        if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
        throw err;
    }
}

const config = loadConfigOrExplain();

const licensing = new RdsLicensing("rds", {
    target: config.target,
    simulatorHome: config.simulator.home,
    adoptExistingServer: config.simulator.adoptExistingServer,
    // Passwords come back wrapped with pulumi.secret (the config loader returns plain strings).
    azure: config.target === "azure" ? { ...azureLicenseServerArgsFromConfig(config), numbersDelivery: config.azure?.numbersDelivery } : undefined,
    licensingMode: config.licensingMode,
    licenseServers: config.licenseServers,
    // Numbers exactly as configured (the engine masks those spellings; the provider normalizes them
    // inside itself), marked secret by the components whatever they are given.
    calPacks: config.calPacks,
    deployment: config.deployment,
    sessionHosts: config.sessionHosts,
});

/** The stack outputs; the Azure ones only exist with `target: azure` (no "undefined output" warnings). */
function stackOutputs(): Record<string, unknown> {
    const outputs: Record<string, unknown> = {
        server: licensing.serverName,
        licensingMode: config.licensingMode,
        activationStatus: licensing.activationStatus,
        licenseServerId: licensing.licenseServerId,
        packs: licensing.packs,
    };
    if (config.licenseServers.length > 1) outputs.licenseServers = licensing.licenseServers;
    if (config.deployment || config.sessionHosts.length > 0) {
        /** Each host's licensing, as `npx rds-licensing drift` and the demo's table show it. */
        outputs.health = licensing.health;
        outputs.findings = licensing.findings;
    }
    const azure = licensing.azure;
    if (azure) {
        outputs.azure = {
            vmId: azure.vmId,
            resourceGroupName: azure.resourceGroupName,
            vmName: azure.vmName,
            privateIpAddress: azure.privateIpAddress,
            licenseServerFqdn: azure.licenseServerFqdn,
            adminUsername: azure.adminUsername,
        };
        /** Secret: `pulumi stack output adminPassword --show-secrets`. */
        outputs.adminPassword = azure.adminPassword;
        /** Run it on the VM to read the live licensing mode and server list (examples/azure/README.md). */
        outputs.licensingReadBackScript = licensing.licensingConfiguration?.readBackScript;
    }
    return outputs;
}

export = stackOutputs();
