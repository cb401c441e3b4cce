/**
 * The README's programs table, rendered from the catalog (test/licensing/docs.test.ts keeps the
 * README equal to it; `UPDATE_DOCS=1` rewrites it there).
 */
import { KeyPackType } from "./codes";
import { INSTALL_METHODS, PROGRAMS, type NumberField } from "./catalog";
import { LICENSE_PROGRAMS, agreementTypeOf, installMethodOf } from "./programs";

/** Where the generated table sits in the README. */
export const PROGRAMS_TABLE_BEGIN = "<!-- programs table: generated from src/licensing/catalog.ts -->";
export const PROGRAMS_TABLE_END = "<!-- end of programs table -->";

const keyPackTypeName = (code: number) =>
    (Object.entries(KeyPackType).find(([, v]) => v === code)?.[0] ?? String(code)).replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();

const allSecret = Object.values(INSTALL_METHODS).every((m) => m.fields.every((f) => f.secret));

function numberCell(field: NumberField): string {
    const { expected, separators } = field.format;
    const hyphens = separators === "strip" && !expected.includes("hyphen") ? " (hyphens and spaces ignored)" : "";
    return `\`${field.name}\`: ${expected}${hyphens}${field.secret || allSecret ? "" : " (not a secret)"}`;
}

export function programsTable(): string {
    const header = [
        "| `program` | RD Licensing Manager | numbers" + (allSecret ? " (stack secrets)" : "") + " | installed with | KeyPackType |",
        "|---|---|---|---|---|",
    ];
    const rows = LICENSE_PROGRAMS.map((program) => {
        const method = installMethodOf(program);
        const agreementType = agreementTypeOf(program);
        const how = [
            `\`${method.install}\``,
            ...(agreementType !== undefined ? [`AgreementType ${agreementType}`] : []),
            ...(method.packFromNumbers ? ["the code fixes version, type and count"] : []),
        ];
        const installed = how.length > 1 ? `${how[0]} (${how.slice(1).join("; ")})` : how[0];
        return `| \`${program}\` | ${PROGRAMS[program].label} | ${method.fields.map(numberCell).join("; ")} | ${installed} | ${method.keyPackType} (${keyPackTypeName(method.keyPackType)}) |`;
    });
    return [...header, ...rows].join("\n");
}
