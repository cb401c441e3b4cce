/**
 * A small XML well-formedness checker (no XML parser is among the dependencies): one root element,
 * balanced and properly nested tags, quoted and unique attributes, only known entity references,
 * no stray `<` or `&`. Enough to prove the SVG chart and the XHTML-compatible report parse.
 */
export interface XmlElement {
    name: string;
    attributes: Record<string, string>;
    children: XmlElement[];
    text: string;
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
const ENTITY = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);/y;

function checkText(text: string, where: string): void {
    for (let i = text.indexOf("&"); i >= 0; i = text.indexOf("&", i + 1)) {
        ENTITY.lastIndex = i;
        if (!ENTITY.test(text)) throw new Error(`bad entity reference in ${where}: ${JSON.stringify(text.slice(i, i + 12))}`);
    }
}

const decode = (s: string) =>
    s
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">")
        .replace(/&quot;/g, '"')
        .replace(/&apos;/g, "'")
        .replace(/&#x([0-9A-Fa-f]+);/g, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
        .replace(/&#([0-9]+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
        .replace(/&amp;/g, "&");

/** Parse `xml` into its root element, or throw naming the first problem. */
export function parseXml(xml: string): XmlElement {
    let i = 0;
    const stack: XmlElement[] = [];
    let root: XmlElement | undefined;
    const fail = (msg: string): never => {
        throw new Error(`${msg} at offset ${i}: ${JSON.stringify(xml.slice(i, i + 40))}`);
    };
    while (i < xml.length) {
        const lt = xml.indexOf("<", i);
        const text = xml.slice(i, lt < 0 ? xml.length : lt);
        if (text.trim()) {
            if (stack.length === 0) fail("text outside the root element");
            checkText(text, `<${stack[stack.length - 1].name}>`);
            stack[stack.length - 1].text += decode(text);
        }
        if (lt < 0) break;
        i = lt;
        if (xml.startsWith("<!--", i)) {
            const end = xml.indexOf("-->", i + 4);
            if (end < 0) fail("unterminated comment");
            i = end + 3;
        } else if (xml.startsWith("<?", i)) {
            const end = xml.indexOf("?>", i + 2);
            if (end < 0) fail("unterminated processing instruction");
            i = end + 2;
        } else if (xml.startsWith("<![CDATA[", i)) {
            const end = xml.indexOf("]]>", i);
            if (end < 0 || stack.length === 0) fail("bad CDATA section");
            stack[stack.length - 1].text += xml.slice(i + 9, end);
            i = end + 3;
        } else if (xml.startsWith("<!DOCTYPE", i)) {
            if (root || stack.length) fail("DOCTYPE after the root element");
            const end = xml.indexOf(">", i);
            i = end + 1;
        } else if (xml.startsWith("</", i)) {
            const m = NAME.exec(xml.slice(i + 2));
            if (!m) fail("bad closing tag");
            const name = m![0];
            const open = stack.pop();
            if (!open || open.name !== name) fail(`closing </${name}> does not match <${open?.name ?? "nothing"}>`);
            i += 2 + name.length;
            while (/\s/.test(xml[i])) i++;
            if (xml[i] !== ">") fail("bad closing tag");
            i++;
        } else {
            const m = NAME.exec(xml.slice(i + 1));
            if (!m) fail("bad tag name");
            const element: XmlElement = { name: m![0], attributes: {}, children: [], text: "" };
            i += 1 + element.name.length;
            for (;;) {
                const ws = /^\s*/.exec(xml.slice(i))![0];
                i += ws.length;
                if (xml.startsWith("/>", i) || xml[i] === ">") break;
                if (!ws) fail("attributes must be separated by white space");
                const a = /^([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(xml.slice(i));
                if (!a) fail("bad attribute (names must be followed by a quoted value without '<')");
                const value = a![3] ?? a![4] ?? "";
                if (a![1] in element.attributes) fail(`duplicate attribute ${a![1]}`);
                checkText(value, `attribute ${a![1]}`);
                element.attributes[a![1]] = decode(value);
                i += a![0].length;
            }
            const selfClosing = xml.startsWith("/>", i);
            i += selfClosing ? 2 : 1;
            if (stack.length) stack[stack.length - 1].children.push(element);
            else if (root) fail("a second root element");
            else root = element;
            if (!selfClosing) stack.push(element);
        }
    }
    if (stack.length) throw new Error(`unclosed <${stack[stack.length - 1].name}>`);
    if (!root) throw new Error("no root element");
    return root;
}

/** Every element below (and including) `root`, depth first. */
export function descendants(root: XmlElement): XmlElement[] {
    return [root, ...root.children.flatMap(descendants)];
}
