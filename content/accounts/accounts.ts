// content/accounts/: an agency's accounts on providers — channels, their common settings, OAuth connect
// and token refresh, and their health (reconnect needed).
import crypto from "node:crypto";
import { z } from "zod";
import { assertCanWrite, visible, visibleOnly } from "../access.js";
import { audit } from "../audit.js";
import { activeAgency } from "../directory/agencies.js";
import { AppError } from "../errors.js";
import { type Actor, type Channel, ChannelKind } from "../model.js";
import type { AdapterRegistry } from "../ports/adapter.js";
import type { Clock } from "../ports/clock.js";
import type { SecretBox } from "../secrets.js";
import type { Db } from "../store/db.js";
import { toChannel } from "../store/rows.js";
import { CommonSettings, splitSettings } from "./settings.js";

export const NewChannel = z.strictObject({
  agencyId: z.string().min(1),
  kind: ChannelKind,
  name: z.string().trim().min(1).max(200),
  settings: z.record(z.string(), z.unknown()).default({}),
  secret: z.string().min(8).max(4096).optional(),
});
export type NewChannel = z.infer<typeof NewChannel>;

/** Validates channel settings; a problem is a 422 naming `settings.<path>`. */
function parseSettings(schema: z.ZodType, value: Record<string, unknown>): Record<string, unknown> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data as Record<string, unknown>;
  const issue = parsed.error.issues[0];
  const path = issue?.code === "unrecognized_keys" ? [...issue.path, issue.keys[0] ?? ""] : (issue?.path ?? []);
  const field = ["settings", ...path.map(String)].join(".");
  throw new AppError(
    "unprocessable",
    `${field}: ${issue?.code === "unrecognized_keys" ? "unknown setting" : (issue?.message ?? "invalid")}`,
    {
      field,
    },
  );
}

/** A pasted secret the adapter cannot read (a malformed token JSON) is refused now, not at publish time. */
function assertUsableSecret(registry: AdapterRegistry, kind: ChannelKind, settings: Record<string, unknown>, secret: string, clock: Clock) {
  try {
    registry.build(kind, settings, secret, {
      readMedia: async () => {
        throw new Error("not while validating");
      },
      saveSecret: async () => {},
      now: () => clock.now(),
    });
  } catch (err) {
    if (err instanceof AppError) throw new AppError("unprocessable", err.message, { field: "secret" });
    throw err;
  }
}

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
      const { common, own } = splitSettings(input.settings, factory.settings);
      const settings = { ...parseSettings(CommonSettings, common), ...parseSettings(factory.settings, own) };
      // Accounts connected by OAuth get their secret from the connect flow, after the channel exists.
      const needsSecret = factory.needsSecretFor ? factory.needsSecretFor(factory.settings.parse(own)) : factory.needsSecret;
      if (needsSecret && !input.secret && !factory.oauth) {
        throw new AppError("unprocessable", `a ${input.kind} channel needs a secret`, { field: "secret" });
      }
      if (input.secret) assertUsableSecret(registry, input.kind, settings, input.secret, clock);
      const row = {
        id: crypto.randomUUID(),
        agency_id: input.agencyId,
        kind: input.kind,
        name: input.name.normalize("NFC"),
        settings: JSON.stringify(settings),
        secret: input.secret ? box.seal(input.secret) : null,
        token_expires_at: null,
        reconnect_reason: null,
        reconnect_flagged_at: null,
        created_at: now,
        updated_at: now,
      };
      await db.insertInto("channels").values(row).execute();
      await audit(db, actor, "channel.create", "channel", row.id, now, { kind: row.kind, agencyId: row.agency_id });
      return toChannel(row);
    },

    async list(actor: Actor, filter: { agencyId?: string | undefined; needsReconnect?: "true" | "false" | undefined }): Promise<Channel[]> {
      let q = visibleOnly(actor, db.selectFrom("channels").selectAll().orderBy("created_at"));
      if (filter.agencyId) q = q.where("agency_id", "=", filter.agencyId);
      if (filter.needsReconnect === "true") {
        // Refused by the provider, or expiring within a day with nothing to refresh it.
        const soon = new Date(clock.now().getTime() + 86_400_000);
        q = q.where((eb) => eb.or([eb("reconnect_reason", "is not", null), eb("token_expires_at", "<", soon)]));
      }
      return (await q.execute()).map(toChannel);
    },

    async get(actor: Actor, id: string): Promise<Channel> {
      const row = visible(actor, await db.selectFrom("channels").selectAll().where("id", "=", id).executeTakeFirst(), "channel");
      return toChannel(row);
    },
  };
}
export type ChannelService = ReturnType<typeof createChannelService>;
