/**
 * Whether a SimulatedLicenseServer resource may delete its server: the decisions of its `create`,
 * `read` and `delete`, as plain functions of what the state says and what the simulator holds.
 *
 * A resource owns its server when it created it (`created`), and only that incarnation of it
 * (`instanceId`, new at every creation). It finds a server already there in three cases: a retry of
 * its own create after a crash between the simulator's write and the engine saving state (the
 * server's owner marker is this resource: it takes it over as its own), a server it was asked to
 * adopt (`adoptExisting`: managed, never deleted), or someone else's server (refused).
 */
import { LicensingError, LicensingErrorKind } from "../../licensing";
import type { ProvisionResult, ServerIdentity } from "../../simulator/admin";

/** What the resource's state says about its server (outputs `created` and `instanceId`). */
export interface Ownership {
    /** This resource created the server, so its `delete` deletes it. */
    created: boolean;
    /** The incarnation of the server this resource manages. */
    instanceId: string;
}

/** The ownership fields as found in a state; both absent in states written before they existed. */
export interface StoredOwnership {
    created?: boolean;
    instanceId?: string;
}

export interface ClaimRequest {
    /** This resource's owner marker. */
    owner: string;
    adoptExisting: boolean;
    /** The store, as shown in messages. */
    home: string;
}

/** The fix a refused create points at, for library users and for the stack program's config. */
export const ADOPT_HINT = "set `adoptExisting: true` (stack config `simulator.adoptExistingServer: true`)";

/** What `create` makes of what the simulator reported: the ownership to record, or a refusal. */
export function claim(found: ProvisionResult, request: ClaimRequest): Ownership & { how: "created" | "resumed" | "adopted" } {
    const instanceId = found.instanceId;
    if (found.created) return { created: true, instanceId, how: "created" };
    // Our own marker: the create that made it crashed before the engine saved the state.
    if (found.owner === request.owner) return { created: true, instanceId, how: "resumed" };
    if (request.adoptExisting) return { created: false, instanceId, how: "adopted" };
    const by =
        found.owner === undefined
            ? "made outside Pulumi or by an older rds-licensing (it has no owner marker)"
            : `created by ${found.owner} (project/stack/resource)`;
    throw new LicensingError({
        kind: LicensingErrorKind.Conflict,
        message:
            `license server ${found.name} already exists in the simulator store ${request.home}, ${by}. ` +
            `Taking it as this resource's own would let this stack's destroy delete it with every pack on it: ` +
            `${ADOPT_HINT} to manage the existing server without ever deleting it, or use another server name.`,
    });
}

/** The ownership to record on refresh: a server recreated by someone else is no longer ours to delete. */
export function refreshOwnership(stored: StoredOwnership, live: ServerIdentity): Ownership & { recreated: boolean } {
    const recreated = stored.instanceId !== undefined && stored.instanceId !== live.instanceId;
    // Without `created` the state predates it: the code that wrote it created its server.
    return { created: (stored.created ?? true) && !recreated, instanceId: live.instanceId, recreated };
}

export type DeletePlan = { delete: true; instanceId?: string } | { delete: false; reason: string };

/** What `delete` does: delete only a server this resource created, and only that incarnation. */
export function deletePlan(stored: StoredOwnership, live: ServerIdentity | undefined): DeletePlan {
    if (stored.created === false) return { delete: false, reason: "this resource adopted it (adoptExisting) and did not create it" };
    if (!live) return { delete: false, reason: "it no longer exists" };
    if (stored.instanceId !== undefined && stored.instanceId !== live.instanceId) {
        return { delete: false, reason: `it was deleted and created again since this resource made it (instance ${stored.instanceId}, now ${live.instanceId})` };
    }
    // A state without instanceId predates it: delete whatever is there, as the code that wrote it did.
    return stored.instanceId === undefined ? { delete: true } : { delete: true, instanceId: stored.instanceId };
}
