import crypto from "node:crypto";
import { z } from "zod";
import type { MediaVariant, PublishMedia } from "../../content/media/model.js";
import type { AdapterFactory, ChannelAdapter, Problem, PublishRequest, PublishResult } from "../../content/ports/adapter.js";
import { beforePublishing, readMediaFile } from "../http.js";
import { pickVariant } from "../media-pick.js";
import { graphClient } from "./facebook.graph.js";
import { facebookOAuth } from "./facebook.oauth.js";
import { uploadVideo } from "./facebook.video.js";

export const FacebookSettings = z.strictObject({
  /** The Page's numeric id (Page → About → Page transparency, or Meta Business Suite → Settings). */
  pageId: z.string().regex(/^\d{5,25}$/, "the Page's numeric id"),
  /** Graph API version, pinned so that Meta's yearly changes arrive when Loa is ready for them. */
  graphVersion: z
    .string()
    .regex(/^v\d+\.\d+$/, "a Graph API version such as v21.0")
    .default("v21.0"),
});
export type FacebookSettings = z.infer<typeof FacebookSettings>;

/** Graph's documented limits: a post's text, a photo upload, photos in one post, and a Page video. */
export const MAX_MESSAGE = 63_206;
const MAX_PHOTO_BYTES = 4 * 1024 * 1024;
const MAX_PHOTOS = 10;
const MAX_VIDEO_BYTES = 10 * 1024 ** 3;
const MAX_VIDEO_MS = 240 * 60_000;

/**
 * The reference line every post ends with, from the delivery id: Graph has no idempotency key, so
 * `lookup` finds a post whose answer was lost by this line in the Page's recent posts. It is visible
 * on purpose: invisible marks (zero-width characters) may be stripped or normalised by Facebook and
 * are read out by screen readers, while a short reference is stable, searchable, and lets a citizen or
 * officer quote the post ("Mã tham chiếu") when calling the agency. 40 bits of the id's SHA-256 make a
 * collision among a Page's recent posts negligible.
 */
export function referenceOf(deliveryId: string): string {
  return `LOA-${crypto.createHash("sha256").update(deliveryId).digest("hex").slice(0, 10).toUpperCase()}`;
}
export const messageOf = (req: PublishRequest) => `${req.text.body.trimEnd()}\n\nMã tham chiếu: ${referenceOf(req.deliveryId)}`;

/** A photo's JPEG: the whole picture (`original`, ≤ 2048 px) when Graph takes its size, else the `feed` crop. */
function photoOf(m: PublishMedia): MediaVariant | undefined {
  for (const profile of ["original", "square", "feed"]) {
    const v = m.variants.find((v) => v.profile === profile && v.mime === "image/jpeg" && v.bytes <= MAX_PHOTO_BYTES);
    if (v) return v;
  }
  return undefined;
}

type Plan = { mode: "video"; video: MediaVariant } | { mode: "photos"; photos: MediaVariant[] } | { mode: "feed" };

/** A video item posts its video; any other item with images posts them; otherwise a text (and link) post. */
function planOf(req: PublishRequest): Plan {
  const video = pickVariant(req.media, "video", ["web720"], "video/mp4")?.variant;
  const photos = (req.media ?? []).filter((m) => m.kind === "image").flatMap((m) => photoOf(m) ?? []);
  if (video && (req.item.kind === "video" || !photos.length)) return { mode: "video", video };
  return photos.length ? { mode: "photos", photos } : { mode: "feed" };
}

function check(req: PublishRequest, connected: boolean): Problem[] {
  const problems: Problem[] = [];
  const add = (field: string, vi: string, en: string) => problems.push({ field, vi, en });
  if (!connected) add("channel", "Trang Facebook chưa được kết nối", "the Facebook Page is not connected");
  const length = [...messageOf(req)].length;
  if (length > MAX_MESSAGE) {
    add(
      "body",
      `Bài đăng Facebook dài ${length} ký tự, vượt giới hạn ${MAX_MESSAGE}`,
      `the Facebook post is ${length} characters, over the ${MAX_MESSAGE} limit`,
    );
  }
  if (!req.text.body.trim() && !req.media?.length) add("body", "Bài đăng chưa có nội dung", "the post has no text");
  const plan = planOf(req);
  const images = (req.media ?? []).filter((m) => m.kind === "image");
  if (images.length > MAX_PHOTOS) {
    add(
      "media",
      `Facebook chỉ hiển thị tối đa ${MAX_PHOTOS} ảnh trong một bài; tin có ${images.length} ảnh`,
      `Facebook shows at most ${MAX_PHOTOS} photos in a post; the item has ${images.length}`,
    );
  }
  if (images.some((m) => !photoOf(m))) {
    add("media", "Có ảnh không có bản JPEG dưới 4 MB để đăng lên Facebook", "an image has no JPEG version under 4 MB for Facebook");
  }
  if (req.mediaPending) return problems;
  if ((req.item.kind === "photo" || req.item.kind === "infographic") && plan.mode !== "photos") {
    add(
      "media",
      "Tin ảnh/infographic cần ít nhất một ảnh để đăng lên Facebook",
      "a photo or infographic item needs an image to post on Facebook",
    );
  }
  if (req.item.kind === "video" && plan.mode !== "video") {
    add(
      "media",
      "Tin video cần một video đã xử lý (bản web720) để đăng lên Facebook",
      "a video item needs a processed video (the web720 version) for Facebook",
    );
  }
  if (plan.mode === "video" && (plan.video.durationMs ?? 0) > MAX_VIDEO_MS) {
    add("media", "Video dài quá 240 phút, Facebook không nhận", "the video is longer than Facebook's 240 minutes");
  }
  if (plan.mode === "video" && plan.video.bytes > MAX_VIDEO_BYTES) {
    add("media", "Video lớn hơn 10 GB, Facebook không nhận", "the video is larger than Facebook's 10 GB");
  }
  return problems;
}

const Id = z.object({ id: z.union([z.string(), z.number()]).transform(String) });
const PhotoPosted = Id.extend({ post_id: z.string().optional() });
const Listed = z.object({
  data: z.array(z.object({ id: z.string(), message: z.string().optional(), description: z.string().optional() })),
});

/** A Facebook Page (kind `facebook_page`) through the Graph API, with a Page access token. */
export const facebookFactory: AdapterFactory<typeof FacebookSettings> = {
  kind: "facebook_page",
  settings: FacebookSettings,
  needsSecret: true,
  oauthApp: "facebook",
  oauth: facebookOAuth,
  defaultLimits: { concurrency: 1, perMinute: 10 },
  create(settings, secret, ctx): ChannelAdapter {
    const graph = graphClient(ctx.http, settings.graphVersion, secret);
    const { pageId } = settings;
    const base = ctx.endpoints.facebook.graph;
    const postUrl = (id: string) => `https://www.facebook.com/${pageId}/posts/${id.split("_")[1] ?? id}`;
    const photoForm = async (v: MediaVariant, fields: Record<string, string>) => {
      const form = new FormData();
      for (const [k, value] of Object.entries(fields)) form.set(k, value);
      form.set("source", new Blob([await readMediaFile(ctx.readMedia, v.key)], { type: v.mime }), v.name);
      return form;
    };

    async function photos(req: PublishRequest, variants: MediaVariant[], signal: AbortSignal): Promise<PublishResult> {
      const message = messageOf(req);
      const [only] = variants;
      if (only && variants.length === 1) {
        const posted = await graph.post(
          base,
          `${pageId}/photos`,
          await photoForm(only, { caption: message, published: "true" }),
          PhotoPosted,
          signal,
        );
        const id = posted.post_id ?? `${pageId}_${posted.id}`;
        return { externalId: id, url: postUrl(id) };
      }
      // Several photos: each uploaded unpublished, then one post that attaches them all.
      const form = new URLSearchParams({ message, published: "true" });
      for (const [i, v] of variants.entries()) {
        const upload = async () => graph.post(base, `${pageId}/photos`, await photoForm(v, { published: "false" }), Id, signal);
        const photo = await beforePublishing(upload());
        form.set(`attached_media[${i}]`, JSON.stringify({ media_fbid: photo.id }));
      }
      const post = await graph.post(base, `${pageId}/feed`, form, Id, signal);
      return { externalId: post.id, url: postUrl(post.id) };
    }

    async function feed(req: PublishRequest, signal: AbortSignal): Promise<PublishResult> {
      const form = new URLSearchParams({ message: messageOf(req), published: "true" });
      // The portal link the template put in the text becomes the post's link card.
      const link = /https?:\/\/[^\s<>"]+/.exec(req.text.body)?.[0];
      if (link) form.set("link", link);
      const post = await graph.post(base, `${pageId}/feed`, form, Id, signal);
      return { externalId: post.id, url: postUrl(post.id) };
    }

    return {
      kind: "facebook_page",
      check: (req) => check(req, Boolean(secret)),
      async publish(req, signal) {
        const plan = planOf(req);
        if (plan.mode === "photos") return photos(req, plan.photos, signal);
        if (plan.mode === "feed") return feed(req, signal);
        const post = {
          pageId,
          videoBase: ctx.endpoints.facebook.video,
          variant: plan.video,
          title: req.text.title,
          description: messageOf(req),
        };
        const id = await uploadVideo(graph, ctx, post, signal);
        return { externalId: id, url: `https://www.facebook.com/${pageId}/videos/${id}` };
      },
      /** Looks for the reference line among the Page's recent videos, then its recent posts (photo and text posts). */
      async lookup(deliveryId, signal) {
        const ref = referenceOf(deliveryId);
        const videos = await graph.get(base, `${pageId}/videos`, { fields: "id,description,created_time", limit: "25" }, Listed, signal);
        const video = videos.data.find((v) => v.description?.includes(ref));
        if (video) return { externalId: video.id, url: `https://www.facebook.com/${pageId}/videos/${video.id}` };
        const posts = await graph.get(base, `${pageId}/posts`, { fields: "id,message,created_time", limit: "100" }, Listed, signal);
        const post = posts.data.find((p) => p.message?.includes(ref));
        return post ? { externalId: post.id, url: postUrl(post.id) } : undefined;
      },
    };
  },
};
