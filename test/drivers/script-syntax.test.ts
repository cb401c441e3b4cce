/**
 * Every script the driver can render parses with a real PowerShell grammar, and the calls it makes
 * match Microsoft's documentation: method names, named arguments, numeric codes. The documented
 * values are written out here from licensing-facts.md, independently of src/licensing/codes.ts.
 */
import type { Node } from "web-tree-sitter";
import { beforeAll, describe, expect, it } from "vitest";
import { planFarmStep, planStep, renderBatchScript, renderFarmScript, renderSpoolReadScript, type Step } from "../../src/drivers/powershell";
import type { FarmOperation } from "../../src/licensing/farm";
import { POWERSHELL_BOOTSTRAP, bootstrapCommand } from "../../src/drivers/runners";
import {
    AGREEMENT_TYPE,
    DEFAULT_PRODUCT_VERSION_IDS,
    LICENSE_PROGRAMS,
    PRODUCT_TYPE,
    PRODUCT_VERSIONS,
    type InstallSpec,
    type LicenseProgram,
    type LicenseType,
    type Operation,
    type ProductVersion,
} from "../../src/licensing";
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
    parsed,
    powershellParser,
    stringValue,
} from "./support/powershell-syntax";

/** Win32_TSLicenseKeyPack / Win32_TSLicenseServer methods and their input parameters, as documented. */
const DOCUMENTED: Record<string, Record<string, string[]>> = {
    Win32_TSLicenseKeyPack: {
        InstallAgreementLicenseKeyPack: ["AgreementType", "sAgreementNumber", "ProductVersion", "ProductType", "LicenseCount"],
        InstallRetailPurchaseLicenseKeyPack: ["sLicenseCode"],
        InstallOpenLicenseKeyPack: ["sLicenseNumber", "sAuthorizationNumber", "ProductVersion", "ProductType", "LicenseCount"],
        ReinstallAgreementLicenseKeyPack: ["AgreementType", "sAgreementNumber", "ProductVersion", "ProductType", "LicenseCount"],
        ReinstallRetailPurchaseLicenseKeyPack: ["sLicenseCode"],
        ReinstallOpenPurchaseLicenseKeyPack: ["sLicenseNumber", "sAuthorizationNumber", "ProductVersion", "ProductType", "LicenseCount"],
        RemoveLicensesWithIdCount: ["KeyPackId", "LicenseCount"],
        UninstallLicenseKeyPackWithId: ["KeyPackId"],
    },
    Win32_TSLicenseServer: {
        ActivateServerAutomatic: [],
        DeactivateServerAutomatic: [],
        GetActivationStatus: [],
        GetLicenseServerId: [],
    },
};
const DOC_AGREEMENT_TYPE = { select: 0, "enterprise-agreement": 1, campus: 2, school: 3, spla: 4, "other-agreement": 5 };
/** 2025 has no documented code; the driver's default (and override) is checked separately. */
const DOC_PRODUCT_VERSION: Partial<Record<ProductVersion, number>> = { "2016": 5, "2019": 6, "2022": 7 };
const DOC_PRODUCT_TYPE = { "per-device": 0, "per-user": 1 };
const DOC_CONTACT_PROPERTIES = ["FirstName", "LastName", "Company", "CountryRegion", "eMail"];

const NONCE = "0123456789abcdef01234567";

function specFor(program: LicenseProgram, productVersion: ProductVersion, licenseType: LicenseType, count: number): InstallSpec {
    const shape = { productVersion, licenseType, count };
    if (program === "retail") return { program, licenseCode: "ABCDE-12345-FGHIJ-67890-KLMNO", ...shape };
    if (program === "open-license") return { program, licenseNumber: "12345678", authorizationNumber: "ABCDE12345FGHIJ", ...shape };
    return { program, agreementNumber: "1234567", ...shape };
}

function plan(ops: Operation[], ids = DEFAULT_PRODUCT_VERSION_IDS): Step[] {
    return ops.map((op, i) => {
        const planned = planStep(i, op, ids);
        if (!planned.ok) throw new Error(planned.error.message);
        return planned.step;
    });
}

/** The Invoke-CimMethod calls of one step: class, method, argument name → value node. */
function cimCalls(node: Node) {
    return commands(node, "Invoke-CimMethod").map((c) => ({
        className: c.parameters.has("classname") ? stringValue(c.parameters.get("classname")!) : undefined,
        method: stringValue(c.parameters.get("methodname")!),
        args: c.parameters.has("arguments") ? hashEntries(c.parameters.get("arguments")!) : new Map<string, Node>(),
        parameterNames: [...c.parameters.keys()],
    }));
}

function stepBodies(root: Node): Node[] {
    return commands(root, "Invoke-RdlsStep").map((c) => c.positional[2]!);
}

beforeAll(async () => {
    await powershellParser();
});

describe("the documented tables", () => {
    it("are the ones the contract uses", () => {
        expect(AGREEMENT_TYPE).toEqual(DOC_AGREEMENT_TYPE);
        expect(PRODUCT_TYPE).toEqual(DOC_PRODUCT_TYPE);
        for (const [version, code] of Object.entries(DOC_PRODUCT_VERSION)) expect(DEFAULT_PRODUCT_VERSION_IDS[version as ProductVersion]).toBe(code);
    });
});

describe("install scripts, every program x version x license type", () => {
    const cases = LICENSE_PROGRAMS.flatMap((program) => PRODUCT_VERSIONS.flatMap((version) => (["per-user", "per-device"] as const).map((type) => [program, version, type] as const)));

    it.each(cases)("%s %s %s parses and calls the documented method with named arguments", async (program, version, licenseType) => {
        const count = 17;
        const [step] = plan([{ op: "install", requestKey: "rk", spec: specFor(program, version, licenseType, count) }]);
        const root = await parsed(renderBatchScript([step!], { nonce: NONCE, budget: 3000 }));
        const [call, ...others] = cimCalls(stepBodies(root)[0]!);
        expect(others).toEqual([]);
        expect(call!.className).toBe("Win32_TSLicenseKeyPack");
        expect(call!.parameterNames).not.toContain("argumentlist");
        const method =
            program === "retail" ? "InstallRetailPurchaseLicenseKeyPack" : program === "open-license" ? "InstallOpenLicenseKeyPack" : "InstallAgreementLicenseKeyPack";
        expect(call!.method).toBe(method);
        expect([...call!.args.keys()].sort()).toEqual([...DOCUMENTED.Win32_TSLicenseKeyPack![method]!].sort());

        const literal = (name: string) => integerValue(call!.args.get(name)!);
        const read = (name: string) => memberRead(call!.args.get(name)!);
        if (method !== "InstallRetailPurchaseLicenseKeyPack") {
            expect(literal("ProductVersion")).toBe(DOC_PRODUCT_VERSION[version] ?? DEFAULT_PRODUCT_VERSION_IDS["2025"]);
            expect(literal("ProductType")).toBe(DOC_PRODUCT_TYPE[licenseType]);
            expect(literal("LicenseCount")).toBe(count);
        }
        // Numbers are read from the protected input, never rendered.
        if (method === "InstallAgreementLicenseKeyPack") {
            expect(literal("AgreementType")).toBe(DOC_AGREEMENT_TYPE[program as keyof typeof DOC_AGREEMENT_TYPE]);
            expect(read("sAgreementNumber")).toEqual({ variable: "$I", member: "num" });
        } else if (method === "InstallOpenLicenseKeyPack") {
            expect(read("sLicenseNumber")).toEqual({ variable: "$I", member: "lic" });
            expect(read("sAuthorizationNumber")).toEqual({ variable: "$I", member: "auth" });
        } else {
            expect(read("sLicenseCode")).toEqual({ variable: "$I", member: "code" });
        }
        expect(Object.keys(step!.input).sort()).toEqual(
            ["key", ...(program === "retail" ? ["code"] : program === "open-license" ? ["auth", "lic"] : ["num"])].sort(),
        );
    });

    it("renders an overridden ProductVersion code", async () => {
        const [step] = plan([{ op: "install", requestKey: "rk", spec: specFor("campus", "2025", "per-user", 3) }], { ...DEFAULT_PRODUCT_VERSION_IDS, "2025": 12 });
        const root = await parsed(renderBatchScript([step!], { nonce: NONCE, budget: 3000 }));
        expect(integerValue(cimCalls(stepBodies(root)[0]!)[0]!.args.get("ProductVersion")!)).toBe(12);
    });
});

describe("install scripts with allowReinstall, every program x version x license type", () => {
    const cases = LICENSE_PROGRAMS.flatMap((program) => PRODUCT_VERSIONS.flatMap((version) => (["per-user", "per-device"] as const).map((type) => [program, version, type] as const)));
    const REINSTALL: Record<string, string> = {
        InstallAgreementLicenseKeyPack: "ReinstallAgreementLicenseKeyPack",
        InstallOpenLicenseKeyPack: "ReinstallOpenPurchaseLicenseKeyPack",
        InstallRetailPurchaseLicenseKeyPack: "ReinstallRetailPurchaseLicenseKeyPack",
    };

    it.each(cases)("%s %s %s parses, and reinstalls with the same named arguments only after a non-zero return", async (program, version, licenseType) => {
        const op: Operation = { op: "install", requestKey: "rk", allowReinstall: true, spec: specFor(program, version, licenseType, 17) };
        const [step] = plan([op]);
        const body = stepBodies(await parsed(renderBatchScript([step!], { nonce: NONCE, budget: 3000 })))[0]!;
        const [install, reinstall, ...others] = cimCalls(body);
        expect(others).toEqual([]);
        expect(reinstall!.method).toBe(REINSTALL[install!.method]);
        expect(reinstall!.className).toBe("Win32_TSLicenseKeyPack");
        expect(reinstall!.parameterNames).not.toContain("argumentlist");
        expect([...reinstall!.args.keys()].sort()).toEqual([...DOCUMENTED.Win32_TSLicenseKeyPack![reinstall!.method]!].sort());
        const texts = (args: Map<string, Node>) => Object.fromEntries([...args].map(([k, v]) => [k, v.text.trim()]));
        expect(texts(reinstall!.args)).toEqual(texts(install!.args));

        // In a try block, inside `if (<install's result>.ReturnValue -ne 0)`, after the install.
        const [installNode, reinstallNode] = commands(body, "Invoke-CimMethod").map((c) => c.node);
        expect(reinstallNode!.startIndex).toBeGreaterThan(installNode!.startIndex);
        const guard = ancestor(reinstallNode!, "if_statement")!;
        const tests = descendants(guard.childForFieldName("condition")!, "comparison_expression").map((c) => comparison(c)).filter((t) => t !== undefined);
        const returnTest = tests.find((t) => memberRead(t.left)?.member === "ReturnValue")!;
        expect([memberRead(returnTest.left)!.variable, returnTest.operator, integerValue(returnTest.right)]).toEqual(["$result", "-ne", 0]);
        expect(assignedValue(body, "$result")).toBeDefined();
        expect(ancestor(reinstallNode!, "try_statement")).toBeDefined();
        expect(ancestor(reinstallNode!, "catch_clause")).toBeUndefined();

        // The install's error is the one reported, and the result says which method ran.
        const asserted = commands(body, "Assert-RdlsReturn").map((c) => stringValue(c.positional[1]!));
        expect(asserted).toEqual([install!.method]);
        const flags = descendants(body, "hash_entry").filter((e) => e.namedChildren.find((c) => c?.type === "key_expression")?.text === "w");
        expect(flags.map((e) => e.text.replace(/\s+/g, ""))).toEqual(["w=$reinstalled"]);
        expect(Object.keys(step!.input).sort()).toEqual(
            ["key", ...(program === "retail" ? ["code"] : program === "open-license" ? ["auth", "lic"] : ["num"])].sort(),
        );
    });

    it("without allowReinstall, no Reinstall* method is rendered", async () => {
        const steps = plan(LICENSE_PROGRAMS.map((program, i) => ({ op: "install", requestKey: `k${i}`, allowReinstall: false, spec: specFor(program, "2022", "per-user", 2) })));
        const root = await parsed(renderBatchScript(steps, { nonce: NONCE, budget: 3000 }));
        expect(cimCalls(root).map((c) => c.method).filter((m) => m.startsWith("Reinstall"))).toEqual([]);
    });
});

describe("every other operation, and a batch of all of them", () => {
    const contact = { firstName: "A", lastName: "B", company: "C", countryRegion: "NL" };
    const all: Operation[] = [
        { op: "status" },
        { op: "list-packs" },
        { op: "activate", contact },
        { op: "deactivate" },
        { op: "install", requestKey: "k", spec: specFor("school", "2019", "per-device", 4) },
        { op: "remove-licenses", keyPackId: 42, count: 3 },
        { op: "uninstall", keyPackId: 43 },
        { op: "remove-licenses", keyPackId: 44, count: 2, expectedTotal: 30 },
        { op: "uninstall", keyPackId: 45, refuseIfIssued: true },
        { op: "install", requestKey: "k2", allowReinstall: true, spec: specFor("retail", "2022", "per-user", 1) },
        { op: "install", requestKey: "k3", allowReinstall: true, spec: specFor("open-license", "2016", "per-device", 2) },
    ];

    it("parses, with steps in batch order", async () => {
        const root = await parsed(renderBatchScript(plan(all), { nonce: NONCE, budget: 3000 }));
        const steps = commands(root, "Invoke-RdlsStep");
        expect(steps.map((s) => [integerValue(s.positional[0]!), stringValue(s.positional[1]!)])).toEqual(all.map((op, i) => [i, op.op]));
        expect(commands(root, "Write-RdlsResults")).toHaveLength(1);
    });

    it("calls only documented methods, by class name, with documented named arguments", async () => {
        const root = await parsed(renderBatchScript(plan(all), { nonce: NONCE, budget: 3000 }));
        const calls = cimCalls(root);
        expect(calls.length).toBeGreaterThan(0);
        for (const call of calls) {
            expect(Object.keys(DOCUMENTED)).toContain(call.className);
            const inputs = DOCUMENTED[call.className!]![call.method];
            expect(inputs, `${call.className}.${call.method} is documented`).toBeDefined();
            expect([...call.args.keys()].sort()).toEqual([...inputs!].sort());
            expect(call.parameterNames).not.toContain("argumentlist");
        }
        expect(commands(root, "Invoke-WmiMethod")).toEqual([]);
    });

    it("activates with the contact set first, then ActivateServerAutomatic", async () => {
        const [, , activate] = stepBodies(await parsed(renderBatchScript(plan(all), { nonce: NONCE, budget: 3000 })));
        const set = commands(activate!, "Set-CimInstance")[0]!;
        const props = hashEntries(set.parameters.get("property")!);
        expect([...props.keys()].sort()).toEqual([...DOC_CONTACT_PROPERTIES].sort());
        expect(cimCalls(activate!).map((c) => [c.className, c.method])).toEqual([
            ["Win32_TSLicenseServer", "GetActivationStatus"],
            ["Win32_TSLicenseServer", "ActivateServerAutomatic"],
        ]);
        expect(set.node.startIndex).toBeLessThan(commands(activate!, "Invoke-CimMethod")[1]!.node.startIndex);
    });

    it("renders key pack ids and counts as uint32 literals", async () => {
        const bodies = stepBodies(await parsed(renderBatchScript(plan(all), { nonce: NONCE, budget: 3000 })));
        const [remove] = cimCalls(bodies[5]!);
        expect(remove!.method).toBe("RemoveLicensesWithIdCount");
        expect(integerValue(remove!.args.get("KeyPackId")!)).toBe(42);
        expect(integerValue(remove!.args.get("LicenseCount")!)).toBe(3);
        const [uninstall] = cimCalls(bodies[6]!);
        expect(uninstall!.method).toBe("UninstallLicenseKeyPackWithId");
        expect(integerValue(uninstall!.args.get("KeyPackId")!)).toBe(43);
        expect(cimCalls(bodies[3]!).map((c) => c.method)).toEqual(["GetActivationStatus", "DeactivateServerAutomatic"]);
    });

    it("lists key packs with Get-CimInstance and filters the built-in pack", async () => {
        const root = await parsed(renderBatchScript(plan(all), { nonce: NONCE, budget: 3000 }));
        const list = stepBodies(root)[1]!;
        const get = commands(list, "Get-CimInstance")[0]!;
        expect(stringValue(get.parameters.get("classname")!)).toBe("Win32_TSLicenseKeyPack");
        expect(commands(list, "Test-RdlsBuiltIn")).toHaveLength(1);
        expect(root.text).toContain("'Built-in TS Per Device Cal'");
    });

    it("is ASCII only and holds no marker an echo could fake", () => {
        const script = renderBatchScript(plan(all), { nonce: NONCE, budget: 3000 });
        expect(script).toMatch(/^[\t\n\r\x20-\x7e]*$/);
        expect(script).not.toContain(`<<rdls:${NONCE}`);
    });
});

describe("guarded operations", () => {
    const guarded: Operation[] = [
        { op: "remove-licenses", keyPackId: 44, count: 2, expectedTotal: 30 },
        { op: "uninstall", keyPackId: 45, refuseIfIssued: true },
        { op: "remove-licenses", keyPackId: 46, count: 2 },
        { op: "uninstall", keyPackId: 47, refuseIfIssued: false },
    ];

    /** The guard of a step body: what it compares, and the refusal it throws before the method call. */
    function guardOf(body: Node) {
        const refusals = commands(body, "New-RdlsRefusal");
        if (refusals.length === 0) return undefined;
        expect(refusals).toHaveLength(1);
        const statement = ancestor(refusals[0]!.node, "if_statement")!;
        const test = comparison(statement.childForFieldName("condition")!)!;
        const read = memberRead(test.left)!;
        const source = commands(assignedValue(body, read.variable)!, "Assert-RdlsPack")[0]!;
        const method = commands(body, "Invoke-CimMethod")[0]!;
        return {
            kind: stringValue(refusals[0]!.positional[0]!),
            property: read.member,
            operator: test.operator,
            literal: integerValue(test.right),
            packReadLive: integerValue(source.positional[0]!),
            beforeMethod: statement.endIndex < method.node.startIndex,
            castToUint32: /^\[uint32\]/.test(test.left.text.trim()),
        };
    }

    it("check the live pack's property against a literal before the method, refusing by kind", async () => {
        const [remove, uninstall, plainRemove, plainUninstall] = stepBodies(await parsed(renderBatchScript(plan(guarded), { nonce: NONCE, budget: 3000 })));
        expect(guardOf(remove!)).toEqual({ kind: "conflict", property: "TotalLicenses", operator: "-ne", literal: 30, packReadLive: 44, beforeMethod: true, castToUint32: true });
        expect(guardOf(uninstall!)).toEqual({ kind: "licenses-issued", property: "IssuedLicenses", operator: "-gt", literal: 0, packReadLive: 45, beforeMethod: true, castToUint32: true });
        expect(guardOf(plainRemove!)).toBeUndefined();
        expect(guardOf(plainUninstall!)).toBeUndefined();
    });

    it("read the pack with Get-CimInstance, and refuse without a WMI return value", async () => {
        const root = await parsed(renderBatchScript(plan(guarded), { nonce: NONCE, budget: 3000 }));
        const definition = (name: string) => descendants(root, "function_statement").find((f) => f.text.startsWith(`function ${name}(`))!;
        const functionText = (name: string) => definition(name).text;
        const get = commands(definition("Get-RdlsPack"), "Get-CimInstance")[0]!;
        expect(stringValue(get.parameters.get("classname")!)).toBe("Win32_TSLicenseKeyPack");
        expect(get.parameters.has("filter")).toBe(true);
        expect(functionText("Assert-RdlsPack")).toMatch(/Get-RdlsPack \$Id/);
        expect(functionText("New-RdlsRefusal")).toContain("Data['RdlsKind']");
        expect(functionText("New-RdlsRefusal")).not.toContain("RdlsReturnValue");
    });
});

describe("the other scripts", () => {
    it("the spool read script parses", async () => {
        const root = await parsed(renderSpoolReadScript({ nonce: "abcdef0123456789", spool: NONCE, offset: 3000, length: 3000 }));
        const [call] = commands(root, "Read-RdlsSpool");
        expect(integerValue(call!.parameters.get("offset")!)).toBe(3000);
    });

    it("the SSH bootstrap parses and is what -EncodedCommand carries", async () => {
        await parsed(POWERSHELL_BOOTSTRAP);
        const encoded = /-EncodedCommand (\S+)$/.exec(bootstrapCommand())![1]!;
        expect(Buffer.from(encoded, "base64").toString("utf16le")).toBe(POWERSHELL_BOOTSTRAP);
        // Windows OpenSSH runs commands through cmd.exe, whose command lines stop at 8,191 characters.
        expect(bootstrapCommand().length).toBeLessThan(8191);
    });

    it("refuses to render ids that are not plain hex", () => {
        expect(() => renderSpoolReadScript({ nonce: "abcdef0123456789", spool: "x'; Remove-Item C:\\ -Recurse; '", offset: 0, length: 1 })).toThrow();
    });
});

describe("negative control", () => {
    it("the parser does flag broken scripts", async () => {
        const script = renderBatchScript(plan([{ op: "status" }]), { nonce: NONCE, budget: 3000 });
        const unclosedBrace = script.slice(0, script.lastIndexOf("}"));
        expect((await parsePowerShell(unclosedBrace)).rootNode.hasError).toBe(true);
        expect((await parsePowerShell("Invoke-CimMethod -ClassName X -Arguments @{ A = (1 }")).rootNode.hasError).toBe(true);
    });
});

describe("farm scripts (deployment and session host licensing)", () => {
    /** Win32_TerminalServiceSetting methods and their input parameters, as documented. */
    const TS_METHODS: Record<string, string[]> = {
        ChangeMode: ["LicensingType"],
        SetSpecifiedLicenseServerList: ["SpecifiedLSList"],
        GetSpecifiedLicenseServerList: [],
        GetGracePeriodDays: [],
        GetTStoLSConnectivityStatus: ["ServerName"],
    };
    const farmOps: FarmOperation[] = [
        { op: "get-deployment-licensing" },
        { op: "set-deployment-licensing", mode: "PerUser", licenseServers: ["rdls01", "rdls02"] },
        { op: "set-deployment-licensing", mode: "PerDevice", licenseServers: ["rdls01"] },
        { op: "set-deployment-licensing", mode: "NotConfigured", licenseServers: [] },
        { op: "get-host-licensing" },
        { op: "set-host-licensing", mode: "PerUser", licenseServers: ["rdls01"] },
        { op: "set-host-licensing", mode: "PerDevice", licenseServers: ["rdls01"] },
        { op: "read-host-licensing" },
    ];
    const farmSteps = () =>
        farmOps.map((op, i) => {
            const planned = planFarmStep(i, op);
            if (!planned.ok) throw new Error(planned.error.message);
            return planned.step;
        });

    it.each(farmOps.map((op, i) => [i, op.op] as const))("shape %i (%s) parses alone", async (i) => {
        await parsed(renderFarmScript([farmSteps()[i]!], { nonce: NONCE, budget: 3000 }));
    });

    it("calls documented methods with named arguments only, in root\\cimv2\\TerminalServices", async () => {
        const root = await parsed(renderFarmScript(farmSteps(), { nonce: NONCE, budget: 3000 }));
        const calls = commands(root, "Invoke-CimMethod");
        expect(calls.length).toBeGreaterThan(0);
        for (const call of calls) {
            const method = stringValue(call.parameters.get("methodname")!);
            expect(TS_METHODS[method], `${method} is a documented Win32_TerminalServiceSetting method`).toBeDefined();
            const args = call.parameters.has("arguments") ? [...hashEntries(call.parameters.get("arguments")!).keys()] : [];
            expect(args).toEqual(TS_METHODS[method]);
            expect(call.parameters.has("argumentlist")).toBe(false);
            expect(call.parameters.has("inputobject")).toBe(true);
        }
        expect(commands(root, "Invoke-WmiMethod")).toEqual([]);
        const gets = commands(root, "Get-CimInstance").filter((c) => stringValue(c.parameters.get("classname")!) === "Win32_TerminalServiceSetting");
        expect(gets.map((g) => stringValue(g.parameters.get("namespace")!))).toEqual(["$RdlsTsNamespace"]);
        expect(root.text).toContain("$RdlsTsNamespace = 'root\\cimv2\\TerminalServices'");
    });

    it("renders modes and codes as literals, and reads every server name from the input", async () => {
        const bodies = stepBodies(await parsed(renderFarmScript(farmSteps(), { nonce: NONCE, budget: 3000 })));
        const set = (at: number) => commands(bodies[at]!, "Set-RDLicenseConfiguration")[0]!;
        expect(["connectionbroker", "mode", "licenseserver", "force"].every((p) => set(1).parameters.has(p))).toBe(true);
        expect([1, 2, 3].map((at) => stringValue(set(at).parameters.get("mode")!))).toEqual(["PerUser", "PerDevice", "NotConfigured"]);
        expect(set(3).parameters.has("licenseserver")).toBe(false);
        expect(memberRead(assignedValue(bodies[1]!, set(1).parameters.get("licenseserver")!.text)!)).toEqual({ variable: "$I", member: "s" });
        for (const [at, code] of [[5, 4], [6, 2]] as const) {
            const change = commands(bodies[at]!, "Invoke-CimMethod").find((c) => stringValue(c.parameters.get("methodname")!) === "ChangeMode")!;
            expect(integerValue(hashEntries(change.parameters.get("arguments")!).get("LicensingType")!)).toBe(code);
            const list = commands(bodies[at]!, "Invoke-CimMethod").find((c) => stringValue(c.parameters.get("methodname")!) === "SetSpecifiedLicenseServerList")!;
            const variable = hashEntries(list.parameters.get("arguments")!).get("SpecifiedLSList")!.text;
            expect(memberRead(assignedValue(bodies[at]!, variable)!)).toEqual({ variable: "$I", member: "s" });
        }
    });

    it("checks Group Policy before any setter, and refuses by kind", async () => {
        const body = stepBodies(await parsed(renderFarmScript(farmSteps(), { nonce: NONCE, budget: 3000 })))[5]!;
        const firstSetter = commands(body, "Invoke-CimMethod").find((c) => /ChangeMode|SetSpecified/.test(c.parameters.get("methodname")!.text))!;
        const refusals = commands(body, "New-RdlsRefusal").filter((r) => stringValue(r.positional[0]!) === "invalid-parameter");
        const checked = refusals.map((r) => {
            const condition = ancestor(r.node, "if_statement")!.childForFieldName("condition")!;
            expect(r.node.startIndex).toBeLessThan(firstSetter.node.startIndex);
            return descendants(condition, "member_access").map((m) => memberRead(m)!.member);
        });
        expect(checked.flat().sort()).toEqual(["PolicySourceConfiguredLicenseServers", "PolicySourceLicensingType"]);
    });

    it("the health read lists session hosts by role and opens and closes one CIM session per host", async () => {
        const body = stepBodies(await parsed(renderFarmScript(farmSteps(), { nonce: NONCE, budget: 3000 })))[7]!;
        expect(stringValue(commands(body, "Get-RDServer")[0]!.parameters.get("role")!)).toBe("RDS-RD-SERVER");
        const open = commands(body, "New-CimSession")[0]!;
        expect(open.parameters.has("computername")).toBe(true);
        expect(ancestor(commands(body, "Remove-CimSession")[0]!.node, "finally_clause")).toBeDefined();
        expect(commands(body, "Get-RdlsHostLicensing")[0]!.positional.map((p) => p.text)).toEqual(["$session", "$name"]);
    });

    it("is ASCII only, holds no marker and carries no license server name", () => {
        const script = renderFarmScript(farmSteps(), { nonce: NONCE, budget: 3000 });
        expect(script).toMatch(/^[\t\n\r\x20-\x7e]*$/);
        expect(script).not.toContain(`<<rdls:${NONCE}`);
        expect(script).not.toMatch(/rdls0[12]/);
    });
});
