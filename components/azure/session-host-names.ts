/**
 * The session hosts of a pool as a plan: host n (1-based) is `<namePrefix>-<n>`, in zone
 * `zones[(n - 1) % zones.length]`. Both depend on the host's number only, never on the pool's size,
 * so growing the pool adds hosts at the end and shrinking it removes the last ones: every other
 * host keeps its name, zone and resources.
 */

/** Windows' NetBIOS limit for computer names, which are also the VMs' names. */
export const MAX_COMPUTER_NAME_LENGTH = 15;

export interface PlannedSessionHost {
    /** 1-based; the resource names of the host are keyed by it. */
    index: number;
    computerName: string;
    /** Only when the pool is spread over zones. */
    zone?: string;
}

export function sessionHostName(namePrefix: string, index: number): string {
    return `${namePrefix}-${index}`;
}

/** Why the prefix cannot name `count` hosts, or undefined when it can. */
export function namePrefixProblem(namePrefix: string, count: number): string | undefined {
    if (!/^[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]$|^[A-Za-z]$/.test(namePrefix)) {
        return `namePrefix must start with a letter and hold only letters, digits and hyphens, not ending with a hyphen (found ${JSON.stringify(namePrefix)}): e.g. "RDSH"`;
    }
    const longest = sessionHostName(namePrefix, Math.max(1, count));
    if (longest.length > MAX_COMPUTER_NAME_LENGTH) {
        const room = MAX_COMPUTER_NAME_LENGTH - (longest.length - namePrefix.length);
        return (
            `namePrefix ${JSON.stringify(namePrefix)} is too long: host ${longest} would have ${longest.length} characters and Windows computer names ` +
            `allow ${MAX_COMPUTER_NAME_LENGTH}: shorten namePrefix to at most ${room} characters`
        );
    }
    return undefined;
}

export function planSessionHosts(namePrefix: string, count: number, zones: readonly string[] = []): PlannedSessionHost[] {
    return Array.from({ length: count }, (_, i) => ({
        index: i + 1,
        computerName: sessionHostName(namePrefix, i + 1),
        ...(zones.length > 0 ? { zone: zones[i % zones.length]! } : {}),
    }));
}
