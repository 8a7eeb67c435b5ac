import crypto from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { AppError } from "../../content/errors.js";
import type { AdapterFactory, ChannelAdapter, Problem, PublishRequest, PublishResult } from "../../content/ports/adapter.js";
import { titleProblems } from "../checks.js";
import { cut, pickVariant } from "../media-pick.js";
import { type ZaloClient, zaloClient } from "./zalo.api.js";
import { parseZaloSecret, zaloOAuth } from "./zalo.oauth.js";

/** Zalo's article limits (Article API v2.0): title ≤ 150, author ≤ 50, description ≤ 300 characters, images ≤ 1 MB. */
const TITLE_MAX = 150;
const AUTHOR_MAX = 50;
const DESCRIPTION_MAX = 300;
const COVER_MAX_BYTES = 1_000_000;
/** While Zalo is still processing a created article, `verify` answers this code. */
const PENDING = -214;
/** `getslice` gives at most 10 articles a page; lookup reads this many of the newest. */
const LOOKUP_PAGES = 3;
const LOOKUP_WINDOW_MS = 3 * 24 * 3_600_000;

export const ZaloSettings = z.strictObject({
  /** The article's author line; the agency's name (cut to 50 characters) when absent. */
  author: z.string().trim().min(1).max(AUTHOR_MAX).optional(),
  /**
   * Zalo's article API takes the cover as a public URL that Zalo downloads. Loa serves media only to
   * signed-in users, so a public copy of the media store is needed: `<coverBaseUrl>/<media id>/feed.jpg`.
   */
  coverBaseUrl: z.url().optional(),
  /** Cover used when the item has no picture (e.g. the agency's banner), as a public URL. */
  defaultCoverUrl: z.url().optional(),
  status: z.enum(["show", "hide"]).default("show"),
  comment: z.enum(["show", "hide"]).default("show"),
  /** Also send the article to the OA's followers (a broadcast message; Zalo reviews it before sending). */
  broadcast: z.boolean().default(false),
  /** Zalo's city codes to limit the broadcast to ("," separated); all followers when absent. */
  broadcastCities: z
    .string()
    .regex(/^\d+(,\d+)*$/, "Zalo city codes separated by commas")
    .optional(),
  verifyIntervalMs: z.number().int().min(10).max(60_000).default(1_000),
});
export type ZaloSettings = z.infer<typeof ZaloSettings>;

/** The reference printed at the end of each article: citizens can quote it, and `lookup` finds the article by it. */
export function zaloReference(deliveryId: string): string {
  return `Mã tin: LOA-${crypto.createHash("sha256").update(deliveryId).digest("hex").slice(0, 10).toUpperCase()}`;
}

function cover(req: PublishRequest, s: ZaloSettings): { url?: string; problem?: Problem } {
  const picked = pickVariant(req.media, "image", ["feed", "original", "square"], "image/jpeg");
  if (picked && s.coverBaseUrl) {
    if (picked.variant.bytes > COVER_MAX_BYTES) {
      return {
        problem: { field: "media", vi: "Ảnh bìa lớn hơn 1 MB, Zalo không nhận", en: "the cover picture is larger than Zalo's 1 MB" },
      };
    }
    return { url: `${s.coverBaseUrl.replace(/\/$/, "")}/${picked.variant.key}` };
  }
  if (s.defaultCoverUrl) return { url: s.defaultCoverUrl };
  if (picked) {
    return {
      problem: {
        field: "settings.coverBaseUrl",
        vi: "Kênh Zalo chưa có địa chỉ công khai cho ảnh bìa (coverBaseUrl) hoặc ảnh bìa mặc định",
        en: "the Zalo channel has no public address for covers (coverBaseUrl) nor a default cover",
      },
    };
  }
  if (req.mediaPending) return {};
  return { problem: { field: "media", vi: "Bài viết Zalo cần một ảnh bìa", en: "a Zalo article needs a cover picture" } };
}

function problems(req: PublishRequest, s: ZaloSettings): Problem[] {
  const out: Problem[] = [];
  const title = req.text.title.trim();
  out.push(...titleProblems(title, "Zalo", TITLE_MAX));
  if (!req.text.body.trim()) out.push({ field: "body", vi: "Bài viết chưa có nội dung", en: "the article has no text" });
  const c = cover(req, s);
  if (c.problem) out.push(c.problem);
  return out;
}

/** One text block per paragraph, then the reference. */
function articleBody(req: PublishRequest): { type: "text"; content: string }[] {
  const paragraphs = req.text.body
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  return [...paragraphs, zaloReference(req.deliveryId)].map((content) => ({ type: "text", content }));
}

async function verify(api: ZaloClient, token: string, s: ZaloSettings, signal: AbortSignal): Promise<string> {
  for (;;) {
    const answer = await api.call("POST", "/v2.0/article/verify", { token }, signal, [PENDING]);
    const id = answer.data?.id ?? answer.data?.article_id;
    if (answer.error !== PENDING && (typeof id === "string" || typeof id === "number")) return String(id);
    await sleep(s.verifyIntervalMs, undefined, { signal });
  }
}

async function linkOf(api: ZaloClient, id: string, signal: AbortSignal): Promise<string | null> {
  const detail = await api.call("GET", `/v2.0/article/getdetail?id=${encodeURIComponent(id)}`, undefined, signal).catch(() => undefined);
  const link = detail?.data?.link_view ?? detail?.data?.link;
  return typeof link === "string" ? link : null;
}

async function broadcast(api: ZaloClient, articleId: string, s: ZaloSettings, signal: AbortSignal): Promise<void> {
  await api.call(
    "POST",
    "/v2.0/oa/message",
    {
      recipient: { target: s.broadcastCities ? { cities: s.broadcastCities } : { gender: "0" } },
      message: {
        attachment: {
          type: "template",
          payload: { template_type: "media", elements: [{ media_type: "article", attachment_id: articleId }] },
        },
      },
    },
    signal,
  );
}

/** Finds, among the newest articles, the one carrying this delivery's reference. */
async function find(api: ZaloClient, deliveryId: string, now: Date, signal: AbortSignal): Promise<PublishResult | undefined> {
  const reference = zaloReference(deliveryId);
  for (let page = 0; page < LOOKUP_PAGES; page++) {
    const list = await api.call("GET", `/v2.0/article/getslice?offset=${page * 10}&limit=10&type=normal`, undefined, signal);
    const medias = (list.data?.medias ?? []) as { id?: string; create_date?: number; link_view?: string }[];
    for (const m of medias) {
      if (!m.id) continue;
      // Newest first: past the window, nothing older can be this delivery's (dates in ms, or in s).
      const created = m.create_date && m.create_date < 1e12 ? m.create_date * 1000 : m.create_date;
      if (created && now.getTime() - created > LOOKUP_WINDOW_MS) return undefined;
      const detail = await api.call("GET", `/v2.0/article/getdetail?id=${encodeURIComponent(m.id)}`, undefined, signal);
      const body = (detail.data?.body ?? []) as { content?: string }[];
      if (body.some((b) => b.content?.includes(reference))) return { externalId: m.id, url: m.link_view ?? null };
    }
    if (medias.length < 10) return undefined;
  }
  return undefined;
}

/** A Zalo Official Account (kind `zalo_oa`): articles by the Article API v2.0, optionally broadcast to followers. */
export const zaloFactory: AdapterFactory<typeof ZaloSettings> = {
  kind: "zalo_oa",
  settings: ZaloSettings,
  needsSecret: true,
  oauthApp: "zalo",
  oauth: zaloOAuth,
  // One job at a time per OA: a refresh token is single-use, so two jobs refreshing at once would lock one out.
  defaultLimits: { concurrency: 1, perMinute: 30 },
  create(settings, secret, ctx): ChannelAdapter {
    const api = zaloClient(parseZaloSecret(secret), ctx);
    return {
      kind: "zalo_oa",
      check: (req) => problems(req, settings),
      async publish(req, signal) {
        const found = problems(req, settings);
        if (found.length) throw new AppError("channel_rejected", `Zalo would refuse the article: ${found.map((p) => p.en).join("; ")}`);
        const created = await api.call(
          "POST",
          "/v2.0/article/create",
          {
            type: "normal",
            title: req.text.title.trim(),
            author: settings.author ?? cut(req.agency.name, AUTHOR_MAX),
            cover: { cover_type: "photo", photo_url: cover(req, settings).url, status: "show" },
            description: cut(req.text.summary.trim() || req.text.title.trim(), DESCRIPTION_MAX),
            body: articleBody(req),
            status: settings.status,
            comment: settings.comment,
          },
          signal,
        );
        const token = created.data?.token;
        if (typeof token !== "string") throw new AppError("channel_unconfirmed", "Zalo answered the article without its token");
        // From here the article exists: a failure must not lead to a blind repost, so it is unconfirmed.
        try {
          const id = await verify(api, token, settings, signal);
          if (settings.broadcast) await broadcast(api, id, settings, signal);
          return { externalId: id, url: await linkOf(api, id, signal) };
        } catch (err) {
          const why = err instanceof Error ? err.message : String(err);
          throw new AppError("channel_unconfirmed", `Zalo accepted the article but did not confirm it: ${why}`, { cause: err });
        }
      },
      lookup: (deliveryId, signal) => find(api, deliveryId, ctx.now(), signal),
    };
  },
};
