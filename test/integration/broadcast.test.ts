// Loudspeaker stations end to end: two weeks of items, every script format with its ETag, freezing
// when the week starts and an urgent addendum pushed at once, a broadcaster who reads only their own
// station and confirms what was aired, the airing counted for 2.2 for a ward in 2026, and the Friday
// reminder of a station that confirmed nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHub, type TestHub } from "../helpers/hub.js";
import { WebhookStub } from "../stubs/webhook.stub.js";

const WARD = "phuong-ninh-kieu";
const OTHER = "xa-phong-dien";
const SLOTS = [{ days: ["mon", "tue", "wed", "thu", "fri", "sat"], time: "06:00" }];

describe("loudspeaker stations and their weekly scripts", () => {
  let now = new Date("2026-11-25T09:00:00+07:00"); // Wednesday of 2026-W48
  let hub: TestHub;
  let stub: WebhookStub;
  const ids = {} as Record<"station" | "pushed" | "otherStation" | "a" | "b" | "urgent", string>;
  let broadcaster = "";
  let officer = "";
  const get = (path: string, headers: Record<string, string> = {}, token = hub.env.LOA_ADMIN_TOKEN ?? "") =>
    fetch(`${hub.url}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
  const ok = <T>(r: { status: number; body: T }, what: string) => {
    if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as T & Record<string, any>;
  };
  const item = async (title: string, body: string, kind = "news") =>
    ok(await hub.api("POST", "/api/items", { agencyId: WARD, kind, title, body, tasks: ["2.2"] }), "item").id as string;
  const schedule = (itemId: string, channelId: string, at: string) =>
    hub.api("POST", `/api/items/${itemId}/schedule`, { deliveries: [{ channelId, at }] });
  const week = (id: string, w: string, suffix = "") => `/api/broadcast/stations/${id}/weeks/${w}${suffix}`;

  beforeAll(async () => {
    stub = await new WebhookStub("khoa-tram-phat-thanh-ninh-kieu").start();
    hub = await startHub("sqlite", { roles: ["web"], clock: { now: () => now }, allow: [stub.url] });
    const channel = async (agencyId: string, name: string, settings: Record<string, unknown>, secret?: string) =>
      ok(await hub.api("POST", "/api/channels", { agencyId, kind: "loudspeaker", name, settings, ...(secret ? { secret } : {}) }), name)
        .id as string;
    ids.station = await channel(WARD, "Đài truyền thanh phường Ninh Kiều", { slots: SLOTS, area: "Khu vực 1, 2, 3" });
    ids.pushed = await channel(WARD, "Loa thông minh IP", { slots: SLOTS, mode: "push", url: stub.url }, stub.secret);
    ids.otherStation = await channel(OTHER, "Đài truyền thanh xã Phong Điền", { slots: SLOTS });
    const user = ok(
      await hub.api("POST", "/api/users", { name: "Lê Thị Loa", role: "broadcaster", agencyId: WARD, stationIds: [ids.station] }),
      "broadcaster",
    );
    expect(user.stationIds).toEqual([ids.station]);
    broadcaster = user.token;
    officer = ok(await hub.api("POST", "/api/users", { name: "Cán bộ phường", role: "officer", agencyId: WARD }), "officer").token;
    ids.a = await item(
      "Nộp hồ sơ trực tuyến",
      "Từ ngày 1/12, người dân nộp hồ sơ tại dichvucong.gov.vn, lệ phí 50.000đ. Gọi 0292 3822 222.",
    );
    ids.b = await item("Cấp đổi CCCD", "UBND phường hỗ trợ cấp đổi CCCD từ 7h30 đến 11h.", "radio");
    expect((await schedule(ids.a, ids.station, "2026-12-01T06:00:00+07:00")).status).toBe(201);
    expect((await schedule(ids.b, ids.station, "2026-12-08T06:00:00+07:00")).status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
    await stub?.stop();
  });

  it("refuses a pushed station without a secret, a broadcaster without stations, and another agency's station", async () => {
    const noSecret = await hub.api("POST", "/api/channels", {
      agencyId: WARD,
      kind: "loudspeaker",
      name: "Loa",
      settings: { slots: SLOTS, mode: "push", url: stub.url },
    });
    expect(noSecret).toMatchObject({ status: 422, body: { field: "secret" } });
    const noUrl = await hub.api("POST", "/api/channels", {
      agencyId: WARD,
      kind: "loudspeaker",
      name: "Loa",
      settings: { slots: SLOTS, mode: "push" },
      secret: "khoa-bi-mat-dai",
    });
    expect(noUrl).toMatchObject({ status: 422, body: { field: "settings.url" } });
    expect(await hub.api("POST", "/api/users", { name: "PTV", role: "broadcaster", agencyId: WARD })).toMatchObject({
      status: 422,
      body: { field: "stationIds" },
    });
    const theirs = await hub.api("POST", "/api/users", {
      name: "PTV",
      role: "broadcaster",
      agencyId: WARD,
      stationIds: [ids.otherStation],
    });
    expect(theirs).toMatchObject({ status: 422, body: { field: "stationIds.0" } });
  });

  it("compiles each week's items into its script, hands them over when the week starts", async () => {
    const w49 = ok(await hub.api("GET", week(ids.station, "2026-W49")), "W49");
    expect(w49).toMatchObject({
      week: "2026-W49",
      from: "2026-11-30",
      to: "2026-12-06",
      frozen: false,
      wordsPerMinute: 160,
      dialect: "south",
    });
    expect(w49.entries.map((e: any) => e.itemId)).toEqual([ids.a]);
    const a = w49.entries[0];
    expect(a).toMatchObject({
      priority: "thuong",
      priorityLabel: "Thường",
      slot: "2026-11-30T23:00:00.000Z",
      synthetic: true,
      addendum: false,
    });
    expect(a.readAloud).toContain("ngày một tháng mười hai");
    expect(a.readAloud).toContain("dịch vụ công chấm gov chấm vn");
    expect(a.readAloud).toContain("năm mươi ngàn đồng");
    expect(a.readingSeconds).toBeGreaterThan(5);
    expect(w49.opening.text).toContain("2026-W49");
    const w50 = ok(await hub.api("GET", week(ids.station, "2026-W50")), "W50");
    expect(w50.entries.map((e: any) => e.itemId)).toEqual([ids.b]);
    expect(w50.entries[0].readAloud).toContain("Ủy ban nhân dân phường hỗ trợ cấp đổi căn cước công dân từ bảy giờ ba mươi");
    const deliveries = ok(await hub.api("GET", `/api/deliveries?itemId=${ids.a}`), "deliveries").data;
    expect(deliveries[0]).toMatchObject({ scheduledAt: "2026-11-30T23:00:00.000Z", runAt: "2026-11-29T17:00:00.000Z" });
  });

  it("answers every format with an ETag, and 304 to If-None-Match", async () => {
    const cases: [string, Record<string, string>, RegExp][] = [
      ["", {}, /^application\/json/],
      ["", { accept: "text/plain" }, /^text\/plain/],
      [".txt", {}, /^text\/plain/],
      [".html", {}, /^text\/html/],
      [".docx", {}, /wordprocessingml/],
      [".rss", {}, /^application\/rss\+xml/],
    ];
    const etags = new Set<string>();
    for (const [suffix, headers, type] of cases) {
      const res = await get(week(ids.station, "2026-W49", suffix), headers);
      expect(res.status, suffix).toBe(200);
      expect(res.headers.get("content-type")).toMatch(type);
      const etag = res.headers.get("etag") ?? "";
      expect(etag).toMatch(/^"[\w-]{27}"$/);
      etags.add(etag);
      const body = Buffer.from(await res.arrayBuffer());
      if (suffix === ".docx") expect(body.subarray(0, 2).toString()).toBe("PK");
      if (suffix === ".html") {
        expect(res.headers.get("content-security-policy")).toMatch(/style-src 'sha256-/);
        expect(body.toString()).toContain("Nộp hồ sơ trực tuyến");
      }
      if (headers.accept || suffix === ".txt") expect(body.toString()).toContain("ngày một tháng mười hai");
      if (suffix === ".rss") {
        const xml = body.toString();
        const enclosure = /<enclosure [^>]+\/>/.exec(xml)?.[0] ?? "";
        expect(enclosure).toMatch(/url="[^"]+\/items\/[^"]+\.mp3"/);
        expect(enclosure).toMatch(/length="[1-9]\d*"/);
        expect(enclosure).toContain('type="audio/mpeg"');
        expect(xml).toContain("synthetic");
      }
      const again = await get(week(ids.station, "2026-W49", suffix), { ...headers, "if-none-match": etag });
      expect(again.status, suffix).toBe(304);
    }
    expect(etags.size).toBe(cases.length - 1); // text/plain and .txt are the same representation
  }, 60_000);

  it("freezes the script when the week starts: a late item is refused unless urgent, which is pushed at once as an addendum", async () => {
    const before = (await get(week(ids.station, "2026-W49"))).headers.get("etag");
    // Monday 00:00 of W49: the item is handed over (a pulled station: nothing to send), and the script freezes.
    now = new Date("2026-11-30T00:00:30+07:00");
    const [delivery] = ok(await hub.api("GET", `/api/deliveries?itemId=${ids.a}`), "deliveries").data;
    expect(await hub.running.runtime.services.publisher.run(delivery.id)).toMatchObject({ status: "published" });
    now = new Date("2026-12-01T08:00:00+07:00"); // Tuesday of W49
    // The officer edits the read-aloud text after the freeze: the frozen script keeps what it had.
    ok(await hub.api("PUT", `/api/items/${ids.a}/broadcast`, { readAloud: "Văn bản đọc đã sửa." }), "edit");
    const frozen = ok(await hub.api("GET", week(ids.station, "2026-W49")), "frozen");
    expect(frozen).toMatchObject({ frozen: true, frozenAt: "2026-11-29T17:00:00.000Z" });
    expect(frozen.entries[0].readAloud).not.toContain("đã sửa");
    const late = await item("Thông báo muộn", "Lịch tiếp dân thay đổi.");
    const refused = await schedule(late, ids.station, "2026-12-03T06:00:00+07:00");
    expect(refused.status).toBe(422);
    expect(refused.body.problems[0].en).toContain("froze");

    const urgent = await item("Khẩn: cúp điện", "Cúp điện từ 8h đến 10h ngày 3/12 để bảo trì.");
    ok(await hub.api("PUT", `/api/items/${urgent}/broadcast`, { priority: "khan_cap" }), "urgent");
    const scheduled = ok(
      await hub.api("POST", `/api/items/${urgent}/schedule`, {
        deliveries: [
          { channelId: ids.station, at: "2026-12-03T06:00:00+07:00" },
          { channelId: ids.pushed, at: "2026-12-03T06:00:00+07:00" },
        ],
      }),
      "schedule urgent",
    ).data;
    expect(scheduled.map((d: any) => d.runAt)).toEqual([now.toISOString(), now.toISOString()]);
    const pushed = scheduled.find((d: any) => d.channelId === ids.pushed).id;
    expect(await hub.running.runtime.services.publisher.run(pushed)).toMatchObject({ status: "published" });
    const post = stub.posts.find((p) => p.key === pushed);
    expect(post?.body).toMatchObject({
      type: "loa.broadcast.addendum",
      week: "2026-W49",
      addendum: true,
      item: { id: urgent, priority: "khan_cap" },
    });
    // The stub refuses a missing or wrong X-Loa-Signature (401): a post it kept was signed with the station's secret.
    expect((post?.body as any)?.item?.audio).toMatchObject({ type: "audio/mpeg", synthetic: true });

    const next = await get(week(ids.station, "2026-W49"));
    expect(next.headers.get("etag")).not.toBe(before);
    const pulled = (await next.json()) as any;
    expect(pulled.entries.map((e: any) => e.itemId)).toEqual([ids.a]);
    expect(pulled.addenda.map((e: any) => e.itemId)).toEqual([urgent]);
    expect(await (await get(week(ids.station, "2026-W49", ".txt"))).text()).toContain("PHẦN BỔ SUNG");
    ids.urgent = urgent;
  }, 60_000);

  it("lets a broadcaster read only their own station", async () => {
    const mine = (await hub.api("GET", "/api/broadcast/stations", undefined, broadcaster)).body.data.map((c: any) => c.id);
    expect(mine).toEqual([ids.station]);
    expect((await hub.api("GET", week(ids.station, "2026-W49"), undefined, broadcaster)).status).toBe(200);
    expect((await hub.api("GET", week(ids.pushed, "2026-W49"), undefined, broadcaster)).status).toBe(404);
    expect((await hub.api("GET", week(ids.otherStation, "2026-W49"), undefined, broadcaster)).status).toBe(404);
    expect((await hub.api("GET", "/api/items", undefined, broadcaster)).status).toBe(403);
    // A podcast importer sends no header: the token as a query parameter, carried into the enclosures.
    const rss = await fetch(`${hub.url}${week(ids.station, "2026-W49", ".rss")}?access_token=${broadcaster}`);
    expect(rss.status).toBe(200);
    expect(await rss.text()).toContain(`.mp3?access_token=${broadcaster}`);
  });

  it("counts what the broadcaster confirmed aired for 2.2, with the broadcaster as the source", async () => {
    const aired = (body: unknown, token = broadcaster, station = ids.station) =>
      hub.api("POST", `${week(station, "2026-W49")}/aired`, body, token);
    const one = { items: [{ itemId: ids.a, airedAt: "2026-12-01T06:05:00+07:00" }] };
    expect((await aired(one, officer)).status).toBe(403);
    expect((await aired(one, broadcaster, ids.otherStation)).status).toBe(404);
    expect(await aired({ items: [{ itemId: ids.b, airedAt: "2026-12-01T06:05:00+07:00" }] })).toMatchObject({
      status: 422,
      body: { field: "items.0.itemId" },
    });
    expect(await aired({ items: [{ itemId: ids.a, airedAt: "2026-12-09T06:05:00+07:00" }] })).toMatchObject({
      status: 422,
      body: { field: "items.0.airedAt" },
    });
    const before = ok(await hub.api("GET", `/api/compliance?task=2.2&from=2026-W49&to=2026-W49&agencyId=${WARD}`), "matrix");
    expect(before.rows[0].cells[0]).toMatchObject({ count: 0, status: "at_risk" });
    const res = ok(await aired(one), "aired");
    expect(res.aired).toHaveLength(1);
    expect((await aired(one)).status).toBe(201); // the same airing twice is one
    const matrix = ok(await hub.api("GET", `/api/compliance?task=2.2&from=2026-W49&to=2026-W49&agencyId=${WARD}`), "matrix");
    expect(matrix.rows[0].cells[0]).toMatchObject({ count: 1, selfReported: 0, status: "met" });
    const pubs = ok(await hub.api("GET", `/api/publications?itemId=${ids.a}`), "publications").data;
    expect(pubs).toEqual([
      expect.objectContaining({ channelKind: "loudspeaker", source: "broadcaster", selfReported: false, channelId: ids.station }),
    ]);
  });

  it("reminds on Friday 17:00 the agencies of stations that confirmed nothing that week", async () => {
    const reminders = hub.running.runtime.services.reminders;
    now = new Date("2026-12-04T16:00:00+07:00");
    await reminders.run({}, now);
    const stationNotes = async () =>
      ok(await hub.api("GET", "/api/notifications?period=2026-W49&limit=500"), "notifications").data.filter((n: any) => n.stations);
    expect(await stationNotes()).toEqual([]);
    now = new Date("2026-12-04T17:30:00+07:00");
    await reminders.run({}, now);
    const byAgency = new Map((await stationNotes()).map((n: any) => [n.agencyId, n.stations.map((s: any) => s.id)]));
    expect(byAgency.get(WARD)).toEqual([ids.pushed]);
    expect(byAgency.get(OTHER)).toEqual([ids.otherStation]);
  });
});
