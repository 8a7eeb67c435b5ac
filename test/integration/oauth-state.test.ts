import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENCY } from "../helpers/fixtures.js";
import { request } from "../helpers/http.js";
import { startHub, type TestHub } from "../helpers/hub.js";
import { FacebookStub } from "../stubs/facebook.stub.js";

const PUBLIC_URL = "https://loa.cantho.gov.vn";

/** The OAuth `state` belongs to the user who started the connect flow. */
describe("the OAuth state bound to the user who started connecting", () => {
  let hub: TestHub;
  let fb: FacebookStub;
  let an: { id: string; token: string };
  let binh: { id: string; token: string };

  beforeAll(async () => {
    fb = await new FacebookStub().start();
    fb.app.redirectUri = `${PUBLIC_URL}/api/oauth/callback`;
    hub = await startHub("sqlite", {
      roles: ["web"],
      providers: { facebook: fb.url },
      env: { PUBLIC_URL, FACEBOOK_CLIENT_ID: fb.app.clientId, FACEBOOK_CLIENT_SECRET: fb.app.clientSecret },
    });
    const officer = async (name: string) => {
      const res = await hub.api("POST", "/api/users", { name, role: "officer", agencyId: AGENCY });
      return { id: res.body.id as string, token: res.body.token as string };
    };
    an = await officer("Nguyễn Văn An");
    binh = await officer("Trần Văn Bình");
  });
  afterAll(async () => {
    await hub?.stop();
    await fb?.stop();
  });

  /** A Facebook channel of the agency, and the state of a connect flow that `who` started on it. */
  async function startConnect(who: { token: string }) {
    const channel = await hub.api(
      "POST",
      "/api/channels",
      {
        agencyId: AGENCY,
        kind: "facebook_page",
        name: "Fanpage Sở",
        settings: { pageId: fb.pageId },
      },
      who.token,
    );
    expect(channel.status).toBe(201);
    const connect = await hub.api("GET", `/api/channels/${channel.body.id}/connect`, undefined, who.token);
    return { channelId: channel.body.id as string, state: new URL(connect.body.url).searchParams.get("state") ?? "" };
  }
  const callback = (state: string, token?: string) =>
    request(`${hub.url}/api/oauth/callback?${new URLSearchParams({ code: fb.app.code, state })}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  const connectedBy = async (channelId: string) =>
    (
      await hub.running.runtime.database.db
        .selectFrom("audit_log")
        .select("actor_id")
        .where("entity_id", "=", channelId)
        .where("action", "=", "channel.connect")
        .execute()
    ).map((r) => r.actor_id);

  it("refuses the callback with 400 naming state when it comes back as another user, and keeps the state for its owner", async () => {
    const { channelId, state } = await startConnect(an);
    const stolen = await callback(state, binh.token);
    expect(stolen.status).toBe(400);
    expect(stolen.body).toMatchObject({ code: "invalid_input", field: "state" });
    expect(stolen.body.message).toContain("another user");
    expect((await hub.api("GET", `/api/channels/${channelId}`)).body.hasSecret).toBe(false);

    const own = await callback(state, an.token);
    expect(own.status).toBe(200);
    expect(own.body).toContain("Đã kết nối kênh");
    expect((await hub.api("GET", `/api/channels/${channelId}`)).body.hasSecret).toBe(true);
    expect(await connectedBy(channelId)).toEqual([an.id]);
  });

  it("accepts the callback without credentials (the browser carries none yet) and audits the connect as the user who started it", async () => {
    const { channelId, state } = await startConnect(binh);
    const back = await callback(state);
    expect(back.status).toBe(200);
    // The page's own CSP, and HSTS since PUBLIC_URL is https.
    expect(back.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(back.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(back.headers["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
    expect(await connectedBy(channelId)).toEqual([binh.id]);
  });

  it("refuses a callback carrying a bad token with 401, whatever its state", async () => {
    const { state } = await startConnect(an);
    const res = await callback(state, "loa_not-a-token");
    expect(res.status).toBe(401);
    expect((await callback(state, an.token)).status).toBe(200);
  });

  it("refuses the callback of a flow whose user has been deactivated since", async () => {
    const cuong = (await hub.api("POST", "/api/users", { name: "Lê Văn Cường", role: "officer", agencyId: AGENCY })).body;
    const { channelId, state } = await startConnect(cuong);
    await hub.api("PATCH", `/api/users/${cuong.id}`, { active: false });
    const res = await callback(state);
    expect(res.status).toBe(400);
    expect(res.body.field).toBe("state");
    expect((await hub.api("GET", `/api/channels/${channelId}`)).body.hasSecret).toBe(false);
  });
});
