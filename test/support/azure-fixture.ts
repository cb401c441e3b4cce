/**
 * The fake Azure of the driver and provider tests: a FakeWindowsServer behind a FakeArm endpoint
 * (test/drivers/support/fake-arm.ts) on 127.0.0.1, over HTTPS with a throwaway certificate this test
 * process trusts, and the fake token credential the runner presents to it.
 */
import { afterEach, beforeAll, beforeEach } from "vitest";
import { setAzureTestOverrides } from "../../src/drivers/connect-azure";
import { FakeArm } from "../drivers/support/fake-arm";
import { FakeWindowsServer } from "../drivers/support/fake-windows";
import { selfSignedCertificate, trustCertificate } from "../drivers/support/tls";

/** A token credential the fake ARM endpoint accepts (it checks `Bearer fake-arm-token`). */
export const FAKE_ARM_CREDENTIAL = { getToken: async () => ({ token: "fake-arm-token", expiresOnTimestamp: Date.now() + 3_600_000 }) };

export const FAKE_SUBSCRIPTION = "00000000-1111-2222-3333-444444444444";
export const FAKE_RESOURCE_GROUP = "rg-rds";

export interface FakeAzure {
    /** This test's endpoint (a new one, on a new port, for every test). */
    readonly arm: FakeArm;
    /** The VM behind it. */
    readonly windows: FakeWindowsServer;
}

/**
 * Registers the hooks of a file that talks to the fake Azure: once, a certificate trusted by this
 * process; before each test a new server and endpoint, started; after each, stopped. With
 * `driverOverrides`, the executor factories (connect-azure, as the provider registry uses them)
 * take the fake credential and poll every 10 ms for the test's duration.
 */
export function useFakeAzure(options: { driverOverrides?: boolean } = {}): FakeAzure {
    let tlsMaterial: { key: string; cert: string };
    let arm: FakeArm | undefined;
    let windows: FakeWindowsServer | undefined;

    beforeAll(() => {
        tlsMaterial = selfSignedCertificate();
        trustCertificate(tlsMaterial.cert);
    });

    beforeEach(async () => {
        windows = new FakeWindowsServer();
        arm = new FakeArm(windows, tlsMaterial);
        await arm.start();
        if (options.driverOverrides) setAzureTestOverrides({ credential: FAKE_ARM_CREDENTIAL, pollIntervalMs: 10 });
    });

    afterEach(async () => {
        if (options.driverOverrides) setAzureTestOverrides({});
        await arm?.stop();
    });

    const started = <T>(value: T | undefined, what: string): T => {
        if (value === undefined) throw new Error(`the fake Azure's ${what} exists only inside a test (useFakeAzure's beforeEach)`);
        return value;
    };
    return {
        get arm() {
            return started(arm, "ARM endpoint");
        },
        get windows() {
            return started(windows, "Windows server");
        },
    };
}
