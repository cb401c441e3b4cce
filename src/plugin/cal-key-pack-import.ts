/**
 * `pulumi import rds-licensing:index:CalKeyPack <name> <id>` and the state it leaves. The engine's
 * Read of an import carries only the ID, and a server never reveals a pack's numbers, so an imported
 * pack's state holds everything but its numbers: the user adds them to the program as secrets
 * (docs/plugin.md), and until a change rewrites the state:
 * - diff and update take the program's numbers as the state's (nothing on record to differ from);
 * - read looks the pack up as the import did (the handler's read needs the numbers to parse);
 * - delete hands the handler stand-in numbers of the right format, which it only validates: it
 *   uninstalls by key pack ID and sends no number anywhere.
 */
import { LICENSE_PROGRAMS, PROGRAMS, numberFieldsOf, programsOfKeyPackType, type KeyPack, type LicenseProgram } from "../licensing";
import { connectionSchema, type Connection } from "../providers/connection";
import { outputsFrom, type CalKeyPackInputs } from "../providers/cal-key-pack/inputs";
import { licenseServer } from "../providers/registry";
import type { Bag } from "./secrets";
import { pluginConfig } from "./config";

/** ID forms: `<keyPackId>` (server from `rds-licensing:server`) or `<server>/<keyPackId>`. */
export function parseImportId(id: string, defaultServer: string | undefined): { server: string; keyPackId: number } {
    const match = /^(?:([^/]+)\/)?(\d+)$/.exec(id.trim());
    if (!match) throw new Error(`CalKeyPack import ID ${JSON.stringify(id)}: expected <keyPackId> or <server>/<keyPackId> (the ID RD Licensing Manager or \`rds-licensing sim packs\` shows)`);
    const server = match[1] ?? defaultServer;
    if (!server) {
        throw new Error(`CalKeyPack import ID ${id}: which license server? Use <server>/${match[2]}, or set it once: pulumi config set rds-licensing:server <name>`);
    }
    return { server, keyPackId: Number(match[2]) };
}

/** The catalog program of a live pack: by the name RD Licensing Manager shows, else by its key pack type. */
export function programOfPack(pack: KeyPack): LicenseProgram | undefined {
    const byName = LICENSE_PROGRAMS.find((p) => PROGRAMS[p].label === pack.programName);
    if (byName) return byName;
    const byType = programsOfKeyPackType(pack.keyPackType);
    return byType.length === 1 ? byType[0] : undefined;
}

/** Whether stored props lack a number their program needs (an imported pack's state). */
export function numbersMissing(props: Bag): boolean {
    const program = props.program as LicenseProgram | undefined;
    if (!program || !LICENSE_PROGRAMS.includes(program)) return false;
    return numberFieldsOf(program).some((f) => typeof props[f.name] !== "string");
}

/** `olds` with the numbers it lacks taken from `news` (an imported pack: none on record). */
export function withProgramNumbers(olds: Bag, news: Bag): Bag {
    if (!numbersMissing(olds)) return olds;
    const program = olds.program as LicenseProgram;
    const filled = { ...olds };
    for (const f of numberFieldsOf(program)) if (typeof filled[f.name] !== "string" && typeof news[f.name] === "string") filled[f.name] = news[f.name];
    return filled;
}

/** `props` with well-formed stand-ins for the numbers it lacks: for a delete, which only validates them. */
export function withStandInNumbers(props: Bag): Bag {
    if (!numbersMissing(props)) return props;
    const filled = { ...props };
    for (const f of numberFieldsOf(props.program as LicenseProgram)) if (typeof filled[f.name] !== "string") filled[f.name] = f.format.example;
    return filled;
}

/**
 * Read a pack by ID as `pulumi import` (stored = {}) or the refresh of an imported state does: the
 * live pack's inputs (without numbers) and outputs. Undefined when the server has no such pack.
 */
export async function readAdopted(id: string, stored: Bag, internal: Bag): Promise<{ id: string; props: Bag; inputs: Bag } | undefined> {
    const config = pluginConfig();
    const imported = stored.connection === undefined;
    const connection: Connection = imported ? config.connection : connectionSchema.parse(stored.connection);
    const { server, keyPackId } = imported ? parseImportId(id, config.server) : { server: String(stored.server), keyPackId: Number(id) };
    const ids = Array.isArray(stored.keyPackIds) && stored.keyPackIds.length > 0 ? stored.keyPackIds.map(Number) : [keyPackId];
    const live = (await licenseServer(connection, server).listKeyPacks()).filter((p) => ids.includes(p.keyPackId));
    const primary = live.find((p) => p.keyPackId === ids[0]);
    const program = primary && programOfPack(primary);
    if (!primary || !program) return undefined;
    const total = live.reduce((n, p) => n + p.totalLicenses, 0);
    const inputs: Bag = {
        connection,
        server,
        program,
        productVersion: primary.productVersion,
        licenseType: primary.licenseType,
        count: total,
        allowDeleteWithIssuedLicenses: stored.allowDeleteWithIssuedLicenses ?? false,
        ...(typeof stored.serverInstance === "string" ? { serverInstance: stored.serverInstance } : {}),
        ...internal,
    };
    const applied = typeof stored.appliedCount === "number" ? stored.appliedCount : total;
    const props = { ...outputsFrom(inputs as unknown as CalKeyPackInputs, live, applied), count: total };
    return { id: String(primary.keyPackId), props, inputs };
}
