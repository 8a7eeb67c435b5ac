import crypto from "node:crypto";
import { z } from "zod";
import type { AdapterRegistry } from "../channels/registry.js";
import { assertCanWrite, readScope } from "./access.js";
import { activeAgency } from "./agencies.js";
import { audit } from "./audit.js";
import { AppError, notFound } from "./errors.js";
import { type Actor, type Channel, ChannelKind } from "./model.js";
import type { Clock } from "./ports.js";
import type { SecretBox } from "./secrets.js";
import type { Db } from "./store/db.js";
import { toChannel } from "./store/rows.js";

export const NewChannel = z.strictObject({
  agencyId: z.string().min(1),
  kind: ChannelKind,
  name: z.string().trim().min(1).max(200),
  settings: z.record(z.string(), z.unknown()).default({}),
  secret: z.string().min(8).max(4096).optional(),
});
export type NewChannel = z.infer<typeof NewChannel>;

export function createChannelService(db: Db, registry: AdapterRegistry, box: SecretBox, clock: Clock) {
  return {
    async create(actor: Actor, input: NewChannel): Promise<Channel> {
      assertCanWrite(actor, input.agencyId);
      const now = clock.now();
      await activeAgency(db, input.agencyId, now);
      const factory = registry.factory(input.kind);
      if (!factory) {
        throw new AppError("unprocessable", `Loa cannot publish to ${input.kind} channels yet; available: ${registry.kinds().join(", ")}`, {
          field: "kind",
        });
      }
      const settings = factory.settings.safeParse(input.settings);
      if (!settings.success) {
        const issue = settings.error.issues[0];
        const field = ["settings", ...(issue?.path ?? []).map(String)].join(".");
        throw new AppError("unprocessable", `${field}: ${issue?.message ?? "invalid"}`, { field });
      }
      if (factory.needsSecret && !input.secret) {
        throw new AppError("unprocessable", `a ${input.kind} channel needs a secret`, { field: "secret" });
      }
      const row = {
        id: crypto.randomUUID(),
        agency_id: input.agencyId,
        kind: input.kind,
        name: input.name.normalize("NFC"),
        settings: JSON.stringify(settings.data),
        secret: input.secret ? box.seal(input.secret) : null,
        created_at: now,
        updated_at: now,
      };
      await db.insertInto("channels").values(row).execute();
      await audit(db, actor, "channel.create", "channel", row.id, now, { kind: row.kind, agencyId: row.agency_id });
      return toChannel(row);
    },

    async list(actor: Actor, filter: { agencyId?: string | undefined }): Promise<Channel[]> {
      const scope = readScope(actor);
      let q = db.selectFrom("channels").selectAll().orderBy("created_at");
      if (scope !== "all") q = q.where("agency_id", "=", scope.agencyId);
      if (filter.agencyId) q = q.where("agency_id", "=", filter.agencyId);
      return (await q.execute()).map(toChannel);
    },

    async get(actor: Actor, id: string): Promise<Channel> {
      const scope = readScope(actor);
      const row = await db.selectFrom("channels").selectAll().where("id", "=", id).executeTakeFirst();
      if (!row || (scope !== "all" && row.agency_id !== scope.agencyId)) throw notFound("channel");
      return toChannel(row);
    },
  };
}
export type ChannelService = ReturnType<typeof createChannelService>;
