/**
 * The CalKeyPack dynamic provider: what the *Install Licenses* wizard does, as create / read /
 * update / delete. `check` and `diff` never touch a server, so a preview makes no remote execution.
 */
import type * as pulumi from "@pulumi/pulumi";
import { LicensingError, LicensingErrorKind, numberFieldsOf, type KeyPack } from "../../licensing";
import { connectionKey, executorKey } from "../connection";
import { diffParsed } from "../check";
import { progress } from "../progress";
import { licenseServer } from "../registry";
import { gone, type Raw } from "../resource-schema";
import { calKeyPackResource, normalizedNumber, outputsFrom, parseInputs, type CalKeyPackOutputs } from "./inputs";
import { installFirst, reconcileCount } from "./reconcile";
import { convertPack, isGone, livePacks, movePack, relocationOf } from "./relocate";
type Inputs = ReturnType<typeof parseInputs>;

/**
 * Properties whose change installs a different pack: the old one is replaced. Except (relocate.ts):
 * a new `server`/`connection` in the same stack migrates the pack (Import*, then removal from the old
 * server), and a new `licenseType` converts it (ConvertLicenses), both as updates.
 */
const REPLACE_ON_CHANGE = ["program", "productVersion", "licenseType", "server"] as const;
/**
 * Properties an update applies in place (a new server instance: the pack is installed again). A new
 * `numbersSecretUri` (delivery switched, or the secret rewritten) only changes where later installs
 * read the numbers: the same numbers, whose change replaces the pack through its number inputs.
 */
const UPDATE_ON_CHANGE = ["count", "providerVersion", "allowDeleteWithIssuedLicenses", "serverInstance", "numbersSecretUri"] as const;

function serverOf(inputs: Inputs) {
    return licenseServer(inputs.connection, inputs.server);
}

function idsOf(id: string, props: Raw): number[] {
    const ids = props.keyPackIds;
    return Array.isArray(ids) && ids.length > 0 ? ids.map(Number) : [Number(id)];
}

/** Number fields whose normalized value differs: another spelling of the same number is no change. */
function changedNumbers(before: Inputs, after: Inputs): string[] {
    const fields = [...new Set([...numberFieldsOf(before.program), ...numberFieldsOf(after.program)].map((f) => f.name))];
    return fields.filter((field) => normalizedNumber(before, field) !== normalizedNumber(after, field));
}

function issuedError(inputs: Inputs, keyPackId: number): LicensingError {
    return new LicensingError({
        kind: LicensingErrorKind.LicensesIssued,
        message:
            `${inputs.server}: key pack ${keyPackId} still has licenses issued to users or devices, so the pack was not uninstalled (nothing was); ` +
            `free them first, or set allowDeleteWithIssuedLicenses: true on this pack to uninstall it anyway`,
    });
}

export const calKeyPackProvider = {
    async check(_olds: Raw, news: Raw): Promise<pulumi.dynamic.CheckResult> {
        return calKeyPackResource.check(news);
    },

    async diff(_id: string, olds: Raw, news: Raw): Promise<pulumi.dynamic.DiffResult> {
        return diffParsed(parseInputs, olds, news, (before, after) => {
            const relocation = relocationOf(before, after, olds);
            if (relocation?.kind === "replace") progress(relocation.reason);
            const inPlace: readonly string[] = relocation?.kind === "move" ? ["server", "connection"] : relocation?.kind === "convert" ? ["licenseType"] : [];
            const changed: string[] = REPLACE_ON_CHANGE.filter((k) => before[k] !== after[k]);
            if (connectionKey(before.connection) !== connectionKey(after.connection)) changed.push("connection");
            const replaces = changed.filter((k) => !inPlace.includes(k));
            replaces.push(...changedNumbers(before, after));
            // A first serverInstance (state written before it existed) is bookkeeping, not a rebuilt server.
            const updates: string[] = UPDATE_ON_CHANGE.filter((k) => before[k] !== after[k] && !(k === "serverInstance" && before[k] === undefined));
            updates.push(...changed.filter((k) => inPlace.includes(k)));
            // The same machine reached otherwise (SSH user, host key pin): stored, so refresh and delete use it.
            if (!changed.includes("connection") && executorKey(before.connection) !== executorKey(after.connection)) updates.push("connection");
            return { changes: replaces.length + updates.length > 0, replaces, deleteBeforeReplace: false };
        });
    },

    async create(raw: Raw): Promise<pulumi.dynamic.CreateResult> {
        const inputs = parseInputs(raw);
        const server = serverOf(inputs);
        let packs: KeyPack[];
        if (inputs.adoptKeyPackId !== undefined) {
            packs = await livePacks(inputs, [inputs.adoptKeyPackId]);
            if (packs.length === 0) {
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
        return { id: String(packs[0].keyPackId), outs: outputsFrom(inputs, packs, inputs.count) };
    },

    async read(id: string, props: Raw): Promise<pulumi.dynamic.ReadResult> {
        const inputs = parseInputs(props);
        let packs: KeyPack[];
        try {
            packs = await livePacks(inputs, idsOf(id, props));
        } catch (err) {
            // The server itself is gone (a deleted VM or simulated server): so is every pack on it.
            if (isGone(err)) return gone();
            throw err;
        }
        if (packs.length === 0) return gone();
        const outs = outputsFrom(inputs, packs, appliedCountOf(props));
        // The live total becomes the `count` input, so a changed count shows as a diff against the program.
        const liveInputs = { ...calKeyPackResource.inputsOf(props), count: outs.totalLicenses };
        return { id, props: { ...outs, count: outs.totalLicenses }, inputs: liveInputs };
    },

    async update(id: string, olds: Raw, news: Raw): Promise<pulumi.dynamic.UpdateResult> {
        const inputs = parseInputs(news);
        const before = parseInputs(olds);
        const previous = olds as unknown as CalKeyPackOutputs;
        const relocation = relocationOf(before, inputs, olds);
        if (relocation?.kind === "move" || relocation?.kind === "convert") {
            const packs =
                relocation.kind === "move"
                    ? await movePack(before, inputs, idsOf(id, olds), appliedCountOf(olds) ?? before.count)
                    : await convertPack(before, inputs, idsOf(id, olds));
            const result = await reconcileCount(serverOf(inputs), inputs, packs, inputs.count);
            return { outs: outputsFrom(inputs, result, inputs.count) };
        }
        const rebuilt = before.serverInstance !== undefined && inputs.serverInstance !== undefined && before.serverInstance !== inputs.serverInstance;
        if (!rebuilt && previous.totalLicenses === inputs.count && previous.keyPackIds?.length) {
            // Nothing to do on the server (a provider upgrade or a setting that only lives in state).
            return { outs: { ...previous, ...inputs } };
        }
        let packs: KeyPack[] = [];
        if (rebuilt) {
            // Key pack ids of the old server mean nothing on the new one: install the pack again.
            progress(`${inputs.server}: the license server was rebuilt; installing pack ${inputs.packKey.split("/").pop()} again`);
        } else {
            packs = await livePacks(inputs, idsOf(id, olds));
            if (packs.length === 0) progress(`${inputs.server}: key pack ${idsOf(id, olds).join(", ")} is gone from the server; installing the pack again`);
        }
        const result = await reconcileCount(serverOf(inputs), inputs, packs, inputs.count, { appliedCount: rebuilt ? undefined : appliedCountOf(olds) });
        return { outs: outputsFrom(inputs, result, inputs.count) };
    },

    async delete(id: string, props: Raw): Promise<void> {
        const inputs = parseInputs(props);
        const server = serverOf(inputs);
        const ids = idsOf(id, props);
        const refuseIfIssued = !inputs.allowDeleteWithIssuedLicenses;
        if (refuseIfIssued && ids.length > 1) {
            // Each uninstall checks its own key pack; check them all first, so a refusal changes nothing.
            let live: KeyPack[];
            try {
                live = await livePacks(inputs, ids);
            } catch (err) {
                if (isGone(err)) return;
                throw err;
            }
            const busy = live.find((p) => p.issuedLicenses > 0);
            if (busy) throw issuedError(inputs, busy.keyPackId);
        }
        progress(`${inputs.server}: uninstalling key pack ${ids.join(", ")}`);
        for (const keyPackId of [...ids].reverse()) {
            try {
                await server.uninstall(keyPackId, refuseIfIssued);
            } catch (err) {
                if (isGone(err)) continue;
                if (err instanceof LicensingError && err.kind === LicensingErrorKind.LicensesIssued) throw issuedError(inputs, keyPackId);
                throw err;
            }
        }
    },
};

function appliedCountOf(props: Raw): number | undefined {
    return typeof props.appliedCount === "number" ? props.appliedCount : undefined;
}
