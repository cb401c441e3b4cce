/** Value shapes shared by the stack config's schemas (schema.ts, farm-schema.ts). */
import { z } from "zod";
import { LICENSING_MODES, PRODUCT_VERSIONS } from "../licensing";

/** Windows computer names: 1-15 letters, digits or hyphens, not only digits. */
export const serverName = z
    .string({ error: "must be a string" })
    .regex(/^(?![0-9]+$)[A-Za-z0-9][A-Za-z0-9-]{0,14}$/, {
        error: "must be a Windows computer name: 1 to 15 letters, digits or hyphens, not only digits",
    });

// `pulumi config set --path x 2022` stores a number: accept it as the version string.
export const version = z.preprocess(
    (v) => (typeof v === "number" ? String(v) : v),
    z.enum(PRODUCT_VERSIONS, { error: `must be one of ${PRODUCT_VERSIONS.join(", ")}` }),
);

export const licensingMode = z.enum(LICENSING_MODES, { error: `must be ${LICENSING_MODES.join(" or ")}` });
