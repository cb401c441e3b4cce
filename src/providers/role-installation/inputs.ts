/** The RoleInstallation resource's inputs, as the provider checks and parses them. */
import { z } from "zod";
import { RdsRoleFeature } from "../../drivers/powershell/roles-script";
import { azureConnectionSchema } from "../connection";
import { resourceSchema } from "../resource-schema";

/** Run Command stops a script after 90 minutes; the step also waits for the agent and a restart. */
export const ROLES_TIMEOUT_RANGE = { min: 60, max: 3 * 5400 } as const;
export const DEFAULT_ROLES_TIMEOUT_SECONDS = 3600;

const FEATURES = Object.values(RdsRoleFeature) as [RdsRoleFeature, ...RdsRoleFeature[]];

export const roleInstallationInputsSchema = z.object({
    providerVersion: z.string(),
    connection: azureConnectionSchema,
    features: z
        .array(z.enum(FEATURES, { error: `must be one of ${FEATURES.join(", ")} (RdsRoleFeature)` }))
        .min(1, "list at least one Windows feature (RdsRoleFeature)")
        .refine((f) => new Set(f).size === f.length, "a feature is listed twice"),
    timeoutSeconds: z
        .number()
        .int()
        .min(ROLES_TIMEOUT_RANGE.min, `must be at least ${ROLES_TIMEOUT_RANGE.min} seconds: the step waits for the VM agent and may restart the VM`)
        .max(ROLES_TIMEOUT_RANGE.max, `must be at most ${ROLES_TIMEOUT_RANGE.max} seconds`)
        .default(DEFAULT_ROLES_TIMEOUT_SECONDS),
});
export type RoleInstallationInputs = z.output<typeof roleInstallationInputsSchema>;

/** Outputs that are not inputs: never diffed, never read back as inputs. */
export const ROLE_INSTALLATION_OUTPUTS = ["state", "restarted"] as const;

export const roleInstallationResource = resourceSchema(roleInstallationInputsSchema, ROLE_INSTALLATION_OUTPUTS);
