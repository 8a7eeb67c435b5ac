import type { Request, Response } from "express";
import { z } from "zod";
import { AiredRequest } from "../../content/broadcast/aired.js";
import { etagOf, PRINT_CSP, scriptHtml, scriptRss, scriptText } from "../../content/broadcast/formats.js";
import { weekUrls } from "../../content/broadcast/handover.js";
import { BroadcastChange, BroadcastQuery } from "../../content/broadcast/items.js";
import { stationProfile } from "../../content/broadcast/scripts.js";
import { listStations, visibleStation } from "../../content/broadcast/stations.js";
import { AppError, notFound } from "../../content/errors.js";
import type { Services } from "../../content/services.js";
import { isoWeek } from "../../content/time.js";
import { type Route, route } from "../route.js";

/** Devices that cannot send an `Authorization` header (podcast importers, boards) may put the token here (RFC 6750 §2.3). */
export const TokenQuery = z.strictObject({ access_token: z.string().optional() });

const FORMATS = {
  json: "application/json; charset=utf-8",
  txt: "text/plain; charset=utf-8",
  html: "text/html; charset=utf-8",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  rss: "application/rss+xml; charset=utf-8",
  mp3: "audio/mpeg",
} as const;
type Format = keyof typeof FORMATS;

/** `2026-W49`, `current` or `next`, with an optional format extension; `Accept: text/plain` asks for the text. */
export function weekAndFormat(
  param: string,
  accept: string | undefined,
  now: Date,
  allowed: readonly Format[],
): { week: string; format: Format } {
  const m = /^(\d{4}-W\d{2}|current|next)(?:\.([a-z0-9]+))?$/.exec(param);
  if (!m?.[1])
    throw new AppError(
      "invalid_input",
      "week: an ISO week such as 2026-W49 (or current, next), optionally .txt, .html, .docx, .rss or .mp3",
      { field: "week" },
    );
  const ext = m[2] as Format | undefined;
  if (ext !== undefined && !allowed.includes(ext)) throw notFound(`the ${ext} format`, "week");
  const week = m[1] === "current" ? isoWeek(now) : m[1] === "next" ? isoWeek(new Date(now.getTime() + 7 * 86_400_000)) : m[1];
  const wantsText = !ext && /^\s*text\/plain\b/i.test(accept ?? "");
  return { week, format: ext ?? (wantsText ? "txt" : "json") };
}

/** Answers `304` when the client has this representation; sets the validators otherwise. */
export function sendValidated(req: Request, res: Response, etag: string, type: string): boolean {
  res.setHeader("etag", etag);
  res.setHeader("cache-control", "private, no-cache");
  res.setHeader("vary", "accept");
  res.type(type);
  if ((req.get("if-none-match") ?? "").split(/\s*,\s*/).includes(etag)) {
    res.status(304).end();
    return true;
  }
  return false;
}

/** Streams an MP3, saying whether it is synthesised speech. */
export async function sendMp3(res: Response, file: { stream: NodeJS.ReadableStream; bytes: number }, synthetic: boolean) {
  res.setHeader("content-length", String(file.bytes));
  res.setHeader("x-loa-synthetic", String(synthetic));
  file.stream.on("error", () => res.destroy());
  file.stream.pipe(res);
}

/** The query token, carried on in the feed's own links (so an importer can fetch the MP3s it lists). */
const withToken = (url: string, token: string | undefined) => (token ? `${url}?access_token=${encodeURIComponent(token)}` : url);

/** Loudspeaker stations: their weekly scripts in every format, the MP3s, what was aired; items' broadcast attributes. */
export function broadcastRoutes(s: Services, publicUrl: string): Route[] {
  const b = s.broadcast;
  return [
    route({
      method: "get",
      path: "/broadcast/stations",
      summary: "The stations and e-boards the caller may read (a broadcaster: theirs)",
      handle: async ({ user }) => ({ data: await listStations(s.db, user) }),
    }),
    route({
      method: "get",
      path: "/broadcast/stations/:id/weeks/:week",
      summary:
        "A station's script for an ISO week: JSON, Accept: text/plain, .txt, .html, .docx, .rss (podcast) or .mp3 (the weekly programme)",
      query: TokenQuery,
      handle: async ({ req, res, user, params, query }) => {
        const station = await visibleStation(s.db, user, params.id ?? "", ["loudspeaker", "radio_tv"]);
        const { week, format } = weekAndFormat(params.week ?? "", req.get("accept"), b.clock.now(), Object.keys(FORMATS) as Format[]);
        const script = await b.scripts.compile(station, week);
        if (format === "mp3") {
          const mp3 = await b.audio.programme(script, stationProfile(station).jingles);
          if (sendValidated(req, res, etagOf("mp3", mp3.storageKey), FORMATS.mp3)) return;
          return void sendMp3(res, await b.audio.read(mp3), mp3.synthetic);
        }
        const token = format === "rss" ? query.access_token : undefined;
        if (sendValidated(req, res, etagOf(format, script, token ?? null), FORMATS[format])) return;
        switch (format) {
          case "json":
            res.json(script);
            return;
          case "txt":
            res.send(scriptText(script));
            return;
          case "html":
            res.setHeader("content-security-policy", PRINT_CSP);
            res.send(scriptHtml(script));
            return;
          case "docx":
            res.setHeader("content-disposition", `attachment; filename="kich-ban-${week}.docx"`);
            res.send(await (await import("../../content/broadcast/formats-docx.js")).scriptDocx(script));
            return;
          case "rss": {
            const audio = new Map<string, { bytes: number; durationMs: number }>();
            for (const e of [...script.entries, ...script.addenda]) {
              audio.set(
                e.itemId,
                await b.audio.item(e.itemId, { text: e.readAloud, voice: script.voice, wordsPerMinute: script.wordsPerMinute }),
              );
            }
            const self = withToken(`${publicUrl}/api/broadcast/stations/${station.id}/weeks/${week}.rss`, token);
            res.send(
              scriptRss(script, { self, audio: (e) => withToken(weekUrls(publicUrl, station.id, week, e.itemId).audio, token) }, audio),
            );
            return;
          }
        }
      },
    }),
    route({
      method: "get",
      path: "/broadcast/stations/:id/weeks/:week/items/:file",
      summary: "The MP3 of one item of a week's script (`<item id>.mp3`): its recording, else synthesised speech",
      query: TokenQuery,
      handle: async ({ req, res, user, params }) => {
        const station = await visibleStation(s.db, user, params.id ?? "", ["loudspeaker", "radio_tv"]);
        const { week } = weekAndFormat(params.week ?? "", undefined, b.clock.now(), []);
        const itemId = /^(.+)\.mp3$/.exec(params.file ?? "")?.[1];
        const script = await b.scripts.compile(station, week);
        const entry = [...script.entries, ...script.addenda].find((e) => e.itemId === itemId);
        if (!entry) throw notFound("item on this week's script", "file");
        const mp3 = await b.audio.item(entry.itemId, { text: entry.readAloud, voice: script.voice, wordsPerMinute: script.wordsPerMinute });
        if (sendValidated(req, res, etagOf("mp3", mp3.storageKey), FORMATS.mp3)) return;
        return void sendMp3(res, await b.audio.read(mp3), mp3.synthetic);
      },
    }),
    route({
      method: "post",
      path: "/broadcast/stations/:id/weeks/:week/aired",
      summary: "A station's broadcaster confirms what was aired: each item counts for its tasks (2.2, 1.4) on the station's channel kind",
      body: AiredRequest,
      status: 201,
      handle: ({ user, params, body }) => b.airings.confirm(user, params.id ?? "", params.week ?? "", body),
    }),
    route({
      method: "get",
      path: "/broadcast/stations/:id/weeks/:week/aired",
      summary: "What was confirmed aired on a station in an ISO week (or current): item, delivery, time, who confirmed",
      handle: ({ user, params }) => b.airings.ofWeek(user, params.id ?? "", params.week ?? ""),
    }),
    route({
      method: "get",
      path: "/items/:id/broadcast",
      summary: "How an item goes on the loudspeakers: priority, validity, its read-aloud text (automatic or the officer's)",
      query: BroadcastQuery,
      handle: ({ user, params, query }) => b.items.get(user, params.id ?? "", query.dialect),
    }),
    route({
      method: "put",
      path: "/items/:id/broadcast",
      summary: "Set an item's priority (thuong, uu_tien, khan_cap), validity and own read-aloud text (null: back to the automatic one)",
      body: BroadcastChange,
      handle: ({ user, params, body }) => b.items.update(user, params.id ?? "", body),
    }),
    route({
      method: "get",
      path: "/boards/:id/playlist",
      summary:
        "An e-board's playlist for the current week: slides with their durations and validity (fetched by the board, each showing item counts for 2.2)",
      query: TokenQuery,
      handle: ({ user, params }) => b.boards.playlist(user, params.id ?? ""),
    }),
    route({
      method: "get",
      path: "/boards/:id/slides/:file",
      summary: "An item's slide on an e-board (`<item id>.png`, 1920×1080)",
      query: TokenQuery,
      handle: async ({ req, res, user, params }) => {
        const itemId = /^(.+)\.png$/.exec(params.file ?? "")?.[1];
        if (!itemId) throw notFound("slide", "file");
        const png = await b.boards.slideOf(user, params.id ?? "", itemId);
        if (sendValidated(req, res, etagOf("png", png.toString("base64")), "image/png")) return;
        res.setHeader("content-security-policy", "default-src 'none'; sandbox");
        res.send(png);
      },
    }),
  ];
}
