/**
 * The TypeScript compiler API, as the package tests use it: the repository's compiler options, the
 * public API's signatures walked for names a consumer could not import (public-types.test.ts), and
 * the `@example` blocks of the components' JSDoc turned into modules and type-checked
 * (jsdoc-examples.test.ts).
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
/** The package's entry point, as its sources (`exports["."]` is its compiled form). */
export const PUBLIC_ENTRY = path.join(REPO_ROOT, "components", "index.ts");

/** tsconfig.json's compiler options, for a type check only. */
export function repoCompilerOptions(overrides: ts.CompilerOptions = {}): ts.CompilerOptions {
    const parsed = ts.getParsedCommandLineOfConfigFile(path.join(REPO_ROOT, "tsconfig.json"), {}, {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => {
            throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
        },
    });
    if (!parsed) throw new Error("tsconfig.json: unreadable");
    return { ...parsed.options, noEmit: true, incremental: false, tsBuildInfoFile: undefined, ...overrides };
}

export function formatDiagnostics(diagnostics: readonly ts.Diagnostic[]): string {
    return ts.formatDiagnostics(diagnostics, {
        getCanonicalFileName: (f) => f,
        getCurrentDirectory: () => REPO_ROOT,
        getNewLine: () => "\n",
    });
}

const isOurs = (node: ts.Node) => !node.getSourceFile().fileName.split(path.sep).includes("node_modules");
const resolveAlias = (checker: ts.TypeChecker, s: ts.Symbol) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);

/** The names `components/index.ts` exports, with the symbols they stand for. */
export function publicExports(program: ts.Program): Map<string, ts.Symbol> {
    const checker = program.getTypeChecker();
    const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(PUBLIC_ENTRY)!);
    if (!moduleSymbol) throw new Error(`${PUBLIC_ENTRY}: not a module`);
    return new Map(checker.getExportsOfModule(moduleSymbol).map((e) => [e.name, resolveAlias(checker, e)]));
}

export interface ApiGap {
    /** The type's name and where it is declared. */
    name: string;
    file: string;
    /** The first public signature found naming it, e.g. `RdsLicensing.health`. */
    usedBy: string;
}

/**
 * Every type declared in this repository that a public signature names (an exported class's public
 * members and constructor, an exported interface's or type alias's members, an exported function's
 * parameters and result; then, transitively, those types' own members) and that
 * `components/index.ts` does not export: a consumer could see it in an error or a hover, but could
 * not write its name. Names reached only through `typeof` (values), or aliases of a `typeof`, are left out.
 */
export function publicApiGaps(program: ts.Program): ApiGap[] {
    const checker = program.getTypeChecker();
    const exported = new Set(publicExports(program).values());
    const gaps = new Map<ts.Symbol, ApiGap>();
    const visited = new Set<ts.Symbol>();
    const hidden = (m: ts.Node) =>
        ts.canHaveModifiers(m) && (ts.getCombinedModifierFlags(m as ts.Declaration) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0;

    const visitSymbol = (symbol: ts.Symbol, usedBy: string): void => {
        const declarations = (symbol.declarations ?? []).filter(isOurs);
        if (declarations.length === 0 || symbol.flags & ts.SymbolFlags.TypeParameter) return;
        // `type Programs = typeof PROGRAMS`: a value's type under a local name, like `typeof` itself.
        if (declarations.every((d) => ts.isTypeAliasDeclaration(d) && ts.isTypeQueryNode(d.type))) return;
        if (!exported.has(symbol) && !gaps.has(symbol)) {
            gaps.set(symbol, { name: symbol.name, file: path.relative(REPO_ROOT, declarations[0]!.getSourceFile().fileName), usedBy });
        }
        if (visited.has(symbol)) return;
        visited.add(symbol);
        for (const d of declarations) visitDeclaration(d, symbol.name);
    };
    const visitTypeNode = (node: ts.Node | undefined, usedBy: string): void => {
        if (!node) return;
        if (ts.isTypeQueryNode(node)) return; // `typeof value`: nothing a consumer names
        if (ts.isTypeReferenceNode(node) || ts.isExpressionWithTypeArguments(node)) {
            const name = ts.isTypeReferenceNode(node) ? node.typeName : node.expression;
            const last = ts.isQualifiedName(name) ? name.right : ts.isPropertyAccessExpression(name) ? name.name : name;
            const symbol = checker.getSymbolAtLocation(last);
            if (symbol) visitSymbol(resolveAlias(checker, symbol), usedBy);
        }
        ts.forEachChild(node, (child) => visitTypeNode(child, usedBy));
    };
    const visitSignature = (d: ts.SignatureDeclaration, usedBy: string) => {
        for (const p of d.parameters) visitTypeNode(p.type, `${usedBy}(${p.name.getText()})`);
        visitTypeNode(d.type, `${usedBy}()`);
    };
    const visitMember = (m: ts.Node, owner: string) => {
        if (hidden(m)) return;
        const name = (m as ts.NamedDeclaration).name?.getText();
        const usedBy = name ? `${owner}.${name}` : owner;
        if (ts.isPropertyDeclaration(m) || ts.isPropertySignature(m)) visitTypeNode(m.type, usedBy);
        else if (ts.isConstructorDeclaration(m)) visitSignature(m, owner);
        else if (ts.isMethodDeclaration(m) || ts.isMethodSignature(m) || ts.isGetAccessor(m) || ts.isIndexSignatureDeclaration(m) || ts.isCallSignatureDeclaration(m)) {
            visitSignature(m, usedBy);
        }
    };
    const visitDeclaration = (d: ts.Node, name: string): void => {
        if (ts.isClassDeclaration(d) || ts.isInterfaceDeclaration(d)) {
            for (const clause of d.heritageClauses ?? []) for (const t of clause.types) visitTypeNode(t, name);
            for (const m of d.members) visitMember(m, name);
        } else if (ts.isTypeAliasDeclaration(d)) visitTypeNode(d.type, name);
        else if (ts.isFunctionDeclaration(d)) visitSignature(d, name);
        else if (ts.isVariableDeclaration(d)) {
            if (d.type) visitTypeNode(d.type, name);
            else if (d.initializer && (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer))) visitSignature(d.initializer, name);
        }
    };
    for (const [name, symbol] of publicExports(program)) {
        visited.add(symbol);
        for (const d of (symbol.declarations ?? []).filter(isOurs)) visitDeclaration(d, name);
    }
    return [...gaps.values()];
}

/** One ```ts block of an `@example` tag. */
export interface JsdocExample {
    /** Repository-relative source file. */
    file: string;
    /** 1-based line of the block's first code line in the source file. */
    line: number;
    /** What the JSDoc documents: `CalKeyPack`, `CalKeyPackArgs.connection`. */
    owner: string;
    /** The interface a documented property belongs to (its block is a fragment of it). */
    ownerInterface?: string;
    /** The documented property, for a property's JSDoc. */
    property?: string;
    /** The `@example` tag's title, if any. */
    title: string;
    code: string;
}

function ownerOf(node: ts.Node): { owner: string; ownerInterface?: string; property?: string } {
    const name = (n: ts.Node) => ((n as ts.NamedDeclaration).name ? (n as ts.NamedDeclaration).name!.getText() : ts.SyntaxKind[n.kind]);
    if ((ts.isPropertySignature(node) || ts.isPropertyDeclaration(node)) && (ts.isInterfaceDeclaration(node.parent) || ts.isClassDeclaration(node.parent))) {
        const owner = name(node.parent);
        return { owner: `${owner}.${name(node)}`, ownerInterface: ts.isInterfaceDeclaration(node.parent) ? owner : undefined, property: name(node) };
    }
    if (ts.isVariableStatement(node)) return { owner: node.declarationList.declarations.map(name).join(", ") };
    return { owner: name(node) };
}

/** Every ```ts block of an `@example` in `files` (repository-relative). */
/** The component sources whose JSDoc holds the examples (components/ and components/azure/). */
export const COMPONENT_SOURCES = ["components", path.join("components", "azure")].flatMap((dir) =>
    fs
        .readdirSync(path.join(REPO_ROOT, dir))
        .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
        .map((f) => path.join(dir, f)),
);

export function jsdocExamples(files: string[]): JsdocExample[] {
    const examples: JsdocExample[] = [];
    for (const file of files) {
        const text = fs.readFileSync(path.join(REPO_ROOT, file), "utf8");
        const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
        const seen = new Set<number>();
        const visit = (node: ts.Node): void => {
            for (const doc of (node as { jsDoc?: ts.JSDoc[] }).jsDoc ?? []) {
                if (seen.has(doc.pos)) continue;
                seen.add(doc.pos);
                examples.push(...examplesOfComment(file, text, doc.getStart(source), doc.end, ownerOf(node)));
            }
            ts.forEachChild(node, visit);
        };
        visit(source);
    }
    return examples;
}

function examplesOfComment(file: string, text: string, start: number, end: number, owner: ReturnType<typeof ownerOf>): JsdocExample[] {
    const firstLine = text.slice(0, start).split("\n").length; // 1-based line of `/**`
    const lines = text
        .slice(start, end)
        .split("\n")
        .map((l) => l.replace(/^\s*\/\*\*\s?/, "").replace(/\s*\*\/\s*$/, "").replace(/^\s*\* ?/, ""));
    const out: JsdocExample[] = [];
    let title: string | undefined; // inside an @example section
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        const tag = /^@(\w+)\s*(.*)$/.exec(line.trim());
        if (tag) title = tag[1] === "example" ? tag[2]! : undefined;
        if (title === undefined || !/^```(ts|typescript)\s*$/.test(line.trim())) continue;
        const body: string[] = [];
        let j = i + 1;
        for (; j < lines.length && lines[j]!.trim() !== "```"; j++) body.push(lines[j]!);
        if (j === lines.length) throw new Error(`${file}:${firstLine + i}: unterminated \`\`\`ts block`);
        out.push({ file, line: firstLine + i + 1, ...owner, title, code: body.join("\n") });
        i = j;
    }
    return out;
}

/**
 * Names an example may use without declaring them, as a reader of the docs understands them (the
 * contact of the activation, the stack's config...): the module wrapping an example declares those
 * it uses and does not declare itself. Any other free name fails its type check.
 */
export const EXAMPLE_FREE_NAMES: Readonly<Record<string, string>> = {
    config: "pulumi.Config",
    cfg: "pulumi.Config",
    contact: "ActivationContact",
    connection: "pulumi.Input<Connection>",
    server: "SimulatedLicenseServer",
    primary: "SimulatedLicenseServer",
    secondary: "SimulatedLicenseServer",
    activation: "LicenseServerActivation",
    deployment: "SimulatedDeployment",
    sessionHost: "SimulatedSessionHost",
    azureLicenseServer: "AzureLicenseServer",
    network: "AzureNetworkArgs",
    adminPassword: "pulumi.Input<string>",
    subscriptionId: "string",
    eaArgs: "Omit<CalKeyPackArgs, \"requestKeySecret\">",
    eaDeviceArgs: "Omit<CalKeyPackArgs, \"requestKeySecret\">",
    hub: "{ subnets: Record<string, { id: pulumi.Output<string> }> }",
    packs: "CalKeyPack[]",
    vault: "CalNumbersVault",
    subnetId: "pulumi.Input<string>",
    domain: "AzureDomainJoinArgs",
};

/** In components/azure/, `server` is the license server VM. */
export const AZURE_EXAMPLE_FREE_NAMES: Readonly<Record<string, string>> = { ...EXAMPLE_FREE_NAMES, server: "AzureLicenseServer" };

export function freeNamesOf(example: JsdocExample): Readonly<Record<string, string>> {
    return example.file.split(path.sep).includes("azure") ? AZURE_EXAMPLE_FREE_NAMES : EXAMPLE_FREE_NAMES;
}

/** How an example is wrapped: statements as they are, a property as a fragment of its interface, an object as a value of it. */
export type ExampleShape = "statements" | "property" | "value";

export function exampleShape(example: JsdocExample): ExampleShape {
    if (!example.ownerInterface) return "statements";
    const code = example.code.trim();
    if (/^[A-Za-z_$][\w$]*\s*:/.test(code)) return "property";
    if (code.startsWith("{")) return "value";
    return "statements";
}

/** The names a piece of code declares at its top level, and the identifiers it uses. */
function namesOf(code: string): { declared: Set<string>; used: Set<string> } {
    const source = ts.createSourceFile("example.ts", code, ts.ScriptTarget.Latest, true);
    const declared = new Set<string>();
    const used = new Set<string>();
    const bind = (name: ts.BindingName) => {
        if (ts.isIdentifier(name)) declared.add(name.text);
        else for (const e of name.elements) if (!ts.isOmittedExpression(e)) bind(e.name);
    };
    for (const statement of source.statements) {
        if (ts.isVariableStatement(statement)) for (const d of statement.declarationList.declarations) bind(d.name);
        else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name) declared.add(statement.name.text);
    }
    const visit = (node: ts.Node): void => {
        if (ts.isIdentifier(node)) {
            const parent = node.parent;
            const isKey = (ts.isPropertyAssignment(parent) || ts.isPropertySignature(parent)) && parent.name === node;
            const isMember = ts.isPropertyAccessExpression(parent) && parent.name === node;
            const isQualified = ts.isQualifiedName(parent) && parent.right === node;
            if (!isKey && !isMember && !isQualified) used.add(node.text);
        }
        ts.forEachChild(node, visit);
    };
    visit(source);
    return { declared, used };
}

/**
 * Concrete values for the free names, for running an example on the simulator (jsdoc-run.test.ts):
 * each an expression of the type `EXAMPLE_FREE_NAMES` gives the name, which may use other free names
 * (they are then defined first). The contact is fictitious; the config secrets are set on the stack.
 */
export const SIMULATOR_FREE_VALUES: Readonly<Record<string, string>> = {
    config: `new pulumi.Config()`,
    cfg: `new pulumi.Config()`,
    contact: `{ firstName: "Ada", lastName: "Lovelace", company: "Contoso (fictitious)", countryRegion: "GB" }`,
    connection: `{ kind: "simulator", home: ".rdls-sim" }`,
    server: `new SimulatedLicenseServer("free-server", { serverName: "RDLS-FREE01", windowsServerVersion: "2022" })`,
    primary: `new SimulatedLicenseServer("free-primary", { serverName: "RDLS-FREE02", windowsServerVersion: "2022" })`,
    secondary: `new SimulatedLicenseServer("free-secondary", { serverName: "RDLS-FREE03", windowsServerVersion: "2022" })`,
    activation: `new LicenseServerActivation("free-activation", { connection, server: server.serverName, serverInstance: server.instanceId, contact })`,
    deployment: `new SimulatedDeployment("free-deployment", { broker: "RDCB-FREE01" })`,
    sessionHost: `new SimulatedSessionHost("free-host", { name: "RDSH-FREE01", windowsServerVersion: "2022" })`,
    eaArgs: `{ connection, server: server.serverName, serverInstance: server.instanceId, program: "enterprise-agreement", agreementNumber: config.requireSecret("eaNumber"), productVersion: "2022", licenseType: "per-user", count: 5 }`,
    eaDeviceArgs: `{ connection, server: server.serverName, serverInstance: server.instanceId, program: "enterprise-agreement", agreementNumber: config.requireSecret("eaNumber"), productVersion: "2022", licenseType: "per-device", count: 5 }`,
    packs: `[]`,
};

/** How an example's module is made: as a type-check declares its free names, or as a program defines them. */
export interface ExampleModuleOptions {
    /** Define the free names with these expressions (`const`), instead of `declare const`. */
    freeValues?: Readonly<Record<string, string>>;
    /** Where the package's names are imported from (default "rds-licensing"). */
    moduleSpecifier?: string;
}

const hiddenFree = (name: string) => `__free_${name}`;

/** The module an example becomes: imports of what it uses from "rds-licensing", its free names declared (or defined), its code. */
export function exampleModule(example: JsdocExample, exportedNames: ReadonlySet<string>, options: ExampleModuleOptions = {}): string {
    const shape = exampleShape(example);
    const body =
        shape === "property"
            ? `export const example = {\n${example.code}\n} satisfies Partial<${example.ownerInterface}>;`
            : shape === "value"
              ? `export const example: ${example.ownerInterface} = ${example.code.trim()};`
              : example.code;
    const { declared, used } = namesOf(body);
    const types = freeNamesOf(example);
    const free = Object.entries(types).filter(([name]) => used.has(name) && !declared.has(name));
    let freeLines: string[];
    let typeTexts: string[];
    let valueTexts: string[] = [];
    if (options.freeValues) {
        // Each free value under a hidden name (`__free_server`), its own free names too: an example
        // declaring `connection` itself still gets a free `activation` on the free connection.
        const values = options.freeValues;
        const needed: string[] = [];
        const need = (name: string, chain: string[]): void => {
            if (needed.includes(name)) return;
            if (chain.includes(name)) throw new Error(`free names: a cycle ${[...chain, name].join(" -> ")}`);
            const value = values[name];
            if (value === undefined || types[name] === undefined) throw new Error(`${example.file}:${example.line}: no value for the free name \`${name}\``);
            for (const dep of namesOf(`const v = ${value};`).used) if (dep !== name && types[dep] !== undefined && values[dep] !== undefined) need(dep, [...chain, name]);
            needed.push(name);
        };
        for (const [name] of free) need(name, []);
        const rename = (value: string) => renameIdentifiers(value, (id) => (needed.includes(id) ? hiddenFree(id) : undefined));
        freeLines = [
            ...needed.map((name) => `const ${hiddenFree(name)}: ${types[name]} = ${rename(values[name]!)};`),
            ...free.map(([name]) => `const ${name} = ${hiddenFree(name)};`),
        ];
        typeTexts = needed.map((name) => types[name]!);
        valueTexts = needed.map((name) => values[name]!);
    } else {
        freeLines = free.map(([name, type]) => `declare const ${name}: ${type};`);
        typeTexts = free.map(([, type]) => type);
    }
    const freeUses = typeTexts.map((t) => namesOf(`type T = ${t};`).used).concat(valueTexts.map((v) => namesOf(`const v = (${v});`).used));
    const imports = [...exportedNames].filter((n) => !declared.has(n) && (used.has(n) || freeUses.some((t) => t.has(n)))).sort();
    return [
        `// ${example.file}:${example.line}, ${example.owner} @example ${example.title}`.trimEnd(),
        `import * as pulumi from "@pulumi/pulumi";`,
        imports.length > 0 ? `import { ${imports.join(", ")} } from ${JSON.stringify(options.moduleSpecifier ?? "rds-licensing")};` : "",
        ...freeLines,
        "export {};",
        body,
        "",
    ].join("\n");
}

/** `code` (an expression) with the identifiers `to` names renamed, keys and members left alone, shorthand properties expanded. */
function renameIdentifiers(code: string, to: (id: string) => string | undefined): string {
    const prefix = "const v = (";
    const source = ts.createSourceFile("value.ts", `${prefix}${code});`, ts.ScriptTarget.Latest, true);
    const edits: Array<{ start: number; end: number; text: string }> = [];
    const visit = (node: ts.Node): void => {
        if (ts.isShorthandPropertyAssignment(node)) {
            const renamed = to(node.name.text);
            if (renamed) edits.push({ start: node.name.getStart(source), end: node.name.end, text: `${node.name.text}: ${renamed}` });
            return;
        }
        if (ts.isIdentifier(node)) {
            const parent = node.parent;
            const isKey = (ts.isPropertyAssignment(parent) || ts.isPropertySignature(parent)) && parent.name === node;
            const isMember = ts.isPropertyAccessExpression(parent) && parent.name === node;
            const renamed = to(node.text);
            if (!isKey && !isMember && renamed) edits.push({ start: node.getStart(source), end: node.end, text: renamed });
        }
        ts.forEachChild(node, visit);
    };
    visit(source);
    let text = source.text;
    for (const e of edits.sort((x, y) => y.start - x.start)) text = text.slice(0, e.start) + e.text + text.slice(e.end);
    return text.slice(prefix.length, text.length - 2);
}

/** An example's module as CommonJS JavaScript, for a Pulumi program's index.js. */
export function transpileExample(moduleText: string): string {
    return ts.transpileModule(moduleText, {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
        reportDiagnostics: false,
    }).outputText;
}

/** The config keys an example reads (`config.requireSecret("eaNumber")`, `cfg.get("x")`...), secret or not. */
export function configKeysOf(code: string): Array<{ key: string; secret: boolean }> {
    const found = new Map<string, boolean>();
    for (const m of code.matchAll(/\.(require|get)(Secret)?(Number|Boolean|Object)?\(\s*["']([^"']+)["']/g)) {
        found.set(m[4]!, (found.get(m[4]!) ?? false) || m[2] === "Secret");
    }
    return [...found].map(([key, secret]) => ({ key, secret }));
}

/** Each `new X(...)` of the code: its class, its text, the keys of its args (2nd argument) and options (3rd). */
export interface Construction {
    className: string;
    text: string;
    argKeys: string[];
    optionKeys: string[];
}

export function constructions(code: string): Construction[] {
    const source = ts.createSourceFile("example.ts", code, ts.ScriptTarget.Latest, true);
    const keysOf = (node: ts.Expression | undefined) =>
        node && ts.isObjectLiteralExpression(node) ? node.properties.flatMap((p) => (p.name && ts.isIdentifier(p.name) ? [p.name.text] : [])) : [];
    const found: Construction[] = [];
    const visit = (node: ts.Node): void => {
        if (ts.isNewExpression(node) && ts.isIdentifier(node.expression)) {
            found.push({ className: node.expression.text, text: node.getText(source), argKeys: keysOf(node.arguments?.[1]), optionKeys: keysOf(node.arguments?.[2]) });
        }
        ts.forEachChild(node, visit);
    };
    visit(source);
    return found;
}

/**
 * Type-check modules given as `{ fileName: text }` (virtual files under test/package/, so packages
 * resolve from the repository's node_modules) with "rds-licensing" resolved to the components'
 * sources. Returns each file's diagnostics.
 */
export function typeCheckModules(modules: Record<string, string>, options: ts.CompilerOptions = {}): Map<string, readonly ts.Diagnostic[]> {
    const compilerOptions = repoCompilerOptions({
        noUnusedLocals: false,
        noUnusedParameters: false,
        paths: { "rds-licensing": [PUBLIC_ENTRY] },
        ...options,
    });
    (compilerOptions as { pathsBasePath?: string }).pathsBasePath = REPO_ROOT;
    const host = ts.createCompilerHost(compilerOptions, true);
    const virtual = new Map(Object.entries(modules).map(([name, text]) => [path.resolve(name), text]));
    const { getSourceFile, fileExists, readFile } = host;
    host.getSourceFile = (fileName, languageVersion, ...rest) => {
        const text = virtual.get(path.resolve(fileName));
        return text !== undefined ? ts.createSourceFile(fileName, text, languageVersion, true) : getSourceFile.call(host, fileName, languageVersion, ...rest);
    };
    host.fileExists = (fileName) => virtual.has(path.resolve(fileName)) || fileExists.call(host, fileName);
    host.readFile = (fileName) => virtual.get(path.resolve(fileName)) ?? readFile.call(host, fileName);
    const program = ts.createProgram([...virtual.keys()], compilerOptions, host);
    const all = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
    if (all.length > 0) throw new Error(formatDiagnostics(all));
    const result = new Map<string, readonly ts.Diagnostic[]>();
    for (const [fileName] of virtual) {
        const sourceFile = program.getSourceFile(fileName)!;
        result.set(fileName, [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)]);
    }
    return result;
}
