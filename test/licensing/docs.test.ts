/**
 * The docs say what the catalog says: the README's programs table is the one the catalog renders
 * (run with UPDATE_DOCS=1 to rewrite it). Other docs refer to this table rather than copy it.
 */
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { PROGRAMS_TABLE_BEGIN, PROGRAMS_TABLE_END, programsTable } from "../../src/licensing/catalog-docs";

const ROOT = path.resolve(__dirname, "..", "..");
const README = path.join(ROOT, "README.md");

function between(text: string): { before: string; table: string; after: string } {
    const begin = text.indexOf(PROGRAMS_TABLE_BEGIN);
    const end = text.indexOf(PROGRAMS_TABLE_END);
    if (begin < 0 || end < begin) throw new Error(`README.md has no "${PROGRAMS_TABLE_BEGIN}" ... "${PROGRAMS_TABLE_END}" block`);
    const from = begin + PROGRAMS_TABLE_BEGIN.length;
    return { before: text.slice(0, from), table: text.slice(from, end).trim(), after: text.slice(end) };
}

describe("the README", () => {
    it("shows the programs table the catalog renders", () => {
        const text = fs.readFileSync(README, "utf8");
        const parts = between(text);
        if (process.env.UPDATE_DOCS === "1" && parts.table !== programsTable()) {
            fs.writeFileSync(README, `${parts.before}\n${programsTable()}\n${parts.after}`);
            return;
        }
        expect(parts.table, "README.md's programs table is stale: UPDATE_DOCS=1 npx vitest run test/licensing/docs.test.ts").toBe(programsTable());
    });
});
