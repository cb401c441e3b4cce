/**
 * A real PowerShell grammar (tree-sitter-powershell, WebAssembly build) to check rendered scripts:
 * they must parse without error, and the calls they make can be read off the syntax tree.
 */
import { createRequire } from "node:module";
import { expect } from "vitest";
import { Language, Parser, type Node, type Tree } from "web-tree-sitter";

// CommonJS-typed project: __filename exists under both tsc and vitest.
const require = createRequire(__filename);
let parserPromise: Promise<Parser> | undefined;

export function powershellParser(): Promise<Parser> {
    parserPromise ??= (async () => {
        await Parser.init();
        const language = await Language.load(require.resolve("tree-sitter-powershell/tree-sitter-powershell.wasm"));
        const parser = new Parser();
        parser.setLanguage(language);
        return parser;
    })();
    return parserPromise;
}

export async function parsePowerShell(text: string): Promise<Tree> {
    const tree = (await powershellParser()).parse(text);
    if (!tree) throw new Error("tree-sitter returned no tree");
    return tree;
}

/** The syntax tree of a script that must parse without error (the test fails naming the first). */
export async function parsed(script: string): Promise<Node> {
    const tree = await parsePowerShell(script);
    expect(firstError(tree.rootNode), "syntax error").toBeUndefined();
    expect(tree.rootNode.hasError).toBe(false);
    return tree.rootNode;
}

/** Where the first syntax error is, for readable failures. */
export function firstError(root: Node): string | undefined {
    const stack: Node[] = [root];
    while (stack.length) {
        const node = stack.pop()!;
        if (node.isError || node.isMissing) {
            return `${node.isMissing ? "missing" : "error"} at ${node.startPosition.row + 1}:${node.startPosition.column + 1}: ${node.text.slice(0, 80)}`;
        }
        if (node.hasError) stack.push(...node.children.filter((c): c is Node => c !== null).reverse());
    }
    return undefined;
}

export function descendants(root: Node, type: string): Node[] {
    return root.descendantsOfType(type).filter((n): n is Node => n !== null);
}

export interface CommandCall {
    name: string;
    /** Named parameters (lower-cased, without the dash) and the node of their value. */
    parameters: Map<string, Node | undefined>;
    /** Positional arguments, in order. */
    positional: Node[];
    node: Node;
}

export function commands(root: Node, name?: string): CommandCall[] {
    const calls: CommandCall[] = [];
    for (const command of descendants(root, "command")) {
        const commandName = command.childForFieldName("command_name") ?? command.namedChildren.find((c) => c?.type === "command_name");
        if (!commandName) continue;
        if (name && commandName.text.toLowerCase() !== name.toLowerCase()) continue;
        const elements = command.namedChildren.find((c) => c?.type === "command_elements");
        const parameters = new Map<string, Node | undefined>();
        const positional: Node[] = [];
        const items = (elements?.namedChildren ?? []).filter((c): c is Node => c !== null && c.type !== "command_argument_sep");
        for (let i = 0; i < items.length; i++) {
            const item = items[i]!;
            if (item.type === "command_parameter") {
                const next = items[i + 1];
                const takesValue = next && next.type !== "command_parameter";
                parameters.set(item.text.replace(/^-/, "").replace(/:$/, "").toLowerCase(), takesValue ? next : undefined);
                if (takesValue) i++;
            } else {
                positional.push(item);
            }
        }
        calls.push({ name: commandName.text, parameters, positional, node: command });
    }
    return calls;
}

/** The entries of the first hashtable literal under `node`: key → value node. */
export function hashEntries(node: Node): Map<string, Node> {
    const hash = node.type === "hash_literal_expression" ? node : descendants(node, "hash_literal_expression")[0];
    const entries = new Map<string, Node>();
    if (!hash) return entries;
    const body = hash.namedChildren.find((c) => c?.type === "hash_literal_body");
    for (const entry of body?.namedChildren ?? []) {
        if (!entry || entry.type !== "hash_entry") continue;
        const key = entry.namedChildren.find((c) => c?.type === "key_expression");
        const value = entry.namedChildren.find((c) => c !== null && c.type !== "key_expression");
        if (key && value) entries.set(key.text, value);
    }
    return entries;
}

/** The integer a value expression holds (`7`, `[uint32]7`), or undefined. */
export function integerValue(node: Node): number | undefined {
    const literals = descendants(node, "integer_literal");
    if (literals.length !== 1 || descendants(node, "variable").length > 0) return undefined;
    return Number(literals[0]!.text);
}

/** `$I.num` → { variable: "$I", member: "num" } for a value expression reading a member. */
export function memberRead(node: Node): { variable: string; member: string } | undefined {
    const access = descendants(node, "member_access")[0];
    if (!access) return undefined;
    const variable = access.namedChildren.find((c) => c?.type === "variable");
    const member = access.namedChildren.find((c) => c?.type === "member_name");
    return variable && member ? { variable: variable.text, member: member.text } : undefined;
}

/** The text of a string literal or bare word value ('x', "x", x). */
export function stringValue(node: Node): string {
    const text = node.text.trim();
    if (text.startsWith("'") && text.endsWith("'")) return text.slice(1, -1).replace(/''/g, "'");
    if (text.startsWith('"') && text.endsWith('"')) return text.slice(1, -1);
    return text;
}

/** The closest ancestor of `node` of a type, or undefined. */
export function ancestor(node: Node, type: string): Node | undefined {
    for (let at = node.parent; at; at = at.parent) if (at.type === type) return at;
    return undefined;
}

/** `<left> -op <right>`: the first binary comparison under `node` (e.g. an if statement's condition). */
export function comparison(node: Node): { left: Node; operator: string; right: Node } | undefined {
    for (const candidate of [node, ...descendants(node, "comparison_expression")]) {
        const children = candidate.namedChildren.filter((c): c is Node => c !== null);
        const at = children.findIndex((c) => c.type === "comparison_operator");
        if (candidate.type === "comparison_expression" && at === 1 && children.length === 3) {
            return { left: children[0]!, operator: children[1]!.text.toLowerCase(), right: children[2]! };
        }
    }
    return undefined;
}

/** The node a variable was last assigned from (`$name = <value>`), searching all of `root`. */
export function assignedValue(root: Node, variable: string): Node | undefined {
    const assignments = descendants(root, "assignment_expression").filter((a) => a.namedChildren[0]?.text.trim().toLowerCase() === variable.toLowerCase());
    const last = assignments.at(-1);
    return last?.childForFieldName("value") ?? undefined;
}
