/**
 * The catalog is consistent, and every layer that knows a program sees exactly the catalog's view
 * of it: the config schema, the provider inputs, the secret lists, the simulator's format checks and
 * the PowerShell plan. (Documented values are pinned independently in test/drivers/script-syntax.test.ts.)
 */
import { describe, expect, it } from "vitest";
import { calKeyPackSecretOutputs, SECRET_NUMBER_INPUTS } from "../../components/cal-key-pack";
import { NUMBER_FIELDS as POLICY_NUMBER_FIELDS, LICENSING_MODES as POLICY_MODES } from "../../policy/rules";
import { calPackSchema, isSecretSetting, stackConfigSchema } from "../../src/config";
import { planStep, SECRET_INPUT_FIELDS } from "../../src/drivers/powershell/plan";
import {
    ALL_NUMBER_FIELDS,
    DEFAULT_PRODUCT_VERSION_IDS,
    INSTALL_METHODS,
    LICENSE_PROGRAMS,
    LICENSING_MODES,
    LicenseProgram,
    NUMBER_FIELDS,
    NUMBER_FIELD_NAMES,
    PROGRAMS,
    SECRET_NUMBER_FIELDS,
    checkNumber,
    installMethodOf,
    numberFieldsOf,
    type InstallSpec,
    type ProgramEntry,
} from "../../src/licensing";
import { calKeyPackInputsSchema } from "../../src/providers/cal-key-pack/inputs";
import { prepareInstall } from "../../src/simulator/clearinghouse";

const names = (program: LicenseProgram) => numberFieldsOf(program).map((f) => f.name);
const examples = (program: LicenseProgram) => Object.fromEntries(numberFieldsOf(program).map((f) => [f.name, f.format.example]));
const spec = (program: LicenseProgram, numbers = examples(program)) =>
    ({ program, ...numbers, productVersion: "2022", licenseType: "per-user", count: 5 }) as InstallSpec;

describe("the catalog", () => {
    it("names each number field by its key, with a plain script input and WMI argument of its own", () => {
        for (const [key, field] of Object.entries(NUMBER_FIELDS)) expect(field.name).toBe(key);
        const inputs = ALL_NUMBER_FIELDS.map((f) => f.scriptInput);
        expect(new Set(inputs).size).toBe(inputs.length);
        expect(inputs).not.toContain("key"); // the request key's input member
        for (const f of ALL_NUMBER_FIELDS) {
            expect(f.scriptInput).toMatch(/^[a-z]+$/);
            expect(f.wmiArgument).toMatch(/^s[A-Z][A-Za-z]+$/);
        }
    });

    it("gives an AgreementType code exactly to the programs whose method takes one", () => {
        for (const program of LICENSE_PROGRAMS) {
            const entry: { agreementType?: number } = PROGRAMS[program] as ProgramEntry;
            expect(entry.agreementType !== undefined, program).toBe(installMethodOf(program).takesAgreementType);
        }
    });

    it("uses every method and every number field", () => {
        expect(new Set(LICENSE_PROGRAMS.map((p) => PROGRAMS[p].method))).toEqual(new Set(Object.keys(INSTALL_METHODS)));
        expect(new Set(LICENSE_PROGRAMS.flatMap(names))).toEqual(new Set(NUMBER_FIELD_NAMES));
    });

    it("names the programs as constants", () => {
        expect(Object.values(LicenseProgram)).toEqual([...LICENSE_PROGRAMS]);
        expect(LicenseProgram.OpenLicense).toBe("open-license");
        expect(LicenseProgram.EnterpriseAgreement).toBe("enterprise-agreement");
    });

    it("accepts each example, strips separators only where the format says so", () => {
        for (const { format } of ALL_NUMBER_FIELDS) {
            expect(checkNumber(format, format.example).ok, format.label).toBe(true);
            const grouped = `${format.normalize(format.example).slice(0, 3)}-${format.normalize(format.example).slice(3)}`;
            expect(checkNumber(format, grouped).ok, format.label).toBe(format.separators === "strip");
        }
    });
});

describe("every layer sees the catalog's fields", () => {
    it("the secret lists: config, provider, component, policy", () => {
        expect([...SECRET_NUMBER_FIELDS]).toEqual(ALL_NUMBER_FIELDS.filter((f) => f.secret).map((f) => f.name));
        expect(SECRET_NUMBER_INPUTS).toEqual(SECRET_NUMBER_FIELDS);
        expect(POLICY_NUMBER_FIELDS).toEqual(SECRET_NUMBER_FIELDS);
        for (const field of SECRET_NUMBER_FIELDS) expect(isSecretSetting(`calPacks[3].${field}`)).toBe(true);
        expect(isSecretSetting("calPacks[3].count")).toBe(false);
        expect(calKeyPackSecretOutputs()).toEqual([...SECRET_NUMBER_FIELDS, "requestKeySecret"]);
        expect(SECRET_INPUT_FIELDS).toEqual(ALL_NUMBER_FIELDS.filter((f) => f.secret).map((f) => f.scriptInput));
    });

    it("the licensing modes: config and policy", () => {
        expect(POLICY_MODES).toEqual(LICENSING_MODES);
        expect(stackConfigSchema.shape.licensingMode.options).toEqual([...LICENSING_MODES]);
    });

    it.each([...LICENSE_PROGRAMS])("%s: the config schema takes exactly its numbers", (program) => {
        const pack = { name: "p", program, productVersion: "2022", licenseType: "per-user", count: 5, ...examples(program) };
        expect(calPackSchema.safeParse(pack).success).toBe(true);
        for (const field of names(program)) {
            const { [field]: _dropped, ...missing } = pack as Record<string, unknown>;
            expect(calPackSchema.safeParse(missing).success, `${program} without ${field}`).toBe(false);
        }
        for (const other of NUMBER_FIELD_NAMES.filter((f) => !names(program).includes(f))) {
            expect(calPackSchema.safeParse({ ...pack, [other]: NUMBER_FIELDS[other].format.example }).success, `${program} with ${other}`).toBe(false);
        }
    });

    it.each([...LICENSE_PROGRAMS])("%s: the provider inputs require its numbers, in their format", (program) => {
        const inputs = {
            providerVersion: "1",
            connection: { kind: "simulator", home: ".rdls-sim" },
            server: "RDLS01",
            packKey: "p/s/n",
            program,
            productVersion: "2022",
            licenseType: "per-user",
            count: 5,
            ...examples(program),
        };
        expect(calKeyPackInputsSchema.safeParse(inputs).success).toBe(true);
        for (const field of names(program)) {
            const issues = calKeyPackInputsSchema.safeParse({ ...inputs, [field]: "x" }).error?.issues ?? [];
            expect(issues.map((i) => i.path.join("."))).toEqual([field]);
        }
    });

    it.each([...LICENSE_PROGRAMS])("%s: the simulator's Clearinghouse checks each of its numbers", async (program) => {
        expect((await prepareInstall(spec(program), "k", "salt")).formatProblem).toBeUndefined();
        for (const field of numberFieldsOf(program)) {
            const prepared = await prepareInstall(spec(program, { ...examples(program), [field.name]: "x" }), "k", "salt");
            expect(prepared.formatProblem).toContain(field.format.label);
            expect(prepared.domain).toBe(PROGRAMS[program].method);
        }
    });

    it.each([...LICENSE_PROGRAMS])("%s: the PowerShell plan reads its numbers into their script inputs", (program) => {
        const planned = planStep(0, { op: "install", requestKey: "k", spec: spec(program) }, DEFAULT_PRODUCT_VERSION_IDS);
        if (!planned.ok) throw new Error(planned.error.message);
        expect(Object.keys(planned.step.input).sort()).toEqual(["key", ...numberFieldsOf(program).map((f) => f.scriptInput)].sort());
        expect(planned.step.shape).toMatchObject({ kind: "install", method: installMethodOf(program).install });
    });
});
