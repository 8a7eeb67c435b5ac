// What the loudspeakers and e-boards are given: valid MP3s (probed: codec, duration, loudness), a
// slide whose Vietnamese text really renders, a board's playlist counted for 2.2 when the board pulls
// it, and a pushed board's slide uploaded to its Xibo-like CMS and scheduled.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FONT_CANDIDATES, findFont, renderText } from "../../workers/media/slide.js";
import { startHub, type TestHub } from "../helpers/hub.js";
import { BINS } from "../helpers/media.js";
import { XiboStub } from "../stubs/xibo.stub.js";

const WARD = "phuong-cai-khe";
const SLOTS = [{ days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], time: "06:00" }];

/** ffprobe's and ffmpeg's ebur128 view of an MP3: codec, channels, duration, integrated loudness. */
function probe(file: string) {
  const p = spawnSync(BINS.ffprobe, ["-v", "error", "-print_format", "json", "-show_streams", "-show_format", file], { encoding: "utf8" });
  const info = JSON.parse(p.stdout);
  const e = spawnSync(BINS.ffmpeg, ["-hide_banner", "-nostats", "-i", file, "-af", "ebur128", "-f", "null", "-"], { encoding: "utf8" });
  const lufs = Number(/I:\s+(-?[\d.]+) LUFS/.exec(e.stderr.slice(e.stderr.lastIndexOf("Summary")))?.[1]);
  return {
    codec: info.streams[0].codec_name,
    channels: info.streams[0].channels,
    rate: Number(info.streams[0].sample_rate),
    seconds: Number(info.format.duration),
    lufs,
  };
}

describe("the font of the slides", () => {
  it.each(["regular", "bold"] as const)("draws ệ ữ Ủ đ in the %s font, each unlike its missing-glyph box", async (weight) => {
    const font = findFont(FONT_CANDIDATES[weight]);
    const notdef = await renderText("\uE000", font); // a private-use code point no text font maps: glyph 0, .notdef
    expect((await renderText("\uE001", font)).equals(notdef)).toBe(true); // the check can tell a missing glyph
    for (const ch of ["ệ", "ữ", "Ủ", "đ"]) expect((await renderText(ch, font)).equals(notdef), ch).toBe(false);
  });
});

describe("audio and slides", () => {
  let now = new Date("2026-12-02T09:00:00+07:00"); // Wednesday of 2026-W49
  let hub: TestHub;
  let xibo: XiboStub;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "loa-mp3-"));
  const ids = {} as Record<"station" | "board" | "pushedBoard" | "item", string>;
  let device = "";
  const ok = <T>(r: { status: number; body: T }, what: string) => {
    if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as T & Record<string, any>;
  };
  const download = async (p: string, name: string) => {
    const res = await fetch(`${hub.url}${p}`, { headers: { authorization: `Bearer ${hub.env.LOA_ADMIN_TOKEN}` } });
    expect(res.status, p).toBe(200);
    const file = path.join(dir, name);
    fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    return { file, res };
  };

  beforeAll(async () => {
    xibo = await new XiboStub("loa-cms", "bi-mat-cua-ung-dung").start();
    hub = await startHub("sqlite", { roles: ["web"], clock: { now: () => now }, allow: [xibo.url] });
    const channel = async (kind: string, settings: Record<string, unknown>, secret?: string) =>
      ok(
        await hub.api("POST", "/api/channels", { agencyId: WARD, kind, name: `Kênh ${kind}`, settings, ...(secret ? { secret } : {}) }),
        kind,
      ).id as string;
    ids.station = await channel("loudspeaker", { slots: SLOTS });
    ids.board = await channel("bulletin_board", { slideSeconds: 15 });
    ids.pushedBoard = await channel("bulletin_board", { mode: "push", url: xibo.url, displayGroupId: 7 }, "loa-cms:bi-mat-cua-ung-dung");
    device = ok(
      await hub.api("POST", "/api/users", { name: "Bảng tin chợ Cái Khế", role: "broadcaster", agencyId: WARD, stationIds: [ids.board] }),
      "device",
    ).token;
    ids.item = ok(
      await hub.api("POST", "/api/items", {
        agencyId: WARD,
        kind: "news",
        title: "Đăng ký tạm trú",
        body: "Đăng ký tạm trú trực tuyến.",
        tasks: ["2.2"],
      }),
      "item",
    ).id;
    ok(await hub.api("PUT", `/api/items/${ids.item}/broadcast`, { priority: "khan_cap" }), "urgent");
    const at = "2026-12-02T09:30:00+07:00";
    ok(
      await hub.api("POST", `/api/items/${ids.item}/schedule`, {
        deliveries: [ids.station, ids.board, ids.pushedBoard].map((channelId) => ({ channelId, at })),
      }),
      "schedule",
    );
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
    await xibo?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("synthesises a valid, loudness-normalised MP3 per item and per weekly programme, marked synthetic", async () => {
    const base = `/api/broadcast/stations/${ids.station}/weeks/2026-W49`;
    const one = await download(`${base}/items/${ids.item}.mp3`, "item.mp3");
    expect(one.res.headers.get("content-type")).toBe("audio/mpeg");
    expect(one.res.headers.get("x-loa-synthetic")).toBe("true");
    const item = probe(one.file);
    expect(item).toMatchObject({ codec: "mp3", channels: 1, rate: 44100 });
    expect(item.seconds).toBeGreaterThan(0.8);
    expect(Math.abs(item.lufs + 16)).toBeLessThan(1.5);
    const week = await download(`${base}.mp3`, "week.mp3");
    const programme = probe(week.file);
    expect(programme).toMatchObject({ codec: "mp3", channels: 1 });
    expect(programme.seconds).toBeGreaterThan(item.seconds + 3); // the opening and closing around it
    expect(Math.abs(programme.lufs + 16)).toBeLessThan(1.5);
    const again = await fetch(`${hub.url}${base}.mp3`, {
      headers: { authorization: `Bearer ${hub.env.LOA_ADMIN_TOKEN}`, "if-none-match": week.res.headers.get("etag") ?? "" },
    });
    expect(again.status).toBe(304);
  }, 120_000);

  it("renders the item's slide as a 1920×1080 PNG, and counts it for 2.2 when the board pulls its playlist", async () => {
    const list = ok(await hub.api("GET", `/api/boards/${ids.board}/playlist`, undefined, device), "playlist");
    expect(list.items).toEqual([expect.objectContaining({ itemId: ids.item, durationSeconds: 15, priority: "khan_cap", showing: false })]);
    const slide = await download(new URL(list.items[0].slide).pathname, "slide.png");
    expect(await sharp(slide.file).metadata()).toMatchObject({ format: "png", width: 1920, height: 1080 });
    const counted = async () => ok(await hub.api("GET", `/api/publications?itemId=${ids.item}`), "pubs").data;
    expect(await counted()).toEqual([]); // not yet showing
    now = new Date("2026-12-02T10:00:00+07:00");
    ok(await hub.api("GET", `/api/boards/${ids.board}/playlist`), "admin's look"); // an admin looking does not count
    expect(await counted()).toEqual([]);
    ok(await hub.api("GET", `/api/boards/${ids.board}/playlist`, undefined, device), "board's pull");
    ok(await hub.api("GET", `/api/boards/${ids.board}/playlist`, undefined, device), "board's pull again");
    expect(await counted()).toEqual([expect.objectContaining({ channelKind: "bulletin_board", source: "board", selfReported: false })]);
  });

  it("uploads a pushed board's slide to its CMS library and schedules it for the item's validity", async () => {
    const [delivery] = ok(await hub.api("GET", `/api/deliveries?channelId=${ids.pushedBoard}`), "deliveries").data;
    expect(await hub.running.runtime.services.publisher.run(delivery.id)).toMatchObject({ status: "published" });
    expect(xibo.uploads).toHaveLength(1);
    expect(xibo.uploads[0]?.name).toBe(`loa-${delivery.id}`);
    expect((await sharp(xibo.uploads[0]?.png ?? Buffer.alloc(0)).metadata()).width).toBe(1920);
    expect(xibo.events).toEqual([
      expect.objectContaining({
        eventTypeId: "7",
        mediaId: String(xibo.uploads[0]?.mediaId),
        displayGroupIds: ["7"],
        fromDt: "2026-12-02 09:30:00",
        toDt: "2026-12-07 00:00:00",
      }),
    ]);
    const pubs = ok(await hub.api("GET", `/api/publications?itemId=${ids.item}`), "pubs").data;
    expect(pubs.map((p: any) => p.source).sort()).toEqual(["board", "loa"]);
  });
});
