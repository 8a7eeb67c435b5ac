import crypto from "node:crypto";
import { assertCanWrite, visible } from "../access.js";
import { audit } from "../audit.js";
import { AppError } from "../errors.js";
import { type Actor, type ChannelKind, SYSTEM } from "../model.js";
import type { AdapterRegistry, OAuthApp } from "../ports/adapter.js";
import type { Clock } from "../ports/clock.js";
import type { Log } from "../ports/log.js";
import type { SecretBox } from "../secrets.js";
import type { Db } from "../store/db.js";
import { toUser } from "../store/rows.js";
import { toLocalIso } from "../time.js";
import { clearReconnect, flagReconnect } from "./health.js";

/** A connect link is good for this long. */
const STATE_TTL_MS = 15 * 60_000;
const b64url = (b: Buffer) => b.toString("base64url");

export interface OAuthDeps {
  db: Db;
  registry: AdapterRegistry;
  box: SecretBox;
  clock: Clock;
  log: Log;
  apps: Partial<Record<"facebook" | "zalo" | "google", OAuthApp>>;
  publicUrl: string;
}

/**
 * Connecting accounts by OAuth 2.0 (with PKCE): the consent URL for a channel, the provider's
 * callback, and refreshing tokens before they expire. The state is single-use and expires.
 */
export function createOAuthService({ db, registry, box, clock, log, apps, publicUrl }: OAuthDeps) {
  const redirectUri = `${publicUrl}/api/oauth/callback`;

  function providerOf(kind: ChannelKind) {
    const factory = registry.factory(kind);
    if (!factory?.oauth || !factory.oauthApp) {
      throw new AppError("unprocessable", `${kind} channels are connected by pasting their credentials as the secret`, { field: "kind" });
    }
    const app = apps[factory.oauthApp];
    if (!app) {
      const env = factory.oauthApp.toUpperCase();
      throw new AppError("unprocessable", `the ${factory.oauthApp} app is not configured: set ${env}_CLIENT_ID and ${env}_CLIENT_SECRET`, {
        field: "kind",
      });
    }
    return { factory, oauth: factory.oauth, app };
  }

  return {
    /** `GET /api/channels/:id/connect` → the provider's consent URL for an officer to open. */
    async connect(actor: Actor, channelId: string): Promise<{ url: string; expiresAt: Date }> {
      const channel = visible(actor, await db.selectFrom("channels").selectAll().where("id", "=", channelId).executeTakeFirst(), "channel");
      assertCanWrite(actor, channel.agency_id);
      const { factory, oauth, app } = providerOf(channel.kind as ChannelKind);
      const state = b64url(crypto.randomBytes(24));
      const verifier = b64url(crypto.randomBytes(48));
      const now = clock.now();
      const userId = actor.role === "system" ? null : actor.id;
      await db
        .insertInto("oauth_states")
        .values({ id: state, channel_id: channel.id, verifier, user_id: userId, created_at: now })
        .execute();
      const url = oauth.authorizeUrl({
        app,
        settings: factory.settings.parse(JSON.parse(channel.settings)),
        endpoints: registry.endpoints,
        redirectUri,
        state,
        codeChallenge: b64url(crypto.createHash("sha256").update(verifier).digest()),
      });
      return { url, expiresAt: new Date(now.getTime() + STATE_TTL_MS) };
    },

    /**
     * `GET /api/oauth/callback?code=&state=`: the provider sends the officer's browser back here. When
     * the request is authenticated (`signedIn`), it must be as the user who started the flow: someone
     * else's state is refused and left for its owner.
     */
    async callback(
      q: { code?: string | undefined; state?: string | undefined; error?: string | undefined },
      signedIn?: Actor,
    ): Promise<{ channelName: string }> {
      if (!q.state) throw new AppError("invalid_input", "state is missing", { field: "state" });
      const stale = () => new AppError("invalid_input", "this connect link is unknown, used or expired; start again", { field: "state" });
      const started = await db.selectFrom("oauth_states").select("user_id").where("id", "=", q.state).executeTakeFirst();
      if (!started) throw stale();
      if (signedIn && started.user_id !== null && started.user_id !== signedIn.id) {
        throw new AppError("invalid_input", "this connect link was started by another user: start it again yourself", { field: "state" });
      }
      const starterRow = started.user_id
        ? await db.selectFrom("users").selectAll().where("id", "=", started.user_id).executeTakeFirst()
        : undefined;
      if (starterRow?.deactivated_at) {
        throw new AppError("invalid_input", "this connect link was started by a user who has been deactivated", { field: "state" });
      }
      const row = await db.deleteFrom("oauth_states").where("id", "=", q.state).returningAll().executeTakeFirst();
      const now = clock.now();
      if (!row || now.getTime() - row.created_at.getTime() > STATE_TTL_MS) throw stale();
      if (q.error || !q.code)
        throw new AppError("unprocessable", `the provider did not grant access: ${q.error ?? "no code"}`, { field: "code" });
      const channel = await db.selectFrom("channels").selectAll().where("id", "=", row.channel_id).executeTakeFirstOrThrow();
      const { factory, oauth, app } = providerOf(channel.kind as ChannelKind);
      const creds = await oauth.exchange({
        app,
        settings: factory.settings.parse(JSON.parse(channel.settings)),
        endpoints: registry.endpoints,
        redirectUri,
        code: q.code,
        codeVerifier: row.verifier,
        http: registry.http,
        signal: AbortSignal.timeout(30_000),
      });
      if (!creds.secret) throw new AppError("channel_rejected", "the provider answered no token");
      await db
        .updateTable("channels")
        .set({ secret: box.seal(creds.secret), token_expires_at: creds.expiresAt ?? null, updated_at: now })
        .where("id", "=", channel.id)
        .execute();
      await clearReconnect(db, channel.id, now);
      // The user who started the flow connected the account (states from before migration 005 name no one).
      await audit(db, starterRow ? toUser(starterRow) : SYSTEM, "channel.connect", "channel", channel.id, now);
      return { channelName: channel.name };
    },

    /**
     * The clock's duty: refreshes tokens expiring within `aheadMs`. A failed refresh keeps the stored
     * credentials (a refresh token is never replaced by an empty or failed one) and, when the provider
     * refused the refresh token, flags the channel for reconnection.
     */
    async refreshDue(aheadMs: number): Promise<{ refreshed: number; failed: number }> {
      const now = clock.now();
      const due = await db
        .selectFrom("channels")
        .selectAll()
        .where("token_expires_at", "is not", null)
        .where("token_expires_at", "<", new Date(now.getTime() + aheadMs))
        .where("secret", "is not", null)
        .execute();
      let refreshed = 0;
      let failed = 0;
      for (const channel of due) {
        const factory = registry.factory(channel.kind as ChannelKind);
        const app = factory?.oauthApp ? apps[factory.oauthApp] : undefined;
        if (!factory?.oauth?.refresh || !app || !channel.secret) {
          // Nothing can renew it: tell the agency before it expires, while there is time to reconnect.
          if (!channel.reconnect_reason && channel.token_expires_at) {
            const at = toLocalIso(channel.token_expires_at);
            await flagReconnect(db, channel.id, `the access token expires at ${at} and cannot be renewed automatically`, now);
          }
          continue;
        }
        try {
          const creds = await factory.oauth.refresh({
            app,
            settings: factory.settings.parse(JSON.parse(channel.settings)),
            endpoints: registry.endpoints,
            secret: box.open(channel.secret),
            http: registry.http,
            signal: AbortSignal.timeout(30_000),
          });
          if (!creds.secret) throw new AppError("channel_rejected", "the provider answered an empty token");
          await db
            .updateTable("channels")
            .set({ secret: box.seal(creds.secret), token_expires_at: creds.expiresAt ?? null, updated_at: clock.now() })
            .where("id", "=", channel.id)
            .execute();
          refreshed++;
        } catch (err) {
          failed++;
          log.warn({ channelId: channel.id, err: (err as Error).message }, "token refresh failed; the stored credentials are kept");
          if (err instanceof AppError && (err.code === "auth_expired" || err.code === "channel_rejected")) {
            await flagReconnect(db, channel.id, err.message, clock.now());
          }
        }
      }
      return { refreshed, failed };
    },
  };
}
export type OAuthService = ReturnType<typeof createOAuthService>;
