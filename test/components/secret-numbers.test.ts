/**
 * The components mark every licensing number secret themselves: a plain string given to CalKeyPack
 * or RdsLicensing arrives at the registered resource as a secret, its value exactly as given (the
 * provider normalizes it where it is used).
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { CalKeyPack, RdsLicensing, type CalKeyPackArgs } from "../../components";
import { CAL_KEY_PACK, installLicensingMocks, isSecretMarker, type LicensingMocks } from "./support/mocks";

/** Spellings as a user might type them: the components must not change them. */
const PLAIN = {
    agreementNumber: " 9990001 ",
    licenseNumber: "99900002",
    authorizationNumber: "demoauth-0000001",
    licenseCode: "demor-etail-code0-00000-00001",
} as const;

let mocks: LicensingMocks;
beforeAll(async () => {
    mocks = await installLicensingMocks("secret-numbers");
});

const contact = { firstName: "Test", lastName: "Admin", company: "Contoso (fictitious)", countryRegion: "NL" };

/** Each number input of the resource: whether it is marked secret, and its value. */
function numberInputs(name: string): Record<string, { secret: boolean; value: unknown }> {
    const inputs = mocks.one(CAL_KEY_PACK, name).inputs;
    return Object.fromEntries(
        Object.keys(PLAIN)
            .filter((field) => inputs[field] !== undefined)
            .map((field) => {
                const raw = inputs[field];
                return [field, { secret: isSecretMarker(raw), value: isSecretMarker(raw) ? raw.value : raw }];
            }),
    );
}

/** A CalKeyPack of 5 licenses on a simulated server: the program, numbers and shape as given. */
function calKeyPack(name: string, pack: Omit<CalKeyPackArgs, "connection" | "server" | "count">): void {
    new CalKeyPack(name, { connection: { kind: "simulator", home: ".rdls-sim" }, server: "RDLS01", count: 5, ...pack }, { transformations: [mocks.transformation] });
}

describe("numbers are secrets whatever the components are given", () => {
    it("CalKeyPack: a plain agreement number is registered as a secret, unchanged", async () => {
        calKeyPack("plain-ea", { program: "enterprise-agreement", agreementNumber: PLAIN.agreementNumber, productVersion: "2022", licenseType: "per-user" });
        await mocks.settle();
        expect(numberInputs("plain-ea")).toEqual({ agreementNumber: { secret: true, value: PLAIN.agreementNumber } });
    });

    it("CalKeyPack: plain Open License numbers and an Output that is not secret become secrets", async () => {
        calKeyPack("plain-open", {
            program: "open-license",
            licenseNumber: PLAIN.licenseNumber,
            authorizationNumber: pulumi.output(PLAIN.authorizationNumber),
            productVersion: "2019",
            licenseType: "per-device",
        });
        await mocks.settle();
        expect(numberInputs("plain-open")).toEqual({
            licenseNumber: { secret: true, value: PLAIN.licenseNumber },
            authorizationNumber: { secret: true, value: PLAIN.authorizationNumber },
        });
    });

    it("CalKeyPack: a secret stays a secret, and no number input appears that was not given", async () => {
        calKeyPack("secret-retail", { program: "retail", licenseCode: pulumi.secret(PLAIN.licenseCode), productVersion: "2022", licenseType: "per-user" });
        await mocks.settle();
        expect(numberInputs("secret-retail")).toEqual({ licenseCode: { secret: true, value: PLAIN.licenseCode } });
    });

    it("RdsLicensing: every plain number of every pack is registered as a secret, unchanged", async () => {
        new RdsLicensing(
            "farm",
            {
                licenseServer: { name: "RDLS01", windowsServerVersion: "2022", contact },
                calPacks: [
                    { name: "ea", program: "enterprise-agreement", agreementNumber: PLAIN.agreementNumber, productVersion: "2022", licenseType: "per-user", count: 20 },
                    {
                        name: "open",
                        program: "open-license",
                        licenseNumber: PLAIN.licenseNumber,
                        authorizationNumber: PLAIN.authorizationNumber,
                        productVersion: "2019",
                        licenseType: "per-device",
                        count: 10,
                    },
                    { name: "retail", program: "retail", licenseCode: PLAIN.licenseCode, productVersion: "2022", licenseType: "per-user", count: 5 },
                ],
            },
            { transformations: [mocks.transformation] },
        );
        await mocks.settle();
        expect(numberInputs("farm-ea")).toEqual({ agreementNumber: { secret: true, value: PLAIN.agreementNumber } });
        expect(numberInputs("farm-open")).toEqual({
            licenseNumber: { secret: true, value: PLAIN.licenseNumber },
            authorizationNumber: { secret: true, value: PLAIN.authorizationNumber },
        });
        expect(numberInputs("farm-retail")).toEqual({ licenseCode: { secret: true, value: PLAIN.licenseCode } });
    });
});
