/**
 * The plumbing every dynamic provider shares: the property bags the engine hands over (news, olds,
 * stored outputs) carry the provider host's `__provider` code and, once stored, the resource's
 * outputs; a provider wants its inputs, parsed by its zod schema, and `check` wants failures the
 * engine can show. One place, so a provider cannot forget to drop `__provider` (its text would fail
 * a strict schema) or let an output be read back as an input.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { checkFailures } from "./check";

export type Raw = Record<string, unknown>;

/** The property the dynamic provider host adds to every bag: the provider's module source. */
export const PROVIDER_PROPERTY = "__provider";

export interface ResourceSchema<T> {
    /** A bag's inputs as given: without `__provider` and the output fields. */
    inputsOf(raw: Raw): Raw;
    /** A bag's inputs, parsed (defaults applied); throws a ZodError when they do not fit. */
    parse(raw: Raw): T;
    /**
     * The `check` handler's result: the inputs exactly as given (number fields keep their value and
     * their secretness), or the schema's complaints as check failures.
     */
    check(news: Raw): pulumi.dynamic.CheckResult;
}

/**
 * @param schema the resource's inputs
 * @param outputs the properties a provider adds to its outputs: never read back as inputs
 */
export function resourceSchema<S extends z.ZodType>(schema: S, outputs: readonly string[]): ResourceSchema<z.output<S>> {
    const dropped = new Set([PROVIDER_PROPERTY, ...outputs]);
    const inputsOf = (raw: Raw): Raw => Object.fromEntries(Object.entries(raw).filter(([k]) => !dropped.has(k)));
    return {
        inputsOf,
        parse: (raw) => schema.parse(inputsOf(raw)),
        check(news) {
            const parsed = schema.safeParse(inputsOf(news));
            return parsed.success ? { inputs: news } : { failures: checkFailures(parsed.error) };
        },
    };
}

/** What `read` returns for a resource that no longer exists. */
export function gone(): pulumi.dynamic.ReadResult {
    return { id: "", props: {} };
}
