// One resource of each kind per agency, and a valid request for every route of the API built on them:
// what the authorization matrix runs for every role, and what the fuzz test mutates.
import crypto from "node:crypto";
import http from "node:http";
import sharp from "sharp";
import { type Role, SYSTEM } from "../../content/model.js";
import { isoWeek } from "../../content/time.js";
import type { WebhookStub } from "../stubs/webhook.stub.js";
import { ADMIN_TOKEN, type TestHub } from "./hub.js";

/** The agency of the officer and the broadcaster (a press agency: broadcasters belong to a station), and another. */
export const AGENCIES = { own: "dai-ptth-can-tho", other: "so-khcn" } as const;
export type Scope = keyof typeof AGENCIES;

/** The hub settings the world needs: a Facebook app (for the connect URL; nothing is called) and no throttle in the way. */
export const WORLD_ENV = {
  FACEBOOK_CLIENT_ID: "1357924680",
  FACEBOOK_CLIENT_SECRET: "app-secret-khong-tiet-lo",
  AUTH_FAILURES_PER_IP: "1000000",
};

/** The ids of one agency's resources. */
export interface Seed {
  scope: Scope;
  agencyId: string;
  /** A weekly task the agency owes (1.4 for the press, 1.3 for departments). */
  task: string;
  itemId: string;
  channelId: string;
  facebookChannelId: string;
  deliveryId: string;
  mediaId: string;
  publicationId: string;
  exemptionId: string;
  /** An officer of the agency, other than the test's callers, and one of their tokens. */
  userId: string;
  tokenId: string;
  /** A loudspeaker station, an e-board and a radio/TV station, with the seed item on them this week (the item urgent). */
  stationId: string;
  boardId: string;
  radioId: string;
  /** A programme (task 1.4) with its rundown. */
  programmeId: string;
  /** An outgoing webhook of the agency (issue 12). */
  webhookId: string;
  /** An SMS channel (Kannel; quiet all day, so nothing is sent), a recipient list and a scheduled campaign on them. */
  smsChannelId: string;
  listId: string;
  campaignId: string;
}

export interface World {
  hub: TestHub;
  seeds: Record<Scope, Seed>;
  /** A token per role; the officer and the broadcaster belong to the `own` agency. */
  tokens: Record<Role, string>;
  fresh: Fresh;
}

/** The seed agency's officer (not one of the test's callers), as the services see an actor. */
const officerOf = (s: Seed) => ({
  id: s.userId,
  name: "Cán bộ",
  role: "officer" as const,
  agencyId: s.agencyId,
  email: null,
  active: true,
  createdAt: new Date(),
});

/** New resources for routes that use theirs up (cancel, delete, retry, revoke). */
export interface Fresh {
  delivery(s: Seed): Promise<string>;
  failedDelivery(s: Seed): Promise<string>;
  media(s: Seed): Promise<string>;
  publication(s: Seed): Promise<string>;
  exemption(s: Seed): Promise<string>;
  token(s: Seed): Promise<string>;
  /** An item of the agency created by its officer: a draft (issue 12), and one submitted for approval. */
  draft(s: Seed): Promise<string>;
  submitted(s: Seed): Promise<string>;
  /** An admin's item (approved at creation), and an archived one. */
  item(s: Seed): Promise<string>;
  archived(s: Seed): Promise<string>;
  /** An outgoing webhook of the agency, and an agency-wide notification. */
  webhook(s: Seed): Promise<string>;
  notification(s: Seed): Promise<string>;
  /** A campaign of the seed's list, started (its batches wait for the end of the quiet hours). */
  campaign(s: Seed, state?: "running" | "paused"): Promise<string>;
}

/** A small PNG no other upload has (uploads are deduplicated by their bytes). */
export const uniquePng = () =>
  sharp(crypto.randomBytes(16 * 16 * 3), { raw: { width: 16, height: 16, channels: 3 } })
    .png()
    .toBuffer();

export async function uploadAs(hub: TestHub, agencyId: string, data: Uint8Array, token = ADMIN_TOKEN) {
  const form = new FormData();
  form.append("agencyId", agencyId);
  form.append("file", new Blob([data]), "anh.png");
  const res = await fetch(`${hub.url}/api/media`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: form });
  return { status: res.status, body: (await res.json()) as any };
}

const future = () => new Date(Date.now() + 30 * 86_400_000 + Math.floor(Math.random() * 86_400_000)).toISOString();
const past = () => new Date(Date.now() - 3_600_000 - Math.floor(Math.random() * 86_400_000 * 30)).toISOString();

/** Seeds both agencies through the API (media processed and a delivery failed by the same code the worker runs). */
export async function buildWorld(hub: TestHub, stub: WebhookStub): Promise<World> {
  const { api } = hub;
  const services = hub.running.runtime.services;
  const ok = <T>(res: { status: number; body: T }, what: string): T => {
    if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const channel = async (agencyId: string, secret: string) =>
    ok(await api("POST", "/api/channels", { agencyId, kind: "webhook", name: "Cổng TTĐT", settings: { url: stub.url }, secret }), "channel")
      .id as string;
  const rejecting = new Map<string, string>();
  const item = async (agencyId: string) =>
    ok(await api("POST", "/api/items", { agencyId, kind: "radio", title: "Bản tin dịch vụ công", body: "Nội dung", tasks: [] }), "item")
      .id as string;

  const fresh: Fresh = {
    async delivery(s) {
      const res = ok(
        await api("POST", `/api/items/${s.itemId}/schedule`, { deliveries: [{ channelId: s.channelId, at: future() }] }),
        "schedule",
      );
      return res.data[0].id;
    },
    async failedDelivery(s) {
      // A channel whose secret the receiver does not know: it answers 401, and the delivery fails at once.
      const channelId = rejecting.get(s.agencyId) ?? (await channel(s.agencyId, "khoa-sai-nguoi-nhan-khong-biet"));
      rejecting.set(s.agencyId, channelId);
      const id = ok(await api("POST", `/api/items/${s.itemId}/schedule`, { deliveries: [{ channelId }] }), "schedule").data[0].id;
      const outcome = await services.publisher.run(id);
      if (!("status" in outcome) || outcome.status !== "failed") throw new Error(`delivery ${id}: ${JSON.stringify(outcome)}`);
      return id;
    },
    async media(s) {
      return ok(await uploadAs(hub, s.agencyId, await uniquePng()), "upload").id;
    },
    async publication(s) {
      return ok(await api("POST", "/api/publications", { itemId: s.itemId, channelKind: "radio_tv", publishedAt: past() }), "publication")
        .id;
    },
    async exemption(s) {
      return ok(
        await api("POST", "/api/compliance/exemptions", { period: isoWeek(new Date()), reason: "Bão số 3", agencyId: s.agencyId }),
        "exemption",
      ).id;
    },
    async token(s) {
      return (await services.tokens.issue(SYSTEM, s.userId)).view.id;
    },
    async draft(s) {
      const officer = officerOf(s);
      return (
        await services.items.create(officer, {
          agencyId: s.agencyId,
          kind: "news",
          title: "Bản nháp",
          body: "Nội dung",
          tasks: [],
          mediaIds: [],
          variants: {},
        })
      ).id;
    },
    async submitted(s) {
      const id = await fresh.draft(s);
      const officer = officerOf(s);
      await services.approval.submit(officer, id);
      return id;
    },
    async item(s) {
      return item(s.agencyId);
    },
    async archived(s) {
      const id = await item(s.agencyId);
      ok(await api("POST", `/api/items/${id}/archive`), "archive");
      return id;
    },
    async webhook(s) {
      return ok(
        await api("POST", "/api/webhooks", { url: "https://hooks.example.vn/loa", events: ["delivery.failed"], agencyId: s.agencyId }),
        "webhook",
      ).id as string;
    },
    async notification(s) {
      const id = crypto.randomUUID();
      await services.db
        .insertInto("notifications")
        .values({
          id,
          agency_id: s.agencyId,
          kind: "channel_reconnect",
          period: "2026-12-01",
          dedupe_key: `world:${id}`,
          title: "Cần kết nối lại kênh",
          body: "Kết nối lại",
          data: JSON.stringify({ tasks: [] }),
          webhook_status: null,
          email_status: null,
          created_at: new Date(),
        })
        .execute();
      return id;
    },
    async campaign(s, state = "running") {
      const d = ok(
        await api("POST", `/api/items/${s.itemId}/schedule`, {
          deliveries: [{ channelId: s.smsChannelId, recipientListId: s.listId, at: future() }],
        }),
        "campaign",
      ).data[0];
      await services.campaigns.campaigns.start(d.id);
      if (state === "paused") await services.campaigns.campaigns.steer(SYSTEM, d.campaignId, "pause");
      return d.campaignId;
    },
  };

  async function seed(scope: Scope): Promise<Seed> {
    const agencyId = AGENCIES[scope];
    const s = { scope, agencyId, task: scope === "own" ? "1.4" : "1.3" } as Seed;
    s.itemId = await item(agencyId);
    s.channelId = await channel(agencyId, stub.secret);
    s.facebookChannelId = ok(
      await api("POST", "/api/channels", { agencyId, kind: "facebook_page", name: "Fanpage", settings: { pageId: "1234567890" } }),
      "facebook channel",
    ).id;
    s.deliveryId = await fresh.delivery(s);
    s.mediaId = await fresh.media(s);
    if ((await services.mediaProcessor.process(s.mediaId)) !== "ready") throw new Error("the seed media was not processed");
    ok(await api("POST", `/api/items/${s.itemId}/media`, { mediaIds: [s.mediaId] }), "attach");
    s.publicationId = await fresh.publication(s);
    const evidence = await fetch(`${hub.url}/api/publications/${s.publicationId}/evidence?name=bien-ban.txt`, {
      method: "PUT",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "text/plain" },
      body: "Biên bản phát sóng",
    });
    if (evidence.status !== 200) throw new Error(`evidence: ${evidence.status}`);
    s.exemptionId = await fresh.exemption(s);
    s.userId = ok(await api("POST", "/api/users", { name: `Cán bộ ${scope}`, role: "officer", agencyId }), "user").id;
    s.tokenId = await fresh.token(s);
    const slots = [{ days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], time: "06:00" }];
    const broadcastChannel = async (kind: string, settings: Record<string, unknown>) =>
      ok(await api("POST", "/api/channels", { agencyId, kind, name: `Kênh ${kind}`, settings }), kind).id as string;
    s.stationId = await broadcastChannel("loudspeaker", { slots });
    s.boardId = await broadcastChannel("bulletin_board", {});
    s.radioId = await broadcastChannel("radio_tv", { slots });
    // This week's script is frozen already: the item goes on as an urgent addendum.
    ok(await api("PUT", `/api/items/${s.itemId}/broadcast`, { priority: "khan_cap" }), "urgent");
    const soon = new Date(Date.now() + 60_000).toISOString();
    ok(
      await api("POST", `/api/items/${s.itemId}/schedule`, {
        deliveries: [s.stationId, s.boardId].map((channelId) => ({ channelId, at: soon })),
      }),
      "on air",
    );
    s.programmeId = ok(
      await api("POST", "/api/items", { agencyId, kind: "programme", title: "Dịch vụ công và bạn", body: "Chuyên mục", tasks: [] }),
      "programme",
    ).id;
    ok(await api("PUT", `/api/programmes/${s.programmeId}/rundown`, { segments: [{ title: "Mở đầu", durationSeconds: 60 }] }), "rundown");
    s.webhookId = await fresh.webhook(s);
    s.smsChannelId = ok(
      await api("POST", "/api/channels", {
        agencyId,
        kind: "sms",
        name: "Brandname",
        settings: {
          gateway: "http",
          preset: "kannel",
          url: "https://sms.example.vn/cgi-bin/sendsms",
          username: "loa",
          sender: "CANTHO",
          quietHours: { from: "00:00", to: "23:59" },
        },
        secret: "mat-khau-kannel",
      }),
      "sms channel",
    ).id;
    s.listId = ok(await recipientList(hub, agencyId, "phone,commune\n0912345678,phuong-ninh-kieu\n0987654321,\n"), "list").id;
    s.campaignId = await fresh.campaign(s);
    return s;
  }

  const seeds = { own: await seed("own"), other: await seed("other") };
  const user = async (role: Role) =>
    ok(
      await api("POST", "/api/users", {
        name: `Người dùng ${role}`,
        role,
        ...(role === "officer" || role === "broadcaster" || role === "approver" ? { agencyId: AGENCIES.own } : {}),
        ...(role === "broadcaster" ? { stationIds: [seeds.own.stationId, seeds.own.boardId, seeds.own.radioId] } : {}),
      }),
      role,
    ).token as string;
  const tokens = {
    admin: ADMIN_TOKEN,
    auditor: await user("auditor"),
    officer: await user("officer"),
    broadcaster: await user("broadcaster"),
    approver: await user("approver"),
  };
  return { hub, seeds, tokens, fresh };
}

/** Uploads a recipient list (multipart: agencyId, name, file). */
export async function recipientList(hub: TestHub, agencyId: string, csv: string, token = ADMIN_TOKEN) {
  const form = new FormData();
  form.append("agencyId", agencyId);
  form.append("name", "Danh sách");
  form.append("file", new Blob([csv], { type: "text/csv" }), "ds.csv");
  const res = await fetch(`${hub.url}/api/recipient-lists`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: form });
  return { status: res.status, body: (await res.json()) as any };
}

/** What one request of a route carries besides its method and path template. */
export interface Req {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  /** A multipart upload (its other fields before the file; the file's name). */
  form?: { agencyId: string; file: Uint8Array; fields?: Record<string, string>; filename?: string };
  /** A raw body with its content type. */
  raw?: { type: string; data: string };
}

let unique = 0;
const WEB_PASSWORD = "mat-khau-cua-the-gioi-1";
const webUsers = new WeakMap<World, Promise<string>>();
/** A user who signs in with a password, made once per world. */
function webUser(w: World): Promise<string> {
  let login = webUsers.get(w);
  if (!login) {
    login = w.hub
      .api("POST", "/api/users", { name: "Người dùng web", role: "auditor", login: "nguoi-dung-web", password: WEB_PASSWORD })
      .then(() => "nguoi-dung-web");
    webUsers.set(w, login);
  }
  return login;
}
const next = () => `${Date.now().toString(36)}${(unique++).toString(36)}`;

/**
 * A request each route answers with success when its caller may do it, on the resources of agency `s`.
 * Keyed `METHOD path` as the route table declares them (`/api` routes with their prefix).
 */
export const ROUTE_CASES: Record<string, (w: World, s: Seed) => Req | Promise<Req>> = {
  "GET /api/me": () => ({}),
  "GET /api/users": () => ({}),
  "POST /api/users": (_w, s) => ({ body: { name: "Phạm Thị Dung", role: "officer", agencyId: s.agencyId, email: "dung@cantho.gov.vn" } }),
  "PATCH /api/users/:id": (_w, s) => ({ params: { id: s.userId }, body: { active: true } }),
  "GET /api/agencies": () => ({}),
  "POST /api/agencies": () => ({
    body: { id: `xa-${next()}`, name: "Xã Mới", kind: "commune", parentId: "vp-ubnd", validFrom: "2025-07-01" },
  }),
  "PATCH /api/agencies/:id": (_w, s) => ({ params: { id: s.agencyId }, body: { validTo: null } }),
  "GET /api/tokens": () => ({ query: {} }),
  "POST /api/tokens": () => ({ body: { name: "Máy tính bảng", expiresIn: "30d" } }),
  "DELETE /api/tokens/:id": async (w, s) => ({ params: { id: await w.fresh.token(s) } }),
  "GET /api/channels": (_w, s) => ({ query: { agencyId: s.agencyId } }),
  "POST /api/channels": (_w, s) => ({
    body: {
      agencyId: s.agencyId,
      kind: "webhook",
      name: "Cổng mới",
      settings: { url: "https://cms.example.vn/loa" },
      secret: "khoa-ky-rat-dai-123",
    },
  }),
  "GET /api/channels/:id/connect": (_w, s) => ({ params: { id: s.facebookChannelId } }),
  "GET /api/channels/:id": (_w, s) => ({ params: { id: s.channelId } }),
  "GET /api/items": (_w, s) => ({ query: { agencyId: s.agencyId, limit: "10" } }),
  "POST /api/items": (_w, s) => ({
    body: { agencyId: s.agencyId, kind: "news", title: "Nộp hồ sơ trực tuyến", body: "Người dân nộp hồ sơ trên Cổng.", tasks: [s.task] },
  }),
  "GET /api/items/:id": (_w, s) => ({ params: { id: s.itemId } }),
  "GET /api/items/:id/preview": (_w, s) => ({ params: { id: s.itemId }, query: { channelId: s.channelId } }),
  "POST /api/items/:id/schedule": (_w, s) => ({
    params: { id: s.itemId },
    body: { deliveries: [{ channelId: s.channelId, at: future() }] },
  }),
  "POST /api/schedule": (_w, s) => ({
    body: { items: [{ itemId: s.itemId, deliveries: [{ channelId: s.channelId, at: future() }] }] },
  }),
  "POST /api/media": async (_w, s) => ({ form: { agencyId: s.agencyId, file: await uniquePng() } }),
  "GET /api/media": (_w, s) => ({ query: { agencyId: s.agencyId, kind: "image" } }),
  "GET /api/media/:id": (_w, s) => ({ params: { id: s.mediaId } }),
  "GET /api/media/:id/file": (_w, s) => ({ params: { id: s.mediaId } }),
  "GET /api/media/:id/variants/:name": (_w, s) => ({ params: { id: s.mediaId, name: "thumb.jpg" } }),
  "POST /api/media/:id/cancel": async (w, s) => ({ params: { id: await w.fresh.media(s) } }),
  "DELETE /api/media/:id": async (w, s) => ({ params: { id: await w.fresh.media(s) } }),
  "GET /api/items/:id/media": (_w, s) => ({ params: { id: s.itemId } }),
  "POST /api/items/:id/media": (_w, s) => ({ params: { id: s.itemId }, body: { mediaIds: [s.mediaId] } }),
  "PUT /api/agencies/:id/logo": (_w, s) => ({ params: { id: s.agencyId }, body: { mediaId: s.mediaId } }),
  "GET /api/deliveries": (_w, s) => ({ query: { agencyId: s.agencyId, status: "scheduled" } }),
  "GET /api/deliveries/:id": (_w, s) => ({ params: { id: s.deliveryId } }),
  "DELETE /api/deliveries/:id": async (w, s) => ({ params: { id: await w.fresh.delivery(s) } }),
  "PATCH /api/deliveries/:id": (_w, s) => ({ params: { id: s.deliveryId }, body: { at: future() } }),
  "POST /api/deliveries/:id/retry": async (w, s) => ({ params: { id: await w.fresh.failedDelivery(s) } }),
  "GET /api/compliance": (_w, s) => ({ query: { task: s.task, agencyId: s.agencyId } }),
  "GET /api/compliance/agencies/:id": (_w, s) => ({ params: { id: s.agencyId }, query: { task: s.task } }),
  "GET /api/compliance/exemptions": () => ({}),
  "POST /api/compliance/exemptions": (_w, s) => ({
    body: { period: "2026-W07", reason: "Nghỉ Tết Nguyên đán", task: s.task, agencyId: s.agencyId },
  }),
  "DELETE /api/compliance/exemptions/:id": async (w, s) => ({ params: { id: await w.fresh.exemption(s) } }),
  "GET /api/obligations": () => ({}),
  "GET /api/obligations/:task": (_w, s) => ({ params: { task: s.task } }),
  "POST /api/obligations": () => ({
    body: {
      taskCode: `9.${unique++ % 99}`,
      description: "Nhiệm vụ thử",
      agencyKinds: ["department"],
      period: "year",
      minCount: 1,
      validFrom: "2026-01-01",
    },
  }),
  "PATCH /api/obligations/:task": (_w, s) => ({ params: { task: s.task }, body: { minCount: 1 } }),
  "GET /api/notifications": (_w, s) => ({ query: { agencyId: s.agencyId, limit: "5" } }),
  "GET /api/reports/annual": () => ({ query: { year: String(new Date().getFullYear()), format: "xlsx" } }),
  "GET /api/publications": (_w, s) => ({ query: { agencyId: s.agencyId, selfReported: "true" } }),
  "POST /api/publications": (_w, s) => ({
    body: { itemId: s.itemId, channelKind: "loudspeaker", publishedAt: past(), note: "Phát 2 lần" },
  }),
  "GET /api/publications/:id": (_w, s) => ({ params: { id: s.publicationId } }),
  "DELETE /api/publications/:id": async (w, s) => ({ params: { id: await w.fresh.publication(s) } }),
  "PUT /api/publications/:id/evidence": (_w, s) => ({
    params: { id: s.publicationId },
    query: { name: "bien-ban.txt" },
    raw: { type: "text/plain", data: "Biên bản" },
  }),
  "GET /api/publications/:id/evidence": (_w, s) => ({ params: { id: s.publicationId } }),
  "GET /feeds/:file": (_w, s) => ({ params: { file: `${s.agencyId}.rss` } }),
  "GET /api/oauth/callback": () => ({ query: { code: "ma-uy-quyen", state: "khong-co-trang-thai-nay" } }),
  "GET /api/broadcast/stations": () => ({}),
  "GET /api/broadcast/stations/:id/weeks/:week": (_w, s) => ({ params: { id: s.stationId, week: "current.txt" } }),
  "GET /api/broadcast/stations/:id/weeks/:week/items/:file": (_w, s) => ({
    params: { id: s.stationId, week: "current", file: `${s.itemId}.mp3` },
  }),
  "GET /api/broadcast/stations/:id/weeks/:week/aired": (_w, s) => ({ params: { id: s.stationId, week: "current" } }),
  "POST /api/broadcast/stations/:id/weeks/:week/aired": (_w, s) => ({
    params: { id: s.stationId, week: "current" },
    body: { items: [{ itemId: s.itemId, airedAt: new Date().toISOString() }] },
  }),
  "GET /api/items/:id/broadcast": (_w, s) => ({ params: { id: s.itemId }, query: { dialect: "north" } }),
  "PUT /api/items/:id/broadcast": (_w, s) => ({ params: { id: s.itemId }, body: { priority: "khan_cap" } }),
  "GET /api/boards/:id/playlist": (_w, s) => ({ params: { id: s.boardId } }),
  "GET /api/boards/:id/slides/:file": (_w, s) => ({ params: { id: s.boardId, file: `${s.itemId}.png` } }),
  "GET /api/programmes/weeks/:week": (_w, s) => ({ params: { week: "current" }, query: { stationId: s.radioId } }),
  "GET /api/programmes/:id/rundown": (_w, s) => ({ params: { id: s.programmeId } }),
  "PUT /api/programmes/:id/rundown": (_w, s) => ({
    params: { id: s.programmeId },
    body: { segments: [{ title: "Khách mời trao đổi", durationSeconds: 600, guests: ["Ông Nguyễn Văn A"], notes: "Trực tiếp" }] },
  }),
  "POST /api/text/read-aloud": () => ({ body: { text: "Gọi 1900 1234 trước 30/4.", dialect: "south" } }),
  // The web app's sign-in: a user of no agency with a password (signing in shows nobody else's data).
  "POST /api/session": async (w) => ({ body: { login: await webUser(w), password: WEB_PASSWORD } }),
  "DELETE /api/session": () => ({}),
  // The callers sign in with tokens and have no password: the current one cannot be right.
  "POST /api/me/password": () => ({ body: { currentPassword: WEB_PASSWORD, newPassword: "mat-khau-moi-rat-dai" } }),
  "PUT /api/users/:id/password": (_w, s) => ({ params: { id: s.userId }, body: { password: WEB_PASSWORD, login: `can-bo-${s.scope}` } }),
  // The editorial workflow (issue 12).
  "PATCH /api/items/:id": async (w, s) => ({ params: { id: await w.fresh.item(s) }, body: { title: "Tiêu đề đã sửa", tasks: [s.task] } }),
  "DELETE /api/items/:id": async (w, s) => ({ params: { id: await w.fresh.item(s) } }),
  "POST /api/items/:id/duplicate": (_w, s) => ({ params: { id: s.itemId } }),
  "POST /api/items/:id/archive": async (w, s) => ({ params: { id: await w.fresh.item(s) } }),
  "POST /api/items/:id/unarchive": async (w, s) => ({ params: { id: await w.fresh.archived(s) } }),
  "POST /api/items/:id/submit": async (w, s) => ({ params: { id: await w.fresh.draft(s) }, body: { comment: "Kính trình duyệt" } }),
  "POST /api/items/:id/approve": async (w, s) => ({ params: { id: await w.fresh.submitted(s) }, body: { comment: "Đồng ý" } }),
  "POST /api/items/:id/return": async (w, s) => ({ params: { id: await w.fresh.submitted(s) }, body: { comment: "Bổ sung số liệu" } }),
  "GET /api/items/:id/history": (_w, s) => ({ params: { id: s.itemId } }),
  "GET /api/approvals": (_w, s) => ({ query: { agencyId: s.agencyId, limit: "20" } }),
  "GET /api/items/:id/comments": (_w, s) => ({ params: { id: s.itemId } }),
  "POST /api/items/:id/comments": (_w, s) => ({ params: { id: s.itemId }, body: { body: "Đề nghị bổ sung ảnh @dung" } }),
  "POST /api/notifications/:id/read": async (w, s) => ({ params: { id: await w.fresh.notification(s) } }),
  "GET /api/webhooks": () => ({}),
  "POST /api/webhooks": (_w, s) => ({
    body: { url: "https://hooks.example.vn/nhan", events: ["item.approved", "delivery.published"], agencyId: s.agencyId },
  }),
  "GET /api/webhooks/:id": (_w, s) => ({ params: { id: s.webhookId } }),
  "PATCH /api/webhooks/:id": (_w, s) => ({ params: { id: s.webhookId }, body: { paused: true } }),
  "DELETE /api/webhooks/:id": async (w, s) => ({ params: { id: await w.fresh.webhook(s) } }),
  "GET /api/webhooks/:id/deliveries": (_w, s) => ({ params: { id: s.webhookId }, query: { limit: "10" } }),
  "GET /api/audit": (_w, s) => ({ query: { agencyId: s.agencyId, action: "item.", limit: "50" } }),
  "GET /api/calendar": (_w, s) => ({
    query: { from: new Date().toISOString(), to: new Date(Date.now() + 35 * 86_400_000).toISOString(), agencyId: s.agencyId },
  }),
  "POST /api/items/:id/recurrences": (_w, s) => ({
    params: { id: s.itemId },
    body: { channelId: s.channelId, at: future(), every: "week", count: 2 },
  }),
  "GET /api/recurrences": (_w, s) => ({ query: { agencyId: s.agencyId } }),
  "GET /api/recurrences/:id": async (w, s) => ({ params: { id: await recurrence(w, s) } }),
  "DELETE /api/recurrences/:id": async (w, s) => ({ params: { id: await recurrence(w, s) } }),
  "GET /api/calendar/feeds": (_w, s) => ({ query: { agencyId: s.agencyId } }),
  "POST /api/calendar/feeds": (_w, s) => ({ body: { agencyId: s.agencyId, name: "Lịch của phòng" } }),
  "DELETE /api/calendar/feeds/:id": async (w, s) => ({ params: { id: (await calendarFeed(w, s)).id } }),
  // The URL's token is the only credential (an iCal feed's holder sees that agency's calendar whoever they are): always the own agency's.
  "POST /api/items/import": (_w, s) => ({
    query: { agencyId: s.agencyId },
    raw: { type: "text/csv", data: "kind,title,body,tasks\r\nnews,Tin nhập từ bảng tính,Nội dung của tin,\r\n" },
  }),
  "GET /api/export": (_w, s) => ({
    query: {
      agencyId: s.agencyId,
      from: new Date(Date.now() - 86_400_000).toISOString(),
      to: new Date(Date.now() + 40 * 86_400_000).toISOString(),
    },
  }),
  // Only DOST (the `other` agency, so-khcn) and the city office publish to the library, whichever the caller's agency.
  "GET /api/library": () => ({ query: { q: "dich vu cong" } }),
  "POST /api/library": async (w) => ({
    body: { itemId: await dostItem(w), topics: ["Dịch vụ công"], validFrom: "2025-01-01", summary: "Tài liệu dùng chung" },
  }),
  "GET /api/library/:id": async (w) => ({ params: { id: await material(w) } }),
  "DELETE /api/library/:id": async (w) => ({ params: { id: await material(w) } }),
  "POST /api/library/:id/copy": async (w, s) => ({ params: { id: await material(w) }, body: { agencyId: s.agencyId } }),
  "GET /api/library/:id/reuse": async (w) => ({ params: { id: await material(w) } }),
  "GET /api/events": () => ({}),
  "POST /api/events": () => ({ body: EVENT }),
  "GET /api/events/:id": async (w) => ({ params: { id: await commEvent(w) } }),
  "POST /api/events/:id/items": async (w, s) => ({ params: { id: await commEvent(w) }, body: { itemId: s.itemId } }),
  "GET /api/events/:id/progress": async (w) => ({ params: { id: await commEvent(w) }, query: { format: "json" } }),
  "GET /ical/:file": async (w) => ({ params: { file: `${(await calendarFeed(w, w.seeds.own)).token}.ics` } }),
  "POST /api/sms/preview": () => ({ body: { text: "Nộp hồ sơ trực tuyến tại dichvucong.gov.vn", unaccent: true } }),
  "POST /api/sms/phones": () => ({ body: { phones: ["01621234567", "0912345678"] } }),
  "POST /api/sms/opt-outs": () => ({ body: { phones: ["0903123456"] } }),
  "POST /api/recipient-lists": (_w, s) => ({
    form: {
      agencyId: s.agencyId,
      fields: { name: "Người dân" },
      file: new TextEncoder().encode("phone\n0912345678\n"),
      filename: "ds.csv",
    },
  }),
  "GET /api/recipient-lists/:id": (_w, s) => ({ params: { id: s.listId } }),
  "GET /api/campaigns": () => ({ query: { limit: "50" } }),
  "GET /api/campaigns/:id": (_w, s) => ({ params: { id: s.campaignId } }),
  "GET /api/campaigns/:id/recipients": (_w, s) => ({ params: { id: s.campaignId }, query: { format: "csv" } }),
  "POST /api/campaigns/:id/pause": async (w, s) => ({ params: { id: await w.fresh.campaign(s) } }),
  "POST /api/campaigns/:id/resume": async (w, s) => ({ params: { id: await w.fresh.campaign(s, "paused") } }),
  "POST /api/campaigns/:id/cancel": async (w, s) => ({ params: { id: await w.fresh.campaign(s) } }),
  "GET /api/sms/callback/:channelId": async (w, s) => ({
    params: { channelId: s.smsChannelId },
    query: {
      k: await w.hub.running.runtime.services.campaigns.optOuts.callbackToken(s.smsChannelId),
      type: "dlr",
      c: s.campaignId,
      s: "2",
      status: "8",
    },
  }),
};

/** A new monthly recurrence of the seed item on the seed channel (an admin's). */
async function recurrence(w: World, s: Seed): Promise<string> {
  const res = await w.hub.api("POST", `/api/items/${s.itemId}/recurrences`, {
    channelId: s.channelId,
    at: future(),
    every: "month",
    count: 3,
  });
  if (res.status !== 201) throw new Error(`recurrence: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** A communication event around 10/10: every commune once on its loudspeaker, the press twice anywhere. */
const EVENT = {
  name: "Ngày Chuyển đổi số quốc gia 10/10",
  startsOn: "2026-10-01",
  endsOn: "2026-10-10",
  targets: [
    { label: "Mỗi xã, phường một tin trên loa", agencyKinds: ["commune"], channelKinds: ["loudspeaker"] },
    { label: "Báo, đài hai tin", agencyKinds: ["press"], minCount: 2 },
  ],
};

/** A new communication event (an admin's). */
async function commEvent(w: World): Promise<string> {
  const res = await w.hub.api("POST", "/api/events", EVENT);
  if (res.status !== 201) throw new Error(`event: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** A new item of DOST, which publishes to the shared library (an admin's). */
async function dostItem(w: World): Promise<string> {
  const res = await w.hub.api("POST", "/api/items", {
    agencyId: AGENCIES.other,
    kind: "news",
    title: "Hướng dẫn dịch vụ công trực tuyến",
    body: "Tài liệu của Sở Khoa học và Công nghệ.",
  });
  if (res.status !== 201) throw new Error(`DOST item: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** A new material of the shared library (an admin's, from a new DOST item). */
async function material(w: World): Promise<string> {
  const res = await w.hub.api("POST", "/api/library", { itemId: await dostItem(w), topics: ["Dịch vụ công"], validFrom: "2025-01-01" });
  if (res.status !== 201) throw new Error(`material: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** A new private iCal feed of the agency (an admin's). */
async function calendarFeed(w: World, s: Seed): Promise<{ id: string; token: string }> {
  const res = await w.hub.api("POST", "/api/calendar/feeds", { agencyId: s.agencyId });
  if (res.status !== 201) throw new Error(`calendar feed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * Percent-encodes a URL component; a lone surrogate (which `encodeURIComponent` refuses) becomes the
 * bytes a sloppy client would send for it (WTF-8, invalid UTF-8), so the server sees those too.
 */
export function encodePart(s: string): string {
  return s
    .split(/([\uD800-\uDFFF])/)
    .map((part, i) => {
      if (i % 2 === 0) return part ? encodeURIComponent(part.replace(/[\uD800-\uDFFF]/g, "")) : "";
      const c = part.charCodeAt(0);
      return [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join("");
    })
    .join("");
}

/** The path of a route template with its parameters filled in. */
export const fillPath = (template: string, params: Record<string, string> = {}) =>
  template.replace(/:(\w+)/g, (_m, name: string) => encodePart(params[name] ?? `missing-${name}`));

export interface Answer {
  status: number;
  text: string;
  json: any;
}

/** Keep-alive connections for the many requests of the matrix and the fuzz test (lighter than fetch). */
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

function answer(status: number, text: string): Answer {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status, text, json };
}

/** Sends a request of the route `key` ("METHOD /path") with the given bearer token (none: no header). */
export async function send(hub: TestHub, key: string, req: Req, token: string | undefined): Promise<Answer> {
  const [method = "GET", template = "/"] = key.split(" ");
  const pairs = Object.entries(req.query ?? {}).map(([k, v]) => `${encodePart(k)}=${encodePart(v)}`);
  const url = `${hub.url}${fillPath(template, req.params)}${pairs.length ? `?${pairs.join("&")}` : ""}`;
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  if (req.form) {
    const form = new FormData();
    form.append("agencyId", req.form.agencyId);
    for (const [k, v] of Object.entries(req.form.fields ?? {})) form.append(k, v);
    form.append("file", new Blob([req.form.file]), req.form.filename ?? "anh.png");
    const res = await fetch(url, { method, headers, body: form });
    return answer(res.status, await res.text());
  }
  let body: string | undefined;
  if (req.raw) {
    headers["content-type"] = req.raw.type;
    body = req.raw.data;
  } else if (req.body !== undefined) {
    headers["content-type"] = "application/json";
    body = typeof req.body === "string" ? req.body : JSON.stringify(req.body);
  }
  return new Promise((resolve, reject) => {
    const r = http.request(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve(answer(res.statusCode ?? 0, Buffer.concat(chunks).toString("utf8"))));
      res.on("error", reject);
    });
    r.on("error", reject);
    r.end(body);
  });
}

/** Runs `tasks` with at most `limit` at once. */
export async function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let i = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, tasks.length) }, async () => {
      while (i < tasks.length) {
        const mine = i++;
        const task = tasks[mine];
        if (task) results[mine] = await task();
      }
    }),
  );
  return results;
}
