/**
 * PowerShell literals for the few values rendered into script text. Only driver-controlled values
 * go through here (codes, ids, counts, fixed names); anything a user typed travels in the input
 * parameter instead, so the script never needs escaping it cannot get wrong.
 */

/** A single-quoted string of printable ASCII (scripts stay ASCII: console code pages vary). */
export function psString(value: string): string {
    if (!/^[\x20-\x7e]*$/.test(value)) throw new TypeError("script literals must be printable ASCII");
    return `'${value.replace(/'/g, "''")}'`;
}

/** A bare name (a hashtable key, a member): letters and digits only, so it needs no quoting. */
export function psName(value: string): string {
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(value)) throw new TypeError(`not a plain PowerShell name: ${JSON.stringify(value)}`);
    return value;
}

/** A uint32 literal, cast so CIM sends the type the method declares. */
export function psUint32(value: number): string {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new TypeError(`not a uint32: ${value}`);
    return `[uint32]${value}`;
}

/** A plain integer literal (loop bounds, offsets). */
export function psInt(value: number): string {
    if (!Number.isSafeInteger(value)) throw new TypeError(`not an integer: ${value}`);
    return String(value);
}

/** Nonces and spool ids are lower-case hex: checked because they are rendered into scripts. */
export function psHexId(value: string): string {
    if (!/^[0-9a-f]{8,64}$/.test(value)) throw new TypeError("ids rendered into scripts must be 8-64 lower-case hex digits");
    return `'${value}'`;
}
