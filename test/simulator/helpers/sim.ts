/** Shared fixtures of the simulator tests: temp stores, specs with fictitious numbers, shortcuts. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "vitest";
import { createSimulatorExecutor } from "../../../src/drivers/simulator";
import type { ProductVersion } from "../../../src/licensing/codes";
import type { ContactInfo, InstallSpec, Operation, OperationExecutor, OperationResult } from "../../../src/licensing/operations";
import { openSimulator, type Simulator } from "../../../src/simulator";
import { main } from "../../../src/simulator/cli";

export const CONTACT: ContactInfo = { firstName: "Ada", lastName: "Lovelace", company: "Contoso", countryRegion: "NL" };

/** Fictitious numbers, chosen so that a plain-text scan cannot match anything else by chance. */
export const NUMBERS = {
    agreement: "7654321",
    retail: "QWRTY-23456-PLMKO-98765-ZXCVB",
    retailNormalized: "QWRTY23456PLMKO98765ZXCVB",
    otherRetail: "MNBVC-65432-LKJHG-19283-POIUY",
    openNumber: "87654321",
    openAuthorization: "AUTHZ1234567890",
};

export const agreement = (over: Partial<InstallSpec> = {}): InstallSpec =>
    ({ program: "enterprise-agreement", agreementNumber: NUMBERS.agreement, productVersion: "2022", licenseType: "per-user", count: 25, ...over }) as InstallSpec;
export const retail = (over: Partial<InstallSpec> = {}): InstallSpec =>
    ({ program: "retail", licenseCode: NUMBERS.retail, productVersion: "2019", licenseType: "per-device", count: 20, ...over }) as InstallSpec;
export const openLicense = (over: Partial<InstallSpec> = {}): InstallSpec =>
    ({
        program: "open-license",
        licenseNumber: NUMBERS.openNumber,
        authorizationNumber: NUMBERS.openAuthorization,
        productVersion: "2016",
        licenseType: "per-device",
        count: 10,
        ...over,
    }) as InstallSpec;

export function tempHome(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "rdls-sim-test-"));
}

export interface Fixture {
    home: string;
    sim: Simulator;
    exec: OperationExecutor;
    /** One execution of one operation on `server`; returns its result. */
    run(op: Operation, server?: string): Promise<OperationResult>;
}

/** A store with one server, activated unless `activated: false`. */
export async function fixture(options: { name?: string; version?: ProductVersion; activated?: boolean } = {}): Promise<Fixture> {
    const home = tempHome();
    const sim = openSimulator({ home });
    const exec = createSimulatorExecutor({ home });
    const name = options.name ?? "rdls01";
    await sim.createServer({ name, windowsServerVersion: options.version ?? "2022" });
    if (options.activated !== false) await sim.activate(CONTACT, { server: name });
    const run = async (op: Operation, server = name) => (await exec.execute(server, [op]))[0]!;
    return { home, sim, exec, run };
}

/** `ok(result)`: the value of a success (shared with the driver tests; see test/support/results.ts). */
export { ok } from "../../support/results";

export function refused(result: OperationResult | undefined, kind: string) {
    expect(result?.ok).toBe(false);
    if (result?.ok !== false) throw new Error("unreachable");
    expect(result.error.kind).toBe(kind);
    return result.error;
}

/** Every file under `dir`, with its content (for secret scans and "store unchanged" checks). */
export function snapshot(dir: string): Record<string, string> {
    const out: Record<string, string> = {};
    if (!fs.existsSync(dir)) return out;
    for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile()) continue;
        const full = path.join(entry.parentPath, entry.name);
        out[path.relative(dir, full)] = fs.readFileSync(full, "utf8");
    }
    return out;
}

/** `rds-licensing sim <argv> --home <home>` in process, with its exit code and both outputs. */
export async function simCli(home: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const code = await main([...argv, "--home", home], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: {}, cwd: "/" });
    return { code, stdout, stderr };
}
