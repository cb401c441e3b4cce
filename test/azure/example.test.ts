/**
 * examples/azure/Pulumi.azure-example.yaml is a valid stack config once the README's secrets are
 * set, and still refused without them (the secrets are not in the file).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { azureLicenseServerArgsFromConfig } from "../../components/azure";
import { NAMESPACE, validateStackConfig } from "../../src/config";
import { configError } from "../support/config-fixtures";

const FILE = path.join(__dirname, "../../examples/azure/Pulumi.azure-example.yaml");
/** What the README sets with `pulumi config set --secret --path ...` (fictitious values). */
const README_SECRETS: Record<string, string> = { "calPacks[0].agreementNumber": "9990001", "azure.domain.joinPassword": "Example-Join-Pa55" };

function rawConfig(): Record<string, any> {
    const doc = yaml.load(fs.readFileSync(FILE, "utf8")) as { config: Record<string, unknown> };
    return Object.fromEntries(Object.entries(doc.config).map(([k, v]) => [k.slice(NAMESPACE.length + 1), JSON.parse(JSON.stringify(v))]));
}

describe("the Azure example stack", () => {
    it("validates once the README's secrets are set", () => {
        const raw = rawConfig();
        raw.calPacks[0].agreementNumber = README_SECRETS["calPacks[0].agreementNumber"];
        raw.azure.domain.joinPassword = README_SECRETS["azure.domain.joinPassword"];
        const config = validateStackConfig(raw, (p) => p in README_SECRETS);
        expect(config.target).toBe("azure");
        const args = azureLicenseServerArgsFromConfig(config);
        expect(args).toMatchObject({ serverName: "RDLS01", location: "westeurope", connectionBroker: true, allowRdpFrom: ["10.0.0.0/8"] });
    });

    it("is refused without them, naming both keys", () => {
        const error = configError(() => validateStackConfig(rawConfig(), () => false));
        expect(error.problems.map((p) => p.key)).toEqual(
            expect.arrayContaining(["rds-licensing:calPacks[0].agreementNumber", "rds-licensing:azure.domain.joinPassword"]),
        );
    });
});
