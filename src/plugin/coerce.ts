/**
 * Program values as the handlers' schemas declare them, before the handlers check them:
 * - Pulumi config turns a value of base-10 digits not starting with 0 into a number
 *   (`pulumi config set --secret eaNumber 7654321` is the number 7654321 to a YAML program), while the
 *   catalog's number fields are strings: an integer given for a string property is its decimal
 *   spelling, which is what was typed (a leading 0 keeps the value a string anyway);
 * - a property left out takes the schema's default, as the TypeScript component sets it, so the
 *   stored inputs are the same whichever way in a program took.
 * Nothing else is converted: the handlers' checks report any other mismatch.
 */
import { z } from "zod";
import type { Bag } from "./secrets";

interface Shape {
    strings: Set<string>;
    defaults: Bag;
}

const shapes = new WeakMap<z.ZodType, Shape>();

function shapeOf(schema: z.ZodType): Shape {
    let shape = shapes.get(schema);
    if (!shape) {
        const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as { properties?: Record<string, { type?: string; default?: unknown }> };
        const properties = Object.entries(json.properties ?? {});
        shape = {
            strings: new Set(properties.filter(([, p]) => p.type === "string").map(([k]) => k)),
            defaults: Object.fromEntries(properties.filter(([, p]) => p.default !== undefined).map(([k, p]) => [k, p.default])),
        };
        shapes.set(schema, shape);
    }
    return shape;
}

/** `plain` (inputs without secret markers) with the schema's defaults and integers given for strings spelled as strings. */
export function coerceToSchema(schema: z.ZodType | undefined, plain: Bag): Bag {
    if (!schema) return plain;
    const { strings, defaults } = shapeOf(schema);
    const spelled = Object.entries(plain).map(([k, v]) => [k, strings.has(k) && typeof v === "number" && Number.isSafeInteger(v) ? String(v) : v]);
    return { ...defaults, ...Object.fromEntries(spelled) };
}
