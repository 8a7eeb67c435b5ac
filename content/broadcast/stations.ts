import { z } from "zod";
import { notFound } from "../errors.js";
import type { Actor, Channel } from "../model.js";
import { WeeklySlots } from "../publishing/slots.js";
import type { Db } from "../store/db.js";
import { toChannel } from "../store/rows.js";
import { isStationKind } from "./counting.js";

const HttpUrl = z.url({ protocol: /^https?$/, error: "an http(s) URL" });

/** How a station or board takes its content: it fetches it (`pull`), or Loa sends it (`push`, to `url`). */
const Mode = z.enum(["pull", "push"]).default("pull");
const requireUrlToPush = (s: { mode: string; url?: string | undefined }, ctx: z.RefinementCtx) => {
  if (s.mode === "push" && !s.url) ctx.addIssue({ code: "custom", path: ["url"], message: "required when mode is push" });
};

/** A template line with `{agency}`, `{station}`, `{week}`, `{from}` and `{to}`. */
const TemplateLine = z.string().trim().min(1).max(2_000);

/** A loudspeaker station's settings (channel kind `loudspeaker`). */
export const StationSettings = z
  .strictObject({
    /** When the station broadcasts, week after week (Asia/Ho_Chi_Minh). */
    slots: WeeklySlots.min(1),
    /** The area it covers (ấp, khu vực), as the script's heading says it. */
    area: z.string().trim().min(1).max(500).optional(),
    mode: Mode,
    /** Where a pushed station receives the signed webhook. */
    url: HttpUrl.optional(),
    opening: TemplateLine.optional(),
    closing: TemplateLine.optional(),
    /** Reading speed for the estimated durations. */
    wordsPerMinute: z.number().int().min(60).max(400).default(160),
    /** Regional forms of the read-aloud text (numbers): Cần Thơ reads them the Southern way. */
    dialect: z.enum(["south", "north"]).default("south"),
    /** The espeak-ng voice of synthesised audio (or another engine's, see the README). */
    voice: z
      .string()
      .regex(/^[A-Za-z0-9+_-]{1,40}$/)
      .default("vi-vn-x-south"),
    /** Jingles played before the opening and after the closing of the weekly programme: ready audio media of the agency. */
    jingles: z.strictObject({ opening: z.string().min(1).optional(), closing: z.string().min(1).optional() }).optional(),
  })
  .superRefine(requireUrlToPush);
export type StationSettings = z.infer<typeof StationSettings>;

/** A radio or TV station airing the press agencies' programme (channel kind `radio_tv`): its slots, for the rundown. */
export const RadioSettings = z.strictObject({
  slots: WeeklySlots.min(1),
  /** The programme's name on air ("Dịch vụ công trực tuyến — Chuyên mục hàng tuần"). */
  programme: z.string().trim().min(1).max(300).optional(),
});
export type RadioSettings = z.infer<typeof RadioSettings>;

/** An e-bulletin board (channel kind `bulletin_board`): pulled from its playlist, or pushed to its Xibo-like CMS. */
export const BoardSettings = z
  .strictObject({
    mode: Mode,
    /** The CMS's base URL (its API is `<url>/api/…`). */
    url: HttpUrl.optional(),
    /** The CMS's display group the slides are scheduled on. */
    displayGroupId: z.number().int().min(1).optional(),
    /** The slide layout (`templates/boards/<layout>.json`). */
    layout: z.enum(["standard", "urgent"]).default("standard"),
    /** How long each slide is shown. */
    slideSeconds: z.number().int().min(5).max(600).default(20),
    /** Where the QR code leads when the item names no link: the service's URL. */
    serviceUrl: HttpUrl.default("https://dichvucong.gov.vn"),
  })
  .superRefine(requireUrlToPush)
  .superRefine((s, ctx) => {
    if (s.mode === "push" && !s.displayGroupId)
      ctx.addIssue({ code: "custom", path: ["displayGroupId"], message: "required when mode is push" });
  });
export type BoardSettings = z.infer<typeof BoardSettings>;

/** The kinds a broadcaster may be linked to. */
export const BROADCAST_KINDS = ["loudspeaker", "radio_tv", "bulletin_board"] as const;

/**
 * Which stations and boards an actor may read: admins and auditors all, an officer their agency's, a
 * broadcaster those linked to them. Anything else is "not found", so a station's existence does not leak.
 */
export async function visibleStation(db: Db, actor: Actor, id: string, kinds: readonly string[] = BROADCAST_KINDS): Promise<Channel> {
  const row = await db
    .selectFrom("channels")
    .selectAll()
    .where("id", "=", id)
    .where("kind", "in", [...kinds])
    .executeTakeFirst();
  if (!row) throw notFound("station");
  if (actor.role === "admin" || actor.role === "auditor" || actor.role === "system") return toChannel(row);
  if ((actor.role === "officer" || actor.role === "approver") && actor.agencyId === row.agency_id) return toChannel(row);
  if (actor.role === "broadcaster") {
    const linked = await db
      .selectFrom("user_stations")
      .select("channel_id")
      .where("user_id", "=", actor.id)
      .where("channel_id", "=", id)
      .executeTakeFirst();
    if (linked) return toChannel(row);
  }
  throw notFound("station");
}

/** The stations and boards an actor may read. */
export async function listStations(db: Db, actor: Actor): Promise<Channel[]> {
  let q = db
    .selectFrom("channels")
    .selectAll()
    .where("kind", "in", [...BROADCAST_KINDS]);
  if (actor.role === "officer" || actor.role === "approver") q = q.where("agency_id", "=", actor.agencyId ?? "");
  else if (actor.role === "broadcaster")
    q = q.where("id", "in", (sub) => sub.selectFrom("user_stations").select("channel_id").where("user_id", "=", actor.id));
  return (await q.orderBy("created_at").execute()).map(toChannel);
}

/** The station ids linked to a broadcaster. */
export async function stationIdsOf(db: Db, userId: string): Promise<string[]> {
  return (await db.selectFrom("user_stations").select("channel_id").where("user_id", "=", userId).orderBy("channel_id").execute()).map(
    (r) => r.channel_id,
  );
}

export { isStationKind };
