import { z } from "zod";
import { AppError } from "../../content/errors.js";
import type { AdapterFactory, ChannelAdapter, Problem, PublishRequest, PublishResult } from "../../content/ports/adapter.js";
import { titleProblems } from "../checks.js";
import { pickVariant } from "../media-pick.js";
import { CHUNK_UNIT, type YouTubeClient, youtubeClient } from "./youtube.api.js";
import { parseYouTubeSecret, youtubeOAuth } from "./youtube.oauth.js";

/** YouTube's limits: title ≤ 100 characters, description ≤ 5,000 bytes, tags ≤ 500 characters, 15 minutes for unverified accounts. */
const TITLE_MAX = 100;
const DESCRIPTION_MAX_BYTES = 5000;
const TAGS_MAX = 500;
const UNVERIFIED_MAX_MS = 15 * 60_000;
const VIDEO_PROFILES = ["youtube1080", "web720"];

export const YouTubeSettings = z.strictObject({
  privacyStatus: z.enum(["public", "unlisted", "private"]).default("public"),
  /** When > 0, the video is uploaded private and YouTube makes it public this many minutes later (`publishAt`). */
  publishDelayMinutes: z.number().int().min(0).max(43_200).default(0),
  /** 25: News & Politics; 29: Nonprofits & Activism; 27: Education. */
  categoryId: z.string().regex(/^\d+$/).default("25"),
  defaultLanguage: z.string().min(2).max(10).default("vi"),
  madeForKids: z.boolean().default(false),
  notifySubscribers: z.boolean().default(true),
  /** A phone-verified channel may upload videos longer than 15 minutes and set custom thumbnails. */
  verified: z.boolean().default(false),
  chunkBytes: z
    .number()
    .int()
    .min(CHUNK_UNIT)
    .multipleOf(CHUNK_UNIT)
    .default(32 * CHUNK_UNIT),
});
export type YouTubeSettings = z.infer<typeof YouTubeSettings>;

/** A hidden tag on each video: viewers do not see tags, and `lookup` finds the video by it for 3 quota units. */
export const youtubeMarker = (deliveryId: string) => `loa-${deliveryId}`;

/** YouTube refuses `<` and `>` in titles and descriptions. */
const clean = (s: string) => s.replace(/</g, "‹").replace(/>/g, "›").trim();

function tags(req: PublishRequest): string[] {
  const out = [youtubeMarker(req.deliveryId)];
  let used = out[0]?.length ?? 0;
  for (const h of req.text.hashtags.map((t) => t.replace(/^#/, "").trim()).filter(Boolean)) {
    const cost = h.length + 1 + (h.includes(" ") ? 2 : 0);
    if (used + cost > TAGS_MAX) break;
    out.push(h);
    used += cost;
  }
  return out;
}

const videoOf = (req: PublishRequest) => pickVariant(req.media, "video", VIDEO_PROFILES, "video/mp4");

function problems(req: PublishRequest, s: YouTubeSettings): Problem[] {
  const out: Problem[] = [];
  const title = clean(req.text.title);
  out.push(...titleProblems(title, "YouTube", TITLE_MAX));
  if (Buffer.byteLength(clean(req.text.body)) > DESCRIPTION_MAX_BYTES) {
    out.push({
      field: "body",
      vi: "Phần mô tả dài hơn 5.000 byte mà YouTube cho phép",
      en: "the description is longer than YouTube's 5,000 bytes",
    });
  }
  const video = videoOf(req);
  if (!video && !req.mediaPending) {
    out.push({ field: "media", vi: "Kênh YouTube cần một video đã xử lý", en: "a YouTube channel needs a processed video" });
  }
  const duration = video?.variant.durationMs ?? video?.media.probe.durationMs ?? 0;
  if (!s.verified && duration > UNVERIFIED_MAX_MS) {
    out.push({
      field: "media",
      vi: "Video dài hơn 15 phút: kênh YouTube phải được xác minh (verified) mới đăng được",
      en: "the video is longer than 15 minutes, which only a verified YouTube channel may upload",
    });
  }
  return out;
}

function metadata(req: PublishRequest, s: YouTubeSettings, now: Date) {
  const publishAt = s.publishDelayMinutes > 0 ? new Date(now.getTime() + s.publishDelayMinutes * 60_000).toISOString() : undefined;
  return {
    snippet: {
      title: clean(req.text.title),
      description: clean(req.text.body),
      tags: tags(req),
      categoryId: s.categoryId,
      defaultLanguage: s.defaultLanguage,
      defaultAudioLanguage: s.defaultLanguage,
    },
    // `publishAt` is only honoured for private videos: YouTube makes them public at that time.
    status: publishAt
      ? { privacyStatus: "private", publishAt, selfDeclaredMadeForKids: s.madeForKids, embeddable: true }
      : { privacyStatus: s.privacyStatus, selfDeclaredMadeForKids: s.madeForKids, embeddable: true },
  };
}

const watchUrl = (id: string) => `https://www.youtube.com/watch?v=${id}`;

/** The channel's newest uploads (uploads playlist, then their tags): 3 quota units, where `search.list` costs 100. */
async function find(api: YouTubeClient, deliveryId: string, signal: AbortSignal): Promise<PublishResult | undefined> {
  type Channels = { items?: { contentDetails?: { relatedPlaylists?: { uploads?: string } } }[] };
  const channels = await api.json<Channels>("/channels?part=contentDetails&mine=true", signal);
  const uploads = channels.items?.[0]?.contentDetails?.relatedPlaylists?.uploads;
  if (!uploads) return undefined;
  type Items = { items?: { contentDetails?: { videoId?: string } }[] };
  const list = await api.json<Items>(`/playlistItems?part=contentDetails&maxResults=50&playlistId=${encodeURIComponent(uploads)}`, signal);
  const ids = (list.items ?? []).map((i) => i.contentDetails?.videoId).filter((id): id is string => Boolean(id));
  if (ids.length === 0) return undefined;
  type Videos = { items?: { id: string; snippet?: { tags?: string[] } }[] };
  const videos = await api.json<Videos>(`/videos?part=snippet&id=${ids.map(encodeURIComponent).join(",")}`, signal);
  const marker = youtubeMarker(deliveryId);
  const hit = videos.items?.find((v) => v.snippet?.tags?.includes(marker));
  return hit ? { externalId: hit.id, url: watchUrl(hit.id) } : undefined;
}

/** A YouTube channel (kind `youtube`): resumable upload by the Data API v3, then the custom thumbnail. */
export const youtubeFactory: AdapterFactory<typeof YouTubeSettings> = {
  kind: "youtube",
  settings: YouTubeSettings,
  needsSecret: true,
  oauthApp: "google",
  oauth: youtubeOAuth,
  // A 1080p upload of a few hundred megabytes takes minutes on a city office's line.
  timeoutMs: 30 * 60_000,
  // Uploads are long and costly in the project's daily YouTube quota.
  defaultLimits: { concurrency: 1, perMinute: 5 },
  create(settings, secret, ctx): ChannelAdapter {
    const api = youtubeClient(parseYouTubeSecret(secret), ctx);
    return {
      kind: "youtube",
      check: (req) => problems(req, settings),
      async publish(req, signal) {
        const found = problems(req, settings);
        const video = videoOf(req);
        if (found.length || !video) {
          throw new AppError("channel_rejected", `YouTube would refuse the video: ${found.map((p) => p.en).join("; ") || "no video"}`);
        }
        const file = await ctx.readMedia(video.variant.key);
        const path = `/videos?uploadType=resumable&part=snippet,status&notifySubscribers=${settings.notifySubscribers}`;
        const res = await api.upload(
          path,
          metadata(req, settings, ctx.now()),
          { ...file, mime: video.variant.mime },
          settings.chunkBytes,
          signal,
        );
        const answer = (await res.json().catch(() => undefined)) as { id?: string } | undefined;
        if (!answer?.id) throw new AppError("channel_unconfirmed", `YouTube answered the upload with ${res.status} but no video id`);
        const thumb = video.media.variants.find((v) => v.profile === "thumb" && v.mime === "image/jpeg");
        if (thumb) {
          // The video is public already: a refused thumbnail (unverified channel, quota) must not fail the delivery.
          await setThumbnail(api, ctx.readMedia, answer.id, thumb.key, signal).catch(() => undefined);
        }
        return { externalId: answer.id, url: watchUrl(answer.id) };
      },
      lookup: (deliveryId, signal) => find(api, deliveryId, signal),
    };
  },
};

async function setThumbnail(
  api: YouTubeClient,
  readMedia: (key: string) => Promise<{ stream: NodeJS.ReadableStream; bytes: number }>,
  videoId: string,
  key: string,
  signal: AbortSignal,
): Promise<void> {
  const { stream } = await readMedia(key);
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  const path = `/thumbnails/set?videoId=${encodeURIComponent(videoId)}&uploadType=media`;
  const res = await api.request(path, {
    upload: true,
    method: "POST",
    signal,
    headers: { "content-type": "image/jpeg" },
    body: Buffer.concat(chunks),
  });
  await res.body?.cancel();
}
