/**
 * The engine's floor: a Pulumi TypeScript program with no resources, run exactly like the bench
 * program (compiled, same runtime, same backend and secrets provider). Any time an operation takes
 * beyond this is the cost of the resources and of the remote executions.
 */
import * as pulumi from "@pulumi/pulumi";

export const project = pulumi.getProject();
