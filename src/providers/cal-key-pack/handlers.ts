/**
 * The CalKeyPack dynamic provider: what the *Install Licenses* wizard does, as create / read /
 * update / delete. `check` and `diff` never touch a server, so a preview makes no remote execution.
 */
import type * as pulumi from "@pulumi/pulumi";
import { LicensingError, LicensingErrorKind, type KeyPack } from "../../licensing";
import { connectionKey } from "../connection";
import { checkFailures } from "../check";
import { progress } from "../progress";
import { licenseServer } from "../registry";
import { SECRET_FIELDS, calKeyPackInputsSchema, outputsFrom, parseInputs, type CalKeyPackOutputs } from "./inputs";
import { installFirst, reconcileCount } from "./reconcile";

type Raw = Record<string, unknown>;

/** Properties whose change installs a different pack: the old one is replaced. */
const REPLACE_ON_CHANGE = ["program", "productVersion", "licenseType", "server", ...SECRET_FIELDS] as const;

function serverOf(inputs: ReturnType<typeof parseInputs>) {
    return licenseServer(inputs.connection, inputs.server);
}

/** The live key packs among `ids`, in the resource's order. */
async function livePacks(inputs: ReturnType<typeof parseInputs>, ids: number[]): Promise<KeyPack[]> {
    const all = await serverOf(inputs).listKeyPacks();
    return ids.map((id) => all.find((p) => p.keyPackId === id)).filter((p): p is KeyPack => p !== undefined);
}

function idsOf(id: string, props: Raw): number[] {
    const ids = props.keyPackIds;
    return Array.isArray(ids) && ids.length > 0 ? ids.map(Number) : [Number(id)];
}

export const calKeyPackProvider = {
    async check(_olds: Raw, news: Raw): Promise<pulumi.dynamic.CheckResult> {
        const { __provider: _p, ...rest } = news;
        const parsed = calKeyPackInputsSchema.safeParse(rest);
        // Inputs are returned as given: number fields keep their exact value (and their secretness).
        return parsed.success ? { inputs: news } : { failures: checkFailures(parsed.error) };
    },

    async diff(_id: string, olds: Raw, news: Raw): Promise<pulumi.dynamic.DiffResult> {
        const before = parseInputs(olds);
        const after = parseInputs(news);
        const replaces: string[] = REPLACE_ON_CHANGE.filter((k) => before[k] !== after[k]);
        if (connectionKey(before.connection) !== connectionKey(after.connection)) replaces.push("connection");
        const updates = (["count", "providerVersion", "allowDeleteWithIssuedLicenses"] as const).filter((k) => before[k] !== after[k]);
        return { changes: replaces.length + updates.length > 0, replaces, deleteBeforeReplace: false };
    },

    async create(raw: Raw): Promise<pulumi.dynamic.CreateResult> {
        const inputs = parseInputs(raw);
        const server = serverOf(inputs);
        let packs: KeyPack[];
        if (inputs.adoptKeyPackId !== undefined) {
            packs = await livePacks(inputs, [inputs.adoptKeyPackId]);
            if (packs.length === 0 || packs[0].productVersion !== inputs.productVersion || packs[0].licenseType !== inputs.licenseType) {
                throw new LicensingError({
                    kind: LicensingErrorKind.NotFound,
                    message:
                        `${inputs.server}: adoptKeyPackId ${inputs.adoptKeyPackId} is not a key pack of ${inputs.licenseType} CALs for ` +
                        `${inputs.productVersion} on this server; check the ID with RD Licensing Manager (or rdls-sim packs)`,
                });
            }
            progress(`${inputs.server}: adopted key pack ${inputs.adoptKeyPackId}`);
        } else {
            packs = [await installFirst(server, inputs)];
        }
        packs = await reconcileCount(server, inputs, packs, inputs.count);
        return { id: String(packs[0].keyPackId), outs: outputsFrom(inputs, packs) };
    },

    async read(id: string, props: Raw): Promise<pulumi.dynamic.ReadResult> {
        const inputs = parseInputs(stripOutputs(props));
        let packs: KeyPack[];
        try {
            packs = await livePacks(inputs, idsOf(id, props));
        } catch (err) {
            // The server itself is gone (a deleted VM or simulated server): so is every pack on it.
            if (err instanceof LicensingError && err.kind === LicensingErrorKind.NotFound) return { id: "", props: {} };
            throw err;
        }
        if (packs.length === 0) return { id: "", props: {} };
        const outs = outputsFrom(inputs, packs);
        // The live total becomes the `count` input, so a changed count shows as a diff against the program.
        const liveInputs = { ...stripOutputs(props), count: outs.totalLicenses };
        return { id, props: { ...outs, count: outs.totalLicenses }, inputs: liveInputs };
    },

    async update(id: string, olds: Raw, news: Raw): Promise<pulumi.dynamic.UpdateResult> {
        const inputs = parseInputs(news);
        const previous = olds as unknown as CalKeyPackOutputs;
        const ids = idsOf(id, olds);
        if (previous.totalLicenses === inputs.count && previous.keyPackIds?.length) {
            // Nothing to do on the server (a provider upgrade or a setting that only lives in state).
            return { outs: { ...previous, ...inputs } };
        }
        const packs = await livePacks(inputs, ids);
        if (packs.length === 0) {
            throw new LicensingError({
                kind: LicensingErrorKind.NotFound,
                message: `${inputs.server}: key pack ${id} no longer exists; run \`pulumi refresh\`, then \`pulumi up\` installs it again`,
            });
        }
        const result = await reconcileCount(serverOf(inputs), inputs, packs, inputs.count);
        return { outs: outputsFrom(inputs, result) };
    },

    async delete(id: string, props: Raw): Promise<void> {
        const inputs = parseInputs(stripOutputs(props));
        const server = serverOf(inputs);
        progress(`${inputs.server}: uninstalling key pack ${id}`);
        for (const keyPackId of idsOf(id, props).reverse()) {
            try {
                await server.uninstall(keyPackId, !inputs.allowDeleteWithIssuedLicenses);
            } catch (err) {
                if (err instanceof LicensingError && err.kind === LicensingErrorKind.NotFound) continue;
                if (err instanceof LicensingError && err.kind === LicensingErrorKind.LicensesIssued) {
                    throw new LicensingError({
                        kind: err.kind,
                        message:
                            `${inputs.server}: key pack ${keyPackId} still has licenses issued to users or devices, so it was not uninstalled; ` +
                            `free them first, or set allowDeleteWithIssuedLicenses: true on this pack to uninstall it anyway`,
                    });
                }
                throw err;
            }
        }
    },
};

const OUTPUT_FIELDS = ["keyPackIds", "keyPackType", "programName", "totalLicenses", "issuedLicenses", "availableLicenses", "expirationDate"];

/** Outputs carry the inputs plus server figures; keep only the inputs. */
function stripOutputs(props: Raw): Raw {
    return Object.fromEntries(Object.entries(props).filter(([k]) => !OUTPUT_FIELDS.includes(k)));
}
