/**
 * What the resources that create machines in rdls-sim share (SimulatedLicenseServer,
 * SimulatedDeployment, SimulatedSessionHost: the simulator target's stand-ins for VMs): whether a
 * resource may change or delete its machine, decided as plain functions of what the state says and
 * what the simulator holds; the diff rules every one of them follows; their messages.
 *
 * A resource owns its machine when it created it (`created`), and only that incarnation of it
 * (`instanceId`, new at every creation). It finds a machine already there in three cases: a retry of
 * its own create after a crash between the simulator's write and the engine saving state (the
 * machine's owner marker is this resource: it takes it over as its own), a machine it was asked to
 * adopt (`adoptExisting`: managed, never deleted), or someone else's machine (refused).
 */
import * as path from "path";
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { LicensingError, LicensingErrorKind } from "../licensing";
import { progress } from "./progress";
import type { Raw } from "./resource-schema";

/** The outputs a machine resource adds to its inputs: never read back as inputs. */
export const OWNERSHIP_OUTPUTS = ["created", "instanceId"];

/** What the resource's state says about its machine (outputs `created` and `instanceId`). */
export interface Ownership {
    /** This resource created the machine, so its `delete` deletes it. */
    created: boolean;
    /** The incarnation of the machine this resource manages. */
    instanceId: string;
}

/** The ownership fields as found in a state; both absent in states written before they existed. */
export interface StoredOwnership {
    created?: boolean;
    instanceId?: string;
}

const storedOwnershipSchema = z.object({ created: z.boolean().optional(), instanceId: z.string().min(1).optional() });

/** The ownership a stored bag (olds, stored outputs) records. */
export const storedOwnership = (props: Raw): StoredOwnership => storedOwnershipSchema.parse({ created: props.created, instanceId: props.instanceId });

/** A machine resource's outputs: its inputs and the ownership it records. */
export const withOwnership = <I extends object>(inputs: I, ownership: Ownership) => ({ ...inputs, created: ownership.created, instanceId: ownership.instanceId });

/** What the simulator reports of a machine `create` asked for: new, or the one already there. */
export interface Provisioned {
    /** True when this call created the machine; false when it was already there (and left unchanged). */
    created: boolean;
    instanceId: string;
    /** The creator's marker; absent when made by hand (or, for a server, by an older rdls-sim). */
    owner?: string;
}

export interface ClaimRequest {
    /** This resource's owner marker. */
    owner: string;
    adoptExisting: boolean;
    /** The store, as shown in messages. */
    home: string;
}

/**
 * How a refused create names what it found and the ways out:
 * `<what> already exists<where> in the simulator store <home>, <by>. Taking it as this resource's own
 * would let this stack's destroy delete <loses>: <adopt>, or <otherwise>.`
 */
export interface Refusal {
    /** `session host RDSH01` */
    what: string;
    /** Where else it is: ` in the deployment of RDCB01`. */
    where?: string;
    /** Who makes a machine without an owner marker. */
    unmarked?: string;
    /** What this stack's destroy would delete with it: `it and its session hosts`. */
    loses: string;
    /** The fix: set `adoptExisting: true` to manage the existing machine without ever deleting it. */
    adopt: string;
    /** The other way out: `use another host name`. */
    otherwise: string;
}

/** What `create` makes of what the simulator reported: the ownership to record, or a refusal. */
export function claim(found: Provisioned, request: ClaimRequest, refusal: Refusal): Ownership & { how: "created" | "resumed" | "adopted" } {
    const instanceId = found.instanceId;
    if (found.created) return { created: true, instanceId, how: "created" };
    // Our own marker: the create that made it crashed before the engine saved the state.
    if (found.owner === request.owner) return { created: true, instanceId, how: "resumed" };
    if (request.adoptExisting) return { created: false, instanceId, how: "adopted" };
    const by =
        found.owner === undefined ? `${refusal.unmarked ?? "made outside Pulumi"} (it has no owner marker)` : `created by ${found.owner} (project/stack/resource)`;
    throw new LicensingError({
        kind: LicensingErrorKind.Conflict,
        message:
            `${refusal.what} already exists${refusal.where ?? ""} in the simulator store ${request.home}, ${by}. ` +
            `Taking it as this resource's own would let this stack's destroy delete ${refusal.loses}: ${refusal.adopt}, or ${refusal.otherwise}.`,
    });
}

/** The ownership to record on refresh: a machine recreated by someone else is no longer ours to delete. */
export function refreshOwnership(props: Raw, live: { instanceId: string }): Ownership & { recreated: boolean } {
    const stored = storedOwnership(props);
    const recreated = stored.instanceId !== undefined && stored.instanceId !== live.instanceId;
    // Without `created` the state predates it: the code that wrote it created its machine.
    return { created: (stored.created ?? true) && !recreated, instanceId: live.instanceId, recreated };
}

/**
 * The ownership `update` goes on with: as stored, `created` when the state predates it; no
 * `instanceId` (empty) when the state predates instance ids, for the caller to take the live one's.
 */
export function ownershipOnUpdate(olds: Raw): Ownership {
    const stored = storedOwnership(olds);
    return { created: stored.created ?? true, instanceId: stored.instanceId ?? "" };
}

/** The live machine `update` works on; gone since the last refresh, the error says what to run. */
export function requireLive<L>(live: L | undefined, what: string, home: string): L {
    if (live !== undefined) return live;
    throw new LicensingError({
        kind: LicensingErrorKind.NotFound,
        message: `${what} no longer exists in the simulator store ${home}: run \`pulumi refresh\`, then \`pulumi up\` creates it again`,
    });
}

export type DeletePlan = { delete: true; instanceId?: string } | { delete: false; reason: string };

/** What `delete` does: delete only a machine this resource created, and only that incarnation. */
export function deletePlan(props: Raw, live: { instanceId: string } | undefined): DeletePlan {
    const stored = storedOwnership(props);
    if (stored.created === false) return { delete: false, reason: "this resource adopted it (adoptExisting) and did not create it" };
    if (!live) return { delete: false, reason: "it no longer exists" };
    if (stored.instanceId !== undefined && stored.instanceId !== live.instanceId) {
        return { delete: false, reason: `it was deleted and created again since this resource made it (instance ${stored.instanceId}, now ${live.instanceId})` };
    }
    // A state without instanceId predates it: delete whatever is there, as the code that wrote it did.
    return stored.instanceId === undefined ? { delete: true } : { delete: true, instanceId: stored.instanceId };
}

/**
 * Runs the simulator's delete of `what`. It refuses (Conflict) a machine that changed hands since
 * the resource looked (another incarnation, a host a deployment took): that one is left, saying why.
 */
export async function deleteUnlessTaken(what: string, remove: () => Promise<void>): Promise<void> {
    try {
        await remove();
    } catch (err) {
        if (err instanceof LicensingError && err.kind === LicensingErrorKind.Conflict) return progress(`simulator: leaving ${what}: ${err.message}`);
        throw err;
    }
}

/** The inputs every machine resource has. */
export interface MachineInputs {
    providerVersion: string;
    home: string;
    owner?: string;
    adoptExisting: boolean;
}

/**
 * A machine resource's diff, given what its own inputs make of the change: another store replaces
 * it, and the old machine goes first (the replacement has the same name in the same store).
 */
export function diff(before: MachineInputs, after: MachineInputs, own: { replaces: string[]; changed: boolean }): pulumi.dynamic.DiffResult {
    // The store is the folder `home` names (`.rdls-sim` and `./.rdls-sim` are one), as connections resolve it.
    const replaces = [...(path.resolve(before.home) !== path.resolve(after.home) ? ["home"] : []), ...own.replaces];
    // owner (a renamed stack) and adoptExisting (read by create only) change nothing on the machine.
    const changed = own.changed || (["providerVersion", "owner", "adoptExisting"] as const).some((k) => before[k] !== after[k]);
    return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: true };
}
