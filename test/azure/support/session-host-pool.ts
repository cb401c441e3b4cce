/** Arguments and helpers the AzureSessionHostPool tests share. Passwords are fictitious. */
import * as pulumi from "@pulumi/pulumi";
import type { AzureSessionHostPoolArgs } from "../../../components/azure";
import { JOIN_PASSWORD, SUBNET_ID } from "./fixtures";

/** A valid pool: 2 hosts in the hub subnet, domain-joined (join password passed in plain text on purpose). */
export function poolArgs(patch: Partial<AzureSessionHostPoolArgs> = {}): AzureSessionHostPoolArgs {
    return {
        count: 2,
        namePrefix: "RDSH",
        location: "westeurope",
        resourceGroupName: "rg-rds-prod",
        subnetId: SUBNET_ID,
        domain: { name: "corp.contoso.com", ouPath: "OU=RDS,DC=corp,DC=contoso,DC=com", joinUser: "CORP\\svc-join", joinPassword: JOIN_PASSWORD },
        ...patch,
    };
}

/** Collects every resource the component constructs, to compare URNs between runs. */
export function urnCollector(): { transformation: pulumi.ResourceTransformation; urns(): Promise<string[]> } {
    const constructed: pulumi.Resource[] = [];
    return {
        transformation: ({ resource }) => {
            constructed.push(resource);
            return undefined;
        },
        urns: () => Promise.all(constructed.map((r) => new Promise<string>((resolve) => r.urn.apply((u) => (resolve(u), u))))).then((u) => u.sort()),
    };
}
