/** How the plugin reads an import ID and its own settings, and completes an imported pack's state. */
import { describe, expect, it } from "vitest";
import { parseImportId, withProgramNumbers, withStandInNumbers } from "../../src/plugin/cal-key-pack-import";
import { DEFAULT_CONNECTION, pluginConfig } from "../../src/plugin/config";

describe("import IDs and plugin settings", () => {
    it("takes <keyPackId> with the configured server, or <server>/<keyPackId>", () => {
        expect(parseImportId("7", "RDLS01")).toEqual({ server: "RDLS01", keyPackId: 7 });
        expect(parseImportId("RDLS02/12", "RDLS01")).toEqual({ server: "RDLS02", keyPackId: 12 });
        expect(() => parseImportId("7", undefined)).toThrow(/pulumi config set rds-licensing:server/);
        expect(() => parseImportId("pack-7", "RDLS01")).toThrow(/expected <keyPackId> or <server>\/<keyPackId>/);
    });

    it("reads the connection from the stack config, naming the setting when it is wrong", () => {
        expect(pluginConfig({})).toEqual({ connection: DEFAULT_CONNECTION });
        const ssh = { kind: "ssh", host: "rdls01", username: "admin", hostKeySha256: `SHA256:${"A".repeat(43)}` };
        expect(pluginConfig({ PULUMI_CONFIG: JSON.stringify({ connection: JSON.stringify(ssh), server: "RDLS01" }) })).toEqual({ connection: ssh, server: "RDLS01" });
        expect(() => pluginConfig({ PULUMI_CONFIG: JSON.stringify({ connection: "{kind: ssh" }) })).toThrow(/rds-licensing:connection: found text that is not JSON/);
        expect(() => pluginConfig({ PULUMI_CONFIG: JSON.stringify({ connection: JSON.stringify({ kind: "ftp" }) }) })).toThrow(/rds-licensing:connection: kind/);
    });

    it("takes the program's numbers for an imported state, and stand-ins only where nothing else exists", () => {
        const imported = { program: "open-license", count: 5 };
        const news = { program: "open-license", count: 5, licenseNumber: "12345678", authorizationNumber: "ABCDE12345FGHIJ" };
        expect(withProgramNumbers(imported, news)).toEqual(news);
        const recorded = { ...news, licenseNumber: "87654321" };
        expect(withProgramNumbers(recorded, news)).toBe(recorded);
        const forDelete = withStandInNumbers(imported);
        expect(typeof forDelete.licenseNumber).toBe("string");
        expect(typeof forDelete.authorizationNumber).toBe("string");
        expect(withStandInNumbers(recorded)).toBe(recorded);
    });
});
