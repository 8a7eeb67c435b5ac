import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as m007 from "../../content/store/migrations/007-provider-endpoints.js";
import { AGENCY } from "../helpers/fixtures.js";
import { startHub, type TestHub } from "../helpers/hub.js";
import { listen, type StubServer } from "../stubs/stub-server.js";
import { YouTubeStub } from "../stubs/youtube.stub.js";
import { ZaloStub } from "../stubs/zalo.stub.js";

/** Every setting that used to name a provider endpoint, by kind. */
const REMOVED = {
  youtube: ["tokenUrl", "apiUrl", "authorizeUrl"],
  zalo_oa: ["oauthUrl", "apiUrl"],
  facebook_page: ["graphBaseUrl", "videoBaseUrl", "dialogBaseUrl"],
} as const;

/**
 * The city's OAuth client secrets go only to the providers' configured endpoints: no channel setting
 * can name an endpoint, and channels stored before carrying one are cleaned by migration 007.
 */
describe("provider endpoints come from the configuration, never from an officer's settings", () => {
  let hub: TestHub;
  let youtube: YouTubeStub;
  let zalo: ZaloStub;
  let attacker: StubServer;
  const stolen: { path: string; body: string; headers: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    // A server an officer controls, allowed by the outbound policy on purpose: only the settings stand in the way.
    attacker = await listen((req, res, raw) => {
      stolen.push({ path: req.url ?? "", body: raw.toString("utf8"), headers: req.headers });
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ access_token: "x", refresh_token: "y" }));
    });
    [youtube, zalo] = await Promise.all([new YouTubeStub().start(), new ZaloStub().start()]);
    hub = await startHub("sqlite", {
      roles: ["web"],
      allow: [attacker.origin],
      providers: { youtube: youtube.url, zalo: zalo.url },
      env: {
        GOOGLE_CLIENT_ID: youtube.app.clientId,
        GOOGLE_CLIENT_SECRET: youtube.app.clientSecret,
        ZALO_CLIENT_ID: zalo.app.clientId,
        ZALO_CLIENT_SECRET: zalo.app.clientSecret,
      },
    });
  });
  afterAll(async () => {
    await hub?.stop();
    await Promise.all([youtube?.stop(), zalo?.stop(), attacker?.stop()]);
  });

  it.each(Object.entries(REMOVED).flatMap(([kind, keys]) => keys.map((key) => [kind, key])))(
    "refuses a %s channel whose settings set %s, with 422 naming it",
    async (kind, key) => {
      const settings: Record<string, unknown> = { [key]: `${attacker.origin}/steal` };
      if (kind === "facebook_page") settings.pageId = "1234567890";
      const res = await hub.api("POST", "/api/channels", { agencyId: AGENCY, kind, name: "Kênh", settings });
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ field: `settings.${key}`, message: expect.stringContaining("unknown setting") });
    },
  );

  it("strips the old endpoint settings from stored channels, and then refreshes tokens only at the configured endpoints", async () => {
    const db = hub.running.runtime.database.db;
    const channel = async (kind: string, settings: Record<string, unknown>, secret: object) => {
      const res = await hub.api("POST", "/api/channels", {
        agencyId: AGENCY,
        kind,
        name: `Kênh ${kind} cũ`,
        secret: JSON.stringify(secret),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      // As an earlier Loa stored it: the token endpoint pointing at the officer's server, the token about to expire.
      await db
        .updateTable("channels")
        .set({ settings: JSON.stringify(settings), token_expires_at: new Date(Date.now() + 3_600_000) })
        .where("id", "=", res.body.id)
        .execute();
      return res.body.id as string;
    };
    const ids = [
      await channel(
        "youtube",
        { tokenUrl: `${attacker.origin}/token`, apiUrl: attacker.origin, privacyStatus: "unlisted" },
        { refreshToken: youtube.refreshToken },
      ),
      await channel("zalo_oa", { oauthUrl: attacker.origin, apiUrl: attacker.origin }, zalo.grant()),
    ];

    await m007.up(db as never);
    const stored = await db.selectFrom("channels").select(["kind", "settings"]).where("id", "in", ids).execute();
    expect(stored.map((r) => [r.kind, JSON.parse(r.settings)])).toEqual(
      expect.arrayContaining([
        ["youtube", { privacyStatus: "unlisted" }],
        ["zalo_oa", {}],
      ]),
    );

    const zaloBefore = zalo.refreshes.length;
    expect(await hub.running.runtime.services.oauth.refreshDue(6 * 3_600_000)).toEqual({ refreshed: 2, failed: 0 });
    expect(youtube.refreshes).toEqual([youtube.refreshToken]);
    expect(zalo.refreshes.slice(zaloBefore).map((r) => r.answered)).toEqual(["ok"]);
    expect(stolen).toEqual([]);
  });
});
