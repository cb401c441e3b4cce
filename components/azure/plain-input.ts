/**
 * Checking a `pulumi.Input` argument before anything registers: a plain value is checked now with
 * the schema; an Output (an ID from another resource) is Azure's to check when it resolves.
 */
import { z } from "zod";

export function plainValue(schema: z.ZodType): z.ZodType {
    return z.unknown().superRefine((v, ctx) => {
        if (typeof v !== "string") return;
        const result = schema.safeParse(v);
        if (!result.success) for (const issue of result.error.issues) ctx.addIssue({ code: "custom", message: issue.message });
    });
}
