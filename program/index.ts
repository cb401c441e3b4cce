/**
 * The rds-licensing stack program: validate the stack config (before any resource is registered),
 * then build the license server (simulator or Azure VM), its activation and its CAL packs, and on
 * Azure point the licensing configuration at it.
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
    azure: config.target === "azure" ? azureLicenseServerArgsFromConfig(config) : undefined,
    licensingMode: config.licensingMode,
    licenseServer: config.licenseServer,
    // Numbers exactly as configured (the engine masks those spellings; the provider normalizes them
    // inside itself), marked secret by the components whatever they are given.
    calPacks: config.calPacks,
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
