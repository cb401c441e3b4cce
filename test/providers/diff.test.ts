/**
 * `diff` of every dynamic provider, table-driven: `olds` are what state holds (the outputs: the
 * inputs plus what the server showed, and `__provider`), `news` the program's inputs. Each row says
 * what is right; where the code does something else today, `today` says what and why it matters, and
 * the row checks today's behaviour, so that the row fails (and is updated) once the code is fixed.
 *
 * Outcomes: `none` (no change: no update, no replace), `update` (changes in place, nothing
 * replaced), `replace` (and the properties that force it), `throws`.
 */
import { describe, expect, it } from "vitest";
import { activationProvider } from "../../src/providers/activation/handlers";
import { calKeyPackProvider } from "../../src/providers/cal-key-pack/handlers";
import { UNKNOWN } from "../../src/providers/check";
import { requestKeySecretProvider } from "../../src/providers/request-key-secret/handlers";
import { simulatedServerProvider } from "../../src/providers/simulated-server/handlers";

type Raw = Record<string, unknown>;
type Outcome = "none" | "update" | { replace: string[] } | "throws";

interface Row {
    name: string;
    olds: Raw;
    news: Raw;
    /** What the diff should answer. */
    expected: Outcome;
    /** What it answers today, where that differs, and why it matters. */
    today?: { outcome: Outcome; why: string };
}

interface Provider {
    diff(id: string, olds: Raw, news: Raw): Promise<{ changes?: boolean; replaces?: string[]; deleteBeforeReplace?: boolean }>;
}

/** What the engine's dynamic provider host adds to inputs and outputs: the serialized provider. */
const PROVIDER = "exports.handler = __provider;";
const PIN = "SHA256:Yh3QkTt9W1pjYb0mV4yZcXfIhO1sQK2rLq9v8m0Jd7E";
const OTHER_PIN = "SHA256:C7zlqZ0jDZpKj9I/VsZNm2+pH5YxzySAJRTA5ldWOpM";

const simulator = { kind: "simulator", home: ".rdls-sim" };
const ssh = { kind: "ssh", host: "rdls01.corp.example", username: "admin", hostKeySha256: PIN };
const azure = { kind: "azure-run-command", subscriptionId: "00000000-1111-2222-3333-444444444444", resourceGroupName: "rg-rds", vmName: "rdls-vm" };

/** The inputs as the engine sends them (with `__provider`): `fields`, then a row's changes. */
const inputsOf =
    (fields: Raw) =>
    (over: Raw = {}): Raw => ({ __provider: PROVIDER, providerVersion: "1", ...fields, ...over });

/** The row both licensing resources share: a known change of machine while something else is unknown. */
const unknownAndAnotherStore = (state: () => Raw, inputs: (over: Raw) => Raw): Row => ({
    name: "unknown serverInstance and a known connection key change",
    olds: state(),
    news: inputs({ serverInstance: UNKNOWN, connection: { ...simulator, home: "/srv/other-store" } }),
    expected: { replace: ["connection"] },
});

const show = (o: Outcome) => (typeof o === "string" ? o : `replace [${o.replace.join(", ")}]`);

function outcomeOf(result: { changes?: boolean; replaces?: string[] }): Outcome {
    const replaces = [...(result.replaces ?? [])].sort();
    if (replaces.length > 0) {
        expect(result.changes, "a replace is a change").toBe(true);
        return { replace: replaces };
    }
    return result.changes ? "update" : "none";
}

/** One `it` per row; every answer that is not a throw has the provider's deleteBeforeReplace. */
function table(provider: Provider, rows: Row[], deleteBeforeReplace: boolean | undefined): void {
    for (const row of rows) {
        const checked = row.today?.outcome ?? row.expected;
        const title = `${row.name}: ${show(row.expected)}${row.today ? ` (today: ${show(row.today.outcome)}; ${row.today.why})` : ""}`;
        it(title, async () => {
            if (row.today) expect(show(row.today.outcome), "a `today` that is the expected outcome is no gap").not.toBe(show(row.expected));
            const answer = provider.diff("id-1", row.olds, row.news);
            if (checked === "throws") return void (await expect(answer).rejects.toThrow());
            const result = await answer;
            expect(outcomeOf(result)).toEqual(typeof checked === "string" ? checked : { replace: [...checked.replace].sort() });
            expect(result.deleteBeforeReplace).toBe(deleteBeforeReplace);
        });
    }
}

describe("CalKeyPack diff", () => {
    const inputs = inputsOf({
        connection: simulator,
        server: "RDLS01",
        packKey: "rds-licensing/dev/ea-users",
        program: "enterprise-agreement",
        agreementNumber: "1234567",
        productVersion: "2022",
        licenseType: "per-user",
        count: 20,
        allowDeleteWithIssuedLicenses: false,
        requestKeySecret: "c0ffee".repeat(11),
        serverInstance: "instance-1",
    });
    const OUTPUTS = { keyPackIds: [3], keyPackType: 2, programName: "Enterprise Agreement", totalLicenses: 20, issuedLicenses: 4, availableLicenses: 16, appliedCount: 20 };
    const state = (over: Raw = {}, outputs: Raw = {}): Raw => ({ ...inputs(over), ...OUTPUTS, ...outputs });
    const retail = { program: "retail", agreementNumber: undefined, licenseCode: "ABCDE-12345-FGHIJ-67890-KLMNO" };
    const open = { program: "open-license", agreementNumber: undefined, licenseNumber: "12345678", authorizationNumber: "ABCDE12345FGHIJ" };
    const sshState = (over: Raw = {}) => state({ connection: ssh, ...over });
    const azureState = (over: Raw = {}) => state({ connection: azure, ...over });

    table(
        calKeyPackProvider,
        [
            // Outputs and spellings: nothing to do.
            { name: "nothing changed", olds: state(), news: inputs(), expected: "none" },
            {
                name: "outputs only: the live figures in state differ (totalLicenses, issuedLicenses, keyPackIds, appliedCount, expirationDate)",
                olds: state({}, { keyPackIds: [3, 7], totalLicenses: 25, issuedLicenses: 9, availableLicenses: 16, appliedCount: 25, expirationDate: "2026-01-01" }),
                news: inputs(),
                expected: "none",
            },
            { name: "the agreement number with spaces around it", olds: state(), news: inputs({ agreementNumber: " 1234567 " }), expected: "none" },
            { name: "the retail code in lower case, without hyphens, with spaces", olds: state(retail), news: inputs({ ...retail, licenseCode: "abcde 12345fghij-67890 klmno" }), expected: "none" },
            { name: "the authorization number in lower case with hyphens", olds: state(open), news: inputs({ ...open, authorizationNumber: "abcde-12345-fghij" }), expected: "none" },
            // A secret (number) change installs another pack.
            { name: "another agreement number", olds: state(), news: inputs({ agreementNumber: "7654321" }), expected: { replace: ["agreementNumber"] } },
            { name: "another retail code", olds: state(retail), news: inputs({ ...retail, licenseCode: "ZYXWV-12345-FGHIJ-67890-KLMNO" }), expected: { replace: ["licenseCode"] } },
            { name: "another license number", olds: state(open), news: inputs({ ...open, licenseNumber: "87654321" }), expected: { replace: ["licenseNumber"] } },
            { name: "another authorization number", olds: state(open), news: inputs({ ...open, authorizationNumber: "ABCDE12345FGHIK" }), expected: { replace: ["authorizationNumber"] } },
            // The pack's shape, its server, the machine.
            { name: "another program with the same agreement number", olds: state(), news: inputs({ program: "select" }), expected: { replace: ["program"] } },
            { name: "another program with other number fields", olds: state(), news: inputs(retail), expected: { replace: ["program", "agreementNumber", "licenseCode"] } },
            { name: "another product version", olds: state(), news: inputs({ productVersion: "2019" }), expected: { replace: ["productVersion"] } },
            { name: "another license type", olds: state(), news: inputs({ licenseType: "per-device" }), expected: { replace: ["licenseType"] } },
            { name: "another server of the same store (a move: Import* there, then removal here)", olds: state(), news: inputs({ server: "RDLS02" }), expected: "update" },
            { name: "connection key: another simulator store", olds: state(), news: inputs({ connection: { ...simulator, home: "/srv/other-store" } }), expected: { replace: ["connection"] } },
            { name: "connection key: another SSH host", olds: sshState(), news: inputs({ connection: { ...ssh, host: "rdls02.corp.example" } }), expected: { replace: ["connection"] } },
            { name: "connection key: another SSH port", olds: sshState(), news: inputs({ connection: { ...ssh, port: 2222 } }), expected: { replace: ["connection"] } },
            { name: "connection key: another VM", olds: azureState(), news: inputs({ connection: { ...azure, vmName: "rdls-vm-2" } }), expected: { replace: ["connection"] } },
            { name: "connection key: another cloud (ARM endpoint)", olds: azureState(), news: inputs({ connection: { ...azure, endpoint: "https://management.usgovcloudapi.net" } }), expected: { replace: ["connection"] } },
            { name: "connection kind: simulator to SSH", olds: state(), news: inputs({ connection: ssh }), expected: { replace: ["connection"] } },
            // The same machine, written otherwise.
            { name: "the same store, as ./.rdls-sim", olds: state(), news: inputs({ connection: { ...simulator, home: "./.rdls-sim" } }), expected: "none" },
            { name: "the same SSH host in capitals, port 22 written out", olds: sshState(), news: inputs({ connection: { ...ssh, host: "RDLS01.corp.example", port: 22 } }), expected: "none" },
            { name: "the same VM, resource group in capitals, the public endpoint written out", olds: azureState(), news: inputs({ connection: { ...azure, resourceGroupName: "RG-RDS", endpoint: "https://management.azure.com/" } }), expected: "none" },
            // The same machine, reached otherwise: state must learn it (refresh and delete read the connection from state).
            {
                name: "another SSH username for the same host",
                olds: sshState(),
                news: inputs({ connection: { ...ssh, username: "rdls-admin" } }),
                expected: "update",
            },
            {
                name: "another host key pin for the same host (a rotated host key)",
                olds: sshState(),
                news: inputs({ connection: { ...ssh, hostKeySha256: OTHER_PIN } }),
                expected: "update",
            },
            // Settings applied in place.
            { name: "another count", olds: state(), news: inputs({ count: 25 }), expected: "update" },
            { name: "allowDeleteWithIssuedLicenses set", olds: state(), news: inputs({ allowDeleteWithIssuedLicenses: true }), expected: "update" },
            { name: "a provider upgrade", olds: state(), news: inputs({ providerVersion: "2" }), expected: "update" },
            { name: "another serverInstance (a rebuilt server)", olds: state(), news: inputs({ serverInstance: "instance-2" }), expected: "update" },
            { name: "a first serverInstance (state written before there was one)", olds: state({ serverInstance: undefined }), news: inputs(), expected: "none" },
            // Read at create only. (Replacing would uninstall the pack the resource manages to adopt another.)
            { name: "adoptKeyPackId added to a created pack", olds: state(), news: inputs({ adoptKeyPackId: 5 }), expected: "none" },
            { name: "adoptKeyPackId changed", olds: state({ adoptKeyPackId: 5 }), news: inputs({ adoptKeyPackId: 6 }), expected: "none" },
            { name: "adoptKeyPackId removed", olds: state({ adoptKeyPackId: 5 }), news: inputs(), expected: "none" },
            // Used when installing, read from the new inputs by the update that installs.
            { name: "another packKey (a renamed stack)", olds: state(), news: inputs({ packKey: "rds-licensing/prod/ea-users" }), expected: "none" },
            { name: "another requestKeySecret", olds: state(), news: inputs({ requestKeySecret: "beef".repeat(16) }), expected: "none" },
            // Unknowns (a preview; a server being replaced): changes, and only known replace-properties replace.
            { name: "unknown serverInstance (the server is being replaced)", olds: state(), news: inputs({ serverInstance: UNKNOWN }), expected: "update" },
            { name: "unknown count", olds: state(), news: inputs({ count: UNKNOWN }), expected: "update" },
            { name: "unknown agreement number", olds: state(), news: inputs({ agreementNumber: UNKNOWN }), expected: "update" },
            { name: "unknown server", olds: state(), news: inputs({ server: UNKNOWN }), expected: "update" },
            { name: "unknown VM name in the connection", olds: azureState(), news: inputs({ connection: { ...azure, vmName: UNKNOWN } }), expected: "update" },
            { name: "unknown serverInstance and a known program change", olds: state(), news: inputs({ serverInstance: UNKNOWN, program: "select" }), expected: { replace: ["program"] } },
            {
                name: "unknown serverInstance and a known agreement number change",
                olds: state(),
                news: inputs({ serverInstance: UNKNOWN, agreementNumber: "7654321" }),
                expected: { replace: ["agreementNumber"] },
            },
            unknownAndAnotherStore(state, inputs),
        ],
        false,
    );
});

describe("LicenseServerActivation diff", () => {
    const contact = { firstName: "Ada", lastName: "Lovelace", company: "Contoso", countryRegion: "NL" };
    const inputs = inputsOf({ connection: simulator, server: "RDLS01", contact, activated: true, deactivateOnDelete: false, serverInstance: "instance-1" });
    const state = (over: Raw = {}, outputs: Raw = {}): Raw => ({ ...inputs(over), activationStatus: "activated", licenseServerId: "A".repeat(35), ...outputs });

    table(
        activationProvider,
        [
            { name: "nothing changed", olds: state(), news: inputs(), expected: "none" },
            { name: "outputs only: another license server ID and status in state", olds: state({}, { activationStatus: "reactivated", licenseServerId: "B".repeat(35) }), news: inputs(), expected: "none" },
            { name: "another server", olds: state(), news: inputs({ server: "RDLS02" }), expected: { replace: ["server"] } },
            {
                name: "connection key: another simulator store",
                olds: state(),
                news: inputs({ connection: { ...simulator, home: "/srv/other-store" } }),
                expected: { replace: ["connection"] },
            },
            { name: "the same SSH host in capitals", olds: state({ connection: ssh }), news: inputs({ connection: { ...ssh, host: "RDLS01.CORP.EXAMPLE" } }), expected: "none" },
            {
                name: "another SSH username for the same host",
                olds: state({ connection: ssh }),
                news: inputs({ connection: { ...ssh, username: "rdls-admin" } }),
                expected: "update",
            },
            { name: "another contact", olds: state(), news: inputs({ contact: { ...contact, company: "Fabrikam" } }), expected: "update" },
            { name: "deactivated on the server (refresh read activated: false)", olds: state({ activated: false }), news: inputs(), expected: "update" },
            { name: "deactivateOnDelete set", olds: state(), news: inputs({ deactivateOnDelete: true }), expected: "update" },
            { name: "a provider upgrade", olds: state(), news: inputs({ providerVersion: "2" }), expected: "update" },
            { name: "another serverInstance (a rebuilt server)", olds: state(), news: inputs({ serverInstance: "instance-2" }), expected: "update" },
            { name: "a first serverInstance (state written before there was one)", olds: state({ serverInstance: undefined }), news: inputs(), expected: "none" },
            { name: "unknown serverInstance", olds: state(), news: inputs({ serverInstance: UNKNOWN }), expected: "update" },
            { name: "unknown contact", olds: state(), news: inputs({ contact: { ...contact, email: UNKNOWN } }), expected: "update" },
            { name: "unknown server", olds: state(), news: inputs({ server: UNKNOWN }), expected: "update" },
            { name: "unknown serverInstance and a known server change", olds: state(), news: inputs({ serverInstance: UNKNOWN, server: "RDLS02" }), expected: { replace: ["server"] } },
            unknownAndAnotherStore(state, inputs),
        ],
        undefined,
    );
});

describe("SimulatedLicenseServer diff", () => {
    const inputs = inputsOf({ home: ".rdls-sim", serverName: "RDLS01", windowsServerVersion: "2022", owner: "rds-licensing/dev/rds-server", adoptExisting: false });
    const state = (over: Raw = {}, outputs: Raw = {}): Raw => ({ ...inputs(over), created: true, instanceId: "instance-1", ...outputs });

    table(
        simulatedServerProvider,
        [
            { name: "nothing changed", olds: state(), news: inputs(), expected: "none" },
            { name: "outputs only: another instanceId and created in state", olds: state({}, { created: false, instanceId: "instance-2" }), news: inputs(), expected: "none" },
            { name: "another store", olds: state(), news: inputs({ home: "/srv/other-store" }), expected: { replace: ["home"] } },
            { name: "another server name", olds: state(), news: inputs({ serverName: "RDLS02" }), expected: { replace: ["serverName"] } },
            { name: "another Windows Server version", olds: state(), news: inputs({ windowsServerVersion: "2019" }), expected: { replace: ["windowsServerVersion"] } },
            {
                name: "the same store, as ./.rdls-sim",
                olds: state(),
                news: inputs({ home: "./.rdls-sim" }),
                expected: "none",
            },
            { name: "another owner (a renamed stack)", olds: state(), news: inputs({ owner: "rds-licensing/prod/rds-server" }), expected: "update" },
            { name: "adoptExisting set", olds: state(), news: inputs({ adoptExisting: true }), expected: "update" },
            { name: "a provider upgrade", olds: state(), news: inputs({ providerVersion: "2" }), expected: "update" },
            { name: "state written before owner existed", olds: state({ owner: undefined }), news: inputs(), expected: "update" },
            { name: "unknown owner", olds: state(), news: inputs({ owner: UNKNOWN }), expected: "update" },
            {
                name: "unknown server name",
                olds: state(),
                news: inputs({ serverName: UNKNOWN }),
                expected: "update",
            },
            {
                name: "unknown Windows Server version",
                olds: state(),
                news: inputs({ windowsServerVersion: UNKNOWN }),
                expected: "update",
            },
        ],
        true,
    );
});

describe("RequestKeySecret diff", () => {
    // The value must never change under existing packs: nothing about it is updatable or replaceable.
    const inputs = inputsOf({});
    const state = (over: Raw = {}): Raw => ({ ...inputs(over), value: "ab".repeat(32) });

    table(
        requestKeySecretProvider as Provider,
        [
            { name: "nothing changed, state holding the value", olds: state(), news: inputs(), expected: "none" },
            { name: "a provider upgrade", olds: state(), news: inputs({ providerVersion: "2" }), expected: "none" },
            { name: "unknown inputs", olds: state(), news: inputs({ providerVersion: UNKNOWN }), expected: "none" },
        ],
        undefined,
    );
});
