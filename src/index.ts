/**
 * The rds-licensing stack program: validate the stack config (before any resource is registered),
 * then build the license server, its activation and its CAL packs.
 */
import * as pulumi from "@pulumi/pulumi";
import { RdsLicensing } from "../components";
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
if (config.target !== "simulator") {
    throw new pulumi.RunError(`rds-licensing:target "${config.target}" is not wired into the stack program yet; use "simulator"`);
}

const secret = (value: string | undefined) => (value === undefined ? undefined : pulumi.secret(value));

const licensing = new RdsLicensing("rds", {
    target: "simulator",
    simulatorHome: config.simulator.home,
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
