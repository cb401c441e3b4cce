/**
 * The rds-licensing stack program: validate the stack config (before any resource is registered),
 * then build the license server (simulator or Azure VM), its activation and its CAL packs, and on
 * Azure point the licensing configuration at it.
 */
import * as pulumi from "@pulumi/pulumi";
import { RdsLicensing } from "../components";
import { azureLicenseServerArgsFromConfig } from "../components/azure";
import { ConfigError, loadStackConfig, type StackConfig } from "./config";

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

const secret = (value: string | undefined) => (value === undefined ? undefined : pulumi.secret(value));

const licensing = new RdsLicensing("rds", {
    target: config.target,
    simulatorHome: config.simulator.home,
    // Passwords come back wrapped with pulumi.secret (the config loader returns plain strings).
    azure: config.target === "azure" ? azureLicenseServerArgsFromConfig(config) : undefined,
    licensingMode: config.licensingMode,
    licenseServer: config.licenseServer,
    calPacks: config.calPacks.map((pack) => ({
        ...pack,
        agreementNumber: secret("agreementNumber" in pack ? pack.agreementNumber : undefined),
        licenseNumber: secret("licenseNumber" in pack ? pack.licenseNumber : undefined),
        authorizationNumber: secret("authorizationNumber" in pack ? pack.authorizationNumber : undefined),
        licenseCode: secret("licenseCode" in pack ? pack.licenseCode : undefined),
    })),
});

export const server = licensing.serverName;
export const licensingMode = config.licensingMode;
export const activationStatus = licensing.activationStatus;
export const licenseServerId = licensing.licenseServerId;
export const packs = licensing.packs;
// Azure target only (undefined, so absent, on the simulator).
export const azure = licensing.azure && {
    vmId: licensing.azure.vmId,
    resourceGroupName: licensing.azure.resourceGroupName,
    vmName: licensing.azure.vmName,
    privateIpAddress: licensing.azure.privateIpAddress,
    licenseServerFqdn: licensing.azure.licenseServerFqdn,
    adminUsername: licensing.azure.adminUsername,
};
/** Secret: `pulumi stack output adminPassword --show-secrets`. */
export const adminPassword = licensing.azure?.adminPassword;
/** Run it on the VM to read the live licensing mode and server list (examples/azure/README.md). */
export const licensingReadBackScript = licensing.licensingConfiguration?.readBackScript;
