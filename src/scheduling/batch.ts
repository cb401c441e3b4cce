import type { Operation, OperationName } from "../licensing";

/** Operations that change nothing on the server: shareable between callers and cacheable. */
export const READS: ReadonlySet<OperationName> = new Set(["status", "list-packs"]);

/**
 * The operation list of one execution, and which slot answers each caller. Identical reads share a
 * slot. With `completeSnapshot`, a batch that reads anything reads both status and key packs: a second
 * read costs nothing in the same script, while a later execution costs a whole Run Command.
 */
export function planBatch(
    ops: ReadonlyArray<Operation>,
    options: { completeSnapshot?: boolean } = {},
): { operations: Operation[]; slotOf: number[] } {
    const operations: Operation[] = [];
    const shared = new Map<OperationName, number>();
    const slotFor = (op: Operation): number => {
        const existing = READS.has(op.op) ? shared.get(op.op) : undefined;
        if (existing !== undefined) return existing;
        operations.push(op);
        if (READS.has(op.op)) shared.set(op.op, operations.length - 1);
        return operations.length - 1;
    };
    const slotOf = ops.map(slotFor);
    if (options.completeSnapshot && shared.size > 0) {
        for (const read of ["status", "list-packs"] as const) if (!shared.has(read)) slotFor({ op: read });
    }
    return { operations, slotOf };
}
