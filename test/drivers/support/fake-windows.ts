/**
 * A stand-in for a Windows RD License Server that "runs" the scripts the driver renders. It reads
 * the script's syntax tree (tree-sitter-powershell), so what it does follows what the script says:
 * the method each step invokes, the named arguments and their literal codes, and the `$I.<field>`
 * values it takes from the (protected) input. A small model plays WMI and the Clearinghouse.
 */
import { randomBytes } from "node:crypto";
import type { Node } from "web-tree-sitter";
import { INPUT_PARAMETER } from "../../../src/drivers/powershell/script-prelude";
import {
    AGREEMENT_NUMBER,
    BUILT_IN_PACK_DESCRIPTION,
    DEFAULT_PRODUCT_VERSION_IDS,
    ISO_3166_ALPHA2,
    KeyPackType,
    OPEN_LICENSE_AUTHORIZATION,
    OPEN_LICENSE_NUMBER,
    RETAIL_LICENSE_CODE,
    WbemCode,
    productVersionFromId,
    type ProductVersion,
} from "../../../src/licensing";
import { windowsServerVersionFromBuild } from "../../../src/drivers/powershell/windows-version";
import { encodeResults, frameBlock } from "./fake-output";
import { FARM_OPERATIONS, type FakeFarm } from "./fake-farm";
import {
    ancestor,
    assignedValue,
    commands,
    comparison,
    descendants,
    hashEntries,
    integerValue,
    memberRead,
    parsePowerShell,
    stringValue,
    type CommandCall,
} from "./powershell-syntax";

export interface FakePack {
    id: number;
    type: number;
    description: string;
    versionId: number;
    versionText: string;
    productType: number;
    total: number;
    issued: number;
    available: number;
    expires: string | null;
    /** The numbers it was installed with (program-tagged), for the Clearinghouse model. */
    numbers?: string;
}

/**
 * The Clearinghouse's memory of retail codes: a code is consumed by its first install, whatever the
 * machine. Share one between two FakeWindowsServers to model a server rebuilt under the same name.
 */
export class FakeClearinghouse {
    /** Program-tagged code → the computer name that consumed it. */
    readonly consumed = new Map<string, string>();
}

/**
 * Each Install* method and its documented Reinstall* counterpart (same inputs), written out here
 * from the documentation, independently of the driver's table.
 */
const REINSTALL_OF: Record<string, string> = {
    InstallAgreementLicenseKeyPack: "ReinstallAgreementLicenseKeyPack",
    InstallOpenLicenseKeyPack: "ReinstallOpenPurchaseLicenseKeyPack",
    InstallRetailPurchaseLicenseKeyPack: "ReinstallRetailPurchaseLicenseKeyPack",
};

/** Each Import* method and the Install* method whose inputs it takes (plus the source's name and product ID). */
const INSTALL_OF_IMPORT: Record<string, string> = {
    ImportAgreementLicenseKeyPack: "InstallAgreementLicenseKeyPack",
    ImportOpenPurchaseLicenseKeyPack: "InstallOpenLicenseKeyPack",
    ImportRetailPurchaseLicenseKeyPack: "InstallRetailPurchaseLicenseKeyPack",
};

export interface Execution {
    script: string;
    parameters: Record<string, string>;
    stdout: string;
}

/** Makes one WMI method fail the next time it is called. */
export interface InjectedFault {
    method: string;
    /** ReturnValue to return. */
    returnValue?: number;
    /** Or an exception, with this message, optionally a CIM native error code name. */
    exception?: string;
    cimCode?: string;
    /**
     * Or a CimException whose CIM error (MSFT_WmiError) carries this WBEM code in error_Code: the
     * provider fails the call with an HRESULT instead of returning a non-zero ReturnValue.
     */
    wbemCode?: number;
}

type StepValue = { ok: 1; v: unknown } | { ok: 0; e: Record<string, unknown> };

export class StepError extends Error {
    /** `thrown`: an exception the script did not catch (no ReturnValue was assigned), e.g. a CimException. */
    constructor(
        readonly info: Record<string, unknown>,
        readonly thrown = false,
    ) {
        super(String(info.m));
    }
}

/**
 * A method call failed with a CimException carrying `code`, as the script reports it: through
 * Invoke-RdlsMethod '<method>' { Invoke-CimMethod ... -MethodName <method> ... } the error names the
 * method and the code; a bare call reaches Get-RdlsErrorInfo, which reads the code but names no method.
 */
export function cimFailure(body: Node | undefined, method: string, code: number, message: string): StepError {
    const hex = `0x${(code >>> 0).toString(16).toUpperCase().padStart(8, "0")}`;
    const call = body && commands(body, "Invoke-CimMethod").find((c) => c.parameters.get("methodname") && stringValue(c.parameters.get("methodname")!) === method);
    let wrapped = false;
    for (let at = call ? ancestor(call.node, "command") : undefined; at; at = ancestor(at, "command")) {
        const outer = commands(at, "Invoke-RdlsMethod").find((c) => c.node.startIndex === at!.startIndex);
        if (outer && outer.positional[0] && stringValue(outer.positional[0]) === method) wrapped = true;
    }
    return new StepError(wrapped ? { m: `${method} failed with ${hex}: ${message}`, rv: code >>> 0, x: 1 } : { m: message, rv: code >>> 0 }, true);
}

export const wbem = (rv: number, m: string) => new StepError({ m, rv });

function compare(actual: number, operator: string, expected: number): boolean {
    switch (operator) {
        case "-eq":
            return actual === expected;
        case "-ne":
            return actual !== expected;
        case "-gt":
            return actual > expected;
        case "-ge":
            return actual >= expected;
        case "-lt":
            return actual < expected;
        case "-le":
            return actual <= expected;
        default:
            throw new Error(`fake: unknown comparison ${operator}`);
    }
}

export class FakeWindowsServer {
    name = "RDLS01";
    build = 20348; // Windows Server 2022
    activation = 1;
    /** The ActivationStatus out-value ActivateServerAutomatic returns with ReturnValue 0 (1, 2: not activated). */
    activationResult = 0;
    licenseServerId = "";
    contact = { FirstName: "", LastName: "", Company: "", CountryRegion: "", eMail: "" };
    packs: FakePack[] = [
        {
            id: 1,
            type: KeyPackType.Unknown,
            description: BUILT_IN_PACK_DESCRIPTION,
            versionId: 7,
            versionText: "Windows Server 2022",
            productType: 0,
            total: 4294967295,
            issued: 0,
            available: 4294967295,
            expires: "2038-01-18",
        },
    ];
    journal = new Map<string, { id: number; program: string }>();
    spool = new Map<string, string>();
    nextId = 2;
    /** The Clearinghouse refuses these numbers (entitlement refused). */
    refusedNumbers = new Set<string>();
    /** Consumed retail codes; shared between servers that share a Clearinghouse. */
    clearinghouse = new FakeClearinghouse();
    /** Every Install* and Reinstall* method called, in order (the reinstall fallback's tests read it). */
    installCalls: string[] = [];
    /** Every Import* call's source, as sent (sSourceLSName, sSourceLSProductId). */
    imports: { method: string; sourceName: string; sourceProductId: string }[] = [];
    clearinghouseDown = false;
    /** The display language of this Windows: RegionInfo.DisplayName and the provider's list of country names follow it. */
    language = "en-US";
    /** Who runs the scripts: SYSTEM under Run Command, an administrator over SSH. */
    identity: "SYSTEM" | "Administrators" = "SYSTEM";
    /**
     * The named mutex Global\rds-licensing-journal while some script holds it: who created it and
     * whom its security descriptor lets open it. Absent: no script has it open.
     */
    journalMutex?: { createdBy: string; allows: string[] };
    /**
     * A server whose ProductVersion code means another version than the driver assumes: every
     * agreement or open install makes a pack of this version, whatever code was sent.
     */
    installAs?: { versionId: number; versionText: string };
    faults: InjectedFault[] = [];
    /** Lines printed before the results, as Windows does (banners, warnings, progress). */
    noise: string[] = [];
    /** The script's scrubbing of secrets from messages; off to test the driver's own. */
    scrubSecrets = true;
    executions: Execution[] = [];
    /** The farm side of this machine (a broker with or without a deployment, or a session host). */
    farm?: FakeFarm;
    /** Azure Key Vault as this VM reaches it: versioned secret URI → the secret's value. */
    vault = new Map<string, string>();
    /** How many reads Key Vault answers 403 before the VM's role assignment takes effect. */
    vaultDenials = 0;
    /** Whether the VM has a managed identity (the instance metadata service hands out tokens). */
    managedIdentity = true;
    /** Key Vault cannot be reached from the VM (firewall, no outbound route). */
    vaultUnreachable = false;
    /** Every Key Vault read (its URI with the api-version), in order, 403s included. */
    vaultReads: string[] = [];
    /** Values the batch being run read from Key Vault: scrubbed from its messages like its input. */
    private vaultValues: string[] = [];
    /** The RDS deployment this machine brokers (fake-session-deployment.ts): performs the steps it names. */
    sessionDeployment?: { operations: ReadonlySet<string>; perform(op: string, body: Node, input: never): unknown };

    addPack(pack: Partial<FakePack> & Pick<FakePack, "total">): FakePack {
        const full: FakePack = {
            id: this.nextId++,
            type: KeyPackType.Volume,
            description: "Windows Server 2022 - RDS Per User CAL",
            versionId: 7,
            versionText: "Windows Server 2022",
            productType: 1,
            issued: 0,
            available: pack.total - (pack.issued ?? 0),
            expires: null,
            ...pack,
        };
        this.packs.push(full);
        return full;
    }

    async run(script: string, parameters: Readonly<Record<string, string>>): Promise<{ stdout: string; stderr: string; exitCode: number }> {
        const tree = await parsePowerShell(script);
        if (tree.rootNode.hasError) {
            const stdout = "";
            this.executions.push({ script, parameters: { ...parameters }, stdout });
            return { stdout, stderr: "ParserError: the script does not parse", exitCode: 1 };
        }
        const nonce = /^\$RdlsNonce = '([0-9a-f]+)'$/m.exec(script)?.[1];
        if (!nonce) throw new Error("fake: script has no nonce");
        const spoolRead = commands(tree.rootNode, "Read-RdlsSpool")[0];
        const block = spoolRead ? this.readSpool(nonce, spoolRead) : this.runBatch(nonce, script, tree.rootNode, parameters);
        const stdout = [...this.noise, ""].join("\r\n") + block;
        this.executions.push({ script, parameters: { ...parameters }, stdout });
        return { stdout, stderr: "", exitCode: 0 };
    }

    private readSpool(nonce: string, call: CommandCall): string {
        const id = stringValue(call.parameters.get("id")!);
        const offset = integerValue(call.parameters.get("offset")!)!;
        const length = integerValue(call.parameters.get("length")!)!;
        const text = this.spool.get(id);
        if (text === undefined) return frameBlock(nonce, "e", `Could not find file '${id}.txt'.`, 0, id);
        const chunk = text.slice(offset, offset + length);
        if (offset + chunk.length >= text.length) this.spool.delete(id);
        return frameBlock(nonce, "c", chunk, text.length, id);
    }

    private runBatch(nonce: string, script: string, root: Node, parameters: Readonly<Record<string, string>>): string {
        const budget = Number(/^\$RdlsBudget = (\d+)$/m.exec(script)?.[1]);
        const input = JSON.parse(Buffer.from(parameters[INPUT_PARAMETER] ?? "", "base64").toString("utf8")) as { o: Record<string, string>[] };
        const secrets = input.o.flatMap((o) => ["num", "lic", "auth", "code"].map((f) => o[f]).filter((v): v is string => !!v));
        this.vaultValues = [];
        const results: unknown[] = [];
        for (const call of commands(root, "Invoke-RdlsStep")) {
            const index = integerValue(call.positional[0]!)!;
            const op = stringValue(call.positional[1]!);
            const outcome = this.step(op, call.positional[2]!, input.o[index] ?? {});
            if (outcome.ok === 0 && this.scrubSecrets) {
                for (const s of [...secrets, ...this.vaultValues]) outcome.e.m = String(outcome.e.m).split(s).join("***");
            }
            results.push({ i: index, ...outcome });
        }
        const { text, spooled } = encodeResults(nonce, budget, results);
        if (spooled) this.spool.set(nonce, spooled);
        return text;
    }

    private step(op: string, body: Node, input: Record<string, string>): StepValue {
        try {
            return { ok: 1, v: this.perform(op, body, input) };
        } catch (error) {
            if (error instanceof StepError) return { ok: 0, e: error.info };
            throw error;
        }
    }

    /** The value of a named argument: a literal, or `$I.<field>` read from the input. */
    private argument(entries: Map<string, Node>, name: string, input: Record<string, string>): number | string | undefined {
        const node = entries.get(name);
        if (!node) return undefined;
        const literal = integerValue(node);
        if (literal !== undefined) return literal;
        const read = memberRead(node);
        if (read?.variable === "$I") return input[read.member] ?? "";
        throw new Error(`fake: cannot evaluate ${name} = ${node.text}`);
    }

    private invoked(body: Node): { method: string; args: Map<string, Node>; node: Node }[] {
        return commands(body, "Invoke-CimMethod").map((c) => ({
            method: stringValue(c.parameters.get("methodname")!),
            args: c.parameters.get("arguments") ? hashEntries(c.parameters.get("arguments")!) : new Map(),
            node: c.node,
        }));
    }

    /**
     * The step's guards, as the script states them: `if (<pack>.<Property> -op <literal>) { throw
     * (New-RdlsRefusal '<kind>' <message>) }`, evaluated on `pack` (which `<pack>` must have been
     * read as) before `method` runs. A refusal carries its kind and no return value.
     */
    private guards(body: Node, pack: FakePack, method: Node): void {
        for (const refusal of commands(body, "New-RdlsRefusal")) {
            const statement = ancestor(refusal.node, "if_statement");
            if (!statement) throw new Error("fake: New-RdlsRefusal outside an if statement");
            if (statement.startIndex > method.startIndex) throw new Error("fake: a guard is checked after the method call");
            const test = comparison(statement.childForFieldName("condition")!);
            const read = test && memberRead(test.left);
            const expected = test && integerValue(test.right);
            if (!test || !read || expected === undefined) throw new Error(`fake: cannot evaluate guard ${statement.childForFieldName("condition")?.text}`);
            const source = assignedValue(body, read.variable);
            const readFrom = source && commands(source, "Assert-RdlsPack")[0];
            if (!readFrom || integerValue(readFrom.positional[0]!) !== pack.id) throw new Error(`fake: guard variable ${read.variable} is not key pack ${pack.id} read live`);
            if (compare(this.property(pack, read.member), test.operator, expected)) {
                throw new StepError({ m: this.text(refusal.positional[1]!, pack), k: stringValue(refusal.positional[0]!) });
            }
        }
    }

    /** A Win32_TSLicenseKeyPack property of a pack, by its WMI name. */
    private property(pack: FakePack, name: string): number {
        const value = { TotalLicenses: pack.total, IssuedLicenses: pack.issued, AvailableLicenses: pack.available, KeyPackId: pack.id }[name];
        if (value === undefined) throw new Error(`fake: unknown key pack property ${name}`);
        return value;
    }

    /** A message of string literals and pack properties joined with +, as the script builds it. */
    private text(node: Node, pack: FakePack): string {
        const parts = [...descendants(node, "string_literal"), ...descendants(node, "member_access")].sort((a, b) => a.startIndex - b.startIndex);
        return parts.map((part) => (part.type === "member_access" ? String(this.property(pack, memberRead(part)!.member)) : stringValue(part))).join("");
    }

    /** The body of the step being performed (a fault's CimException depends on how the script calls the method). */
    private body?: Node;

    private fault(method: string): void {
        const at = this.faults.findIndex((f) => f.method === method);
        if (at < 0) return;
        const [fault] = this.faults.splice(at, 1);
        if (fault!.wbemCode !== undefined) throw cimFailure(this.body, method, fault!.wbemCode, fault!.exception ?? "The WMI provider failed the call.");
        if (fault!.exception !== undefined) {
            throw new StepError(fault!.cimCode ? { m: fault!.exception, c: fault!.cimCode } : { m: fault!.exception, h: -2146233088 });
        }
        throw wbem(fault!.returnValue!, `${method} returned 0x${fault!.returnValue!.toString(16).toUpperCase()}`);
    }

    private perform(op: string, body: Node, input: Record<string, string>): unknown {
        this.body = body;
        if (commands(body, "Enter-RdlsLock").length > 0) this.enterLock(body);
        switch (op) {
            case "status":
                return this.status();
            case "list-packs":
                return { p: this.packs.filter((p) => !this.builtIn(p)).map((p) => this.row(p)) };
            case "activate": {
                const set = commands(body, "Set-CimInstance")[0]!;
                const props = hashEntries(set.parameters.get("property")!);
                for (const key of Object.keys(this.contact) as (keyof FakeWindowsServer["contact"])[]) {
                    if (!props.has(key)) throw new Error(`fake: activate does not set ${key}`);
                    this.contact[key] = key === "CountryRegion" ? this.countryValue(body, props.get(key)!, input) : String(this.argument(props, key, input));
                }
                if (this.activation !== 0) {
                    this.fault("ActivateServerAutomatic");
                    // As the provider is reported to: CountryRegion must be a name from the OS's own (localized) list.
                    if (this.contact.CountryRegion && !codeOfCountryName(this.contact.CountryRegion, [this.language])) {
                        throw wbem(WbemCode.InvalidParameter, "ActivateServerAutomatic returned 0x80041008 (Invalid parameter)");
                    }
                    const c = this.contact;
                    if (!c.FirstName || !c.LastName || !c.Company || !c.CountryRegion) throw wbem(WbemCode.InvalidOperation, "ActivateServerAutomatic returned 0x80041016");
                    if (this.clearinghouseDown) throw wbem(WbemCode.NotAvailable, "ActivateServerAutomatic returned 0x80041009");
                    if (this.activationResult !== 0) return this.activationRefused(body);
                    this.activation = 0;
                    this.licenseServerId = randomBytes(18).toString("hex").slice(0, 35).toUpperCase();
                }
                return this.status();
            }
            case "deactivate":
                if (this.activation === 0) {
                    this.fault("DeactivateServerAutomatic");
                    this.activation = 1;
                    this.licenseServerId = "";
                }
                return this.status();
            case "install":
                return this.install(body, input);
            case "remove-licenses": {
                const { method, args, node } = this.invoked(body)[0]!;
                if (method !== "RemoveLicensesWithIdCount") throw new Error(`fake: unexpected ${method}`);
                const id = Number(this.argument(args, "KeyPackId", input));
                const count = Number(this.argument(args, "LicenseCount", input));
                const pack = this.pack(id);
                this.guards(body, pack, node);
                if (pack.available < count) throw wbem(WbemCode.ValueOutOfRange, `key pack ${id} has ${pack.available} available licenses, ${count} asked`);
                this.fault(method);
                const before = this.row(pack);
                pack.total -= count;
                pack.available -= count;
                if (pack.total === 0) this.packs = this.packs.filter((p) => p !== pack);
                return { p: pack.total === 0 ? null : this.row(pack), b: before };
            }
            case "uninstall": {
                const { method, args, node } = this.invoked(body)[0]!;
                if (method !== "UninstallLicenseKeyPackWithId") throw new Error(`fake: unexpected ${method}`);
                const id = Number(this.argument(args, "KeyPackId", input));
                this.guards(body, this.pack(id), node);
                this.fault(method);
                this.packs = this.packs.filter((p) => p.id !== id);
                for (const [key, entry] of this.journal) if (entry.id === id) this.journal.delete(key);
                return { i: id };
            }
            default:
                if (this.farm && FARM_OPERATIONS.has(op)) return this.farm.perform(op, body, input as unknown as { s?: string[] });
                if (this.sessionDeployment?.operations.has(op)) return this.sessionDeployment.perform(op, body, input as never);
                throw new Error(`fake: unknown step ${op}`);
        }
    }

    private install(body: Node, given: Record<string, string>): unknown {
        const [first, second, ...more] = this.invoked(body);
        if (!first || more.length > 0) throw new Error("fake: an install step calls one Install* method, and at most one Reinstall*");
        const input = this.vaultNumbers(body, given);
        const known = this.journal.get(input.key ?? "");
        if (known && this.packs.some((p) => p.id === known.id)) {
            this.checkInstalled(body, this.pack(known.id), false);
            return { p: this.row(this.pack(known.id)), r: 1 };
        }
        if (first.method === "ConvertLicenses") {
            if (second) throw new Error("fake: a conversion step calls ConvertLicenses alone");
            return this.convert(body, first, input);
        }
        if (INSTALL_OF_IMPORT[first.method] !== undefined && commands(body, "New-RdlsError").length > 0 && (input.srcid ?? "") === "") {
            // The step's guard: with no source product ID, only a journaled retry may pass.
            throw wbem(WbemCode.InvalidMethodParameters, "the source license server could not be read, so its product ID is unknown; nothing was imported");
        }
        const reinstall = second && this.reinstallCall(body, first, second);
        const save = commands(body, "Save-RdlsJournal")[0]!;
        const program = stringValue(save.positional[2]!);
        let pack: FakePack;
        let reinstalled = false;
        try {
            pack = this.installPack(first.method, first.args, input, false);
        } catch (error) {
            // The script reinstalls only after a non-zero return value, and reports the install's
            // error when the reinstall fails in any way.
            if (!(error instanceof StepError) || error.thrown || error.info.rv === undefined || !reinstall) throw error;
            try {
                pack = this.installPack(reinstall.method, reinstall.args, input, true);
            } catch (again) {
                if (again instanceof StepError) throw error;
                throw again;
            }
            reinstalled = true;
        }
        this.journal.set(input.key!, { id: pack.id, program });
        this.checkInstalled(body, pack, true);
        const value: Record<string, unknown> = { p: this.row(pack) };
        if (reinstall) value[reinstall.flag] = reinstalled ? 1 : 0;
        return value;
    }

    /**
     * ConvertLicenses, as the step says it: an instance method on `$<var>`, which the step read with
     * `Assert-RdlsPack <id>`; the step's guards on that pack first; `Count` of its available licenses
     * into a new key pack of the other type (a pack left empty goes), journaled like an install.
     */
    private convert(body: Node, call: { method: string; args: Map<string, Node>; node: Node }, input: Record<string, string>): unknown {
        const on = commands(body, "Invoke-CimMethod")[0]!.parameters.get("inputobject")?.text.trim();
        const read = on ? assignedValue(body, on) : undefined;
        const from = read && commands(read, "Assert-RdlsPack")[0];
        if (!from) throw new Error("fake: ConvertLicenses is not called on a key pack the step read with Assert-RdlsPack");
        const pack = this.pack(integerValue(from.positional[0]!)!);
        this.guards(body, pack, call.node);
        const count = Number(this.argument(call.args, "Count", input));
        this.installCalls.push(call.method);
        this.fault(call.method);
        if (this.activation !== 0) throw wbem(WbemCode.InvalidOperation, `${call.method} returned 0x80041016`);
        if (!Number.isInteger(count) || count < 1 || count > pack.available) throw wbem(WbemCode.ValueOutOfRange, `${call.method} returned 0x8004102B`);
        const productType = pack.productType === 1 ? 0 : 1;
        const converted = this.addPack({
            type: pack.type,
            versionId: pack.versionId,
            versionText: pack.versionText,
            description: pack.description.replace(/Per (User|Device)/, productType === 1 ? "Per User" : "Per Device"),
            productType,
            total: count,
            ...(pack.numbers ? { numbers: pack.numbers } : {}),
        });
        pack.total -= count;
        pack.available -= count;
        if (pack.total === 0) this.packs = this.packs.filter((p) => p !== pack);
        const save = commands(body, "Save-RdlsJournal")[0]!;
        this.journal.set(input.key!, { id: converted.id, program: stringValue(save.positional[2]!) });
        this.checkInstalled(body, converted, true);
        return { p: this.row(converted) };
    }

    /**
     * The Reinstall* call of an install step, checked against what the script must say: the
     * documented counterpart of the install, with the same named arguments, in a try block inside
     * `if (<install result>.ReturnValue -ne 0)`; and the result entry that reports it.
     */
    private reinstallCall(body: Node, install: { method: string; args: Map<string, Node>; node: Node }, call: { method: string; args: Map<string, Node>; node: Node }) {
        if (call.method !== REINSTALL_OF[install.method]) throw new Error(`fake: ${call.method} is not the reinstall of ${install.method}`);
        if (call.node.startIndex < install.node.startIndex) throw new Error("fake: the reinstall comes before the install");
        const args = (m: Map<string, Node>) => [...m.entries()].map(([k, v]) => `${k}=${v.text.trim()}`).sort();
        if (JSON.stringify(args(call.args)) !== JSON.stringify(args(install.args))) throw new Error("fake: the reinstall's named arguments differ from the install's");
        const guard = ancestor(call.node, "if_statement");
        const condition = guard?.childForFieldName("condition");
        // The condition may have other terms (`$null -ne $result -and ...`): find the return value test.
        const tests = condition ? descendants(condition, "comparison_expression").map((c) => comparison(c)) : [];
        const test = tests.find((t) => t && memberRead(t.left)?.member === "ReturnValue");
        const read = test && memberRead(test.left);
        if (!test || !read || test.operator !== "-ne" || integerValue(test.right) !== 0 || read.variable !== assignedVariable(install.node)) {
            throw new Error(`fake: the reinstall is not guarded by the install's ReturnValue -ne 0 (${guard?.childForFieldName("condition")?.text ?? "no if"})`);
        }
        const tried = ancestor(call.node, "try_statement");
        if (!tried || ancestor(call.node, "catch_clause")) throw new Error("fake: the reinstall is not in a try block");
        const flag = descendants(body, "hash_entry")
            .map((entry) => entry.namedChildren.find((c) => c?.type === "key_expression")?.text)
            .find((key) => key === "w");
        if (!flag) throw new Error("fake: the install step does not report whether it reinstalled");
        return { ...call, flag };
    }

    /** An Install* or Reinstall* method call: the model of WMI and the Clearinghouse. */
    private installPack(method: string, args: Map<string, Node>, input: Record<string, string>, reinstall: boolean): FakePack {
        this.installCalls.push(method);
        this.fault(method);
        const imported = INSTALL_OF_IMPORT[method] !== undefined;
        const family = reinstall ? Object.keys(REINSTALL_OF).find((m) => REINSTALL_OF[m] === method) : (INSTALL_OF_IMPORT[method] ?? method);
        const source = imported ? { name: String(this.argument(args, "sSourceLSName", input) ?? ""), id: String(this.argument(args, "sSourceLSProductId", input) ?? "") } : undefined;
        if (source) {
            if (!source.name || !/^[A-Z0-9]+$/i.test(source.id)) throw wbem(WbemCode.InvalidParameter, `${method} returned 0x80041008`);
            this.imports.push({ method, sourceName: source.name, sourceProductId: source.id });
        }
        const number = (name: string) => String(this.argument(args, name, input));
        let type: number;
        let versionId: number;
        let productType: number;
        let count: number;
        let numbers: string[];
        if (family === "InstallAgreementLicenseKeyPack") {
            numbers = [number("sAgreementNumber")];
            if (!AGREEMENT_NUMBER.test(numbers[0]!)) throw wbem(WbemCode.InvalidParameter, `${method} returned 0x80041008`);
            type = KeyPackType.Volume;
            [versionId, productType, count] = ["ProductVersion", "ProductType", "LicenseCount"].map((n) => Number(this.argument(args, n, input))) as [number, number, number];
            if (args.get("AgreementType") === undefined) throw new Error("fake: AgreementType missing");
        } else if (family === "InstallOpenLicenseKeyPack") {
            numbers = [number("sLicenseNumber"), number("sAuthorizationNumber")];
            if (!OPEN_LICENSE_NUMBER.test(numbers[0]!) || !OPEN_LICENSE_AUTHORIZATION.test(numbers[1]!)) throw wbem(WbemCode.InvalidParameter, `${method} returned 0x80041008`);
            type = KeyPackType.OpenLicense;
            [versionId, productType, count] = ["ProductVersion", "ProductType", "LicenseCount"].map((n) => Number(this.argument(args, n, input))) as [number, number, number];
        } else if (family === "InstallRetailPurchaseLicenseKeyPack") {
            numbers = [number("sLicenseCode")];
            if (!RETAIL_LICENSE_CODE.test(numbers[0]!)) throw wbem(WbemCode.InvalidParameter, `${method} returned 0x80041008`);
            // The code determines the pack: this fake's codes all stand for 2022 per-user x10.
            [type, versionId, productType, count] = [KeyPackType.Retail, 7, 1, 10];
        } else {
            throw new Error(`fake: unexpected install method ${method}`);
        }
        if (this.activation !== 0) throw wbem(WbemCode.InvalidOperation, `${method} returned 0x80041016`);
        if (this.clearinghouseDown) throw wbem(WbemCode.NotAvailable, `${method} returned 0x80041009`);
        const denied = () => wbem(WbemCode.AccessDenied, `${method} returned 0x80041003`);
        if (numbers.some((n) => this.refusedNumbers.has(n))) throw denied();
        const tag = `${family}:${numbers.join("/")}`;
        if (family === "InstallRetailPurchaseLicenseKeyPack") {
            // As the simulator reads the documentation: a retail code is consumed by its first install;
            // only the computer (by name) that consumed it reinstalls it, once no pack of it is left.
            const consumer = this.clearinghouse.consumed.get(tag);
            // A migration moves a consumed code from the server that consumed it (sSourceLSName).
            if (source && consumer !== undefined && consumer.toLowerCase() !== source.name.toLowerCase()) throw denied();
            if (!reinstall && !source && consumer !== undefined) throw denied();
            if (reinstall && (consumer?.toLowerCase() !== this.name.toLowerCase() || this.packs.some((p) => p.numbers === tag))) throw denied();
        } else if (reinstall) {
            // Agreement and open numbers install fresh as long as they are entitled: never a reinstall.
            throw denied();
        }
        // A server with its own code table installs what its table says, whatever the code sent.
        const as = family !== "InstallRetailPurchaseLicenseKeyPack" ? this.installAs : undefined;
        const version = (as ? /\b(20\d\d)\b/.exec(as.versionText)?.[1] : productVersionFromId(versionId, DEFAULT_PRODUCT_VERSION_IDS)) as ProductVersion | undefined;
        const serverVersion = windowsServerVersionFromBuild(this.build)!;
        if (!version || Number(version) > Number(serverVersion)) throw wbem(WbemCode.ValueOutOfRange, `${method} returned 0x8004102B`);
        if (family === "InstallRetailPurchaseLicenseKeyPack") this.clearinghouse.consumed.set(tag, this.name);
        if (as) {
            const text = as.versionText;
            return this.addPack({ type, versionId: as.versionId, versionText: text, description: `${text} - RDS Per ${productType === 1 ? "User" : "Device"} CAL`, productType, total: count, numbers: tag });
        }
        return this.addPack({
            type,
            versionId,
            versionText: `Windows Server ${version}`,
            description: `Windows Server ${version} - RDS Per ${productType === 1 ? "User" : "Device"} CAL`,
            productType,
            total: count,
            numbers: tag,
        });
    }

    /**
     * `$I = Read-RdlsVaultNumbers $I @('<field>', ...)` before the journal lock: the input becomes the
     * request key plus the numbers of the secret `$I.kv`, as the script's functions say it reads them.
     * The functions are checked against the documented calls (an IMDS token for Key Vault's audience
     * with `Metadata: true`, then Get Secret 7.4 with that bearer token), every value read must join
     * `$RdlsSecrets`, and the answers follow this VM's model: no identity, unreachable, 403 while the
     * role assignment propagates (retried as often as `$RdlsVaultAttempts` says), 404, 200 with the
     * JSON. Failures are the script's own texts (`$RdlsVaultProblems`), by kind `failed`.
     */
    private vaultNumbers(body: Node, input: Record<string, string>): Record<string, string> {
        const call = commands(body, "Read-RdlsVaultNumbers")[0];
        if (!call) return input;
        // Read first, before the journal lock: a 403 retried while the role propagates must not hold it.
        const lock = commands(body, "Enter-RdlsLock")[0];
        if (!lock || call.node.startIndex > lock.node.startIndex) throw new Error("fake: the numbers are read from Key Vault inside the journal lock");
        if (call.positional[0]?.text.trim() !== "$I" || assignedVariable(call.node) !== "$I") throw new Error("fake: Read-RdlsVaultNumbers must turn $I into $I");
        const root = ancestor(body, "program") ?? body;
        const fn = (name: string) => descendants(root, "function_statement").find((f) => new RegExp(`^function\\s+${name}\\b`, "i").test(f.text))?.text ?? "";
        const token = fn("Get-RdlsVaultToken");
        const read = fn("Read-RdlsVaultNumbers");
        if (!token.includes("'http://169.254.169.254/metadata/identity/oauth2/token?api-version=") || !/resource=/.test(token) || !/-Headers @\{ Metadata = 'true' \}/.test(token)) {
            throw new Error("fake: Get-RdlsVaultToken does not ask IMDS for a token with Metadata: true");
        }
        if (!read.includes("'?api-version=7.4'") || !read.includes("Authorization = ('Bearer ' + $token)") || !/Invoke-RestMethod -Method Get/.test(read)) {
            throw new Error("fake: Read-RdlsVaultNumbers does not call Get Secret (api-version 7.4) with the token");
        }
        if (!/\[void\]\$RdlsSecrets\.Add\(\$token\)/.test(token) || (read.match(/\[void\]\$RdlsSecrets\.Add\(/g) ?? []).length < 2) {
            throw new Error("fake: what is read from IMDS and Key Vault does not join the scrub list");
        }
        const script = root.text;
        const attempts = Number(/^\$RdlsVaultAttempts = (\d+)$/m.exec(script)?.[1]);
        const fields = [...(/^\$RdlsVaultFields = (.*)$/m.exec(script)?.[1] ?? "").matchAll(/@\('(\w+)', '(\w+)'\)/g)].map((m) => [m[1]!, m[2]!] as const);
        const problemsNode = assignedValue(root, "$RdlsVaultProblems");
        const problems = problemsNode ? new Map([...hashEntries(problemsNode)].map(([key, node]) => [key.replace(/^'(.*)'$/, "$1"), stringValue(node)])) : new Map<string, string>();
        const required = call.positional[1] ? descendants(call.positional[1], "string_literal").map(stringValue) : [];
        const uri = input.kv ?? "";
        const fail = (problem: string, detail = ""): never => {
            const text = problems.get(problem);
            if (text === undefined) throw new Error(`fake: the script has no $RdlsVaultProblems entry '${problem}'`);
            throw new StepError({ m: text.split("{uri}").join(uri) + detail, k: "failed" });
        };
        if (!this.managedIdentity) fail("imds");
        const secret = (() => {
            for (let attempt = 1; ; attempt++) {
                this.vaultReads.push(`${uri}?api-version=7.4`);
                if (this.vaultUnreachable) return fail("0");
                if (this.vaultDenials > 0) {
                    this.vaultDenials--;
                    if (attempt < attempts) continue;
                    return fail("403");
                }
                const value = this.vault.get(uri);
                return value === undefined ? fail("404") : value;
            }
        })();
        this.vaultValues.push(secret);
        let numbers: Record<string, unknown>;
        try {
            numbers = JSON.parse(secret) as Record<string, unknown>;
        } catch {
            return fail("format");
        }
        if (typeof numbers !== "object" || numbers === null || Array.isArray(numbers)) fail("format");
        const merged: Record<string, string> = { key: input.key ?? "" };
        for (const [name, member] of fields) {
            const value = typeof numbers[name] === "string" ? (numbers[name] as string) : "";
            if (value) {
                this.vaultValues.push(value);
                merged[member] = value;
            } else if (required.includes(name)) fail("missing", ` ${name}`);
        }
        return merged;
    }

    /**
     * The CountryRegion the activate step sets: `$I.country` as is (the bare code), or a variable the
     * step assigned from `Resolve-RdlsCountryName ([string]$I.country)`, which (when the prelude
     * defines it with RegionInfo's DisplayName) is the region's name in this server's language.
     */
    private countryValue(body: Node, node: Node, input: Record<string, string>): string {
        const read = memberRead(node);
        if (read?.variable === "$I") return input[read.member] ?? "";
        const source = assignedValue(body, node.text.trim());
        const call = source && commands(source, "Resolve-RdlsCountryName")[0];
        if (!call) throw new Error(`fake: cannot evaluate CountryRegion = ${node.text}`);
        const root = ancestor(body, "program") ?? body;
        const fn = descendants(root, "function_statement").find((f) => /^function\s+Resolve-RdlsCountryName\b/i.test(f.text));
        if (!fn || !/RegionInfo\(\$Code\)/.test(fn.text) || !/\.DisplayName/.test(fn.text)) throw new Error("fake: Resolve-RdlsCountryName does not read RegionInfo's DisplayName");
        const arg = memberRead(call.positional[0]!);
        const code = arg?.variable === "$I" ? (input[arg.member] ?? "") : "";
        const name = ISO_3166_ALPHA2.has(code.toUpperCase()) ? new Intl.DisplayNames([this.language], { type: "region" }).of(code.toUpperCase()) : undefined;
        if (!name) throw wbem(WbemCode.InvalidParameter, `country/region ${code} is not a region this server knows`);
        return name;
    }

    /**
     * Enter-RdlsLock, as the script's function says it: an existing mutex is opened (OpenExisting
     * with Synchronize and Modify, or the constructor, which asks for full access) only if its
     * security descriptor allows this identity; a new one is created with the access rules the
     * function builds (MutexAccessRule per well-known SID), or, without any, the creator's alone.
     * The mutex a step creates is left as "held" so the next execution (another identity) meets it.
     */
    private enterLock(body: Node): void {
        const root = ancestor(body, "program") ?? body;
        const fn = descendants(root, "function_statement").find((f) => /^function\s+Enter-RdlsLock\b/i.test(f.text));
        if (!fn) throw new Error("fake: the script has no Enter-RdlsLock function");
        const text = fn.text;
        const sids: Record<string, string> = { BuiltinAdministratorsSid: "Administrators", LocalSystemSid: "SYSTEM" };
        const existing = this.journalMutex;
        if (existing) {
            const opens = /\[System\.Threading\.Mutex\]::OpenExisting\(/i.test(text) || /Mutex\]::new\(|New-Object\s+System\.Threading\.Mutex/i.test(text);
            if (!opens) throw new Error("fake: Enter-RdlsLock neither opens nor creates the mutex");
            if (!existing.allows.includes(this.identity)) {
                // The function's own message for it: its literals joined with $name and the identity's name.
                const line = /catch \[System\.UnauthorizedAccessException\][^{]*\{\s*(throw \(.*)/i.exec(text)?.[1];
                const parts = line ? [...line.matchAll(/'([^']*)'|\$name|\[Security\.Principal\.WindowsIdentity\]::GetCurrent\(\)\.Name/g)] : [];
                const message = parts.map((m) => (m[1] !== undefined ? m[1] : m[0] === "$name" ? "Global\\rds-licensing-journal" : `NT AUTHORITY\\${this.identity}`)).join("");
                throw new StepError({ m: message || `Access to the path 'Global\\rds-licensing-journal' is denied.`, h: -2147024891 });
            }
            return;
        }
        const granted = [...text.matchAll(/WellKnownSidType\]::(\w+)/g)].map((m) => sids[m[1]!]).filter((s): s is string => !!s);
        const withSecurity = /MutexAccessRule/.test(text) && /Mutex\]::new\([^)]*\$security\)/i.test(text);
        this.journalMutex = { createdBy: this.identity, allows: withSecurity && granted.length > 0 ? granted : [this.identity] };
    }

    /**
     * The step's read-back of the pack an install made, as the script states it: `Assert-RdlsInstalled
     * $pack '<version>' <code> <type> <count>` with literals (the first call for a known request key,
     * the last for a fresh install). A pack that is not the version (by ID and by the year its text
     * names), type or count fails the step by kind, with the pack's row; no call, no check.
     */
    private checkInstalled(body: Node, pack: FakePack, fresh: boolean): void {
        const checks = commands(body, "Assert-RdlsInstalled");
        const check = fresh ? checks.at(-1) : checks.length > 1 ? checks[0] : undefined;
        if (!check) return;
        const [, version, versionId, productType, count] = check.positional;
        const years: string[] = `${pack.versionText} ${pack.description}`.match(/\b20\d\d\b/g) ?? [];
        const wrong: string[] = [];
        if (pack.versionId !== integerValue(versionId!) || (years.length > 0 && !years.includes(stringValue(version!)))) wrong.push("productVersion");
        if (pack.productType !== integerValue(productType!)) wrong.push("licenseType");
        const expected = count && integerValue(count);
        if (expected !== undefined && pack.total !== expected) wrong.push("count");
        if (wrong.length > 0) throw new StepError({ m: `key pack ${pack.id} was installed, but not as asked: ${wrong.join(", ")}`, k: "failed", p: this.row(pack) });
    }

    /**
     * ActivateServerAutomatic returned 0 with ActivationStatus 1 (not activated) or 2 (unknown error):
     * the server stays unactivated. A step that checks the out-value (Assert-RdlsActivated on the
     * method's result, after the call) fails with the status's documented meaning; one that does
     * not returns the status as if all went well.
     */
    private activationRefused(body: Node): unknown {
        const status = this.activationResult;
        this.activation = status;
        const method = commands(body, "Invoke-CimMethod").find((c) => stringValue(c.parameters.get("methodname")!) === "ActivateServerAutomatic");
        const check = commands(body, "Assert-RdlsActivated")[0];
        if (!method || !check) return this.status();
        if (check.node.startIndex < method.node.startIndex) throw new Error("fake: ActivationStatus is checked before ActivateServerAutomatic");
        if (check.positional[0]?.text.trim() !== assignedVariable(method.node)) throw new Error("fake: Assert-RdlsActivated does not check ActivateServerAutomatic's result");
        const meaning = status === 1 ? "the license server is not activated" : "an unknown error occurred: it is not known whether the license server is activated";
        throw new StepError({ m: `ActivateServerAutomatic returned 0 with ActivationStatus ${status}: ${meaning}`, k: status === 1 ? "not-activated" : "failed" });
    }

    private builtIn(p: FakePack): boolean {
        return p.productType === 3 || p.description.toLowerCase().startsWith(BUILT_IN_PACK_DESCRIPTION.toLowerCase());
    }

    private pack(id: number): FakePack {
        const pack = this.packs.find((p) => p.id === id && !this.builtIn(p));
        if (!pack) throw wbem(WbemCode.NotFound, `key pack ${id} does not exist`);
        return pack;
    }

    private row(p: FakePack) {
        const program = [...this.journal.values()].find((e) => e.id === p.id)?.program ?? null;
        return { i: p.id, t: p.type, d: p.description, v: p.versionId, s: p.versionText, y: p.productType, n: p.total, u: p.issued, a: p.available, x: p.expires, g: program };
    }

    private status() {
        const c = this.contact;
        // Get-RdlsStatus reads CountryRegion back as an ISO code (ConvertTo-RdlsCountryCode) when the name is a region's in any language.
        const root = this.body && (ancestor(this.body, "program") ?? this.body);
        const reads = root && descendants(root, "function_statement").some((f) => /^function\s+Get-RdlsStatus\b/i.test(f.text) && f.text.includes("ConvertTo-RdlsCountryCode"));
        const cr = (reads && codeOfCountryName(c.CountryRegion, [this.language, "en-US"])) || c.CountryRegion;
        return { n: this.name, b: this.build, a: this.activation, id: this.licenseServerId || null, fn: c.FirstName, ln: c.LastName, co: c.Company, cr, em: c.eMail };
    }
}

/** The ISO code whose region name, in one of `languages`, is `name` (case-insensitive), if any. */
function codeOfCountryName(name: string, languages: string[]): string | undefined {
    const wanted = name.trim().toLocaleLowerCase();
    if (!wanted) return undefined;
    for (const language of languages) {
        const names = new Intl.DisplayNames([language], { type: "region" });
        for (const code of ISO_3166_ALPHA2) if (names.of(code)?.toLocaleLowerCase() === wanted) return code;
    }
    return undefined;
}

/** The variable a command's output is assigned to (`$x = Invoke-CimMethod ...`), or undefined. */
function assignedVariable(command: Node): string | undefined {
    const assignment = ancestor(command, "assignment_expression");
    return assignment?.namedChildren[0]?.text.trim();
}

// ---- Usage reports and revocation: Win32_TSLicenseReport, Win32_TSIssuedLicense (the usage script) ----

/** A Win32_TSIssuedLicense: a per-device CAL or a temporary license. */
export interface FakeIssuedLicense {
    LicenseId: number;
    KeyPackId: number;
    sIssuedToComputer: string;
    sHardwareId: string;
    /** 1 temporary, 2 active, 4 revoked. */
    LicenseStatus: number;
    IssueDate: Date;
    ExpirationDate: Date;
}

/** A per-user CAL in use (a Win32_TSLicenseReportEntry of the next report), backed by a pack or counted beyond them. */
export interface FakePerUserCal {
    user: string;
    versionId: number;
    keyPackId?: number;
    expires: Date;
}

const USAGE_STEPS: ReadonlySet<string> = new Set(["usage-report", "revoke-cal"]);
const DAY_MS = 86_400_000;
/** CIM DATETIME as the script's ConvertTo-RdlsDate prints it. */
const cimDate = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");
const versionText = (id: number) => `Windows Server ${productVersionFromId(id) ?? id}`;

/**
 * The license server's usage side, for the usage script: it issues CALs as session hosts would ask
 * for them, answers GenerateReportEx / Fetch*Entries (paged by StartIndex and Count, LSERVER_I_NO_MORE_DATA
 * past the end) / DeleteReport, and Revoke with the documented limit (20 % of a version's installed
 * per-device CALs, at least 1; a revoked CAL counts until its expiration date). As the rest of this
 * double, it reads the script's syntax tree and acts on what the script says.
 */
export class FakeUsageServer extends FakeWindowsServer {
    now = new Date("2026-06-01T08:00:00Z");
    licenses: FakeIssuedLicense[] = [];
    perUserCals: FakePerUserCal[] = [];
    failedPerUser: { User: string; TriedIssuanceOn: Date; versionId: number }[] = [];
    /** Reports GenerateReportEx made that DeleteReport has not removed: file name → table rows by Fetch method. */
    reports = new Map<string, Record<string, Record<string, unknown>[]>>();
    /** Every Win32_TSLicenseReport / Win32_TSIssuedLicense method call, in order. */
    usageCalls: { method: string; StartIndex?: number; Count?: number }[] = [];
    private nextLicenseId = 1;
    private nextReportNumber = 1;

    /** A session host asked for a per-device CAL of `versionId` for `computer`: a permanent one from a pack, else a temporary license. */
    connectDevice(computer: string, options: { versionId?: number; hardwareId?: string; temporary?: boolean } = {}): FakeIssuedLicense {
        const versionId = options.versionId ?? 7;
        const pack = options.temporary ? undefined : this.packs.find((p) => p.productType === 0 && p.versionId === versionId && p.available > 0 && !p.description.startsWith(BUILT_IN_PACK_DESCRIPTION));
        if (pack) {
            pack.issued += 1;
            pack.available -= 1;
        }
        const license: FakeIssuedLicense = {
            LicenseId: this.nextLicenseId++,
            KeyPackId: pack?.id ?? 1,
            sIssuedToComputer: computer,
            sHardwareId: options.hardwareId ?? `0x${(0x1000 + this.nextLicenseId).toString(16)}-0x2`,
            LicenseStatus: pack ? 2 : 1,
            IssueDate: this.now,
            ExpirationDate: new Date(this.now.getTime() + (pack ? 60 : 90) * DAY_MS),
        };
        this.licenses.push(license);
        return license;
    }

    /** A user connected: a per-user CAL from a pack of `versionId`, or counted beyond them (not enforced). */
    connectUser(user: string, versionId = 7): void {
        const pack = this.packs.find((p) => p.productType === 1 && p.versionId === versionId && p.available > 0);
        if (pack) {
            pack.issued += 1;
            pack.available -= 1;
        }
        this.perUserCals.push({ user, versionId, ...(pack ? { keyPackId: pack.id } : {}), expires: new Date(this.now.getTime() + 60 * DAY_MS) });
    }

    override async run(script: string, parameters: Readonly<Record<string, string>>): Promise<{ stdout: string; stderr: string; exitCode: number }> {
        const tree = await parsePowerShell(script);
        const steps = commands(tree.rootNode, "Invoke-RdlsStep");
        if (tree.rootNode.hasError || steps.length === 0 || !steps.every((s) => USAGE_STEPS.has(stringValue(s.positional[1]!)))) return super.run(script, parameters);
        const nonce = /^\$RdlsNonce = '([0-9a-f]+)'$/m.exec(script)![1]!;
        const budget = Number(/^\$RdlsBudget = (\d+)$/m.exec(script)?.[1]);
        const input = JSON.parse(Buffer.from(parameters[INPUT_PARAMETER] ?? "", "base64").toString("utf8")) as { o: Record<string, unknown>[] };
        const results = steps.map((call) => {
            const index = integerValue(call.positional[0]!)!;
            const op = stringValue(call.positional[1]!);
            try {
                const body = call.positional[2]!;
                const given = input.o[index] ?? {};
                return { i: index, ok: 1, v: op === "usage-report" ? this.usageReport(tree.rootNode, body, given) : this.revokeCal(body, given) };
            } catch (error) {
                if (error instanceof StepError) return { i: index, ok: 0, e: error.info };
                throw error;
            }
        });
        const { text, spooled } = encodeResults(nonce, budget, results);
        if (spooled) this.spool.set(nonce, spooled);
        const stdout = [...this.noise, ""].join("\r\n") + text;
        this.executions.push({ script, parameters: { ...parameters }, stdout });
        return { stdout, stderr: "", exitCode: 0 };
    }

    private usageFault(body: Node, method: string): void {
        const at = this.faults.findIndex((f) => f.method === method);
        if (at < 0) return;
        const [fault] = this.faults.splice(at, 1);
        if (fault!.wbemCode !== undefined) throw cimFailure(body, method, fault!.wbemCode, fault!.exception ?? "The WMI provider failed the call.");
        throw wbem(fault!.returnValue ?? WbemCode.Failed, `${method} returned 0x${(fault!.returnValue ?? WbemCode.Failed).toString(16).toUpperCase()}`);
    }

    private isBuiltIn(p: FakePack): boolean {
        return p.productType === 3 || p.description.toLowerCase().startsWith(BUILT_IN_PACK_DESCRIPTION.toLowerCase());
    }

    /** The tables a report freezes, by the Fetch method that reads each, with the documented property names. */
    private reportRows(): Record<string, Record<string, unknown>[]> {
        const perUserVersions = new Set([...this.perUserCals.map((c) => c.versionId), ...this.packs.filter((p) => p.productType === 1).map((p) => p.versionId)]);
        const summary = [...perUserVersions].sort().map((versionId) => {
            const installed = this.packs.filter((p) => p.productType === 1 && p.versionId === versionId).reduce((n, p) => n + p.total, 0);
            const issued = this.perUserCals.filter((c) => c.versionId === versionId).length;
            return { ProductVersion: versionText(versionId), ProductVersionID: versionId, TSCALType: "Per User", InstalledLicenses: installed, IssuedLicenses: issued, TSCALAvailability: issued < installed ? "Available" : "None" };
        });
        const domains = new Map<string, number>();
        for (const f of this.failedPerUser) {
            const domain = f.User.includes("\\") ? f.User.split("\\")[0]! : "";
            domains.set(domain, (domains.get(domain) ?? 0) + 1);
        }
        const versionOf = (keyPackId: number) => this.packs.find((p) => p.id === keyPackId)?.versionId ?? 0;
        return {
            FetchReportEntries: this.perUserCals.map((c) => ({ User: c.user, ExpirationDate: cimDate(c.expires), CALType: "RDS Per User CAL", ProductVersion: versionText(c.versionId), ProductVersionID: c.versionId })),
            FetchReportPerDeviceEntries: this.licenses
                .filter((l) => l.LicenseStatus === 2)
                .map((l) => ({ sIssuedToComputer: l.sIssuedToComputer, sHardwareId: l.sHardwareId, ExpirationDate: cimDate(l.ExpirationDate), CALType: "RDS Per Device CAL", ProductVersion: versionText(versionOf(l.KeyPackId)), ProductVersionID: versionOf(l.KeyPackId) })),
            FetchReportSummaryEntries: summary,
            FetchReportFailedPerUserEntries: this.failedPerUser.map((f) => ({ User: f.User, TriedIssuanceOn: cimDate(f.TriedIssuanceOn), CALType: "RDS Per User CAL", ProductVersion: versionText(f.versionId), ProductVersionID: f.versionId })),
            FetchReportFailedPerUserSummaryEntries: [...domains].map(([DomainName, FailedIssuanceCount]) => ({ DomainName, FailedIssuanceCount })),
        };
    }

    /**
     * The usage-report step as the script states it: the static GenerateReportEx, each
     * `$tables.<name> = Read-RdlsReportTable $report <method> <out> $pageSize` paged as that function's
     * loop pages (StartIndex advancing by the entries returned, stopping at the code it compares with
     * $RdlsNoMoreData), Win32_TSIssuedLicense and Win32_TSLicenseKeyPack read, DeleteReport run
     * whatever happened when the script calls it in a finally.
     */
    private usageReport(root: Node, body: Node, input: Record<string, unknown>): unknown {
        const generate = commands(body, "Invoke-CimMethod").find((c) => stringValue(c.parameters.get("methodname")!) === "GenerateReportEx");
        if (!generate || stringValue(generate.parameters.get("classname")!) !== "Win32_TSLicenseReport") throw new Error("fake: the report step does not call the static Win32_TSLicenseReport.GenerateReportEx");
        this.usageCalls.push({ method: "GenerateReportEx" });
        this.usageFault(body, "GenerateReportEx");
        const fileName = `RDSLicenseReport-${String(this.nextReportNumber++).padStart(4, "0")}.xml`;
        this.reports.set(fileName, this.reportRows());
        const noMoreData = integerValue(assignedValue(root, "$RdlsNoMoreData")!);
        const reader = descendants(root, "function_statement").find((f) => /^function\s+Read-RdlsReportTable\b/i.test(f.text));
        if (!reader || !/\$start = \[uint32\]\(\$start \+ \$entries\.Count\)/.test(reader.text)) throw new Error("fake: Read-RdlsReportTable does not advance StartIndex by the entries returned");
        const remove = commands(body, "Invoke-CimMethod").find((c) => stringValue(c.parameters.get("methodname")!) === "DeleteReport");
        const inFinally = remove !== undefined && ancestor(remove.node, "finally_clause") !== undefined;
        const pageSize = Number(input.p ?? 0);
        const tables: Record<string, unknown[]> = {};
        let deleted = 0;
        const deleteReport = () => {
            this.usageCalls.push({ method: "DeleteReport" });
            try {
                this.usageFault(body, "DeleteReport");
                if (this.reports.delete(fileName)) deleted = 1;
            } catch {
                // The script swallows DeleteReport's failure (the report is then left, x = 0).
            }
        };
        let issued: unknown[] = [];
        let packs: unknown[] = [];
        try {
            for (const read of commands(body, "Read-RdlsReportTable")) {
                const target = ancestor(read.node, "assignment_expression")?.namedChildren[0];
                const name = target && memberRead(target)?.member;
                if (!name) throw new Error("fake: a report table is read but not kept");
                const [method, out] = [stringValue(read.positional[1]!), stringValue(read.positional[2]!)];
                tables[name] = this.fetchAll(body, fileName, method, out, pageSize, noMoreData);
            }
            if (commands(body, "Get-CimInstance").some((c) => c.parameters.get("classname")?.text === "Win32_TSIssuedLicense")) {
                issued = this.licenses.map((l) => ({ ...l, IssueDate: cimDate(l.IssueDate), ExpirationDate: cimDate(l.ExpirationDate) }));
            }
            if (commands(body, "Get-CimInstance").some((c) => c.parameters.get("classname")?.text === "Win32_TSLicenseKeyPack")) {
                packs = this.packs
                    .filter((p) => !this.isBuiltIn(p))
                    .map((p) => ({ KeyPackId: p.id, ProductType: p.productType, ProductVersionID: p.versionId, TotalLicenses: p.total, IssuedLicenses: p.issued, AvailableLicenses: p.available }));
            }
        } catch (error) {
            if (inFinally) deleteReport();
            throw error;
        }
        if (remove) deleteReport();
        return { f: fileName, g: cimDate(this.now), t: tables, l: issued, k: packs, x: deleted };
    }

    private fetchAll(body: Node, fileName: string, method: string, out: string, pageSize: number, noMoreData: number | undefined): unknown[] {
        const expectedOut: Record<string, string> = {
            FetchReportEntries: "ReportEntries",
            FetchReportPerDeviceEntries: "ReportPerDeviceEntries",
            FetchReportSummaryEntries: "ReportSummaryEntries",
            FetchReportFailedPerUserEntries: "ReportFailedPerUserEntries",
            FetchReportFailedPerUserSummaryEntries: "ReportFailedPerUserSummaryEntries",
        };
        if (expectedOut[method] !== out) throw new Error(`fake: ${method} has no out-array ${out}`);
        const rows = this.reports.get(fileName)?.[method];
        if (!rows) throw wbem(WbemCode.NotFound, `${method} returned 0x80041002`);
        const all: unknown[] = [];
        for (let start = 0; ; ) {
            if (this.usageCalls.length > 10_000) throw new Error("fake: the paging loop does not end");
            this.usageCalls.push({ method, StartIndex: start, Count: pageSize });
            this.usageFault(body, method);
            if (start >= rows.length) {
                // LSERVER_I_NO_MORE_DATA: the end, when the script knows the code; an error when it does not.
                if (noMoreData === 0x4001) return all;
                throw wbem(0x4001, `${method} returned 0x00004001`);
            }
            const page = rows.slice(start, pageSize === 0 ? undefined : start + pageSize);
            all.push(...page);
            start += page.length;
        }
    }

    /** The revoke-cal step: the device's active CAL, its pack's type, the dry run's count, and Revoke on the license. */
    private revokeCal(body: Node, input: Record<string, unknown>): unknown {
        const device = String(input.d ?? "");
        if (device === "") return { r: "per-user" };
        const license = this.licenses.find((l) => l.sIssuedToComputer.toLowerCase() === device.toLowerCase() && l.LicenseStatus === 2);
        if (!license) return { r: "not-found" };
        const pack = this.packs.find((p) => p.id === license.KeyPackId);
        if (!pack) throw new StepError({ m: `key pack ${license.KeyPackId} of the license is gone`, k: "failed" });
        const found = { id: license.LicenseId, kp: pack.id, v: pack.versionId };
        if (pack.productType === 1) return { r: "per-user", c: found };
        const state = this.revocationState(pack.versionId);
        if (input.n === 1) {
            return state.left === 0 ? { r: "limit", c: found, lim: state.limit, rc: 0, nx: state.next } : { c: found, lim: state.limit, rc: state.left };
        }
        const revoke = commands(body, "Invoke-CimMethod").find((c) => stringValue(c.parameters.get("methodname")!) === "Revoke");
        if (!revoke || revoke.parameters.get("inputobject")?.text !== "$license") throw new Error("fake: Revoke is not called on the license");
        this.usageCalls.push({ method: "Revoke" });
        this.usageFault(body, "Revoke");
        // Past the limit Revoke fails (the docs name no code) with NextRevokeAllowedOn: the script reports the limit.
        if (state.left === 0) return { r: "limit", c: found, lim: state.limit, rc: 0, nx: state.next };
        license.LicenseStatus = 4;
        pack.issued -= 1;
        pack.available += 1;
        return { rv: 1, c: found, lim: state.limit, rc: state.left - 1 };
    }

    /** The server's own rule: revoked CALs of the version before their expiry, against 20 % of its installed per-device CALs. */
    revocationState(versionId: number): { limit: number; left: number; next: string | null } {
        const packs = this.packs.filter((p) => p.productType === 0 && p.versionId === versionId && !this.isBuiltIn(p));
        const installed = packs.reduce((n, p) => n + p.total, 0);
        const limit = Math.max(1, Math.floor(installed / 5));
        const held = this.licenses.filter((l) => l.LicenseStatus === 4 && packs.some((p) => p.id === l.KeyPackId) && l.ExpirationDate > this.now);
        const next = held.map((l) => l.ExpirationDate).sort((a, b) => a.getTime() - b.getTime())[0];
        return { limit, left: Math.max(0, limit - held.length), next: next ? cimDate(next) : null };
    }
}
