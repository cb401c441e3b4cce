/**
 * The rds-licensing CrossGuard rules, as plain policy objects: `pack.ts` serves them, tests call their
 * `validateResource` / `validateStack` directly with crafted arguments. Messages name resources and
 * properties, never a value (a violation message must not leak an agreement number). The farm plan's
 * checks (CAL types, CALs for every session host, managed license servers) are in farm.ts.
 */
import type {
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { serverAcceptsCalVersion, type ProductVersion } from "../src/licensing/codes";
import { LICENSING_MODES } from "../src/licensing/modes";
import { SECRET_NUMBER_FIELDS } from "../src/licensing/programs";
import { RESOURCE_TYPES } from "../src/licensing/resource-types";
import { FARM_POLICIES, FARM_TYPES } from "./farm";
import { displayName, known, productVersionOf, serverOfPack } from "./resources";
import { secretPaths } from "./secret-paths";

export { displayName, known, serverOfPack };

export const TYPES = RESOURCE_TYPES;

/** azure-native network types, with or without an explicit API version module. */
const NSG_TYPE = /^azure-native:network(\/v[0-9a-z]+)?:NetworkSecurityGroup$/;
const SECURITY_RULE_TYPE = /^azure-native:network(\/v[0-9a-z]+)?:SecurityRule$/;
const LICENSING_CONFIGURATION_TYPE = /LicensingConfiguration$/;

/** The CalKeyPack inputs that carry agreement numbers and license codes (the catalog's secret numbers). */
export const NUMBER_FIELDS = SECRET_NUMBER_FIELDS;
export { LICENSING_MODES };

// ---------------------------------------------------------------------------------------------------
// CAL numbers must be secrets

export const calNumbersAreSecret: ResourceValidationPolicy = {
    name: "cal-numbers-are-secrets",
    description: "Agreement numbers, Open License numbers and retail license codes of CAL key packs must be Pulumi secrets.",
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        if (args.type !== TYPES.calKeyPack) return;
        const secrets = secretPaths(args.props);
        if (!secrets) {
            args.notApplicable("secret markers are not available (the pack's secret tracking is not installed)");
            return;
        }
        for (const field of NUMBER_FIELDS) {
            const present = known(() => args.props[field] !== undefined && args.props[field] !== null);
            if (present && !secrets.has(field)) {
                reportViolation(
                    `CAL key pack '${args.name}': ${field} is plain text. Set it with ` +
                        "`pulumi config set --secret --path 'rds-licensing:calPacks[N]." +
                        field +
                        "'` (or wrap it in pulumi.secret()) so it is encrypted in config and state.",
                );
            }
        }
    },
};

// ---------------------------------------------------------------------------------------------------
// No RDP from the internet to the license server

const INTERNET_SOURCES = new Set(["*", "internet", "any", "0.0.0.0/0", "0.0.0.0", "::/0"]);
/** Protocols that cannot carry RDP (TCP 3389, and UDP 3389 for RDP's UDP transport). */
const NON_RDP_PROTOCOLS = new Set(["icmp", "esp", "ah"]);

export interface SecurityRuleProps {
    name?: string;
    direction?: string;
    access?: string;
    protocol?: string;
    sourceAddressPrefix?: string;
    sourceAddressPrefixes?: string[];
    destinationPortRange?: string;
    destinationPortRanges?: string[];
}

/** `*`, `3389` or a range `3000-4000` that includes 3389. */
export function portCoversRdp(range: string): boolean {
    const text = range.trim();
    if (text === "*") return true;
    const m = /^(\d+)\s*-\s*(\d+)$/.exec(text);
    if (m) return Number(m[1]) <= 3389 && 3389 <= Number(m[2]);
    return text === "3389";
}

/** Does this NSG rule let RDP in from anywhere on the internet? */
export function allowsInternetRdp(rule: SecurityRuleProps): boolean {
    const lower = (v: unknown) => (typeof v === "string" ? v.trim().toLowerCase() : "");
    if (lower(rule.direction) !== "inbound" || lower(rule.access) !== "allow") return false;
    if (NON_RDP_PROTOCOLS.has(lower(rule.protocol))) return false;
    const ports = [rule.destinationPortRange, ...(rule.destinationPortRanges ?? [])].filter((p): p is string => typeof p === "string");
    const sources = [rule.sourceAddressPrefix, ...(rule.sourceAddressPrefixes ?? [])].filter((s): s is string => typeof s === "string");
    return ports.some(portCoversRdp) && sources.some((s) => INTERNET_SOURCES.has(lower(s)));
}

/** Plain copies of the rule fields (reading through the framework's proxy, unknowns as undefined). */
function ruleProps(raw: Record<string, any>): SecurityRuleProps {
    const str = (k: string) => known(() => (typeof raw[k] === "string" ? (raw[k] as string) : undefined));
    const list = (k: string) => known(() => (Array.isArray(raw[k]) ? (raw[k] as unknown[]).filter((v): v is string => typeof v === "string") : undefined));
    return {
        name: str("name"),
        direction: str("direction"),
        access: str("access"),
        protocol: str("protocol"),
        sourceAddressPrefix: str("sourceAddressPrefix"),
        sourceAddressPrefixes: list("sourceAddressPrefixes"),
        destinationPortRange: str("destinationPortRange"),
        destinationPortRanges: list("destinationPortRanges"),
    };
}

export const noInternetRdp: ResourceValidationPolicy = {
    name: "no-internet-rdp",
    description: "The license server's network security group must not allow RDP (port 3389) from the internet.",
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        const report = (rule: SecurityRuleProps) =>
            reportViolation(
                `'${args.name}': rule '${rule.name ?? "(unnamed)"}' allows RDP (3389) from the internet. ` +
                    "Reach the license server through Azure Bastion or a VPN, or restrict sourceAddressPrefix to your admin network.",
            );
        if (SECURITY_RULE_TYPE.test(args.type)) {
            const rule = ruleProps(args.props);
            if (allowsInternetRdp(rule)) report({ ...rule, name: rule.name ?? known(() => args.props.securityRuleName) ?? args.name });
            return;
        }
        if (!NSG_TYPE.test(args.type)) return;
        const rules = known(() => (Array.isArray(args.props.securityRules) ? (args.props.securityRules as Record<string, any>[]) : [])) ?? [];
        for (let i = 0; i < rules.length; i++) {
            const rule = known(() => ruleProps(rules[i]));
            if (rule && allowsInternetRdp(rule)) report(rule);
        }
    },
};

// ---------------------------------------------------------------------------------------------------
// The license server's Windows Server version covers the CAL version

const isVersion = (v: unknown): v is ProductVersion => typeof v === "string" && productVersionOf(v) === v;

/** A license server is any resource that states its Windows Server version (a session host is not one). */
function serverVersionOf(resource: PolicyResource): ProductVersion | undefined {
    return resource.type === FARM_TYPES.simulatedSessionHost ? undefined : productVersionOf(known(() => resource.props.windowsServerVersion));
}

export const serverVersionCoversCals: StackValidationPolicy = {
    name: "server-version-covers-cals",
    description: "A CAL key pack's Windows Server version must not be newer than its license server's version.",
    enforcementLevel: "mandatory",
    validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
        const packs = args.resources.filter((r) => r.type === TYPES.calKeyPack);
        const servers = args.resources.filter((r) => r.type !== TYPES.calKeyPack && serverVersionOf(r) !== undefined);
        for (const pack of packs) {
            const calVersion = known(() => pack.props.productVersion);
            const server = serverOfPack(pack, servers);
            const serverVersion = server ? serverVersionOf(server) : undefined;
            if (!isVersion(calVersion) || !serverVersion) continue;
            if (!serverAcceptsCalVersion(serverVersion, calVersion)) {
                reportViolation(
                    `CAL key pack '${displayName(pack)}' holds Windows Server ${calVersion} CALs, but its license server ` +
                        `'${server!.name}' runs Windows Server ${serverVersion}: a license server only accepts CALs of its own ` +
                        "version or older. Lower productVersion or upgrade licenseServer.windowsServerVersion.",
                    pack.urn,
                );
            }
        }
    },
};

// ---------------------------------------------------------------------------------------------------
// The licensing mode is set

export const licensingModeSet: StackValidationPolicy = {
    name: "licensing-mode-set",
    description: `A stack that installs CALs must set the RDS licensing mode (${LICENSING_MODES.join(" or ")}).`,
    enforcementLevel: "mandatory",
    validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
        if (!args.resources.some((r) => r.type === TYPES.calKeyPack)) return;
        const candidates = args.resources.filter((r) => r.type === TYPES.stack || LICENSING_CONFIGURATION_TYPE.test(r.type));
        let unknownSeen = false;
        for (const r of candidates) {
            let mode: unknown;
            try {
                mode = r.props.licensingMode;
            } catch {
                unknownSeen = true; // computed later in the update: cannot judge during preview
                continue;
            }
            if ((LICENSING_MODES as readonly unknown[]).includes(mode)) return;
        }
        if (unknownSeen) return;
        reportViolation(
            `The stack installs CAL key packs but sets no licensing mode: set \`rds-licensing:licensingMode\` to ${LICENSING_MODES.join(" or ")} ` +
                "(the stack program exports it as `licensingMode`), so RD Session Hosts request the CAL type you bought.",
        );
    },
};

export const POLICIES = [calNumbersAreSecret, noInternetRdp, serverVersionCoversCals, licensingModeSet, ...FARM_POLICIES];
