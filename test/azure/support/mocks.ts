/**
 * Pulumi mocks for the Azure components: every registered resource is recorded with its type, name
 * and inputs (secret markers kept, so tests can tell what is secret), and a transformation records
 * each resource's `dependsOn` by logical name (the mock monitor is not told about dependencies).
 *
 * Pulumi's runtime state is global: one scenario per test file (vitest runs files in separate
 * processes here).
 */
import * as pulumi from "@pulumi/pulumi";

/** The runtime's markers for a secret value in serialized properties (runtime/rpc). */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export const SUBSCRIPTION_ID = "00000000-0000-0000-0000-00000000abcd";
/** What the mocked RandomPassword "generates": distinctive, so leak scans can look for it. */
export const GENERATED_PASSWORD = "Mock-Generated-Pa55word-7f3c";

export interface Registered {
    type: string;
    name: string;
    /** As the monitor got them: secrets are `{ [SIG_KEY]: SECRET_SIG, value }`. */
    inputs: Record<string, unknown>;
    id: string;
}

export function isSecretMarker(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** The inputs with secret markers replaced by their values. */
export function unwrap(value: unknown): any {
    if (isSecretMarker(value)) return unwrap(value.value);
    if (Array.isArray(value)) return value.map(unwrap);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrap(v)]));
    return value;
}

/** The inputs with every secret subtree cut out: what would be stored in plain text. */
export function withoutSecrets(value: unknown): unknown {
    if (isSecretMarker(value)) return "[secret]";
    if (Array.isArray(value)) return value.map(withoutSecrets);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutSecrets(v)]));
    return value;
}

/**
 * Whether the value at a dotted path of raw inputs (`osProfile.adminPassword`) is secret: the SDK
 * may mark the value itself or an enclosing object (it marks `osProfile` as a whole, for instance).
 * Throws when the path holds nothing, so a renamed input cannot pass silently.
 */
export function isSecretAt(inputs: Record<string, unknown>, path: string): boolean {
    let at: unknown = inputs;
    let secret = false;
    for (const key of path.split(".")) {
        if (isSecretMarker(at)) (secret = true), (at = at.value);
        at = (at as Record<string, unknown> | undefined)?.[key];
    }
    if (at === undefined) throw new Error(`no input at ${path}`);
    return secret || isSecretMarker(at);
}

function armId(type: string, name: string, inputs: Record<string, any>): string {
    const rg = inputs.resourceGroupName ?? "rg-mock";
    const base = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/${rg}`;
    switch (type) {
        case "azure-native:resources:ResourceGroup":
            return base;
        case "azure-native:compute:VirtualMachine":
            return `${base}/providers/Microsoft.Compute/virtualMachines/${name}`;
        case "azure-native:network:Subnet":
            return `${base}/providers/Microsoft.Network/virtualNetworks/${inputs.virtualNetworkName}/subnets/${name}`;
        default:
            return `${base}/providers/Mock/${type.split(":").pop()}/${name}`;
    }
}

/** The Azure name a resource gets: its explicit name input, else the logical name. */
function azureName(type: string, logical: string, inputs: Record<string, any>): string {
    const explicit: Record<string, string> = {
        "azure-native:resources:ResourceGroup": "resourceGroupName",
        "azure-native:compute:VirtualMachine": "vmName",
        "azure-native:compute:VirtualMachineExtension": "vmExtensionName",
        "azure-native:compute:VirtualMachineRunCommandByVirtualMachine": "runCommandName",
    };
    const key = explicit[type];
    return (key && inputs[key]) || logical;
}

export interface MockRecorder {
    resources: Registered[];
    /** Logical name → logical names of its `dependsOn`. */
    dependsOn: Map<string, string[]>;
    /** Pass as `transformations: [recorder.transformation]` to the component under test. */
    transformation: pulumi.ResourceTransformation;
    byType(type: string): Registered[];
    one(type: string, name?: string): Registered;
    /** Wait until every resource constructed so far is registered. */
    settle(): Promise<void>;
}

export async function installMocks(options: { project?: string; stack?: string } = {}): Promise<MockRecorder> {
    const resources: Registered[] = [];
    const names = new WeakMap<pulumi.Resource, string>();
    const constructed: pulumi.Resource[] = [];
    const dependsOn = new Map<string, string[]>();

    await pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs) {
                const plain = unwrap(args.inputs) as Record<string, any>;
                const name = azureName(args.type, args.name, plain);
                const id = armId(args.type, name, plain);
                const state: Record<string, unknown> = { ...args.inputs, name };
                if (args.type === "azure-native:network:NetworkInterface") {
                    state.ipConfigurations = (plain.ipConfigurations ?? []).map((c: object, i: number) => ({ ...c, privateIPAddress: `10.10.1.${4 + i}` }));
                }
                if (args.type === "azure-native:network:PublicIPAddress") state.ipAddress = "203.0.113.10";
                if (args.type === "azure-native:compute:VirtualMachine") {
                    state.identity = { type: "SystemAssigned", principalId: "11111111-2222-3333-4444-555555555555" };
                }
                if (args.type === "random:index/randomPassword:RandomPassword") state.result = GENERATED_PASSWORD;
                resources.push({ type: args.type, name: args.name, inputs: args.inputs, id });
                return { id, state };
            },
            call(args: pulumi.runtime.MockCallArgs) {
                return args.inputs;
            },
        },
        options.project ?? "rds-licensing",
        options.stack ?? "azure-test",
        false,
    );

    const transformation: pulumi.ResourceTransformation = ({ resource, name, opts }) => {
        names.set(resource, name);
        constructed.push(resource);
        const deps = opts.dependsOn;
        const list = (Array.isArray(deps) ? deps : deps ? [deps] : []) as unknown[];
        dependsOn.set(
            name,
            list.map((d) => (pulumi.Resource.isInstance(d) ? (names.get(d) ?? "<unknown>") : "<output>")),
        );
        return undefined;
    };

    return {
        resources,
        dependsOn,
        transformation,
        byType: (type) => resources.filter((r) => r.type === type),
        one(type, name) {
            const found = resources.filter((r) => r.type === type && (name === undefined || r.name === name));
            if (found.length !== 1) throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}`);
            return found[0]!;
        },
        async settle() {
            await Promise.all(constructed.map((r) => valueOf(r.urn)));
        },
    };
}

/** An Output's value (the mocks resolve every Output: preview is off). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((v) => (resolve(v), v)));
}
