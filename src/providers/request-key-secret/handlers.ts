/**
 * The RequestKeySecret dynamic provider: 32 random bytes, made once per stack and kept only as a
 * Pulumi secret. Install request keys are HMACs under it (see ../cal-key-pack/request-keys.ts), so
 * the keys a server or the simulator stores reveal nothing about the numbers without the stack's
 * secrets. Nothing here touches a server.
 */
import type * as pulumi from "@pulumi/pulumi";
import { randomBytes, randomUUID } from "crypto";
import { z } from "zod";
import { resourceSchema, type Raw } from "../resource-schema";

/** Hex characters of a valid value (32 bytes). */
export const REQUEST_KEY_SECRET_LENGTH = 64;

/** Its only input is the provider version; `value` is its (secret) output. */
const resource = resourceSchema(z.object({ providerVersion: z.string() }), ["value"]);

export const requestKeySecretProvider = {
    async check(_olds: Raw, news: Raw): Promise<pulumi.dynamic.CheckResult> {
        return resource.check(news);
    },

    async diff(): Promise<pulumi.dynamic.DiffResult> {
        // The value must never change under existing packs: nothing about this resource is updatable.
        return { changes: false };
    },

    async create(inputs: Raw): Promise<pulumi.dynamic.CreateResult> {
        return { id: randomUUID(), outs: { ...resource.inputsOf(inputs), value: randomBytes(REQUEST_KEY_SECRET_LENGTH / 2).toString("hex") } };
    },

    async update(_id: string, olds: Raw): Promise<pulumi.dynamic.UpdateResult> {
        // Never reached (diff reports no change); if it were, the value must stay what it was.
        return { outs: olds };
    },

    async read(id: string, props: Raw): Promise<pulumi.dynamic.ReadResult> {
        // It lives in state only: what state holds is the live value.
        return { id, props };
    },

    async delete(): Promise<void> {},
};
