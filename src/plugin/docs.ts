/**
 * The documentation of the plugin's properties, read from where the TypeScript library documents
 * them: the JSDoc of the components' Args interfaces and of their classes' declared outputs. Read with
 * the TypeScript parser at schema-generation time (`npm run plugin`), so the schema says what the
 * library's API docs say and neither is written twice.
 */
import * as fs from "fs";
import * as path from "path";

/** A documented member: its prose, its `@default`, and for declared outputs the type text. */
export interface MemberDoc {
    description: string;
    default?: string;
    /** `T` of `pulumi.Output<T>` for a class's declared output. */
    outputType?: string;
}

/** Members of interfaces and classes, by declaration name, then member name. */
export type DocIndex = Map<string, Map<string, MemberDoc>>;

type Ts = typeof import("typescript");

function memberDoc(ts: Ts, member: import("typescript").Node, source: import("typescript").SourceFile): MemberDoc | undefined {
    const docs = ts.getJSDocCommentsAndTags(member).filter(ts.isJSDoc);
    const doc = docs[docs.length - 1];
    let description = doc ? (ts.getTextOfJSDocComment(doc.comment) ?? "").trim() : "";
    let fallback: string | undefined;
    for (const tag of doc?.tags ?? []) {
        if (tag.tagName.text === "default") fallback = (ts.getTextOfJSDocComment(tag.comment) ?? "").trim();
    }
    let outputType: string | undefined;
    if (ts.isPropertyDeclaration(member) && member.type && ts.isTypeReferenceNode(member.type) && member.type.typeArguments?.length === 1) {
        outputType = member.type.typeArguments[0].getText(source);
    }
    if (!description && fallback === undefined && outputType === undefined) return undefined;
    description = description.replace(/\{@link ([^}]+)\}/g, "$1");
    return { description, ...(fallback !== undefined ? { default: fallback } : {}), ...(outputType ? { outputType } : {}) };
}

/**
 * A source file, or in an installed package (which ships no .ts sources) its declaration file under
 * dist/, where tsc keeps the JSDoc.
 */
function sourceText(root: string, file: string): string {
    const source = path.join(root, file);
    if (fs.existsSync(source)) return fs.readFileSync(source, "utf8");
    return fs.readFileSync(path.join(root, "dist", file.replace(/\.ts$/, ".d.ts")), "utf8");
}

/** Index the interfaces and classes of `files` (paths relative to `root`). */
export function readDocs(root: string, files: readonly string[]): DocIndex {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ts = require("typescript") as Ts;
    const index: DocIndex = new Map();
    for (const file of files) {
        const text = sourceText(root, file);
        const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
        for (const statement of source.statements) {
            if (!(ts.isInterfaceDeclaration(statement) || ts.isClassDeclaration(statement)) || !statement.name) continue;
            const members = new Map<string, MemberDoc>();
            for (const member of statement.members) {
                if (!member.name || !ts.isIdentifier(member.name)) continue;
                const doc = memberDoc(ts, member, source);
                if (doc) members.set(member.name.text, doc);
                else if (ts.isPropertyDeclaration(member) || ts.isPropertySignature(member)) members.set(member.name.text, { description: "" });
            }
            index.set(statement.name.text, members);
        }
    }
    return index;
}
