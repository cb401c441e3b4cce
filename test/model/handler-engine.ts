/**
 * The engine's side of the CalKeyPack lifecycle, played in-process against a real rdls-sim store: the
 * same calls, in the same order, with the same inputs and outputs as `pulumi up` / `pulumi refresh`
 * make through the dynamic provider host (check → diff → create / update / replace, read with the
 * outputs in state). Each run starts with no scheduler, as a new provider process does. What the real
 * engine adds (the gRPC host, the state file) is covered by the real-engine model test.
 */
import { calKeyPackProvider } from "../../src/providers/cal-key-pack/handlers";
import { forgetLicenseServers } from "../../src/providers/registry";

type Raw = Record<string, unknown>;

export interface StateEntry {
    id: string;
    outs: Raw;
}

export interface UpResult {
    /** Resource name → error message, for the resources whose step failed. */
    errors: Map<string, string>;
}

/** One stack's state: resource name → what the engine keeps. */
export class HandlerEngine {
    readonly state = new Map<string, StateEntry>();

    /**
     * `pulumi up`: every declared resource's step in parallel (as the engine runs independent
     * resources), then deletes of the resources no longer declared. `crash` names a resource whose
     * step runs on the server but whose result never reaches state (the process was killed after the
     * execution; for a create, what `refresh --clear-pending-creates` leaves).
     */
    async up(program: Map<string, Raw>, options: { crash?: string } = {}): Promise<UpResult> {
        forgetLicenseServers();
        const errors = new Map<string, string>();
        await Promise.all(
            [...program].map(async ([name, news]) => {
                try {
                    const checked = await calKeyPackProvider.check({}, news);
                    if (checked.failures?.length) throw new Error(`check failed: ${JSON.stringify(checked.failures)}`);
                    const next = await this.step(name, news);
                    if (next && options.crash !== name) this.state.set(name, next);
                } catch (err) {
                    errors.set(name, (err as Error).message);
                }
            }),
        );
        for (const [name, entry] of [...this.state]) {
            if (program.has(name)) continue;
            try {
                await calKeyPackProvider.delete(entry.id, entry.outs);
                if (options.crash !== name) this.state.delete(name);
            } catch (err) {
                errors.set(name, (err as Error).message);
            }
        }
        return { errors };
    }

    private async step(name: string, news: Raw): Promise<StateEntry | undefined> {
        const old = this.state.get(name);
        if (!old) {
            const created = await calKeyPackProvider.create(news);
            return { id: created.id, outs: created.outs as Raw };
        }
        const diff = await calKeyPackProvider.diff(old.id, old.outs, news);
        if (!diff.changes) return undefined;
        if (diff.replaces?.length) {
            // Create before delete, as the engine replaces by default.
            const created = await calKeyPackProvider.create(news);
            await calKeyPackProvider.delete(old.id, old.outs);
            return { id: created.id, outs: created.outs as Raw };
        }
        const updated = await calKeyPackProvider.update(old.id, old.outs, news);
        return { id: old.id, outs: updated.outs as Raw };
    }

    /** `pulumi refresh`: read each resource; an empty id drops it from state. */
    async refresh(): Promise<void> {
        forgetLicenseServers();
        await Promise.all(
            [...this.state].map(async ([name, entry]) => {
                const read = await calKeyPackProvider.read(entry.id, entry.outs);
                if (!read.id) this.state.delete(name);
                else this.state.set(name, { id: read.id, outs: read.props as Raw });
            }),
        );
    }

    /** What `pulumi preview` would change: the names whose diff has changes (or that are new). */
    async pendingChanges(program: Map<string, Raw>): Promise<string[]> {
        const changed: string[] = [];
        for (const [name, news] of program) {
            const old = this.state.get(name);
            if (!old || (await calKeyPackProvider.diff(old.id, old.outs, news)).changes) changed.push(name);
        }
        for (const name of this.state.keys()) if (!program.has(name)) changed.push(name);
        return changed;
    }
}
