/**
 * The HostLicensing dynamic provider: a standalone session host's licensing (its
 * Win32_TerminalServiceSetting: ChangeMode and SetSpecifiedLicenseServerList) as a resource, shaped
 * like DeploymentLicensing (../licensing-settings.ts): the same inputs on a host instead of a broker,
 * and the same `hosts` output (one element). Each create, read and update is one remote execution on
 * the host. A setting Group Policy makes fails with the host's reason, and nothing changes.
 */
import type { FarmOperation } from "../../licensing/farm";
import { runFarmOperations } from "../farm-registry";
import { licensingSettingsProvider } from "../licensing-settings";

type HostOperation = Extract<FarmOperation, { op: "get-host-licensing" | "set-host-licensing" }>;

export const hostLicensingProvider = licensingSettingsProvider({
    target: "host",
    instance: "hostInstance",
    noun: "the session host",
    outputs: ["hosts"],
    get: { op: "get-host-licensing" } as HostOperation,
    set: (settings): HostOperation => ({ op: "set-host-licensing", ...settings }),
    describe: (s) => `ChangeMode ${s.mode}, SetSpecifiedLicenseServerList ${s.licenseServers.join(", ")}`,
    async run(connection, host, operation) {
        const [live] = await runFarmOperations(connection, host, [operation] as const);
        return { settings: live, outputs: { hosts: [live] } };
    },
    // Windows has no ChangeMode code for "not configured": only the simulator can set a host back.
    refuse: {
        when: (inputs) => inputs.resetOnDelete && inputs.connection.kind !== "simulator",
        path: "resetOnDelete",
        message:
            "a standalone session host cannot be set back to NotConfigured (ChangeMode has no code for it): resetOnDelete works on the simulator only; leave it false, or set the host's licensing yourself after the resource is deleted",
    },
});
