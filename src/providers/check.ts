import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";

/** zod issues as Pulumi check failures (property + reason); reasons never echo a value. */
export function checkFailures(error: z.ZodError): pulumi.dynamic.CheckFailure[] {
    return error.issues.map((issue) => ({
        property: issue.path.map(String).join(".") || "(inputs)",
        reason: issue.message,
    }));
}
