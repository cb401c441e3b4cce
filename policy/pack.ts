/**
 * The rds-licensing policy pack: `pulumi preview --policy-pack policy` (after `npm run build`).
 * The rules live in rules.ts (the farm plan's checks in farm.ts); this file only serves them.
 */
import { PolicyPack } from "@pulumi/policy";
import { POLICIES } from "./rules";
import { installSecretTracking } from "./secret-paths";

installSecretTracking();

new PolicyPack("rds-licensing", {
    description:
        "Guard rails for RDS licensing stacks: CAL numbers as secrets, no internet RDP, CAL versions the server accepts, licensing mode set, " +
        "CAL types the farm asks for, CALs for every session host, license servers the stack manages.",
    enforcementLevel: "mandatory",
    policies: POLICIES,
});
