/**
 * The policy framework's own request path without the engine: crafted AnalyzeRequest /
 * AnalyzeStackRequest protos (properties in Pulumi's wire format, secrets and unknowns included) go
 * through @pulumi/policy's analyze handlers, the very functions its gRPC server calls, with the
 * compiled pack's rules and secret tracking. The real-engine runs are in engine.test.ts.
 */
import * as path from "path";
import { createRequire } from "module";
import type * as Rules from "../../policy/rules";
import type * as SecretPaths from "../../policy/secret-paths";
import { REPO_ROOT } from "../support/engine";

const load = createRequire(path.join(REPO_ROOT, "package.json"));
export const rules = load(path.join(REPO_ROOT, "dist", "policy", "rules.js")) as typeof Rules;
export const secretPathsModule = load(path.join(REPO_ROOT, "dist", "policy", "secret-paths.js")) as typeof SecretPaths;

interface Message {
    [setter: string]: any;
}
type Ctor = new () => Message;
const analyzerPb = load("@pulumi/pulumi/proto/analyzer_pb.js") as Record<string, Ctor>;
const structPb = load("google-protobuf/google/protobuf/struct_pb.js") as { Struct: { fromJavaScript(v: Record<string, unknown>): unknown } };
/** Properties as the engine sends them: a Struct, without undefined values. */
const struct = (props: Record<string, unknown>) => structPb.Struct.fromJavaScript(JSON.parse(JSON.stringify(props)) as Record<string, unknown>);
const server = load("@pulumi/policy/server.js") as {
    makeAnalyzeRpcFun(name: string, version: string, level: string, policies: unknown[]): Handler;
    makeAnalyzeStackRpcFun(name: string, version: string, level: string, policies: unknown[]): Handler;
};
type Handler = (call: { request: Message }, callback: (err: unknown, response?: Message) => void) => Promise<void>;

/** A value as the engine sends a secret. */
export const secret = (value: unknown) => ({ [secretPathsModule.SIG_KEY]: secretPathsModule.SECRET_SIG, value });
/** A value as the engine sends an unknown (computed) one during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface CraftedResource {
    type: string;
    name: string;
    props: Record<string, unknown>;
    parent?: string;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
}

export interface Violation {
    policy: string;
    message: string;
    urn: string;
    level: number;
}

export const urnOf = (r: Pick<CraftedResource, "type" | "name">) => `urn:pulumi:test::rds-licensing::${r.type}::${r.name}`;

function options(): Message {
    return new analyzerPb.AnalyzerResourceOptions();
}

function invoke(handler: Handler, request: Message): Promise<Violation[]> {
    return new Promise((resolve, reject) => {
        void handler({ request }, (err, response) => {
            if (err) reject(err instanceof Error ? err : new Error(String((err as { message?: string }).message ?? err)));
            else
                resolve(
                    (response!.getDiagnosticsList() as Message[]).map((d) => ({
                        policy: d.getPolicyname(),
                        message: d.getMessage(),
                        urn: d.getUrn(),
                        level: d.getEnforcementlevel(),
                    })),
                );
        });
    });
}

secretPathsModule.installSecretTracking();
const PACK = ["rds-licensing", "0.1.0", "mandatory"] as const;

/** A resource's type, name, URN, properties and options on an AnalyzeRequest or AnalyzerResource. */
function describeResource(message: Message, resource: CraftedResource): Message {
    message.setType(resource.type);
    message.setName(resource.name);
    message.setUrn(urnOf(resource));
    message.setProperties(struct(resource.props));
    message.setOptions(options());
    return message;
}

/** Run the pack's resource policies on one resource, as at `Analyze` time (its inputs). */
export function analyzeResource(resource: CraftedResource, policies: unknown[] = rules.POLICIES): Promise<Violation[]> {
    const request = describeResource(new analyzerPb.AnalyzeRequest(), resource);
    return invoke(server.makeAnalyzeRpcFun(...PACK, policies), request);
}

/** Run the pack's stack policies on a set of resources, as at `AnalyzeStack` time. */
export function analyzeStack(resources: CraftedResource[], policies: unknown[] = rules.POLICIES): Promise<Violation[]> {
    const request = new analyzerPb.AnalyzeStackRequest();
    for (const r of resources) {
        const resource = describeResource(new analyzerPb.AnalyzerResource(), r);
        if (r.parent) resource.setParent(r.parent);
        resource.setDependenciesList(r.dependencies ?? []);
        for (const [key, urns] of Object.entries(r.propertyDependencies ?? {})) {
            const deps = new analyzerPb.AnalyzerPropertyDependencies();
            deps.setUrnsList(urns);
            resource.getPropertydependenciesMap().set(key, deps);
        }
        request.addResources(resource);
    }
    return invoke(server.makeAnalyzeStackRpcFun(...PACK, policies), request);
}
