import { z } from "zod";
import { AppError } from "../content/errors.js";
import type { MediaVariant, PublishMedia } from "../content/media/model.js";
import type { AdapterFactory, ChannelAdapter, Problem, PublishRequest, PublishResult } from "../content/ports/adapter.js";
import { titleProblems } from "./checks.js";
import { beforePublishing, errorFromResponse, parseAnswer, providerMessage, readMediaFile, send } from "./http.js";
import { pickVariant } from "./media-pick.js";

const TermName = z.string().trim().min(1).max(200);

export const WordpressSettings = z.strictObject({
  /** The site's address, e.g. `https://sokhcn.cantho.gov.vn`; the REST API is under `<siteUrl>/wp-json/`. */
  siteUrl: z.url({ protocol: /^https?$/, error: "the site's http(s) address" }),
  status: z.enum(["publish", "draft", "pending"]).default("publish"),
  /** Category names: found by name, created when missing. */
  categories: z.array(TermName).max(20).default([]),
  tags: z.array(TermName).max(50).default([]),
  /** Also file the post under the rendered hashtags (without `#`) as tags. */
  hashtagsAsTags: z.boolean().default(true),
});
export type WordpressSettings = z.infer<typeof WordpressSettings>;

/** Item kinds whose picture is the content itself: shown whole in the post, not only as its featured image. */
const PICTURE_KINDS = new Set(["infographic", "photo"]);
/** Every status a post of ours may be in, for `lookup` (authenticated requests may list them all). */
const ANY_STATUS = "publish,future,draft,pending,private";

/**
 * The invisible mark each post carries, so that `lookup` finds a post whose creation timed out. An HTML
 * comment in the content survives WordPress's sanitising (block markup relies on it), readers never see
 * it, and the REST API's `search` matches it; no plugin or registered post meta is needed.
 */
export const deliveryMark = (deliveryId: string) => `loa-delivery:${deliveryId}`;

/** The image a post shows: infographics whole (`original`), other items the link-card crop (`feed`); a video's thumbnail at worst. */
export function pickImage(kind: string, media: PublishMedia[] | undefined): MediaVariant | undefined {
  const order = PICTURE_KINDS.has(kind) ? ["original", "feed"] : ["feed", "original"];
  return (pickVariant(media, "image", order, "image/jpeg") ?? pickVariant(media, "video", ["thumb"], "image/jpeg"))?.variant;
}

const Created = z.object({ id: z.number(), link: z.string().nullish() });
const Found = z.array(
  z.object({
    id: z.number(),
    link: z.string().nullish(),
    content: z.object({ raw: z.string().optional(), rendered: z.string().optional() }),
  }),
);
const Media = z.object({ id: z.number(), source_url: z.string() });
const Terms = z.array(z.object({ id: z.number(), name: z.string() }));
const WpError = z.object({ code: z.string(), data: z.object({ term_id: z.number().optional() }).nullish() });

/** WordPress returns term names HTML-escaped (`Tin &amp; Sự kiện`). */
const unescapeHtml = (s: string) =>
  s.replace(/&(amp|lt|gt|quot|#039|#39);/g, (_, e: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#039": "'", "#39": "'" })[e] ?? _);
const sameName = (a: string, b: string) =>
  unescapeHtml(a).normalize("NFC").toLocaleLowerCase("vi") === b.normalize("NFC").toLocaleLowerCase("vi");

type WpInit = Omit<RequestInit, "headers"> & { signal: AbortSignal; headers?: Record<string, string> };

const escapeAttr = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

function check(req: PublishRequest, hasSecret: boolean): Problem[] {
  const problems: Problem[] = [];
  if (!hasSecret) {
    problems.push({
      field: "channel",
      vi: "Kênh WordPress chưa có mật khẩu ứng dụng",
      en: "the WordPress channel has no application password",
    });
  }
  problems.push(...titleProblems(req.text.title, "WordPress"));
  if (!req.text.html.trim()) problems.push({ field: "body", vi: "Tin bài chưa có nội dung", en: "the item has no content" });
  if (PICTURE_KINDS.has(req.item.kind) && !req.mediaPending && !pickImage(req.item.kind, req.media)) {
    problems.push({
      field: "media",
      vi: "Infographic/ảnh cần ít nhất một ảnh đã xử lý xong để đăng lên cổng thông tin",
      en: "an infographic or photo item needs a processed image to post on the portal",
    });
  }
  return problems;
}

/** A WordPress site (kind `wordpress`) through its REST API v2, with an Application Password. */
export const wordpressFactory: AdapterFactory<typeof WordpressSettings> = {
  kind: "wordpress",
  settings: WordpressSettings,
  needsSecret: true,
  defaultLimits: { concurrency: 2, perMinute: 30 },
  create(settings, secret, ctx): ChannelAdapter {
    const root = new URL("wp-json/wp/v2/", settings.siteUrl.endsWith("/") ? settings.siteUrl : `${settings.siteUrl}/`);
    const url = (path: string, query: Record<string, string> = {}) => {
      const u = new URL(path, root);
      for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
      return u.toString();
    };
    const wp = async (path: string, init: WpInit, query?: Record<string, string>) => {
      if (!secret?.includes(":")) {
        throw new AppError("auth_expired", "the WordPress channel needs its secret as `user:application-password`", { field: "secret" });
      }
      const headers = { authorization: `Basic ${Buffer.from(secret).toString("base64")}`, "user-agent": "Loa/0.1", ...init.headers };
      return send(ctx.http, url(path, query), { ...init, headers });
    };
    const fail = async (res: Response): Promise<AppError> => {
      if (res.status === 401) {
        return new AppError(
          "auth_expired",
          `WordPress refused the application password (401): ${await providerMessage(res)}; create a new one`,
        );
      }
      if (res.status === 500 && res.headers.get("content-type")?.includes("json")) {
        // Upload refusals (file type, size) come as 500 `rest_upload_*`: the same file would be refused again.
        const text = await res.clone().text();
        if (/"code"\s*:\s*"rest_upload_/.test(text))
          return new AppError("channel_rejected", `WordPress refused the file: ${await providerMessage(res)}`);
      }
      return errorFromResponse(res, "WordPress");
    };

    async function lookup(deliveryId: string, signal: AbortSignal): Promise<PublishResult | undefined> {
      const mark = deliveryMark(deliveryId);
      const query = { search: mark, status: ANY_STATUS, context: "edit", _fields: "id,link,content", per_page: "10" };
      const res = await wp("posts", { method: "GET", signal }, query);
      if (!res.ok) throw await fail(res);
      const posts = await parseAnswer(res, Found, "WordPress");
      const post = posts.find((p) => (p.content.raw ?? p.content.rendered ?? "").includes(mark));
      return post ? { externalId: String(post.id), url: post.link ?? null } : undefined;
    }

    async function upload(variant: MediaVariant, title: string, signal: AbortSignal): Promise<z.infer<typeof Media>> {
      const file = await readMediaFile(ctx.readMedia, variant.key);
      const res = await wp(
        "media",
        {
          method: "POST",
          signal,
          body: file,
          headers: { "content-type": variant.mime, "content-disposition": `attachment; filename="loa-${variant.name}"` },
        },
        { title, alt_text: title },
      );
      if (!res.ok) throw await fail(res);
      return parseAnswer(res, Media, "WordPress");
    }

    /** Term ids by name: found with `search` (which also matches parts of names, hence the exact comparison), created when missing. */
    async function termIds(taxonomy: "categories" | "tags", names: string[], signal: AbortSignal): Promise<number[]> {
      const ids: number[] = [];
      for (const name of [...new Set(names)]) {
        const found = await wp(taxonomy, { method: "GET", signal }, { search: name, per_page: "100", _fields: "id,name" });
        if (!found.ok) throw await fail(found);
        const match = (await parseAnswer(found, Terms, "WordPress")).find((t) => sameName(t.name, name));
        if (match) {
          ids.push(match.id);
          continue;
        }
        const res = await wp(taxonomy, {
          method: "POST",
          signal,
          body: JSON.stringify({ name }),
          headers: { "content-type": "application/json" },
        });
        if (res.ok) {
          ids.push((await parseAnswer(res, Terms.element, "WordPress")).id);
          continue;
        }
        const err = WpError.safeParse(
          await res
            .clone()
            .json()
            .catch(() => undefined),
        );
        // Created meanwhile (or differing only in case/accents as WordPress compares): use the existing term.
        if (err.success && err.data.code === "term_exists" && err.data.data?.term_id) ids.push(err.data.data.term_id);
        else throw await fail(res);
      }
      return ids;
    }

    return {
      kind: "wordpress",
      check: (req) => check(req, Boolean(secret)),
      lookup,
      async publish(req, signal) {
        // Before anything else: an earlier attempt may have created the post and lost the answer.
        const earlier = await beforePublishing(lookup(req.deliveryId, signal));
        if (earlier) return earlier;
        const prepared = await beforePublishing(
          (async () => {
            const tagNames = [...settings.tags, ...(settings.hashtagsAsTags ? req.text.hashtags.map((h) => h.replace(/^#/, "")) : [])];
            const categories = await termIds("categories", settings.categories, signal);
            const tags = await termIds("tags", tagNames.filter(Boolean), signal);
            // The upload comes last: a failure before it leaves no orphan file in the site's media library.
            const image = pickImage(req.item.kind, req.media);
            const media = image ? await upload(image, req.text.title, signal) : undefined;
            return { media, categories, tags };
          })(),
        );
        const { media } = prepared;
        const figure =
          media && PICTURE_KINDS.has(req.item.kind)
            ? `<figure class="wp-block-image size-full"><img src="${escapeAttr(media.source_url)}" alt="${escapeAttr(req.text.title)}" class="wp-image-${media.id}"/></figure>\n`
            : "";
        const body = {
          title: req.text.title,
          content: `${figure}${req.text.html}\n<!-- ${deliveryMark(req.deliveryId)} -->`,
          excerpt: req.text.summary,
          status: settings.status,
          ...(media ? { featured_media: media.id } : {}),
          ...(prepared.categories.length ? { categories: prepared.categories } : {}),
          ...(prepared.tags.length ? { tags: prepared.tags } : {}),
        };
        const res = await wp("posts", {
          method: "POST",
          signal,
          body: JSON.stringify(body),
          headers: { "content-type": "application/json; charset=utf-8" },
        });
        if (!res.ok) throw await fail(res);
        const post = await parseAnswer(res, Created, "WordPress");
        return { externalId: String(post.id), url: post.link ?? null };
      },
    };
  },
};
