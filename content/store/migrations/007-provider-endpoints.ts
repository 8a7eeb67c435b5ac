import type { Kysely } from "kysely";

/**
 * Provider endpoints are no longer channel settings (token exchanges sent the city's client secret
 * wherever an officer's settings pointed): they come from the code or the environment. This strips the
 * old keys from stored channels, so that the strict settings schemas keep refusing them everywhere
 * else and no stored value can ever be read as an endpoint again.
 */
const REMOVED: Record<string, string[]> = {
  facebook_page: ["graphBaseUrl", "videoBaseUrl", "dialogBaseUrl"],
  zalo_oa: ["apiUrl", "oauthUrl"],
  youtube: ["apiUrl", "tokenUrl", "authorizeUrl"],
};

interface ChannelsTable {
  channels: { id: string; kind: string; settings: string };
}

export async function up(untyped: Kysely<unknown>): Promise<void> {
  const db = untyped as unknown as Kysely<ChannelsTable>;
  const rows = await db.selectFrom("channels").select(["id", "kind", "settings"]).where("kind", "in", Object.keys(REMOVED)).execute();
  for (const row of rows) {
    const settings = JSON.parse(row.settings) as Record<string, unknown>;
    const stale = (REMOVED[row.kind] ?? []).filter((key) => key in settings);
    if (!stale.length) continue;
    for (const key of stale) delete settings[key];
    await db
      .updateTable("channels")
      .set({ settings: JSON.stringify(settings) })
      .where("id", "=", row.id)
      .execute();
  }
}

/** The removed endpoints are not put back: the defaults they held are the code's now. */
export async function down(): Promise<void> {}
