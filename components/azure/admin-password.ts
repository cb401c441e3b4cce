/**
 * The VM administrator password of a component: the caller's (wrapped secret), or a generated one.
 * One function for the license server and the session host pool, so both generate the same way.
 */
import * as pulumi from "@pulumi/pulumi";
import { RandomPassword } from "@pulumi/random/randomPassword";

/**
 * `given` wrapped secret, or a RandomPassword named `${name}-admin-password` (parented to `parent`).
 * Azure wants 12-123 characters from 3 of 4 classes; 24 from all four is well inside.
 */
export function adminPasswordFor(name: string, parent: pulumi.Resource, given: pulumi.Input<string> | undefined): pulumi.Output<string> {
    if (given !== undefined) return pulumi.secret(given);
    const generated = new RandomPassword(
        `${name}-admin-password`,
        { length: 24, special: true, overrideSpecial: "!#%*()-_=+[]{}:?", minLower: 2, minUpper: 2, minNumeric: 2, minSpecial: 2 },
        { parent },
    );
    return pulumi.secret(generated.result);
}
