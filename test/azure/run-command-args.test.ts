/** managedRunCommandArgs (components/azure/run-command.ts): a run command of the deployment, optionally as a domain identity. */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { managedRunCommandArgs } from "../../components/azure/run-command";

const ctx = { resourceGroupName: "rg-rds", vmName: "rdcb01", location: "westeurope" };

describe("managedRunCommandArgs", () => {
    it("runs as SYSTEM by default: no runAs fields", () => {
        const args = managedRunCommandArgs(ctx, "rds-licensing-x", "Write-Output 1", 600);
        expect(args).toMatchObject({ runCommandName: "rds-licensing-x", source: { script: "Write-Output 1" }, asyncExecution: false, treatFailureAsDeploymentFailure: true, timeoutInSeconds: 600 });
        expect(args).not.toHaveProperty("runAsUser");
        expect(args).not.toHaveProperty("runAsPassword");
    });

    it("with runAs, sets runAsUser and a secret runAsPassword, and keeps the password out of the script", async () => {
        const args = managedRunCommandArgs({ ...ctx, runAs: { user: "CORP\\svc-rds", password: "Plain-Pa55word-01" } }, "rds-licensing-x", "Write-Output 1", 600);
        expect(args.runAsUser).toBe("CORP\\svc-rds");
        const password = pulumi.output(args.runAsPassword!);
        expect(await pulumi.isSecret(password)).toBe(true);
        expect(JSON.stringify(args.source)).not.toContain("Plain-Pa55word-01");
    });
});
